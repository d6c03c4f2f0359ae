"""The right to be forgotten: strip a customer's personal data, keep the counts.

Names, contact details and free text written about them (summaries, wants,
notes, promises, resolutions, escalation reasons, reschedule reasons, wait and
reopen reasons) are replaced; the audit log's copies of that text are emptied
too. Categories, causes, channels, heat, timestamps and outcomes-as-counts stay,
so reports still add up. Store.scrub() then rebuilds the search index and
rewrites the file so the old text is not left in free pages or the WAL.

The audit log remembers more than the live rows, so erase looks for the whole
person there (`_family`): customers merged into this one (their `create` events
and the merge's from/into snapshots), customers with this name that undo removed,
complaints of theirs that undo removed (their `add` events), and the undo events
that describe any of it. Events keep their who, when and what (and undo's list of
what it undid); only their copies of the data go.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, exists, update
from sqlmodel import Session, col, select

from complog.models import (
    Complaint,
    Customer,
    Escalation,
    Event,
    Meta,
    Note,
    PastResolution,
    Promise,
    Reschedule,
    Wait,
)
from complog.services.common import Actor, audit, name_key
from complog.services.undo import undone_event_ids
from complog.store import SCRUB_PENDING

if TYPE_CHECKING:
    from complog.store import Store

ERASED = "[erased]"


@dataclass(frozen=True)
class Erasure:
    #: the live customer erased; None when only the history held the name
    customer_id: int | None
    #: complaints anonymised (live ones, or those undo had removed)
    complaints: int
    #: backup copies made before this erase, which still hold the person's data
    leftovers: tuple[Path, ...]


def erase(store: Store, actor: Actor, name: str) -> Erasure:
    """Forget the customer called `name`: the live rows, or, when no customer has
    that name now, what the history holds of one; then scrub the file.

    The customer is looked up inside the transaction that erases them, so a
    concurrent rename or merge cannot make this erase someone else. Raises
    NotFound (with near spellings) when neither the logbook nor its history
    knows the name. The caller closes its own read connections first: scrubbing
    rewrites the file.
    """
    from complog.errors import NotFound
    from complog.queries.opening import reader_in

    with store.transaction() as session:
        reader = reader_in(session, store.location)
        try:
            found: int | None = reader.find_customer(name).id
        except NotFound as missing:
            former = erase_former_customer(session, actor, name)
            if former is None:
                raise missing from None
            found, erased = None, former
        else:
            assert found is not None
            erased = erase_customer(session, actor, found)
        if store.location.path is not None:
            # Committed with the erase: killed before the scrub below is done, the
            # logbook still says so, and the next command that writes finishes it.
            session.merge(Meta(key=SCRUB_PENDING, value="1"))
    store.scrub()
    return Erasure(found, erased, tuple(store.old_backups()))


def erase_customer(session: Session, actor: Actor, customer_id: int) -> int:
    """Returns how many complaints were anonymised."""
    customer = session.get(Customer, customer_id)
    assert customer is not None
    complaint_ids = list(
        session.exec(select(Complaint.id).where(Complaint.customer_id == customer_id)).all()
    )
    promise_ids = list(
        session.exec(select(Promise.id).where(col(Promise.complaint_id).in_(complaint_ids))).all()
    )
    assert customer.id is not None
    family = _family(
        session, {customer.id}, {customer.name_key}, {i for i in complaint_ids if i is not None}
    )
    label = f"erased customer {customer_id}"
    # Real keys are casefolded, so an upper-case key can never collide with one.
    customer.name, customer.name_key = label, f"ERASED:{customer_id}"
    customer.phone = customer.email = customer.notes = None
    customer.erased_at = actor.now
    session.add(customer)
    session.execute(
        update(Complaint)
        .where(col(Complaint.id).in_(complaint_ids))
        .values(
            summary=ERASED,
            wants=None,
            # Free text, but whether it was given is a count reports keep.
            outcome=_erased_if_set(Complaint.outcome),
            compensation=_erased_if_set(Complaint.compensation),
            prevention=_erased_if_set(Complaint.prevention),
            external_id=None,
        )
    )
    session.execute(
        update(PastResolution)
        .where(col(PastResolution.complaint_id).in_(complaint_ids))
        .values(
            outcome=_erased_if_set(PastResolution.outcome),
            compensation=_erased_if_set(PastResolution.compensation),
            prevention=_erased_if_set(PastResolution.prevention),
            reopen_reason=ERASED,
        )
    )
    session.execute(
        update(Wait).where(col(Wait.complaint_id).in_(complaint_ids)).values(reason=ERASED)
    )
    session.execute(
        update(Note).where(col(Note.complaint_id).in_(complaint_ids)).values(text=ERASED)
    )
    session.execute(
        update(Promise)
        .where(col(Promise.id).in_(promise_ids))
        .values(text=ERASED, closed_note=None)
    )
    session.execute(
        update(Reschedule).where(col(Reschedule.promise_id).in_(promise_ids)).values(reason=ERASED)
    )
    session.execute(
        update(Escalation)
        .where(col(Escalation.complaint_id).in_(complaint_ids))
        .values(reason=ERASED)
    )
    _empty_events(session, family)
    audit(
        session, actor, "erase", "customer", customer_id, after={"complaints": len(complaint_ids)}
    )
    return len(complaint_ids)


@dataclass
class _Family:
    """Everything of one person the audit log can hold."""

    #: this customer, and customer rows now gone that were them (merged, undone)
    customers: set[int] = field(default_factory=set)
    #: their complaints, including those undo removed
    complaints: set[int] = field(default_factory=set)
    #: merge events that involved any of the customers (undone ones too)
    merges: set[int] = field(default_factory=set)


def erase_former_customer(session: Session, actor: Actor, name: str) -> int | None:
    """No customer has this name now, but the history may still hold one who had it
    (undo removed them): empty those events. Returns how many complaints they had, or
    None when the history knows nobody of that name either (nothing is written)."""
    family = _family(session, set(), {name_key(name)}, set())
    if not family.customers:
        return None
    _empty_events(session, family)
    audit(session, actor, "erase", "customer", None,
          after={"complaints": len(family.complaints), "former": True})  # fmt: skip
    return len(family.complaints)


def _family(
    session: Session, customer_ids: set[int], keys: set[str], complaint_ids: set[int]
) -> _Family:
    """Starting from living customer(s) and their name keys, every trace of them."""
    living = {i for i in session.exec(select(Customer.id)).all() if i is not None}
    undone = undone_event_ids(session)
    family = _Family(customers=set(customer_ids), complaints=set(complaint_ids))
    keys = set(keys)
    customer_events = [
        (e.id or 0, e.action, e.entity_id, _load(e.before), _load(e.after))
        for e in session.exec(
            select(Event).where(Event.entity == "customer").order_by(col(Event.id))
        )
    ]
    # A customer row that is gone belongs to this person when a merge joined it to
    # them (and was not undone), or when it had one of their names (undo removed it).
    # Other living customers are other people, erased on their own.
    changed = True
    while changed:
        changed = False
        for event_id, action, entity_id, before, after in customer_events:
            if action == "merge":
                source, target = before.get("from") or {}, before.get("into") or {}
                ids = _ints(source.get("id"), target.get("id"), after.get("into_id"))
                if ids & family.customers:
                    family.merges.add(event_id)
                    if event_id not in undone:
                        joined = {i for i in ids if i not in living}
                        names = _texts(source.get("name_key"), target.get("name_key"))
                        if not (joined <= family.customers and names <= keys):
                            family.customers |= joined
                            keys |= names
                            changed = True
                continue
            number = int(entity_id) if entity_id and entity_id.isdigit() else None
            if number is None or number in living:
                continue
            names = _texts(before.get("name_key"), after.get("name_key"))
            if names & keys and number not in family.customers:
                family.customers.add(number)
                keys |= names
                changed = True
    # complaints undo removed: only their `add` event says whose they were
    removed = session.exec(
        select(Event.complaint_id, Event.after).where(
            col(Event.action) == "add",
            col(Event.entity) == "complaint",
            col(Event.complaint_id).is_not(None),
            ~exists().where(col(Complaint.id) == col(Event.complaint_id)),
        )
    ).all()
    for complaint_id, added in removed:
        if _load(added).get("customer_id") in family.customers and complaint_id is not None:
            family.complaints.add(complaint_id)
    return family


def _empty_events(session: Session, family: _Family) -> None:
    """Empty the events' copies of the person's data; keep who, when, what and, for
    undo events, which events they undid (without the words that described them)."""
    about = (
        col(Event.complaint_id).in_(family.complaints)
        | (
            (col(Event.entity) == "customer")
            & col(Event.entity_id).in_([str(i) for i in family.customers])
        )
        | col(Event.id).in_(family.merges)
    )
    not_undo = col(Event.action) != "undo"
    emptied = set(session.exec(select(Event.id).where(about, not_undo)).all())
    session.execute(update(Event).where(about, not_undo).values(before=None, after=None))
    for undo in session.exec(select(Event).where(Event.action == "undo")).all():
        after = _load(undo.after)
        if undo.complaint_id in family.complaints or set(after.get("undid", [])) & emptied:
            if after.get("description") != ERASED:
                undo.after = json.dumps({**after, "description": ERASED}, sort_keys=True)
                session.add(undo)


def _ints(*values: Any) -> set[int]:
    return {v for v in values if isinstance(v, int)}


def _texts(*values: Any) -> set[str]:
    return {v for v in values if isinstance(v, str)}


def _load(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def _erased_if_set(column: Any) -> Any:
    return case((col(column).is_not(None), ERASED), else_=None)
