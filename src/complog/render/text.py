"""Small formatting helpers shared by every view: times, durations, heat, safety."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

_WHITESPACE = re.compile(r"\s+")
#: Shown as escapes: C0/C1 controls (escape sequences, bells), line and paragraph
#: separators, bidi embeddings, overrides and isolates (Trojan Source), and what a
#: terminal draws as nothing — bidi marks (LRM, RLM, ALM), zero-width spaces and
#: joiners, the soft hyphen, fillers, invisible operators, tag characters — so that
#: "Acme" and "Ac<ZWSP>me", two customers, never look the same in a listing.
#: ZWNJ and ZWJ stay raw between two non-ASCII characters: Persian and Indic words
#: and emoji sequences need them there; next to ASCII or a space they only hide.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0"
    r"\ufff9-\ufffb\U000e0000-\U000e007f]"
)
#: the same for ASCII text (most of it), which this smaller class scans faster
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_JOINERS = "\u200c\u200d"


def _needed_joiner(match: re.Match[str]) -> bool:
    """A ZWNJ/ZWJ between two non-ASCII, non-space characters (a Persian word, an emoji
    sequence) is text; anywhere else it only hides (one regex scan, as fast as before)."""
    if match.group() not in _JOINERS:
        return False
    text, at = match.string, match.start()
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    return before > "\x7f" and after > "\x7f" and not before.isspace() and not after.isspace()


def safe(text: str | None, *, one_line: bool = False) -> str:
    """Make stored text inert on a terminal: control, bidi and invisible characters
    (escape sequences, bells, RTL overrides, zero-width spaces) are shown as
    \\x1b-style escapes."""
    if text is None:
        return ""
    shown = (_ASCII_CONTROL if text.isascii() else _CONTROL).sub(_shown_escaped, text)
    if one_line:
        shown = _WHITESPACE.sub(" ", shown)
    return shown


def one_record(text: str | None) -> str:
    """safe(), with a newline shown as \\n too: a message or result line that quotes a
    file name or a value stays the lines complog means, whatever the value holds."""
    return safe(text).replace("\n", "\\n")


def _shown_escaped(match: re.Match[str]) -> str:
    if _needed_joiner(match):
        return match.group()
    return match.group().encode("unicode_escape").decode("ascii")


#: the Select Graphic Rendition sequences Rich writes for styles (colour, bold...),
#: captured, so that splitting on them keeps them at the odd positions
_STYLE_CODE = re.compile(r"(\x1b\[[0-9;]*m)")


def outside_styles(text: str, change: Callable[[str], str]) -> str:
    """`change` applied to the text between style codes, the codes kept as they are:
    what Rich wrote for its styles stays, whatever else the text holds does not."""
    if "\x1b" not in text:  # no style codes: not a terminal, or plain text
        return change(text)
    pieces = _STYLE_CODE.split(text)
    return "".join(piece if i % 2 else change(piece) for i, piece in enumerate(pieces))


def one_line(text: str) -> str:
    """Any run of whitespace (newlines and tabs included) as one space: plain output
    is one record per line, whatever the text of a record holds."""
    return _WHITESPACE.sub(" ", text)


def json_inert(text: str) -> str:
    """JSON text (from json.dumps) with control and bidi characters written as \\u
    escapes: the same JSON, inert on a terminal (ensure_ascii=False keeps them raw)."""
    return (_ASCII_CONTROL if text.isascii() else _CONTROL).sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    if _needed_joiner(match):
        return match.group()
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON writes a character beyond the BMP as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


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
