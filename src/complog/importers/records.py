"""The normalised shape every importer produces, validated by pydantic."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from complog.errors import InvalidInput
from complog.money import LIMIT, Money, check_currency, currency_info
from complog.vocabulary import (
    CAUSES,
    CHANNELS,
    COMPLAINT_STATUSES,
    DIRECTIONS,
    PROMISE_STATUSES,
    is_written,
)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp has no UTC offset")
    return value


Aware = Annotated[datetime, AfterValidator(_aware)]


def _text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL byte")
    return value


Text = Annotated[str, AfterValidator(_text)]
NonEmpty = Annotated[str, Field(min_length=1), AfterValidator(_text)]


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class CustomerIn(Model):
    id: int | None = None
    name: NonEmpty = Field(max_length=200)
    phone: Text | None = None
    email: Text | None = None
    notes: Text | None = None
    created_at: Aware | None = None
    erased_at: Aware | None = None


class NoteIn(Model):
    id: int | None = None
    at: Aware
    recorded_at: Aware | None = None
    author: NonEmpty
    channel: str = "other"
    direction: str = "internal"
    text: NonEmpty = Field(max_length=200_000)

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str) -> str:
        if v not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
        return v

    @field_validator("direction")
    @classmethod
    def _direction(cls, v: str) -> str:
        if v not in DIRECTIONS:
            raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}")
        return v


class RescheduleIn(Model):
    at: Aware
    old_due_at: Aware
    new_due_at: Aware
    reason: NonEmpty
    late: bool
    by: NonEmpty


class PromiseIn(Model):
    id: int | None = None
    text: NonEmpty
    owner: NonEmpty
    due_at: Aware
    status: str = "open"
    created_at: Aware
    created_by: NonEmpty
    kept_at: Aware | None = None
    cancelled_at: Aware | None = None
    note: Text | None = None
    reschedules: list[RescheduleIn] = Field(default_factory=list)

    @field_validator("status")
    @classmethod
    def _status(cls, v: str) -> str:
        if v not in PROMISE_STATUSES:
            raise ValueError(f"status must be one of {', '.join(PROMISE_STATUSES)}")
        return v


class EscalationIn(Model):
    id: int | None = None
    to: NonEmpty
    reason: NonEmpty
    rule: NonEmpty
    trigger: Text | None = None
    at: Aware
    by: NonEmpty
    acknowledged_at: Aware | None = None
    acknowledged_by: Text | None = None


class ResolutionIn(Model):
    outcome: NonEmpty
    confirmed: bool | None = None
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    compensation: Text | None = None
    cause: str | None = None
    prevention: Text | None = None
    resolved_at: Aware | None = None

    @field_validator("cause")
    @classmethod
    def _cause(cls, v: str | None) -> str | None:
        if v is not None and v not in CAUSES:
            raise ValueError(f"cause must be one of {', '.join(CAUSES)}")
        return v


class PastResolutionIn(ResolutionIn):
    """A resolution that was reopened (show's `past_resolutions`)."""

    outcome: Text | None = None  # type: ignore[assignment]  # an erase may have cleared it
    resolved_at: Aware
    reopened_at: Aware
    reopened_by: NonEmpty
    reopen_reason: NonEmpty


class WaitIn(Model):
    started_at: Aware
    started_by: NonEmpty
    reason: NonEmpty
    ended_at: Aware | None = None
    ended_by: Text | None = None


class ComplaintIn(Model):
    """One complaint with everything attached: the unit of import and export."""

    id: int | None = None
    external_id: Text | None = None
    customer: CustomerIn
    summary: NonEmpty = Field(max_length=2_000)
    status: str = "open"
    channel: str = "phone"
    category: Text | None = None
    heat: int = Field(default=3, ge=1, le=5)
    wants: Text | None = None
    loss: float | None = Field(default=None, ge=0, le=LIMIT)
    #: added with currencies: an export names it; a file without it is in the logbook's
    loss_currency: str | None = None
    written: bool = Field(default=False, validate_default=True)
    owner: NonEmpty
    opened_at: Aware
    recorded_at: Aware | None = None
    created_by: Text | None = None
    resolved_at: Aware | None = None
    resolution: ResolutionIn | None = None
    past_resolutions: list[PastResolutionIn] = Field(default_factory=list)
    waits: list[WaitIn] = Field(default_factory=list)
    notes: list[NoteIn] = Field(default_factory=list)
    promises: list[PromiseIn] = Field(default_factory=list)
    escalations: list[EscalationIn] = Field(default_factory=list)

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str) -> str:
        if v not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
        return v

    @field_validator("written")
    @classmethod
    def _written(cls, v: bool, info: ValidationInfo) -> bool:
        return is_written(str(info.data.get("channel", "")), v)

    @model_validator(mode="after")
    def _consistent(self) -> ComplaintIn:
        if self.status not in COMPLAINT_STATUSES:
            raise ValueError(f"status must be one of {', '.join(COMPLAINT_STATUSES)}")
        if self.status == "resolved" and self.resolution is None:
            raise ValueError("a resolved complaint needs its resolution")
        if self.status == "resolved" and any(p.status == "open" for p in self.promises):
            raise ValueError("a resolved complaint cannot have open promises")
        if sum(1 for w in self.waits if w.ended_at is None) > (self.status == "open"):
            raise ValueError("only an open complaint can be waiting, and on one thing at a time")
        return self

    @field_validator("loss_currency")
    @classmethod
    def _loss_currency(cls, v: str | None) -> str | None:
        return None if v is None else check_currency(v)

    def loss_money(self, logbook: str) -> Money | None:
        """The loss in minor units of its own currency, else the logbook's."""
        if self.loss is None:
            return None
        currency = self.loss_currency or logbook
        exponent = currency_info(currency).exponent
        minor = Decimal(str(self.loss)).scaleb(exponent)
        if minor != minor.to_integral_value():  # rounding would change what was lost
            raise InvalidInput(
                f"the loss {self.loss:g} of {self.customer.name!r}'s complaint opened"
                f" {self.opened_at:%Y-%m-%d} has more decimal places than {currency} has"
                f" ({exponent}); nothing was imported",
                "correct the amount, or give its loss_currency",
            )
        return Money(int(minor), currency)
