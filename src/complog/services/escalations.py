"""Escalations: manual, automatic (exactly once per trigger) and acknowledgement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, text

from complog.connect import Location
from complog.errors import Conflict, NotFound
from complog.models import Escalation
from complog.rules import Firing
from complog.services.common import (
    Actor,
    audit,
    clean_text,
    get_complaint,
    happened_at,
    insert,
    snapshot,
)


def escalate(
    session: Session,
    actor: Actor,
    complaint_id: int,
    to: str,
    reason: str,
    at: datetime | None = None,
) -> Escalation:
    """A manual escalation: always recorded, however many there already are."""
    who = clean_text(to, "--to", limit=200)
    why = clean_text(reason, "reason")
    assert who is not None and why is not None
    complaint = get_complaint(session, complaint_id)
    if complaint.status != "open":
        raise Conflict(f"complaint {complaint_id} is resolved", "reopen it before escalating")
    when = happened_at(at, actor, not_before=complaint.opened_at, what="the complaint was opened")
    row = insert(
        session,
        Escalation(
            complaint_id=complaint_id,
            to_whom=who,
            reason=why,
            rule="manual",
            at=when,
            actor=actor.user,
        ),
    )
    audit(
        session,
        actor,
        "escalate",
        "escalation",
        row.id,
        complaint_id=complaint_id,
        after=snapshot(row),
    )
    return row


def auto_escalate(session: Session, actor: Actor, location: Location) -> list[tuple[Firing, int]]:
    """Apply the escalation rules: each firing not yet recorded becomes an escalation.

    The facts are read inside this transaction, on its connection, after it took
    the write lock (SQLite) or the escalation lock (PostgreSQL, where readers and
    writers do not block each other and runs are serialised instead): a complaint
    resolved by another writer while this run waited is seen resolved, not
    escalated. Exactly-once still rests on the unique key (`apply_firings`).
    """
    from complog.queries.opening import reader_in
    from complog.rules import evaluate

    reader = reader_in(session, location)
    if reader.dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('complog escalate --auto'))"))
    firings = evaluate(reader.rule_facts(), reader.settings(), actor.now)
    return apply_firings(session, actor, firings)


def apply_firings(
    session: Session, actor: Actor, firings: Sequence[Firing]
) -> list[tuple[Firing, int]]:
    """Insert each firing unless its (complaint, rule, trigger) exists; return the new ones.

    The unique key decides, not a prior check: two crons racing on the same
    trigger both try, and exactly one row results.
    """
    dialect = session.get_bind().dialect.name
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    created = []
    for f in firings:
        statement = (
            make_insert(Escalation)
            .values(
                complaint_id=f.complaint_id,
                to_whom=f.to,
                reason=f.reason,
                rule=f.rule,
                trigger=f.trigger,
                at=actor.now,
                actor=actor.user,
            )  # fmt: skip
            .on_conflict_do_nothing(index_elements=["complaint_id", "rule", "trigger"])
            .returning(Escalation.__table__.c.id)  # type: ignore[attr-defined]  # SQLModel hides __table__
        )
        new_id = session.execute(statement).scalar_one_or_none()
        if new_id is None:
            continue
        audit(
            session, actor, "escalate", "escalation", new_id, complaint_id=f.complaint_id,
            after={"rule": f.rule, "trigger": f.trigger, "to_whom": f.to, "reason": f.reason},
        )  # fmt: skip
        created.append((f, new_id))
    return created


def acknowledge(
    session: Session, actor: Actor, escalation_id: int, at: datetime | None = None
) -> Escalation:
    row = session.get(Escalation, escalation_id)
    if row is None:
        raise NotFound(f"no escalation {escalation_id}", "complog escalations lists them")
    if row.acknowledged_at is not None:
        raise Conflict(
            f"escalation {escalation_id} was already acknowledged by {row.acknowledged_by}"
        )
    when = happened_at(at, actor, not_before=row.at, what="the escalation")
    before = snapshot(row)
    row.acknowledged_at = when
    row.acknowledged_by = actor.user
    session.add(row)
    audit(
        session,
        actor,
        "ack",
        "escalation",
        escalation_id,
        complaint_id=row.complaint_id,
        before=before,
        after=snapshot(row),
    )
    return row
