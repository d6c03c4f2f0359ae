"""Customers: merging two spellings of one customer into one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from complog.errors import InvalidInput, NotFound
from complog.models import Complaint, Customer
from complog.names import did_you_mean, near_names
from complog.services.common import Actor, audit, get_customer_by_name, snapshot

CONTACT_FIELDS = ("phone", "email")


@dataclass(frozen=True)
class Merged:
    source: str
    target: str
    complaints: tuple[int, ...]
    #: contact fields INTO lacked and took from FROM
    taken: tuple[str, ...]
    #: contact fields where both had different values: INTO's kept, FROM's in the audit log
    differing: tuple[str, ...]


def find_customer(session: Session, name: str) -> Customer:
    """By name (case and spacing ignored); NotFound suggests near spellings."""
    customer = get_customer_by_name(session, name)
    if customer is None or customer.erased_at is not None:
        names = session.exec(select(Customer.name).where(col(Customer.erased_at).is_(None))).all()
        raise NotFound(
            f"no customer named {name.strip()!r}",
            did_you_mean(near_names(name, names)) or "complog customers lists them",
        )
    return customer


def merge_customers(session: Session, actor: Actor, source_name: str, target_name: str) -> Merged:
    """Move every complaint of FROM to INTO, keep FROM's contact details where INTO
    has none, and remove FROM. One audit event holds both customers as they were."""
    source = find_customer(session, source_name)
    target = find_customer(session, target_name)
    if source.id == target.id:
        raise InvalidInput(
            f"{source_name.strip()!r} and {target_name.strip()!r} are the same customer",
            "names match ignoring case and spacing; give two different customers",
        )
    before = {"from": snapshot(source), "into": snapshot(target)}
    moved = session.exec(
        select(Complaint).where(Complaint.customer_id == source.id).order_by(col(Complaint.id))
    ).all()
    assert target.id is not None
    for complaint in moved:
        complaint.customer_id = target.id
        session.add(complaint)
    taken: list[str] = []
    differing: list[str] = []
    for field in CONTACT_FIELDS:
        theirs, ours = getattr(source, field), getattr(target, field)
        if theirs and not ours:
            setattr(target, field, theirs)
            taken.append(field)
        elif theirs and ours and theirs != ours:
            differing.append(field)
    if source.notes:
        target.notes = f"{target.notes}\n{source.notes}" if target.notes else source.notes
    session.add(target)
    session.flush()  # the complaints point at INTO before FROM (and its cascade) goes
    session.delete(source)
    ids = [c.id for c in moved if c.id is not None]
    audit(
        session, actor, "merge", "customer", source.id, before=before,
        after={"into": snapshot(target), "into_id": target.id, "complaints": ids},
    )  # fmt: skip
    return Merged(source.name, target.name, tuple(ids), tuple(taken), tuple(differing))
