"""Waiting on the customer: while a complaint waits (photos, a date, a signed
form), its resolution and quiet clocks stop, as RT's "stalled" and Zammad's
pending states do. One open wait at a time; each is kept, with its reason."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from complog.errors import Conflict, InvalidInput
from complog.models import Wait
from complog.services.common import (
    Actor,
    audit,
    check_not_future,
    clean_text,
    get_complaint,
    insert,
    snapshot,
)


def open_wait(session: Session, complaint_id: int) -> Wait | None:
    return session.exec(
        select(Wait).where(Wait.complaint_id == complaint_id, Wait.ended_at == None)  # noqa: E711
    ).first()


def start_waiting(
    session: Session, actor: Actor, complaint_id: int, reason: str, at: datetime | None = None
) -> int:
    """Returns the new wait's id."""
    why = clean_text(reason, "reason")
    assert why is not None
    complaint = get_complaint(session, complaint_id)
    if complaint.status != "open":
        raise Conflict(f"complaint {complaint_id} is resolved", "only open complaints can wait")
    current = open_wait(session, complaint_id)
    if current is not None:
        raise Conflict(
            f"complaint {complaint_id} is already waiting on the customer ({current.reason})",
            f"complog resume {complaint_id} first",
        )
    started = check_not_future(at or actor.now, actor.now)
    if started < complaint.opened_at:
        raise InvalidInput("--at is before the complaint was opened")
    last = _last_wait_end(session, complaint_id)
    if last is not None and started < last:
        raise InvalidInput("--at is before the end of the previous wait")
    row = insert(
        session,
        Wait(complaint_id=complaint_id, started_at=started, started_by=actor.user, reason=why),
    )
    audit(session, actor, "wait", "wait", row.id, complaint_id=complaint_id, after=snapshot(row))
    assert row.id is not None
    return row.id


def stop_waiting(
    session: Session, actor: Actor, complaint_id: int, at: datetime | None = None
) -> timedelta:
    """Ends the open wait; returns how long it lasted (wall clock)."""
    get_complaint(session, complaint_id)
    current = open_wait(session, complaint_id)
    if current is None:
        raise Conflict(
            f"complaint {complaint_id} is not waiting on the customer",
            f"complog wait {complaint_id} --reason ... starts a wait",
        )
    end_wait(session, actor, current, check_not_future(at or actor.now, actor.now))
    assert current.ended_at is not None
    return current.ended_at - current.started_at


def end_wait(session: Session, actor: Actor, wait: Wait, at: datetime) -> None:
    """Close `wait` at `at` (resume, or the complaint being resolved)."""
    if at < wait.started_at:
        raise InvalidInput(
            "--at is before the wait began", f"it began {wait.started_at:%Y-%m-%d %H:%M} UTC"
        )
    before = snapshot(wait)
    wait.ended_at, wait.ended_by = at, actor.user
    session.add(wait)
    audit(session, actor, "resume", "wait", wait.id, complaint_id=wait.complaint_id,
          before=before, after=snapshot(wait))  # fmt: skip


def _last_wait_end(session: Session, complaint_id: int) -> datetime | None:
    return session.exec(
        select(func.max(Wait.ended_at)).where(Wait.complaint_id == complaint_id)
    ).one()
