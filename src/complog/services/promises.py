"""Promises: make, keep, cancel, reschedule; each change is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from complog.errors import Conflict, InvalidInput
from complog.services.common import (
    Actor,
    audit,
    check_not_future,
    clean_text,
    get_complaint,
    get_promise,
    happened_at,
    insert,
    optional_name,
    snapshot,
)
from complog.tables.complaints import Complaint, Promise


def create_promise(
    session: Session,
    actor: Actor,
    complaint: Complaint,
    text: str,
    due: datetime,
    owner: str,
    made_at: datetime | None = None,
) -> Promise:
    """`made_at`: when it was promised, for a call logged after the fact (add --at)."""
    promise = insert_promise(session, actor, complaint, text, due, owner, made_at)
    audit_promise(session, actor, promise)
    return promise


def insert_promise(
    session: Session,
    actor: Actor,
    complaint: Complaint,
    text: str,
    due: datetime,
    owner: str,
    made_at: datetime | None = None,
) -> Promise:
    """The row alone; the caller audits it (`add` names it in its own event first)."""
    assert complaint.id is not None
    return insert(
        session,
        Promise(
            complaint_id=complaint.id,
            text=text,
            owner=owner,
            due_at=due,
            created_at=made_at or actor.now,
            created_by=actor.user,
        ),
    )


def audit_promise(session: Session, actor: Actor, promise: Promise) -> None:
    audit(
        session,
        actor,
        "promise",
        "promise",
        promise.id,
        complaint_id=promise.complaint_id,
        after=snapshot(promise),
    )


def make_promise(
    session: Session,
    actor: Actor,
    complaint_id: int,
    text: str,
    due: datetime,
    owner: str | None,
    at: datetime | None = None,
) -> Promise:
    """`at`: when it was promised, for a call logged after the fact."""
    body = clean_text(text, "promise text")
    assert body is not None
    who = optional_name(owner, "--owner") or actor.user
    complaint = get_complaint(session, complaint_id)
    if complaint.status != "open":
        raise Conflict(
            f"complaint {complaint_id} is resolved",
            f"complog reopen {complaint_id} --reason ... first",
        )
    made_at = happened_at(
        at, actor, not_before=complaint.opened_at, what="the complaint was opened"
    )
    return create_promise(session, actor, complaint, body, due, who, made_at)


def _require_open(promise: Promise) -> None:
    if promise.status != "open":
        raise Conflict(
            f"promise {promise.id} is already {promise.status}", "only open promises can change"
        )


@dataclass(frozen=True)
class Kept:
    promise_id: int
    complaint_id: int
    kept_at: datetime
    due_at: datetime

    @property
    def late_by_seconds(self) -> float:
        return max(0.0, (self.kept_at - self.due_at).total_seconds())


def keep_promise(
    session: Session,
    actor: Actor,
    promise_id: int,
    *,
    note: str | None = None,
    at: datetime | None = None,
) -> Kept:
    from complog.tables.workflow import Note  # imported here: `add` maps only what it writes

    promise = get_promise(session, promise_id)
    _require_open(promise)
    kept_at = check_not_future(at or actor.now, actor.now)
    if kept_at < promise.created_at and at is not None:
        raise InvalidInput("--at is before the promise was made")
    before = snapshot(promise)
    promise.status = "kept"
    promise.kept_at = kept_at
    promise.closed_note = clean_text(note, "note", required=False)
    session.add(promise)
    note_row = None
    if promise.closed_note:
        complaint = get_complaint(session, promise.complaint_id)
        note_row = insert(
            session,
            Note(
                complaint_id=promise.complaint_id,
                at=kept_at,
                recorded_at=actor.now,
                author=actor.user,
                channel=complaint.channel,
                direction="out",
                text=promise.closed_note,
            ),
        )
    after = snapshot(promise) or {}
    if note_row is not None:
        after["note_id"] = note_row.id  # one command: undo takes the note back with it
    audit(
        session,
        actor,
        "kept",
        "promise",
        promise_id,
        complaint_id=promise.complaint_id,
        before=before,
        after=after,
    )
    if note_row is not None:
        audit(
            session,
            actor,
            "note",
            "note",
            note_row.id,
            complaint_id=promise.complaint_id,
            after=snapshot(note_row),
        )
    return Kept(promise_id, promise.complaint_id, kept_at, promise.due_at)


def cancel_promise(
    session: Session, actor: Actor, promise_id: int, reason: str, at: datetime | None = None
) -> Promise:
    why = clean_text(reason, "reason")
    promise = get_promise(session, promise_id)
    _require_open(promise)
    when = happened_at(at, actor, not_before=promise.created_at, what="the promise was made")
    cancel_open_promises(session, actor, [promise], why or "", when)
    return promise


def cancel_open_promises(
    session: Session,
    actor: Actor,
    promises: Sequence[Promise],
    reason: str,
    at: datetime | None = None,
) -> int:
    for promise in promises:
        before = snapshot(promise)
        promise.status = "cancelled"
        promise.cancelled_at = at or actor.now
        promise.closed_note = reason
        session.add(promise)
        audit(
            session,
            actor,
            "cancel",
            "promise",
            promise.id,
            complaint_id=promise.complaint_id,
            before=before,
            after=snapshot(promise),
        )
    return len(promises)


@dataclass(frozen=True)
class Rescheduled:
    promise_id: int
    old_due_at: datetime
    new_due_at: datetime
    late: bool
    count: int


def reschedule_promise(
    session: Session,
    actor: Actor,
    promise_id: int,
    due: datetime,
    reason: str,
    at: datetime | None = None,
) -> Rescheduled:
    """Move a promise's due time; moving it after it fell due marks it broken.
    `at`: when it was agreed, for a call logged after the fact."""
    from complog.tables.workflow import Reschedule

    why = clean_text(reason, "reason")
    assert why is not None
    promise = get_promise(session, promise_id)
    _require_open(promise)
    moment = happened_at(at, actor, not_before=promise.created_at, what="the promise was made")
    if due == promise.due_at:
        raise InvalidInput(f"promise {promise_id} is already due then", "give a different --due")
    if due <= moment:
        raise InvalidInput("the new due time is already past", "reschedule to a time in the future")
    before = snapshot(promise)
    late = moment > promise.due_at
    old_due = promise.due_at
    history = insert(
        session,
        Reschedule(
            promise_id=promise_id,
            at=moment,
            old_due_at=old_due,
            new_due_at=due,
            reason=why,
            late=late,
            actor=actor.user,
        ),
    )
    promise.due_at = due
    session.add(promise)
    after = snapshot(promise) or {}
    after["reschedule"] = snapshot(history)
    audit(
        session,
        actor,
        "reschedule",
        "promise",
        promise_id,
        complaint_id=promise.complaint_id,
        before=before,
        after=after,
    )
    count = session.exec(
        select(func.count()).select_from(Reschedule).where(Reschedule.promise_id == promise_id)
    ).one()
    return Rescheduled(promise_id, old_due, due, late, int(count))
