"""Settings kept inside the logbook, so a shared logbook shares its rules.

Each setting has a default, a parser that validates a user's text and a
one-line description. Stored values are the canonical text; `Settings`
is the parsed, typed view the rest of the program uses. Pure: no storage.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complog.businesstime import (
    WEEKDAY_NAMES,
    WEEKDAYS,
    BusinessCalendar,
    Pause,
    less_pauses,
)
from complog.errors import InvalidInput
from complog.money import check_currency, locale_currency

RULES = (
    "overdue-promise",
    "quiet-hot",
    "slow-resolution",
    "written-unanswered",
    "rescheduled-twice",
    "repeat-customer",
    "unacknowledged",
)
#: rules a logbook has to switch on. None since 0005: `unacknowledged` (ISO 10002:
#: acknowledge every complaint promptly) is on in new logbooks, and migration 0005
#: wrote `rule.unacknowledged = off` into every logbook that existed before, so no
#: cron job escalates differently after an upgrade.
RULES_OFF_BY_DEFAULT: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Duration:
    """A span such as `2bh` (business hours), `5bd` (business days) or `30d` (calendar days)."""

    amount: int
    unit: str  # m, h, d, w (wall clock) or bh, bd (working time)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def business(self) -> bool:
        return self.unit in ("bh", "bd")

    def exceeded(
        self,
        start: datetime,
        now: datetime,
        calendar: BusinessCalendar,
        pauses: Sequence[Pause] = (),
    ) -> bool:
        """More than this much time has passed since `start` (working time for bh/bd),
        not counting `pauses` (time spent waiting on the customer).

        Working time does not pass at weekends: 5bd from Monday 09:00 is reached
        Friday 17:00 and is not exceeded until Monday 09:00 is passed.
        """
        if not pauses:
            if not self.business:
                return now > self.after(start, calendar)
            return calendar.business_seconds_between(start, now) > self.business_seconds(calendar)
        return self.elapsed_seconds(start, now, calendar, pauses) > self.seconds(calendar)

    def elapsed_seconds(
        self, start: datetime, end: datetime, calendar: BusinessCalendar, pauses: Sequence[Pause]
    ) -> float:
        """Time from `start` to `end` in this duration's kind of time, pauses left out."""
        if self.business:
            return less_pauses(start, end, pauses, calendar.business_seconds_between)
        return less_pauses(start, end, pauses, lambda a, b: (b - a).total_seconds())

    def seconds(self, calendar: BusinessCalendar) -> float:
        if self.business:
            return self.business_seconds(calendar)
        return self.amount * {"m": 60, "h": 3600, "d": 86400, "w": 604800}[self.unit]

    def business_seconds(self, calendar: BusinessCalendar) -> float:
        if self.unit == "bh":
            return self.amount * 3600.0
        return self.amount * calendar.day_length_seconds()

    def after(self, start: datetime, calendar: BusinessCalendar) -> datetime:
        """The instant this long after `start`."""
        if self.unit == "bh":
            return calendar.add_business_seconds(start, self.amount * 3600)
        if self.unit == "bd":
            return calendar.add_business_duration(start, self.amount, 0)
        minutes = {"m": 1, "h": 60, "d": 1440, "w": 10080}[self.unit]
        return start + timedelta(minutes=self.amount * minutes)


_DURATION = re.compile(r"^\s*(\d{1,5})\s*(m|h|d|w|bh|bd)\s*$", re.ASCII)


def parse_duration(text: str) -> Duration:
    match = _DURATION.match(text.lower())
    if not match:
        raise ValueError("a duration such as 2bh (business hours), 5bd (business days), 30d, 4h")
    return Duration(int(match.group(1)), match.group(2))


def parse_clock(text: str) -> time:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text, re.ASCII)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError("a 24-hour time such as 09:00 or 17:30")
    return time(int(match.group(1)), int(match.group(2)))


def _weekday(name: str) -> int:
    day = WEEKDAYS.get(name.strip().lower())
    if day is None:
        raise ValueError("weekdays such as mon-fri or mon,tue,wed,thu,fri")
    return day


def parse_workday_list(text: str) -> frozenset[int]:
    """`mon-fri`, `mon,tue,thu` or `sun-thu` (full names work too; nothing else does)."""
    days: set[int] = set()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = _weekday(first), _weekday(last)
            days.update((a + i) % 7 for i in range(((b - a) % 7) + 1))
        else:
            days.add(_weekday(part))
    if not days:
        raise ValueError("weekdays such as mon-fri or mon,tue,wed,thu,fri")
    return frozenset(days)


def show_workdays(days: frozenset[int]) -> str:
    """The shortest spelling: runs of consecutive days as ranges (mon-fri, sat,mon-wed)."""
    ordered = sorted(days)
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        WEEKDAY_NAMES[r[0]] if len(r) == 1 else f"{WEEKDAY_NAMES[r[0]]}-{WEEKDAY_NAMES[r[-1]]}"
        for r in runs
    ]
    return ",".join(parts)


_COUNTRY = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def parse_holidays(text: str) -> tuple[frozenset[date], tuple[str, ...]]:
    """Comma-separated ISO dates and/or country codes for the `holidays` package.

    Only the form is read here, on every command; whether the holidays package
    knows a country is checked once, when the setting is written (check_holidays),
    so reading never imports it or builds a calendar no computation asks for."""
    dates: set[date] = set()
    countries: list[str] = []
    error = ValueError("dates and/or country codes, such as 2026-12-25,2026-12-26 or GB or US-CA")
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if _COUNTRY.match(part.upper()) and not part[0].isdigit():
            countries.append(part.upper())
            continue
        try:
            dates.add(date.fromisoformat(part))
        except ValueError:
            raise error from None
    return frozenset(dates), tuple(countries)


def check_holidays(text: str) -> tuple[frozenset[date], tuple[str, ...]]:
    """parse_holidays, and every country code known to the holidays package (on write)."""
    parsed = parse_holidays(text)
    for code in parsed[1]:
        _check_country(code)
    return parsed


def _check_country(code: str) -> None:
    import holidays

    country, _, subdivision = code.partition("-")
    try:
        holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:  # how the holidays package says "no such country/region"
        raise ValueError(
            f"a country code the holidays package knows, such as GB, US or US-CA ({code} is not one)"
        ) from None


def parse_timezone(text: str) -> tzinfo:
    name = text.strip()
    if name.lower() in ("utc", "z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone such as Europe/London or America/New_York") from None


def parse_positive_int(text: str) -> int:
    if not re.fullmatch(r"\s*\d{1,6}\s*", text, re.ASCII) or int(text) < 1:
        raise ValueError("a whole number of 1 or more")
    return int(text)


def parse_heat(text: str) -> int:
    if not re.fullmatch(r"\s*[1-5]\s*", text):
        raise ValueError("a heat from 1 to 5")
    return int(text)


def parse_switch(text: str) -> bool:
    value = text.strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise ValueError("on or off")


def parse_name(text: str) -> str:
    if not text.strip() or len(text.strip()) > 200:
        raise ValueError("a non-empty name or role, such as manager")
    return text.strip()


def parse_path(text: str) -> str:
    if "\x00" in text or len(text) > 4096:
        raise ValueError("a folder path, such as ~/complog-hooks")
    return text.strip()


def system_timezone_name() -> str:
    """The machine's zone: $TZ, /etc/timezone, the /etc/localtime link, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
        candidates.append(target.split("zoneinfo/", 1)[-1])
    except OSError:
        pass
    for name in candidates:
        if not name:
            continue
        try:
            parse_timezone(name)
        except ValueError:
            continue
        return name
    return "UTC"


@dataclass(frozen=True)
class SettingSpec:
    default: Callable[[], str]
    parse: Callable[[str], Any]
    help: str
    show: Callable[[Any], str] = str
    #: a stricter parse for values being written (None: parse), for checks too
    #: costly to repeat on every read
    check: Callable[[str], Any] | None = None


def show_clock(value: time) -> str:
    return value.strftime("%H:%M")


def show_holidays(value: tuple[frozenset[date], tuple[str, ...]]) -> str:
    dates, countries = value
    return ",".join([*(d.isoformat() for d in sorted(dates)), *countries])


def show_timezone(value: tzinfo) -> str:
    return "UTC" if value is UTC else str(getattr(value, "key", value))


def show_switch(value: bool) -> str:
    return "on" if value else "off"


def _const(value: str) -> Callable[[], str]:
    return lambda: value


SPECS: dict[str, SettingSpec] = {
    "tz": SettingSpec(system_timezone_name, parse_timezone, "time zone for display and dates", show_timezone),
    "day_start": SettingSpec(_const("09:00"), parse_clock, "start of the working day", show_clock),
    "day_end": SettingSpec(_const("17:00"), parse_clock, "end of the working day (a date alone means this time)", show_clock),
    "workdays": SettingSpec(_const("mon-fri"), parse_workday_list, "working days of the week", show_workdays),
    "holidays": SettingSpec(_const(""), parse_holidays, "non-working dates and/or country codes", show_holidays, check_holidays),
    "currency": SettingSpec(locale_currency, check_currency, "ISO 4217 currency of amounts written without one (stored at creation from the locale)"),
    "escalate_to": SettingSpec(_const("manager"), parse_name, "who automatic escalations go to"),
    "overdue_grace": SettingSpec(_const("2bh"), parse_duration, "overdue-promise: lateness before escalating"),
    "hot_heat": SettingSpec(_const("4"), parse_heat, "quiet-hot: heat that counts as hot"),
    "quiet_for": SettingSpec(_const("1bd"), parse_duration, "quiet-hot: silence before escalating"),
    "resolve_within": SettingSpec(_const("5bd"), parse_duration, "slow-resolution and the resolved-quickly rate"),
    "written_reply_within": SettingSpec(_const("2bd"), parse_duration, "written-unanswered: time for a written reply"),
    "max_reschedules": SettingSpec(_const("2"), parse_positive_int, "rescheduled-twice: reschedules before escalating"),
    "repeat_count": SettingSpec(_const("3"), parse_positive_int, "repeat-customer: complaints that make a repeat customer"),
    "repeat_window": SettingSpec(_const("30d"), parse_duration, "repeat-customer: within this long"),
    "acknowledge_within": SettingSpec(_const("4bh"), parse_duration, "unacknowledged: time to the first reply"),
    "hooks_dir": SettingSpec(_const(""), parse_path, "folder of hook programs (empty: hooks/ next to the logbook)"),
    "hook_timeout": SettingSpec(_const("10"), parse_positive_int, "seconds a hook may run before it is stopped"),
}  # fmt: skip
for _rule in RULES:
    SPECS[f"rule.{_rule}"] = SettingSpec(
        _const("off" if _rule in RULES_OFF_BY_DEFAULT else "on"), parse_switch,
        f"escalation rule {_rule}: on or off", show_switch,
    )  # fmt: skip


def check_key(key: str) -> SettingSpec:
    spec = SPECS.get(key)
    if spec is None:
        import difflib

        close = difflib.get_close_matches(key, list(SPECS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InvalidInput(f"unknown setting {key!r}", hint + "known settings: " + ", ".join(SPECS))
    return spec


def canonical(key: str, value: str) -> str:
    """Validate a user's value for `key` and return the text to store."""
    spec = check_key(key)
    try:
        parsed = (spec.check or spec.parse)(value)
    except ValueError as exc:
        raise InvalidInput(f"invalid value {value!r} for {key}", f"expected {exc}") from None
    return spec.show(parsed)


@dataclass(frozen=True)
class Settings:
    """The typed view of all settings, defaults filled in."""

    values: Mapping[str, str]
    calendar: BusinessCalendar
    #: the logbook's ISO 4217 currency: amounts written without one are in it
    currency: str
    escalate_to: str
    overdue_grace: Duration
    hot_heat: int
    quiet_for: Duration
    resolve_within: Duration
    written_reply_within: Duration
    max_reschedules: int
    repeat_count: int
    repeat_window: Duration
    acknowledge_within: Duration
    rules_on: frozenset[str]

    @property
    def tz(self) -> tzinfo:
        return self.calendar.tz


def load_settings(stored: Mapping[str, str]) -> Settings:
    """Parse stored values over the defaults; a bad stored value falls back to its default."""
    values: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for key, spec in SPECS.items():
        text = stored.get(key)
        try:
            parsed[key] = spec.parse(text) if text is not None else spec.parse(spec.default())
            values[key] = text if text is not None else spec.default()
        except ValueError:
            values[key] = spec.default()
            parsed[key] = spec.parse(values[key])
    holiday_dates, countries = parsed["holidays"]
    calendar = BusinessCalendar(
        tz=parsed["tz"],
        day_start=parsed["day_start"],
        day_end=parsed["day_end"],
        workdays=parsed["workdays"],
        holiday_dates=holiday_dates,
        holiday_countries=countries,
    )
    return Settings(
        values=values,
        calendar=calendar,
        currency=parsed["currency"],
        escalate_to=parsed["escalate_to"],
        overdue_grace=parsed["overdue_grace"],
        hot_heat=parsed["hot_heat"],
        quiet_for=parsed["quiet_for"],
        resolve_within=parsed["resolve_within"],
        written_reply_within=parsed["written_reply_within"],
        max_reschedules=parsed["max_reschedules"],
        repeat_count=parsed["repeat_count"],
        repeat_window=parsed["repeat_window"],
        acknowledge_within=parsed["acknowledge_within"],
        rules_on=frozenset(r for r in RULES if parsed[f"rule.{r}"]),
    )


def default_settings() -> Settings:
    return load_settings({})


def check_consistent(stored: Mapping[str, str]) -> None:
    """Reject combinations no single value shows wrong: a day that ends before it starts."""
    settings = load_settings(stored)
    if settings.calendar.day_start >= settings.calendar.day_end:
        raise InvalidInput(
            "day_end must be later than day_start",
            f"now day_start={settings.values['day_start']}, day_end={settings.values['day_end']}",
        )
