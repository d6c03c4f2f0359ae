"""What happens to a complaint after it is logged: notes, reschedules, past
resolutions, waits on the customer, escalations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field

from complog.dbtypes import UTCDateTime
from complog.tables import complaints as _referred  # noqa: F401  (the tables their keys name)
from complog.tables.base import NEVER_REUSED, LogbookTable, PartialIndex, cascading_fk


class Note(LogbookTable, table=True):
    __tablename__ = "note"
    __table_args__ = (
        Index("ix_note_complaint_id_at", "complaint_id", "at"),
        # first response / acknowledgement: min(at) of a complaint's outbound notes
        Index("ix_note_complaint_id_direction_at", "complaint_id", "direction", "at"),
        NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=cascading_fk("complaint.id"))
    at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    author: str = Field(sa_type=Text)
    channel: str = Field(sa_type=Text)
    direction: str = Field(sa_type=Text)
    text: str = Field(sa_type=Text)


class Reschedule(LogbookTable, table=True):
    __tablename__ = "reschedule"
    __table_args__ = (Index("ix_reschedule_promise_id", "promise_id"), NEVER_REUSED)

    id: int | None = Field(default=None, primary_key=True)
    promise_id: int = Field(sa_column=cascading_fk("promise.id"))
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
    complaint_id: int = Field(sa_column=cascading_fk("complaint.id"))
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
        # one open wait per complaint
        PartialIndex(
            "uq_wait_open_complaint_id", "complaint_id", unique=True, condition="ended_at IS NULL"
        ),
        NEVER_REUSED,
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(sa_column=cascading_fk("complaint.id"))
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
    complaint_id: int = Field(sa_column=cascading_fk("complaint.id"))
    to_whom: str = Field(sa_type=Text)
    reason: str = Field(sa_type=Text)
    rule: str = Field(sa_type=Text)
    #: what fired the rule (a promise id, a date); NULL for manual escalations
    trigger: str | None = Field(default=None, sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(sa_type=Text)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: str | None = Field(default=None, sa_type=Text)
