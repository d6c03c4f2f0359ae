"""The right to be forgotten: strip a customer's personal data, keep the counts.

Names, contact details and free text written about them (summaries, wants,
notes, promises, resolutions, escalation reasons, reschedule reasons) are
replaced; the audit log's copies of that text are emptied too. Categories,
causes, channels, heat, timestamps and outcomes-as-counts stay, so reports
still add up. Store.scrub() then rebuilds the search index and rewrites the
file so the old text is not left in free pages or the WAL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, update
from sqlmodel import Session, col, select

from complog.models import (
    Complaint,
    Customer,
    Escalation,
    Event,
    Note,
    PastResolution,
    Promise,
    Reschedule,
    Wait,
)
from complog.services.common import Actor, audit

ERASED = "[erased]"


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
    session.execute(
        update(Event)
        .where(
            col(Event.complaint_id).in_(complaint_ids)
            | ((Event.entity == "customer") & (Event.entity_id == str(customer_id)))
        )
        .values(before=None, after=None)
    )
    audit(
        session, actor, "erase", "customer", customer_id, after={"complaints": len(complaint_ids)}
    )
    return len(complaint_ids)


def _erased_if_set(column: Any) -> Any:
    return case((col(column).is_not(None), ERASED), else_=None)
