"""Logging a new complaint: its customer (created if new), the complaint, and the
promise made on the call, in one transaction.

Apart from the rest of the complaint services so that `add`, the command run after
every call, maps only the tables it writes (complog.tables.complaints).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from complog.errors import InvalidInput
from complog.money import Money, MoneyError, parse_money
from complog.services.common import (
    CHANNELS,
    Actor,
    audit,
    check_choice,
    check_email,
    check_not_future,
    clean_text,
    get_customer_by_name,
    insert,
    logbook_currency,
    name_key,
    optional_name,
    snapshot,
)
from complog.services.promises import audit_promise, insert_promise
from complog.tables.complaints import Complaint, Customer
from complog.vocabulary import is_written

NAME_LIMIT = 200


@dataclass(frozen=True)
class NewComplaint:
    """What `complog add` was given, before validation."""

    customer: str
    summary: str
    channel: str = "phone"
    category: str | None = None
    heat: int = 3
    wants: str | None = None
    loss: str | None = None
    written: bool = False
    owner: str | None = None
    at: datetime | None = None
    promise: str | None = None
    due: datetime | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Logged:
    complaint_id: int
    customer: str
    promise_id: int | None
    promise_due: datetime | None
    new_customer: bool
    #: ids of the customer's other open complaints, oldest first
    other_open: tuple[int, ...]


def parse_loss(text: str | None, currency: str) -> Money | None:
    """`--loss` as Money (complog.money.parse_money); empty means no loss recorded."""
    if text is None or not text.strip():
        return None
    try:
        return parse_money(text, currency)
    except MoneyError as exc:
        # "invalid --loss '1,000': ambiguous amount: 1,000 could be ...", as other options say
        why = exc.message.replace(f" in {text!r}", "").replace(f" {text!r}", "")
        why = why.removeprefix("invalid amount").removeprefix(": ")
        raise MoneyError(
            f"invalid --loss {text!r}" + (f": {why}" if why else ""), exc.hint
        ) from None


def check_heat(heat: int) -> int:
    if not 1 <= heat <= 5:
        raise InvalidInput(f"invalid heat {heat}", "heat runs from 1 (calm) to 5 (boiling)")
    return heat


def log_complaint(session: Session, actor: Actor, new: NewComplaint) -> Logged:
    """Create the complaint (and its customer and first promise) in one transaction."""
    customer_name = clean_text(new.customer, "customer name", limit=NAME_LIMIT)
    summary = clean_text(new.summary, "summary")
    assert customer_name is not None and summary is not None
    channel = check_choice(new.channel, CHANNELS, "channel")
    heat = check_heat(new.heat)
    # the currency setting is read only for a loss given (amounts written without one)
    loss = parse_loss(new.loss, logbook_currency(session)) if new.loss else None
    opened_at = check_not_future(new.at or actor.now, actor.now)
    owner = optional_name(new.owner, "--owner") or actor.user
    promise_text = clean_text(new.promise, "promise", required=False)
    if (promise_text is None) != (new.due is None):
        raise InvalidInput(
            "--promise and --due go together", 'e.g. --promise "Call back" --due "tomorrow 10am"'
        )

    customer = get_customer_by_name(session, customer_name)
    new_customer = customer is None
    if customer is None:
        customer = insert(
            session,
            Customer(
                name=customer_name,
                name_key=name_key(customer_name),
                phone=clean_text(new.phone, "phone", limit=NAME_LIMIT, required=False),
                email=check_email(new.email),
                created_at=actor.now,
            ),
        )
        audit(session, actor, "create", "customer", customer.id, after=snapshot(customer))
    elif new.phone or new.email:
        before = snapshot(customer)
        customer.phone = (
            clean_text(new.phone, "phone", limit=NAME_LIMIT, required=False) or customer.phone
        )
        customer.email = check_email(new.email) or customer.email
        session.add(customer)
        audit(
            session,
            actor,
            "update",
            "customer",
            customer.id,
            before=before,
            after=snapshot(customer),
        )
    assert customer.id is not None

    other_open = session.exec(
        select(Complaint.id)
        .where(Complaint.customer_id == customer.id, Complaint.status == "open")
        .order_by(col(Complaint.opened_at))
    ).all()

    complaint = insert(
        session,
        Complaint(
            customer_id=customer.id,
            summary=summary,
            channel=channel,
            category=clean_text(new.category, "category", limit=NAME_LIMIT, required=False),
            heat=heat,
            wants=clean_text(new.wants, "wants", required=False),
            loss_minor=loss.minor if loss else None,
            loss_currency=loss.currency if loss else None,
            written=is_written(channel, new.written),
            owner=owner,
            opened_at=opened_at,
            recorded_at=actor.now,
            created_by=actor.user,
        ),
    )
    assert complaint.id is not None
    promise = None
    if promise_text is not None and new.due is not None:
        promise = insert_promise(
            session, actor, complaint, promise_text, new.due, owner, made_at=opened_at
        )
    after = snapshot(complaint) or {}
    if promise is not None:
        after["promise_id"] = promise.id  # one command: undo takes the promise back with it
    audit(session, actor, "add", "complaint", complaint.id, complaint_id=complaint.id, after=after)
    if promise is not None:
        audit_promise(session, actor, promise)
    return Logged(
        complaint_id=complaint.id,
        customer=customer.name,
        promise_id=promise.id if promise else None,
        promise_due=promise.due_at if promise else None,
        new_customer=new_customer,
        other_open=tuple(i for i in other_open if i is not None),
    )
