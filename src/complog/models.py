"""The schema, in one place: SQLModel tables for the write path and migrations.

Times are aware UTC (`UTCDateTime`); money is integer minor units plus an ISO 4217 code; enumerations are
short text checked by the services. Only migrations create these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from complog.dbtypes import UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _fk(target: str, *, nullable: bool = False) -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable)


#: The condition of each partial index. SQLAlchemy keeps it as a dialect's option
#: (postgresql_where, sqlite_where), and naming a dialect's option imports that dialect:
#: PostgreSQL's costs about 24 ms of every SQLite command. So the models name none, and
#: the store adds its own dialect's condition when it opens (`add_partial_conditions`).
PARTIAL_CONDITIONS = {
    "ix_promise_open_due_at": "status = 'open'",
    "uq_wait_open_complaint_id": "ended_at IS NULL",
}


def add_partial_conditions(dialect: str) -> None:
    """Give the partial indexes their condition for `dialect` (sqlite or postgresql),
    as the migrations created them, so the models describe the schema exactly."""
    for table in SQLModel.metadata.tables.values():
        for index in table.indexes:
            condition = PARTIAL_CONDITIONS.get(index.name or "")
            if condition is not None and index.dialect_kwargs.get(f"{dialect}_where") is None:
                index.dialect_kwargs[f"{dialect}_where"] = text(condition)


class LogbookTable(SQLModel):
    """Every table's base. Pydantic builds a model's validator when the class is made
    (about a third of the time `import complog.models` takes); rows written through the
    ORM are never validated by it, so it is built on first use instead."""

    model_config = {"defer_build": True}


#: Ids are never handed out twice (migration 0004): on SQLite AUTOINCREMENT keeps the
#: largest id ever used, so a row removed by undo does not lend its number to the next.
NEVER_REUSED = {"sqlite_autoincrement": True}


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

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("customer.id"))
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


class Note(LogbookTable, table=True):
    __tablename__ = "note"
    __table_args__ = (
        Index("ix_note_complaint_id_at", "complaint_id", "at"),
        # first response / acknowledgement: min(at) of a complaint's outbound notes
        Index("ix_note_complaint_id_direction_at", "complaint_id", "direction", "at"),
        NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=_fk("complaint.id"))
    at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    author: str = Field(sa_type=Text)
    channel: str = Field(sa_type=Text)
    direction: str = Field(sa_type=Text)
    text: str = Field(sa_type=Text)


class Promise(LogbookTable, table=True):
    __tablename__ = "promise"
    __table_args__ = (
        Index("ix_promise_complaint_id", "complaint_id"),
        # The morning `due` query reads open promises by due time: a partial
        # index (open promises only: PARTIAL_CONDITIONS) keeps that a short range
        # scan however many promises are kept.
        Index("ix_promise_open_due_at", "due_at"),
        NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=_fk("complaint.id"))
    text: str = Field(sa_type=Text)
    owner: str = Field(sa_type=Text)
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="open", sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(sa_type=Text)
    kept_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_note: str | None = Field(default=None, sa_type=Text)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Reschedule(LogbookTable, table=True):
    __tablename__ = "reschedule"
    __table_args__ = (Index("ix_reschedule_promise_id", "promise_id"), NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    promise_id: int = Field(sa_column=_fk("promise.id"))
    at: datetime = Field(sa_type=UTCDateTime)
    old_due_at: datetime = Field(sa_type=UTCDateTime)
    new_due_at: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(sa_type=Text)
    #: rescheduled after the old due time: the promise was broken
    late: bool
    actor: str = Field(sa_type=Text)


class PastResolution(LogbookTable, table=True):
    """A resolution that was later reopened: what was decided and given, then why
    the complaint came back. The current resolution lives on the complaint."""

    __tablename__ = "past_resolution"
    __table_args__ = (Index("ix_past_resolution_complaint_id", "complaint_id"), NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=_fk("complaint.id"))
    resolved_at: datetime = Field(sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, sa_type=Text)
    confirmed: bool | None = None
    satisfaction: int | None = None
    compensation: str | None = Field(default=None, sa_type=Text)
    compensation_minor: int | None = Field(default=None, sa_type=BigInteger)
    compensation_currency: str | None = Field(default=None, sa_type=Text)
    cause: str | None = Field(default=None, sa_type=Text)
    prevention: str | None = Field(default=None, sa_type=Text)
    reopened_at: datetime = Field(sa_type=UTCDateTime)
    reopened_by: str = Field(sa_type=Text)
    reopen_reason: str = Field(sa_type=Text)


class Wait(LogbookTable, table=True):
    """A stretch of time the complaint waited on the customer; the resolution
    and quiet clocks stop meanwhile. Open while ended_at is NULL (one at a time)."""

    __tablename__ = "wait"
    __table_args__ = (
        Index("ix_wait_complaint_id", "complaint_id"),
        # one open wait per complaint (partial: PARTIAL_CONDITIONS)
        Index("uq_wait_open_complaint_id", "complaint_id", unique=True),
        NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=_fk("complaint.id"))
    started_at: datetime = Field(sa_type=UTCDateTime)
    started_by: str = Field(sa_type=Text)
    reason: str = Field(sa_type=Text)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_by: str | None = Field(default=None, sa_type=Text)


class Escalation(LogbookTable, table=True):
    __tablename__ = "escalation"
    __table_args__ = (
        # Exactly-once for automatic rules comes from this key, not from checks:
        # two crons inserting the same (complaint, rule, trigger) cannot both win.
        UniqueConstraint("complaint_id", "rule", "trigger"),
        Index("ix_escalation_acknowledged_at", "acknowledged_at"),
        NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=_fk("complaint.id"))
    to_whom: str = Field(sa_type=Text)
    reason: str = Field(sa_type=Text)
    rule: str = Field(sa_type=Text)
    #: what fired the rule (a promise id, a date); NULL for manual escalations
    trigger: str | None = Field(default=None, sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(sa_type=Text)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: str | None = Field(default=None, sa_type=Text)


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


class RoleName(LogbookTable, table=True):
    """PostgreSQL: the name recorded as the actor of a database role (`complog db role`);
    a role without one is recorded under the role's own name. Unused on SQLite."""

    __tablename__ = "role_name"

    role: str = Field(sa_type=Text, primary_key=True)
    name: str = Field(sa_type=Text, unique=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by: str = Field(sa_type=Text)


class Setting(LogbookTable, table=True):
    __tablename__ = "setting"

    key: str = Field(sa_type=Text, primary_key=True)
    value: str = Field(sa_type=Text)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by: str = Field(sa_type=Text)


class Meta(LogbookTable, table=True):
    """Facts about the logbook itself, such as its stable id (calendar UIDs use it)."""

    __tablename__ = "meta"

    key: str = Field(sa_type=Text, primary_key=True)
    value: str = Field(sa_type=Text)
