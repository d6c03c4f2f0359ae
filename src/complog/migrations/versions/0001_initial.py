"""The first schema: customers, complaints, notes, promises, escalations, audit.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

from complog.dbtypes import UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _fk(name: str, target: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "customer",
        _id(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("erased_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customer"),
        sa.UniqueConstraint("name_key", name="uq_customer_name_key"),
    )
    op.create_table(
        "complaint",
        _id(),
        _fk("customer_id", "customer.id"),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("heat", sa.Integer(), nullable=False),
        sa.Column("wants", sa.Text(), nullable=True),
        sa.Column("loss_cents", sa.Integer(), nullable=True),
        sa.Column("written", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("compensation", sa.Text(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("cause", sa.Text(), nullable=True),
        sa.Column("prevention", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_complaint"),
        sa.UniqueConstraint("external_id", name="uq_complaint_external_id"),
    )
    op.create_index("ix_complaint_status_opened_at", "complaint", ["status", "opened_at"])
    op.create_index("ix_complaint_opened_at", "complaint", ["opened_at"])
    op.create_index("ix_complaint_customer_id", "complaint", ["customer_id"])
    op.create_table(
        "note",
        _id(),
        _fk("complaint_id", "complaint.id"),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_note"),
    )
    op.create_index("ix_note_complaint_id_at", "note", ["complaint_id", "at"])
    op.create_table(
        "promise",
        _id(),
        _fk("complaint_id", "complaint.id"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("kept_at", UTCDateTime(), nullable=True),
        sa.Column("closed_note", sa.Text(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_promise"),
    )
    op.create_index("ix_promise_complaint_id", "promise", ["complaint_id"])
    op.create_index(
        "ix_promise_open_due_at",
        "promise",
        ["due_at"],
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "reschedule",
        _id(),
        _fk("promise_id", "promise.id"),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("old_due_at", UTCDateTime(), nullable=False),
        sa.Column("new_due_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reschedule"),
    )
    op.create_index("ix_reschedule_promise_id", "reschedule", ["promise_id"])
    op.create_table(
        "escalation",
        _id(),
        _fk("complaint_id", "complaint.id"),
        sa.Column("to_whom", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_escalation"),
        sa.UniqueConstraint(
            "complaint_id", "rule", "trigger", name="uq_escalation_complaint_id_rule_trigger"
        ),
    )
    op.create_index("ix_escalation_acknowledged_at", "escalation", ["acknowledged_at"])
    op.create_table(
        "event",
        _id(),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_event"),
    )
    op.create_index("ix_event_complaint_id", "event", ["complaint_id"])
    op.create_table(
        "setting",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_setting"),
    )
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )
    op.bulk_insert(meta, [{"key": "logbook_id", "value": uuid.uuid4().hex}])


def downgrade() -> None:
    for table in (
        "meta",
        "setting",
        "event",
        "escalation",
        "reschedule",
        "promise",
        "note",
        "complaint",
        "customer",
    ):
        op.drop_table(table)
