"""`complog undo`: revert the acting user's last change, from the audit log.

A change is what one command wrote: its events are consecutive (writers are
serialised) and share the actor and the instant. A few commands write more
than one event, and their first event names the rest, so the group is found
without guessing even under a frozen clock:

- `add` names its promise (`promise_id`) and follows the customer's create/update;
- `kept --note` names its note (`note_id`);
- `resolve --cancel-open-promises` names the promises it cancelled;
- `escalate --auto` writes a run of automatic escalations, undone together.

Each event is reverted from its snapshots: a created row is deleted, a changed
row gets its `before` back, a deleted row is put back. Before touching a row the
current values must still equal the event's `after`, and no later change by
someone else may touch the same complaint, promise, escalation, customer or
setting: otherwise undo refuses (Conflict) and names that change. Undo writes
an `undo` event listing what it reverted; undone events stay in the log (it is
append-only) and are skipped from then on. Undo itself is not undone (no redo).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, func, select

from complog.dbtypes import UTCDateTime
from complog.errors import Conflict, NotFound
from complog.models import Complaint, Customer, Event, PastResolution, Reschedule
from complog.services.common import Actor, audit, snapshot

#: Changes that cannot be taken back, and why.
NOT_UNDOABLE = {
    "erase": "erasing a customer cannot be undone: their personal data is gone for good",
    "import": "an import cannot be undone with undo (it may hold thousands of complaints)",
    "migrate-to": "migrate-to copied the logbook; there is nothing here to undo",
}
#: How far back one command's events can reach (escalate --auto on a big logbook).
GROUP_LIMIT = 50_000


@dataclass(frozen=True)
class Undone:
    """What undo reverted (or, in a dry run, would revert)."""

    description: str
    user: str
    action: str
    event_ids: tuple[int, ...]
    complaint_id: int | None


@dataclass(frozen=True)
class _Ev:
    """An event with its snapshots decoded."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    complaint_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, row: Event) -> _Ev:
        assert row.id is not None
        return cls(
            row.id, row.at, row.actor, row.action, row.entity, row.entity_id, row.complaint_id,
            json.loads(row.before) if row.before else None,
            json.loads(row.after) if row.after else None,
        )  # fmt: skip

    @property
    def number(self) -> int | None:
        return int(self.entity_id) if self.entity_id and self.entity_id.isdigit() else None

    @property
    def auto_escalation(self) -> bool:
        return self.action == "escalate" and (self.after or {}).get("rule") not in (None, "manual")


def undo_last(session: Session, actor: Actor) -> Undone:
    """Revert `actor.user`'s last change that is not undone yet, in this transaction."""
    undone = undone_event_ids(session)
    last = _last_change(session, actor.user, undone)
    if last is None:
        raise NotFound(
            f"{actor.user} has no change to undo",
            "undo reverts your own changes (COMPLOG_USER / --user); complog history lists them",
        )
    if last.action in NOT_UNDOABLE:
        raise Conflict(
            f"cannot undo your last change (event {last.id}): {NOT_UNDOABLE[last.action]}",
            "make the correction by hand; complog history shows what it changed",
        )
    group = _command_of(session, last, undone)
    description = describe(session, group)
    _refuse_if_others_depend(session, group, undone, description)
    for event in reversed(group):
        _revert(session, event)
    primary = _primary(group)
    ids = tuple(e.id for e in group)
    audit(
        session, actor, "undo", "event", primary.id, complaint_id=primary.complaint_id,
        after={"undid": list(ids), "action": primary.action, "description": description},
    )  # fmt: skip
    return Undone(description, primary.actor, primary.action, ids, primary.complaint_id)


def undone_event_ids(session: Session) -> set[int]:
    undone: set[int] = set()
    for after in session.exec(select(Event.after).where(Event.action == "undo")).all():
        undone.update(json.loads(after or "{}").get("undid", []))
    return undone


def _last_change(session: Session, user: str, undone: set[int]) -> _Ev | None:
    rows = session.exec(
        select(Event)
        .where(Event.actor == user, Event.action != "undo")
        .order_by(col(Event.id).desc())
        .execution_options(yield_per=200)
    )
    for row in rows:
        if row.id not in undone:
            return _Ev.of(row)
    return None


def _same_instant_run(session: Session, last: _Ev) -> Iterator[_Ev]:
    """`last` and the events just before it by the same user at the same instant."""
    rows = session.exec(
        select(Event)
        .where(col(Event.id) <= last.id)
        .order_by(col(Event.id).desc())
        .limit(GROUP_LIMIT)
        .execution_options(yield_per=200)
    )
    for row in rows:
        if row.actor != last.actor or row.at != last.at:
            return
        yield _Ev.of(row)


def _command_of(session: Session, last: _Ev, undone: set[int]) -> list[_Ev]:
    """The events of the command that wrote `last`, oldest first."""
    run = [e for e in _same_instant_run(session, last) if e.id not in undone]
    if last.auto_escalation:
        group = []
        for event in run:
            if not event.auto_escalation:
                break
            group.append(event)
        return group[::-1]
    primary, rest = last, run[1:]
    if rest:
        previous = rest[0]
        pointer = {"promise": "promise_id", "note": "note_id"}.get(last.action)
        if (
            pointer
            and previous.action in ("add", "kept")
            and (previous.after or {}).get(pointer) == last.number
        ):
            primary, rest = previous, rest[1:]
    group = [primary] if primary is last else [last, primary]
    after = primary.after or {}
    if primary.action == "add":
        if rest and rest[0].entity == "customer" and rest[0].action in ("create", "update"):
            if rest[0].number == after.get("customer_id"):
                group.append(rest[0])
    elif primary.action == "resolve":
        cancelled = set(after.get("cancelled_promises", []))
        for event in rest:
            cancel = event.action == "cancel" and event.number in cancelled
            wait_end = event.action == "resume" and event.number == after.get("ended_wait")
            if not (cancel or wait_end):
                break
            group.append(event)
    return sorted(group, key=lambda e: e.id)


# -- what a change touches, and who changed it since -------------------------------


def _touches(event: _Ev) -> set[tuple[str, str]]:
    keys = {(event.entity, event.entity_id or "")}
    if event.complaint_id is not None:
        keys.add(("complaint", str(event.complaint_id)))
    after, before = event.after or {}, event.before or {}
    if event.action == "add" and after.get("customer_id") is not None:
        keys.add(("customer", str(after["customer_id"])))
    if event.action == "merge":
        keys.add(("customer", str(after.get("into_id"))))
        keys.update(("complaint", str(i)) for i in after.get("complaints", []))
    if event.entity == "customer" and before.get("id") is not None:
        keys.add(("customer", str(before["id"])))
    return keys


def _refuse_if_others_depend(
    session: Session, group: Sequence[_Ev], undone: set[int], description: str
) -> None:
    touched = set().union(*(_touches(e) for e in group))
    later = session.exec(
        select(Event)
        .where(col(Event.id) > group[-1].id, Event.action != "undo")
        .order_by(col(Event.id))
        .execution_options(yield_per=500)
    )
    for row in later:
        if row.id in undone:
            continue
        event = _Ev.of(row)
        common = _touches(event) & touched
        if common:
            kind, key = sorted(common)[0]
            raise Conflict(
                f"cannot undo {description}: {event.actor} changed {kind} {key} after it"
                f" ({event.action}, event {event.id})",
                f"ask {event.actor} to undo theirs first, or correct it by hand",
            )


# -- reverting one event -------------------------------------------------------------


def _models() -> dict[str, type[SQLModel]]:
    """Every table's model by name: an event's entity is its table."""
    from sqlmodel.main import default_registry

    return {m.class_.__tablename__: m.class_ for m in default_registry.mappers}


def _columns(model: type[SQLModel]) -> dict[str, Any]:
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel hides __table__
    return {c.name: c for c in table.columns}


def _decode(model: type[SQLModel], data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's values as the model's columns take them (times back to datetimes)."""
    columns = _columns(model)
    values = {}
    for key, value in data.items():
        if key not in columns:
            continue
        if isinstance(columns[key].type, UTCDateTime) and isinstance(value, str):
            value = datetime.fromisoformat(value)
        values[key] = value
    return values


def _matches(row: SQLModel, model: type[SQLModel], after: dict[str, Any]) -> bool:
    current = snapshot(row) or {}
    columns = _columns(model)
    return all(current.get(k) == v for k, v in after.items() if k in columns)


def _changed_since(event: _Ev, what: str) -> Conflict:
    return Conflict(
        f"cannot undo: {what} has changed since event {event.id}",
        "complog history shows who changed it; correct it by hand",
    )


def _revert(session: Session, event: _Ev) -> None:
    if event.before is None and event.after is None:
        # Only erase empties both: with nothing to compare, a revert could delete or
        # overwrite the anonymised rows that keep the reports' counts.
        raise Conflict(
            f"cannot undo event {event.id}: the customer's data in it was erased",
            "make the correction by hand; complog history shows what is left of it",
        )
    if event.action == "merge":
        _unmerge(session, event)
        return
    model = _models().get(event.entity)
    if model is None or event.entity_id is None:
        raise Conflict(f"cannot undo {event.action} (event {event.id}): undo does not know how")
    key = event.entity_id if event.entity in ("setting", "role_name") else event.number
    row = session.get(model, key)
    what = f"{event.entity} {event.entity_id}"
    before, after = event.before, event.after
    if before is None:  # created: remove it
        if row is None or not _matches(row, model, after or {}):
            raise _changed_since(event, what)
        if model is Customer:
            _require_no_complaints(session, event.number or 0, what)
        session.delete(row)
    elif after is None:  # deleted: put it back
        if row is not None:
            raise _changed_since(event, what)
        values = _decode(model, before)
        if event.entity == "setting":
            values.setdefault("updated_at", event.at)
            values.setdefault("updated_by", event.actor)
        session.add(model(**values))
    else:  # changed: the values before
        if row is None or not _matches(row, model, after):
            raise _changed_since(event, what)
        for name, value in _decode(model, before).items():
            setattr(row, name, value)
        session.add(row)
    if event.action == "reopen" and isinstance(after, dict):
        _drop_past_resolution(session, event, after)
    if event.action == "reschedule" and isinstance(after, dict):
        history = session.get(Reschedule, (after.get("reschedule") or {}).get("id"))
        if history is None:
            raise _changed_since(event, f"the reschedule history of {what}")
        session.delete(history)
    session.flush()


def _drop_past_resolution(session: Session, event: _Ev, after: dict[str, Any]) -> None:
    """Reopening moved the resolution to past_resolution; it is current again."""
    past = None
    if after.get("past_resolution_id") is not None:
        past = session.get(PastResolution, after["past_resolution_id"])
    elif after.get("reopened_at"):  # reopened before reopen named its row
        past = session.exec(
            select(PastResolution).where(
                PastResolution.complaint_id == event.complaint_id,
                PastResolution.reopened_at == datetime.fromisoformat(after["reopened_at"]),
            )
        ).first()
    if past is None:
        raise _changed_since(event, f"the earlier resolution of complaint {event.complaint_id}")
    session.delete(past)


def _require_no_complaints(session: Session, customer_id: int, what: str) -> None:
    count = session.exec(
        select(func.count()).select_from(Complaint).where(Complaint.customer_id == customer_id)
    ).one()
    if count:
        raise Conflict(
            f"cannot undo: {what} has {count} complaint{'s' if count != 1 else ''} added since",
            "complog customer NAME shows them",
        )


def _unmerge(session: Session, event: _Ev) -> None:
    """Put the merged-away customer back and move its complaints home."""
    before, after = event.before or {}, event.after or {}
    source, target = before.get("from") or {}, after.get("into") or {}
    into = session.get(Customer, target.get("id"))
    if into is None or not _matches(into, Customer, target):
        raise _changed_since(event, f"customer {target.get('id')}")
    if session.get(Customer, source.get("id")) is not None:
        raise _changed_since(event, f"customer {source.get('id')}")
    for name, value in _decode(Customer, before.get("into") or {}).items():
        setattr(into, name, value)
    session.add(into)
    session.flush()  # INTO gets its old name key back before FROM's is reused
    session.add(Customer(**_decode(Customer, source)))
    session.flush()
    for complaint_id in after.get("complaints", []):
        complaint = session.get(Complaint, complaint_id)
        if complaint is None or complaint.customer_id != into.id:
            raise _changed_since(event, f"complaint {complaint_id}")
        complaint.customer_id = source["id"]
        session.add(complaint)
    session.flush()


# -- saying what it was ----------------------------------------------------------------


def describe(session: Session, group: Sequence[_Ev]) -> str:
    """`note 3 on complaint 1 by alice`: what a change was, in words."""
    first = _primary(group)
    on = f" on complaint {first.complaint_id}" if first.complaint_id else ""
    after = first.after or {}
    n = first.entity_id
    if first.auto_escalation:
        ids = ", ".join(e.entity_id or "" for e in group)
        text = (
            f"automatic escalation {ids}{on}"
            if len(group) == 1
            else f"{len(group)} automatic escalations ({ids})"
        )
    elif first.action == "add":
        customer_id = after.get("customer_id")
        customer = session.get(Customer, customer_id) if customer_id is not None else None
        extras = []
        if after.get("promise_id"):
            extras.append(f"promise {after['promise_id']}")
        if any(e.entity == "customer" and e.action == "create" for e in group):
            extras.append("the new customer")
        name = f" for {customer.name}" if customer is not None else ""
        text = f"complaint {n}{name}" + (f" (with {' and '.join(extras)})" if extras else "")
    else:
        text = _describe_one(first, on)
    return f"{text} by {first.actor}"


def _describe_one(event: _Ev, on: str) -> str:
    n, after, before = event.entity_id, event.after or {}, event.before or {}
    match event.action:
        case "note" | "promise":
            return f"{event.action} {n}{on}"
        case "kept":
            return f"kept promise {n}{on}" + (" and its note" if after.get("note_id") else "")
        case "cancel":
            return f"cancelled promise {n}{on}"
        case "reschedule":
            return f"reschedule of promise {n}{on}"
        case "escalate":
            return f"escalation {n}{on}"
        case "ack":
            return f"acknowledgement of escalation {n}{on}"
        case "resolve":
            cancelled = (
                " (and the promises it cancelled)" if after.get("cancelled_promises") else ""
            )
            return f"resolution of complaint {n}{cancelled}"
        case "reopen":
            return f"reopening of complaint {n}"
        case "edit":
            return f"edit of complaint {n}"
        case "wait":
            return f"wait on the customer{on}"
        case "resume":
            return f"resume of the wait{on}"
        case "config":
            return f"config {n} = {after.get('value')}" if after else f"config {n} reset"
        case "role":
            return f"name {after.get('name')!r} for role {n}" if after else f"name of role {n}"
        case "merge":
            source, target = before.get("from") or {}, after.get("into") or {}
            return f"merge of customer {source.get('name')!r} into {target.get('name')!r}"
        case _:
            return f"{event.action} of {event.entity} {n}{on}"


def _primary(group: Sequence[_Ev]) -> _Ev:
    for event in group:
        if event.entity != "customer" or event.action == "merge":
            return event
    return group[0]
