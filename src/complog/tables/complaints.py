"""What logging a complaint writes: the customer, the complaint, its promises, and
the audit trail every change appends to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Text
from sqlmodel import Field

from complog.dbtypes import UTCDateTime
from complog.tables.base import NEVER_REUSED, LogbookTable, PartialIndex, cascading_fk


class Customer(LogbookTable, table=True):
    __tablename__ = "customer"
    __table_args__ = (NEVER_REUSED,)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=Text)
    #: casefolded, whitespace-collapsed name: customers are unique by it
    name_key: str = Field(sa_type=Text, unique=True)
    phone: str | None = Field(default=None, sa_type=Text)
    email: str | None = Field(default=None, sa_type=Text)
    notes: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Complaint(LogbookTable, table=True):
    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_status_opened_at", "status", "opened_at"),
        Index("ix_complaint_opened_at", "opened_at"),
        Index("ix_complaint_customer_id", "customer_id"),
        NEVER_REUSED,
    )
    derived = frozenset({"first_reply_at"})

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=cascading_fk("customer.id"))
    summary: str = Field(sa_type=Text)
    channel: str = Field(sa_type=Text)
    category: str | None = Field(default=None, sa_type=Text)
    heat: int
    wants: str | None = Field(default=None, sa_type=Text)
    #: what the customer says they lost, in minor units of `loss_currency` (complog.money)
    loss_minor: int | None = Field(default=None, sa_type=BigInteger)
    loss_currency: str | None = Field(default=None, sa_type=Text)
    written: bool = False
    owner: str = Field(sa_type=Text)
    status: str = Field(default="open", sa_type=Text)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(sa_type=Text)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, sa_type=Text)
    #: the compensation as written ("£20 voucher"), and its value when it names one
    compensation: str | None = Field(default=None, sa_type=Text)
    compensation_minor: int | None = Field(default=None, sa_type=BigInteger)
    compensation_currency: str | None = Field(default=None, sa_type=Text)
    confirmed: bool | None = None
    satisfaction: int | None = None
    cause: str | None = Field(default=None, sa_type=Text)
    prevention: str | None = Field(default=None, sa_type=Text)
    #: the id in the system it was imported from, so re-imports add nothing
    external_id: str | None = Field(default=None, sa_type=Text, unique=True)
    #: the earliest note out or kept promise: kept by the database's triggers
    #: (migration 0007), never written here, and not in the audit log (`derived`)
    first_reply_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Promise(LogbookTable, table=True):
    __tablename__ = "promise"
    __table_args__ = (
        Index("ix_promise_complaint_id", "complaint_id"),
        # The morning `due` query reads open promises by due time: a partial
        # index (open promises only) keeps that a short range scan however many
        # promises are kept.
        PartialIndex("ix_promise_open_due_at", "due_at", condition="status = 'open'"),
        NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=cascading_fk("complaint.id"))
    text: str = Field(sa_type=Text)
    owner: str = Field(sa_type=Text)
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="open", sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(sa_type=Text)
    kept_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_note: str | None = Field(default=None, sa_type=Text)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Event(LogbookTable, table=True):
    """Append-only audit record of every change."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_complaint_id", "complaint_id"), NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    #: who is recorded as acting (--user, or on PostgreSQL the role's display name)
    actor: str = Field(sa_type=Text)
    #: the database role that was signed in (PostgreSQL's session_user); NULL on SQLite
    role: str | None = Field(default=None, sa_type=Text)
    action: str = Field(sa_type=Text)
    entity: str = Field(sa_type=Text)
    entity_id: str | None = Field(default=None, sa_type=Text)
    complaint_id: int | None = None
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)
