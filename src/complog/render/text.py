"""Small formatting helpers shared by every view: times, durations, heat, safety."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe(text: str | None, *, one_line: bool = False) -> str:
    """Make stored text inert on a terminal: control and bidi-override characters
    (escape sequences, bells, RTL overrides) are shown as \\x1b-style escapes."""
    if text is None:
        return ""
    shown = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    if one_line:
        shown = _WHITESPACE.sub(" ", shown)
    return shown


def one_line(text: str) -> str:
    """Any run of whitespace (newlines and tabs included) as one space: plain output
    is one record per line, whatever the text of a record holds."""
    return _WHITESPACE.sub(" ", text)


def json_inert(text: str) -> str:
    """JSON text (from json.dumps) with control and bidi characters written as \\u
    escapes: the same JSON, inert on a terminal (ensure_ascii=False keeps them raw)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def local(dt: datetime | None, tz: tzinfo) -> str:
    return "" if dt is None else dt.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def iso(dt: datetime | None, tz: tzinfo) -> str | None:
    """JSON timestamps: ISO-8601 in the configured zone, with its offset."""
    return None if dt is None else dt.astimezone(tz).isoformat()


def friendly(dt: datetime, now: datetime, tz: tzinfo) -> str:
    """Short and unambiguous: `today 10:00`, `tomorrow 09:30`, `Fri 17:00` (this
    week), `27 Nov 17:00` (this half-year), `2025-03-01 17:00`."""
    when, today = dt.astimezone(tz), now.astimezone(tz).date()
    clock = when.strftime("%H:%M")
    delta = (when.date() - today).days
    if delta == 0:
        return f"today {clock}"
    if delta == 1:
        return f"tomorrow {clock}"
    if delta == -1:
        return f"yesterday {clock}"
    if 1 < delta < 7:
        return when.strftime("%a ") + clock
    if abs(delta) < 180:
        return f"{when.day} {when:%b} {clock}"
    return when.strftime("%Y-%m-%d ") + clock


def duration(minutes: float) -> str:
    """45m, 2h, 2h 30m, 3d 4h: how late, in the words of a busy person."""
    total = int(minutes)
    if total < 60:
        return f"{total}m"
    if total < 24 * 60:
        hours, mins = divmod(total, 60)
        return f"{hours}h" if mins == 0 else f"{hours}h {mins}m"
    days, rest = divmod(total, 24 * 60)
    hours = rest // 60
    return f"{days}d" if hours == 0 else f"{days}d {hours}h"


def late_by(delta: timedelta) -> str:
    return duration(delta.total_seconds() / 60)


def heat_bar(heat: int) -> str:
    return "●" * heat + "○" * (5 - heat)


HEAT_STYLES = {1: "green", 2: "green", 3: "yellow", 4: "dark_orange", 5: "bold red"}
