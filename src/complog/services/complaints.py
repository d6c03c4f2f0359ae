"""Complaints after they are logged (services/intake.py): annotate, resolve, reopen, edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from complog.errors import Conflict, InvalidInput
from complog.models import Complaint, Note, PastResolution, Promise
from complog.money import Money, MoneyError, value_in_text
from complog.services.common import (
    CAUSES,
    CHANNELS,
    DIRECTIONS,
    LONG_TEXT,
    Actor,
    audit,
    check_choice,
    check_not_future,
    clean_text,
    get_complaint,
    insert,
    logbook_currency,
    optional_name,
    snapshot,
)
from complog.services.intake import check_heat, parse_loss
from complog.services.promises import cancel_open_promises
from complog.services.waiting import end_wait, open_wait
from complog.vocabulary import is_written


def value_compensation(text: str | None, currency: str) -> Money | None:
    """The value of a compensation text: its first amount with a currency (or none)."""
    try:
        return value_in_text(text, currency)
    except MoneyError as exc:
        raise MoneyError(f"invalid --compensation: {exc.message}", exc.hint) from None


def add_note(
    session: Session,
    actor: Actor,
    complaint_id: int,
    text: str,
    *,
    direction: str = "internal",
    channel: str | None = None,
    at: datetime | None = None,
) -> int:
    """Record an interaction (in/out) or an internal note; returns the note id."""
    body = clean_text(text, "note text", limit=LONG_TEXT)
    assert body is not None
    direction = check_choice(direction, DIRECTIONS, "direction")
    complaint = get_complaint(session, complaint_id)
    if channel is None:
        channel = complaint.channel if direction != "internal" else "other"
    when = check_not_future(at or actor.now, actor.now)
    if when < complaint.opened_at:
        raise InvalidInput(
            "--at is before the complaint was opened",
            f"it was opened {complaint.opened_at:%Y-%m-%d %H:%M} UTC",
        )
    note = insert(
        session,
        Note(
            complaint_id=complaint_id,
            at=when,
            recorded_at=actor.now,
            author=actor.user,
            channel=check_choice(channel, CHANNELS, "channel"),
            direction=direction,
            text=body,
        ),
    )
    audit(session, actor, "note", "note", note.id, complaint_id=complaint_id, after=snapshot(note))
    assert note.id is not None
    return note.id


@dataclass(frozen=True)
class Resolution:
    outcome: str
    confirmed: bool | None = None
    satisfaction: int | None = None
    compensation: str | None = None
    cause: str | None = None
    prevention: str | None = None
    at: datetime | None = None
    cancel_open_promises: bool = False
    #: refuse while an ISO 10002 step before closing is missing (complog check)
    strict: bool = False


def resolve_complaint(
    session: Session, actor: Actor, complaint_id: int, resolution: Resolution
) -> int:
    """Close the complaint with its outcome; returns how many promises were cancelled."""
    outcome = clean_text(resolution.outcome, "outcome")
    if resolution.satisfaction is not None and not 1 <= resolution.satisfaction <= 5:
        raise InvalidInput(
            f"invalid satisfaction {resolution.satisfaction}", "satisfaction runs from 1 to 5"
        )
    cause = check_choice(resolution.cause, CAUSES, "cause") if resolution.cause else None
    # Every value checked before anything is written (PostgreSQL ids are not given back).
    compensation = clean_text(resolution.compensation, "compensation", required=False)
    value = value_compensation(compensation, logbook_currency(session))
    prevention = clean_text(resolution.prevention, "prevention", required=False)
    complaint = get_complaint(session, complaint_id)
    if complaint.status == "resolved":
        raise Conflict(
            f"complaint {complaint_id} is already resolved",
            f"complog reopen {complaint_id} --reason ... first",
        )
    resolved_at = check_not_future(resolution.at or actor.now, actor.now)
    if resolved_at < complaint.opened_at:
        raise InvalidInput("--at is before the complaint was opened")
    open_promises = session.exec(
        select(Promise).where(Promise.complaint_id == complaint_id, Promise.status == "open")
    ).all()
    if open_promises and not resolution.cancel_open_promises:
        ids = ", ".join(f"P{p.id}" for p in sorted(open_promises, key=lambda p: p.id or 0))
        plural = "s" if len(open_promises) != 1 else ""
        raise Conflict(
            f"complaint {complaint_id} still has {len(open_promises)} open promise{plural}: {ids}",
            "keep (complog kept) or cancel them first, or add --cancel-open-promises",
        )
    if resolution.strict:
        _refuse_unless_ready(session, complaint, resolution, cause, resolved_at)
    cancelled = cancel_open_promises(session, actor, open_promises, "cancelled on resolution")
    cancelled_ids = [p.id for p in open_promises]
    waiting = open_wait(session, complaint_id)
    if waiting is not None:  # resolved while waiting on the customer: the wait is over
        end_wait(session, actor, waiting, max(resolved_at, waiting.started_at))
    before = snapshot(complaint)
    complaint.status = "resolved"
    complaint.resolved_at = resolved_at
    complaint.outcome = outcome
    complaint.confirmed = resolution.confirmed
    complaint.satisfaction = resolution.satisfaction
    complaint.compensation = compensation
    complaint.compensation_minor = value.minor if value else None
    complaint.compensation_currency = value.currency if value else None
    complaint.cause = cause
    complaint.prevention = prevention
    session.add(complaint)
    after = snapshot(complaint) or {}
    # One command: undo takes back the cancellations and the end of the wait with it.
    if cancelled_ids:
        after["cancelled_promises"] = cancelled_ids
    if waiting is not None:
        after["ended_wait"] = waiting.id
    audit(
        session,
        actor,
        "resolve",
        "complaint",
        complaint_id,
        complaint_id=complaint_id,
        before=before,
        after=after,
    )
    return cancelled


def _refuse_unless_ready(
    session: Session,
    complaint: Complaint,
    resolution: Resolution,
    cause: str | None,
    resolved_at: datetime,
) -> None:
    """resolve --strict: every ISO 10002 step but "closed" must be there once resolved."""
    from complog.checklist import CaseFacts, evaluate, label

    notes = session.exec(
        select(Note).where(Note.complaint_id == complaint.id, Note.direction == "out")
    ).all()
    kept = session.exec(
        select(Promise).where(Promise.complaint_id == complaint.id, Promise.status == "kept")
    ).all()
    facts = CaseFacts(
        opened_at=complaint.opened_at, created_by=complaint.created_by, heat=complaint.heat,
        category=complaint.category, cause=cause, outcome=resolution.outcome,
        confirmed=resolution.confirmed, resolved_at=resolved_at, closed=True,
        outbound_notes=tuple((n.at, n.channel) for n in notes),
        kept_promises=tuple((p.kept_at, p.id or 0) for p in kept if p.kept_at is not None),
    )  # fmt: skip
    missing = [label(name) for name in evaluate(facts).missing if name != "closed"]
    if missing:
        raise Conflict(
            f"complaint {complaint.id} is not ready to close: missing {', '.join(missing)}",
            f"complog check {complaint.id} shows each step; or resolve without --strict",
        )


def reopen_complaint(
    session: Session, actor: Actor, complaint_id: int, reason: str, at: datetime | None = None
) -> None:
    """Reopen a resolved complaint; its resolution moves to past_resolution."""
    why = clean_text(reason, "reason")
    assert why is not None
    complaint = get_complaint(session, complaint_id)
    if complaint.status != "resolved":
        raise Conflict(
            f"complaint {complaint_id} is not resolved", "only resolved complaints can be reopened"
        )
    assert complaint.resolved_at is not None
    reopened_at = check_not_future(at or actor.now, actor.now)
    if reopened_at < complaint.resolved_at:
        raise InvalidInput("--at is before the complaint was resolved")
    before = snapshot(complaint)
    past = insert(
        session,
        PastResolution(
            complaint_id=complaint_id, resolved_at=complaint.resolved_at,
            outcome=complaint.outcome, confirmed=complaint.confirmed,
            satisfaction=complaint.satisfaction, compensation=complaint.compensation,
            compensation_minor=complaint.compensation_minor,
            compensation_currency=complaint.compensation_currency, cause=complaint.cause, prevention=complaint.prevention,
            reopened_at=reopened_at, reopened_by=actor.user, reopen_reason=why,
        ),
    )  # fmt: skip
    complaint.status = "open"
    for field in _RESOLUTION_FIELDS:
        setattr(complaint, field, None)
    session.add(complaint)
    after = snapshot(complaint) or {}
    after["reason"] = why
    after["reopened_at"] = reopened_at.astimezone(UTC).isoformat()
    after["past_resolution_id"] = past.id  # undo removes it again
    audit(
        session,
        actor,
        "reopen",
        "complaint",
        complaint_id,
        complaint_id=complaint_id,
        before=before,
        after=after,
    )


_RESOLUTION_FIELDS = (
    "resolved_at", "outcome", "confirmed", "satisfaction", "compensation", "compensation_minor",
    "compensation_currency", "cause", "prevention",
)  # fmt: skip


@dataclass(frozen=True)
class Changes:
    """What `complog edit` was given: None leaves a field as it is."""

    summary: str | None = None
    category: str | None = None
    heat: int | None = None
    wants: str | None = None
    loss: str | None = None
    channel: str | None = None
    written: bool | None = None
    owner: str | None = None


def edit_complaint(
    session: Session, actor: Actor, complaint_id: int, changes: Changes
) -> list[str]:
    """Correct what was recorded about a complaint (its assessment: category, heat...);
    returns the names of the fields that changed. An empty text clears an optional field."""
    complaint = get_complaint(session, complaint_id)
    values: dict[str, object] = {}
    if changes.summary is not None:
        values["summary"] = clean_text(changes.summary, "summary")
    if changes.category is not None:
        values["category"] = clean_text(changes.category, "category", required=False)
    if changes.wants is not None:
        values["wants"] = clean_text(changes.wants, "--wants", required=False)
    if changes.heat is not None:
        values["heat"] = check_heat(changes.heat)
    if changes.loss is not None:
        loss = parse_loss(changes.loss, logbook_currency(session))
        values["loss_minor"] = loss.minor if loss else None
        values["loss_currency"] = loss.currency if loss else None
    if changes.channel is not None:
        values["channel"] = check_choice(changes.channel, CHANNELS, "channel")
    if changes.written is not None:
        values["written"] = changes.written
    if changes.channel is not None or changes.written is not None:
        channel = str(values.get("channel", complaint.channel))
        values["written"] = is_written(channel, bool(values.get("written", complaint.written)))
    if changes.owner is not None:
        values["owner"] = optional_name(changes.owner, "--owner")
    if not values:
        raise InvalidInput(
            "nothing to change",
            "give --summary, --category, --heat, --wants, --loss, --channel, --written or --owner",
        )
    changed = [name for name, value in values.items() if getattr(complaint, name) != value]
    if not changed:
        return []
    before = snapshot(complaint)
    for name in changed:
        setattr(complaint, name, values[name])
    session.add(complaint)
    audit(session, actor, "edit", "complaint", complaint_id, complaint_id=complaint_id,
          before=before, after=snapshot(complaint))  # fmt: skip
    return changed
