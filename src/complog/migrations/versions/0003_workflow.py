"""Case workflow: resolutions that were reopened, and waiting on the customer.

An index on note(complaint_id, direction, at) answers "first outbound note"
(first response, acknowledgement) without reading every note of a complaint.

`past_resolution` keeps each resolution a reopen replaced (until now only the
audit event held it, so exports and imports lost it); existing reopen events
are copied into it. `wait` records the stretches a complaint waited on the
customer, at most one open at a time (a partial unique index).

Revision ID: 0003_workflow
Revises: 0002_search
Create Date: 2026-11-23
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from complog.dbtypes import UTCDateTime

revision = "0003_workflow"
down_revision = "0002_search"
branch_labels = None
depends_on = None

ERASED = "[erased]"


def _fk(name: str, target: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    past = op.create_table(
        "past_resolution",
        sa.Column("id", sa.Integer(), nullable=False),
        _fk("complaint_id", "complaint.id"),
        sa.Column("resolved_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("compensation", sa.Text(), nullable=True),
        sa.Column("cause", sa.Text(), nullable=True),
        sa.Column("prevention", sa.Text(), nullable=True),
        sa.Column("reopened_at", UTCDateTime(), nullable=False),
        sa.Column("reopened_by", sa.Text(), nullable=False),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_past_resolution"),
    )
    op.create_index("ix_past_resolution_complaint_id", "past_resolution", ["complaint_id"])
    op.create_table(
        "wait",
        sa.Column("id", sa.Integer(), nullable=False),
        _fk("complaint_id", "complaint.id"),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("started_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("ended_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_wait"),
    )
    op.create_index("ix_wait_complaint_id", "wait", ["complaint_id"])
    op.create_index(
        "uq_wait_open_complaint_id",
        "wait",
        ["complaint_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index(
        "ix_note_complaint_id_direction_at", "note", ["complaint_id", "direction", "at"]
    )
    op.bulk_insert(past, list(_past_resolutions_from_audit_log()))


def _past_resolutions_from_audit_log() -> list[dict[str, Any]]:
    """Each reopen event's `before` is the complaint as resolved; its `after` holds
    the reason. An erase emptied both: the row stays, its text marked erased."""
    event = sa.table(
        "event",
        sa.column("id", sa.Integer()),
        sa.column("at", UTCDateTime()),
        sa.column("actor", sa.Text()),
        sa.column("action", sa.Text()),
        sa.column("entity", sa.Text()),
        sa.column("complaint_id", sa.Integer()),
        sa.column("before", sa.Text()),
        sa.column("after", sa.Text()),
    )
    rows = op.get_bind().execute(
        sa.select(event)
        .where(event.c.action == "reopen", event.c.entity == "complaint")
        .where(event.c.complaint_id.is_not(None))
        .order_by(event.c.id)
    )
    out = []
    for row in rows:
        before = json.loads(row.before) if row.before else {}
        after = json.loads(row.after) if row.after else {}
        resolved_at = before.get("resolved_at")
        out.append(
            {
                "complaint_id": row.complaint_id,
                "resolved_at": datetime.fromisoformat(resolved_at) if resolved_at else row.at,
                "outcome": before.get("outcome", ERASED if row.before is None else None),
                "confirmed": before.get("confirmed"),
                "satisfaction": before.get("satisfaction"),
                "compensation": before.get("compensation"),
                "cause": before.get("cause"),
                "prevention": before.get("prevention"),
                "reopened_at": row.at,
                "reopened_by": row.actor,
                "reopen_reason": after.get("reason") or ERASED,
            }
        )
    return out


def downgrade() -> None:
    op.drop_index("ix_note_complaint_id_direction_at", "note")
    op.drop_table("wait")
    op.drop_table("past_resolution")
