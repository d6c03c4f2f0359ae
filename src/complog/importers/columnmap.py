"""A column map: which columns of a spreadsheet hold which of complog's fields.

A TOML file (docs/import.md shows a whole one):

    [source]            name (external ids: "<name>:<id>"), sheet, header_row, encoding,
                        decimal ("," for 1.234,50)
    [columns]           complog field = "Column" (summary may list several)
    [[notes]]           column, direction (in/out/internal), channel, author
    [dates]             "Column" = "day-first", "month-first" or a strptime format
                        (only where the column's own values cannot tell)
    [values.status]     "Erledigt" = "resolved"   (also channel, heat, cause,
                        satisfaction, confirmed, written)
    [defaults]          channel, heat, owner, status, outcome, cause, currency

Everything is checked when the map is read, before the spreadsheet is: an unknown
field or section, a value mapped to something complog does not know, a column
named twice. Pure: the map names columns; sheets.py finds them.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complog.errors import InvalidInput
from complog.vocabulary import CAUSES, CHANNELS, COMPLAINT_STATUSES, DIRECTIONS

#: complog field -> what it is (for --inspect's map and the docs)
FIELDS = {
    "external_id": "the row's id in your system: re-importing skips rows already imported",
    "customer": "customer name (required)",
    "phone": "customer phone",
    "email": "customer e-mail",
    "summary": "what the complaint is about (required; several columns are joined with ': ')",
    "opened_at": "when it was opened (required)",
    "channel": "phone, email, letter, visit, web, social or other ([values.channel])",
    "heat": "1 (calm) to 5 (boiling) ([values.heat])",
    "category": "your category",
    "wants": "what the customer wants",
    "written": "made in writing: yes/no",
    "owner": "who handles it (default: you)",
    "status": "open or resolved ([values.status]); without it, a row with resolved_at is resolved",
    "resolved_at": "when it was resolved",
    "outcome": "what was done",
    "confirmed": "the customer accepted the outcome: yes/no",
    "cause": "ours, customer, third-party or unknown ([values.cause])",
    "satisfaction": "1 to 5 ([values.satisfaction])",
    "prevention": "what stops it happening again",
    "loss": "the customer's loss, an amount",
    "compensation": "compensation given, as written",
    "currency": "ISO 4217 code of the row's loss and compensation (EUR, GBP, USD)",
    "promise": "an open promise to the customer",
    "promise_due": "when the promise is due (required with promise)",
    "promise_owner": "who owns the promise (default: the complaint's owner)",
}
REQUIRED = ("customer", "summary", "opened_at")
DATE_FIELDS = ("opened_at", "resolved_at", "promise_due")
#: field -> the values a [values.FIELD] table may map words to
VALUE_TARGETS: dict[str, tuple[str, ...]] = {
    "status": COMPLAINT_STATUSES,
    "channel": CHANNELS,
    "heat": ("1", "2", "3", "4", "5"),
    "cause": CAUSES,
    "satisfaction": ("1", "2", "3", "4", "5"),
    "confirmed": ("true", "false"),
    "written": ("true", "false"),
}
DEFAULTS = ("channel", "heat", "owner", "status", "outcome", "cause", "currency")
SOURCE_KEYS = ("name", "sheet", "header_row", "encoding", "decimal")
NOTE_KEYS = ("column", "direction", "channel", "author")
#: [dates] words for a column's day/month order (any separator, with or without a time)
ORDERS = {"day-first": "day-first", "month-first": "month-first"}
SECTIONS = ("source", "columns", "notes", "dates", "values", "defaults")
#: a map of every field with long [values] tables is a few kB; more is not a map
MAX_MAP_BYTES = 1 << 20


@dataclass(frozen=True)
class NoteColumn:
    column: str
    direction: str
    channel: str | None
    author: str | None


@dataclass(frozen=True)
class ColumnMap:
    name: str
    #: field -> its column(s)
    columns: dict[str, tuple[str, ...]]
    notes: tuple[NoteColumn, ...]
    #: column -> "day-first", "month-first" or a strptime format
    dates: dict[str, str]
    #: field -> {word, casefolded and trimmed: complog's value}
    values: dict[str, dict[str, str]]
    defaults: dict[str, str]
    sheet: str | None = None
    header_row: int = 1
    encoding: str | None = None
    #: the decimal mark of amounts in text cells: "." or "," (1.234,50)
    decimal: str = "."
    #: whether [source] gave the name (else it is the map file's name)
    name_given: bool = True

    def used_columns(self) -> list[str]:
        found = [c for cols in self.columns.values() for c in cols]
        return found + [n.column for n in self.notes]


def load_map(given: str, fallback_name: str, *, source_only: bool = False) -> ColumnMap:
    """Read and check the map file `given`; `fallback_name` names the source when the
    map does not (its file name's stem)."""
    path = Path(given).expanduser()
    try:
        with path.open("rb") as file:  # a FIFO (`--map <(...)`) reads as well as a file
            raw = file.read(MAX_MAP_BYTES + 1)
        if len(raw) > MAX_MAP_BYTES:
            raise InvalidInput(
                f"the map {given} is larger than 1 MiB: a map names columns, it holds no data",
                "`complog import FILE --inspect --write-map MAP.toml` writes one",
            )
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"no such map file: {given}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{given} is a directory, not a map file") from None
    except (OSError, ValueError) as exc:
        # tomllib.TOMLDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidInput(
            f"cannot read the map {given}: {getattr(exc, 'strerror', None) or exc}",
            "a map is a TOML file; `complog import FILE --inspect --write-map MAP.toml` writes one",
        ) from None
    return parse_map(data, path.stem or fallback_name, given, source_only=source_only)


def _unknown(kind: str, key: str, known: tuple[str, ...] | list[str], where: str) -> InvalidInput:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return InvalidInput(f"{where}: unknown {kind} {key!r}", f"{hint}known: {', '.join(known)}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where} must be a non-empty string, not {value!r}")
    return value.strip()


def parse_map(
    data: dict[str, Any], default_name: str, shown: str, *, source_only: bool = False
) -> ColumnMap:
    """The map in `data`; `source_only` (for --inspect): its [columns] may be incomplete."""
    for key in data:
        if key not in SECTIONS:
            raise _unknown("section", key, SECTIONS, f"map {shown}")
    source = _table(data, "source", shown)
    for key in source:
        if key not in SOURCE_KEYS:
            raise _unknown("key", key, SOURCE_KEYS, f"{shown} [source]")
    name = _text(source["name"], f"{shown} [source] name") if "name" in source else default_name
    if ":" in name:
        raise InvalidInput(f"{shown} [source] name {name!r} must not contain ':'")
    header_row = source.get("header_row", 1)
    if (
        not isinstance(header_row, int)
        or isinstance(header_row, bool)
        or not 1 <= header_row <= 1000
    ):
        raise InvalidInput(f"{shown} [source] header_row must be a row number from 1 to 1000")
    encoding = None
    if "encoding" in source:
        import codecs

        encoding = _text(source["encoding"], f"{shown} [source] encoding")
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InvalidInput(
                f"{shown} [source] encoding {encoding!r} is not an encoding Python knows",
                "e.g. utf-8, cp1252 (Excel's CSV on Windows), latin-1, utf-16",
            ) from None
    sheet = _text(source["sheet"], f"{shown} [source] sheet") if "sheet" in source else None
    decimal = source.get("decimal", ".")
    if decimal not in (".", ","):
        raise InvalidInput(f'{shown} [source] decimal must be "." or ","')

    columns: dict[str, tuple[str, ...]] = {}
    for field, value in _table(data, "columns", shown).items():
        if field not in FIELDS:
            raise _unknown("field", field, list(FIELDS), f"{shown} [columns]")
        where = f"{shown} [columns] {field}"
        if isinstance(value, list) and field == "summary" and value:
            columns[field] = tuple(_text(v, where) for v in value)
        else:
            columns[field] = (_text(value, where),)
    missing = [f for f in REQUIRED if f not in columns]
    if missing and not source_only:
        raise InvalidInput(
            f"{shown} [columns] names no column for {', '.join(missing)}",
            "every complaint needs a customer, a summary and when it was opened",
        )
    if ("promise" in columns) != ("promise_due" in columns):
        raise InvalidInput(f"{shown} [columns]: promise and promise_due go together")

    notes = []
    raw_notes = data.get("notes", [])
    if not isinstance(raw_notes, list):
        raise InvalidInput(f"{shown}: notes must be [[notes]] tables, one per column")
    for index, note in enumerate(raw_notes, start=1):
        where = f"{shown} [[notes]] {index}"
        if not isinstance(note, dict):
            raise InvalidInput(f"{where} must be a table with column and direction")
        for key in note:
            if key not in NOTE_KEYS:
                raise _unknown("key", key, NOTE_KEYS, where)
        if "column" not in note:
            raise InvalidInput(f"{where} names no column")
        direction = note.get("direction", "internal")
        if direction not in DIRECTIONS:
            raise InvalidInput(
                f"{where} direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}"
            )
        channel = note.get("channel")
        if channel is not None and channel not in CHANNELS:
            raise InvalidInput(f"{where} channel must be one of {', '.join(CHANNELS)}")
        author = _text(note["author"], f"{where} author") if "author" in note else None
        notes.append(
            NoteColumn(_text(note["column"], f"{where} column"), direction, channel, author)
        )

    dates = {}
    for column, form in _table(data, "dates", shown).items():
        form = _text(form, f"{shown} [dates] {column!r}")
        if form.lower().replace(" ", "-") in ORDERS:
            form = ORDERS[form.lower().replace(" ", "-")]
        elif "%" not in form:
            raise InvalidInput(
                f"{shown} [dates] {column!r}: {form!r} is neither day-first, month-first nor a"
                " strptime format",
                'e.g. "day-first", "month-first" or "%d/%m/%Y %H:%M"',
            )
        if form not in ORDERS:
            _check_strptime(form, f"{shown} [dates] {column!r}")
        dates[column.strip()] = form

    values: dict[str, dict[str, str]] = {}
    for field, table in _table(data, "values", shown).items():
        if field not in VALUE_TARGETS:
            raise _unknown("value table", field, list(VALUE_TARGETS), f"{shown} [values]")
        if not isinstance(table, dict):
            raise InvalidInput(f'{shown} [values.{field}] must be a table of "word" = value')
        mapped = {}
        for word, target in table.items():
            text = str(target).lower() if isinstance(target, bool | int) else target
            if not isinstance(text, str) or text not in VALUE_TARGETS[field]:
                raise InvalidInput(
                    f"{shown} [values.{field}] {word!r} = {target!r}: not a {field} complog knows",
                    f"use one of: {', '.join(VALUE_TARGETS[field])}",
                )
            mapped[" ".join(word.split()).casefold()] = text
        values[field] = mapped

    defaults = {}
    for key, value in _table(data, "defaults", shown).items():
        if key not in DEFAULTS:
            raise _unknown("default", key, DEFAULTS, f"{shown} [defaults]")
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        text = _text(text, f"{shown} [defaults] {key}")
        if key in VALUE_TARGETS and text not in VALUE_TARGETS[key]:
            raise InvalidInput(
                f"{shown} [defaults] {key} = {value!r}: use one of {', '.join(VALUE_TARGETS[key])}"
            )
        if key == "currency" and not re.fullmatch(r"[A-Z]{3}", text):
            raise InvalidInput(
                f"{shown} [defaults] currency = {value!r}: not an ISO 4217 code",
                "e.g. EUR, GBP, USD",
            )
        defaults[key] = text
    return ColumnMap(name, columns, tuple(notes), dates, values, defaults, sheet,
                     header_row, encoding, decimal, "name" in source)  # fmt: skip


def _check_strptime(form: str, where: str) -> None:
    """A format strptime can compile, checked with the map: a directive given twice
    (`%y%y`) is a re.error from strptime's own pattern, raised at the first row."""
    from datetime import datetime

    problem = None
    try:
        datetime.strptime("", form)  # noqa: DTZ007 - compiles the format; no date is made
    except re.error:
        given = re.findall(r"%(.)", form.replace("%%", ""))
        twice = next((d for d in given if given.count(d) > 1), None)
        problem = f"it gives %{twice} twice" if twice else "it gives one part of the date twice"
    except ValueError as exc:
        bad = re.search(r"'(.)' is a bad directive", str(exc))
        if bad:
            problem = f"%{bad.group(1)} is not a directive"
        elif "stray %" in str(exc):
            problem = "it has a % that starts no directive (write %% for a percent sign)"
    if problem:
        raise InvalidInput(
            f"{where}: {form!r} is not a strptime format complog can use: {problem}",
            'e.g. "%d/%m/%Y %H:%M"; each directive once',
        )


def _table(data: dict[str, Any], key: str, shown: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise InvalidInput(f"{shown}: [{key}] must be a table")
    return value
