"""The report as typed values: what `kpis.build_report` returns and `render/` reads.

Frozen dataclasses instead of a dict read by key strings, so a renamed or
missing figure is a type error, not a KeyError in one output format. The
field order of each class is the key order of its JSON object: `as_dict`
keeps `report --format json` byte-identical to the dict it replaced, and
new figures are appended after the released ones (SPEC: add, never rename).
Pure: no database, no clock, no terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

_SCALARS = (int, float, str, bool, type(None))


def _plain(value: Any) -> Any:
    """A value as the report's dict held it: rows as dicts, tuples as lists."""
    if type(value) in _SCALARS:
        return value
    if type(value) is tuple and all(type(v) is float for v in value):
        return list(value)  # resolution_hours: 100,000 floats in a large logbook
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once per class: `fields()` builds its
    tuple on every call, and a large report has 20,000 rows."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


class _Row:
    """`as_dict`: the fields in declaration order, rows and tuples made plain."""

    def as_dict(self) -> dict[str, Any]:
        return {name: _plain(getattr(self, name)) for name in _field_names(type(self))}


@dataclass(frozen=True)
class BreakdownRow:
    """One group of `by_category`, `by_cause` or `by_channel` (and, with the promise
    figures, `by_owner`). `key` names the grouping: the JSON key of `label`."""

    key: str
    label: str
    opened: int
    resolved: int
    open: int
    resolution_median_hours: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            self.key: self.label,
            "opened": self.opened,
            "resolved": self.resolved,
            "open": self.open,
            "resolution_median_hours": self.resolution_median_hours,
        }


@dataclass(frozen=True)
class OwnerRow(BreakdownRow):
    promises_due: int = 0
    promises_kept_on_time: int = 0
    promise_keeping_rate: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {
            "promises_due": self.promises_due,
            "promises_kept_on_time": self.promises_kept_on_time,
            "promise_keeping_rate": self.promise_keeping_rate,
        }


@dataclass(frozen=True)
class CompensationEntry(_Row):
    complaint_id: int
    cause: str | None
    compensation: str
    #: its value in major units and its currency, when the text names an amount
    value: float | None = None
    currency: str | None = None


@dataclass(frozen=True)
class CompensationByCause(_Row):
    cause: str
    given: int
    #: null when the amounts are in more than one currency (see value_by_currency)
    value: float | None
    value_by_currency: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RepeatCustomer(_Row):
    customer: str
    complaints: int


@dataclass(frozen=True)
class FaqCandidate(_Row):
    category: str
    cause: str
    complaints: int


@dataclass(frozen=True)
class Week(_Row):
    """One week (Monday, local date) of the trends. `partial`: the period covers only
    `days` of its seven, so its counts are not comparable with a full week's."""

    week: str
    opened: int
    resolved: int
    partial: bool = False
    days: int = 7
    #: complaints open at the end of the week (or at the end of the period)
    backlog: int = 0
    acknowledged: int = 0
    acknowledged_in_time: int = 0
    acknowledged_in_time_rate: float | None = None
    resolved_in_time: int = 0
    resolved_in_time_rate: float | None = None
    promises_due: int = 0
    promises_kept_on_time: int = 0
    promise_keeping_rate: float | None = None
    satisfaction_mean: float | None = None
    compensation_given: int = 0
    #: minor units per ISO 4217 currency, never summed across currencies
    compensation: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AgeBucket(_Row):
    """Open complaints by age, in the unit of `resolve_within`; `over_limit` buckets
    are those older than it."""

    bucket: str
    from_hours: float
    to_hours: float | None
    complaints: int
    over_limit: bool


@dataclass(frozen=True)
class OwnerLoad(_Row):
    owner: str
    open: int
    over_limit: int
    oldest_opened_at: datetime | None


@dataclass(frozen=True)
class Report:
    """SPEC's report keys (and the ones the first release added), in JSON order."""

    since: datetime | None
    until: datetime
    #: the working day the "bd" figures are counted in (day_end - day_start)
    business_day_hours: float
    opened: int
    resolved: int
    open: int
    first_response_median_hours: float | None
    first_response_p90_hours: float | None
    resolution_median_hours: float | None
    resolution_p90_hours: float | None
    resolved_quickly_rate: float | None
    resolve_within: str
    promises_due: int
    promises_kept_on_time: int
    promise_keeping_rate: float | None
    reschedules: int
    escalation_rate: float | None
    confirmed_rate: float | None
    satisfaction_mean: float | None
    compensation_given: int
    compensation: tuple[CompensationEntry, ...]
    #: the amounts given when they are in one currency, else null (issue 19: never
    #: added across currencies; `compensation_value_by_currency` has each)
    compensation_value: float | None
    compensation_by_cause: tuple[CompensationByCause, ...]
    acknowledge_within: str | None
    acknowledged_within_rate: float | None
    #: as compensation_value: one currency's total, else null
    loss_open: float | None
    by_owner: tuple[OwnerRow, ...]
    by_category: tuple[BreakdownRow, ...]
    by_cause: tuple[BreakdownRow, ...]
    by_channel: tuple[BreakdownRow, ...]
    repeat_customers: tuple[RepeatCustomer, ...]
    faq_candidates: tuple[FaqCandidate, ...]
    weekly: tuple[Week, ...]
    resolution_hours: tuple[float, ...]
    # -- added by the insight views (issue 22) --
    #: minor units given per currency over the period, never summed across currencies
    compensation_totals: dict[str, int] = field(default_factory=dict)
    #: when the open complaints' age and the owners' load are taken (min(until, now))
    as_of: datetime | None = None
    open_age: tuple[AgeBucket, ...] = ()
    open_over_limit: int = 0
    oldest_open_at: datetime | None = None
    owner_load: tuple[OwnerLoad, ...] = ()
    # -- added with currencies (issue 19) --
    compensation_value_by_currency: dict[str, float] = field(default_factory=dict)
    loss_open_by_currency: dict[str, float] = field(default_factory=dict)
    #: minor units per currency of loss_open_by_currency (for the text report)
    loss_open_minor: dict[str, int] = field(default_factory=dict, repr=False)

    def breakdown(self, by: str) -> tuple[BreakdownRow, ...]:
        """The `--by` breakdown: owner, category, cause or channel."""
        rows: dict[str, tuple[BreakdownRow, ...]] = {
            "owner": self.by_owner,
            "category": self.by_category,
            "cause": self.by_cause,
            "channel": self.by_channel,
        }
        return rows[by]

    def full_weeks(self) -> tuple[Week, ...]:
        return tuple(w for w in self.weekly if not w.partial)

    def as_dict(self) -> dict[str, Any]:
        """The report as the dict of the first release (datetimes still datetimes)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}
