"""A spreadsheet row, read through a column map, as a complaint (ComplaintIn).

`MappedSheet.infer()` reads the whole sheet once before anything else: each date
column's day/month order (datecolumns.py) and the currencies of the losses. Then
`records()` converts row by row; a row that cannot be read comes back as a
ValueError naming, for each problem, the column, the value and why, so the
import lists them all (row, column, value, why) and writes nothing, or skips
them with --skip-bad.

Idempotency: with an external_id column a row's external id is
`<source name>:<its id>`; without one, `<source name>:row-<hash>`, a hash of the
row's non-empty cells by column name (so reordering or adding empty columns does
not change it, but editing a cell does: the edited row is a new complaint).

Amounts go through the functions `add --loss` and `resolve --compensation` use
(services.intake.parse_loss, services.common.clean_text), so an import reads
an amount exactly as the command line does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError

from complog.errors import InvalidInput
from complog.importers.columnmap import DATE_FIELDS, ORDERS, VALUE_TARGETS, ColumnMap
from complog.importers.datecolumns import DAY_FIRST, MONTH_FIRST, DateEvidence, Zone, read_date
from complog.importers.records import ComplaintIn
from complog.importers.sheets import Cell, NumberText, Row, Table, header_key
from complog.money import Money, major

Item = tuple[str, ComplaintIn | ValueError]

_TRUE = ("true", "yes", "y", "1", "ja", "oui", "si", "sí")
_FALSE = ("false", "no", "n", "0", "nein", "non")
#: the most distinct currencies remembered while checking losses
_CURRENCIES_KEPT = 10
SHOWN_VALUE = 60


def shown(value: Cell) -> str:
    text = value if isinstance(value, str) else value.isoformat()
    return repr(text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…")


class _RowErrors(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))


class MappedSheet:
    """One table read through one map, for one import (or --dry-run)."""

    def __init__(self, table: Table, column_map: ColumnMap, zone: Zone, user: str,
                 now: datetime, logbook_currency: str) -> None:  # fmt: skip
        self.table = table
        #: a loss without a currency is in the logbook's: read with its decimals (JPY none)
        self.logbook_currency = logbook_currency
        self.map = column_map
        self.zone = zone
        self.user = user
        self.now = now
        by_key = {header_key(h): h for h in table.header}

        def find(column: str, what: str) -> str:
            found = by_key.get(header_key(column))
            if found is None:
                # A title or merged row above the header says so on the first row,
                # which is the clearer message; else the column is missing.
                next(table.rows(), None)
                names = ", ".join(repr(h) for h in table.header[:30])
                more = " …" if len(table.header) > 30 else ""
                raise InvalidInput(
                    f"the map names column {column!r} ({what}), but {table.name} has no such column",
                    f"its columns are: {names}{more}",
                )
            return found

        self.columns = {
            field: tuple(find(c, field) for c in cols) for field, cols in column_map.columns.items()
        }
        #: field -> its (first) column
        self.first = {field: cols[0] for field, cols in self.columns.items()}
        self.notes = [(find(n.column, "a note"), n) for n in column_map.notes]
        given = {find(c, "under [dates]"): f for c, f in column_map.dates.items()}
        self.formats = {c: f for c, f in given.items() if f not in ORDERS}
        #: column -> DAY_FIRST/MONTH_FIRST: from the map, else (infer) from its values
        self.orders: dict[str, str | None] = {
            c: DAY_FIRST if f == "day-first" else MONTH_FIRST
            for c, f in given.items()
            if f in ORDERS
        }
        self.hashed = "external_id" not in self.columns

    def column(self, field: str) -> str | None:
        return self.first.get(field)

    def infer(self, rows: Iterator[Row]) -> int:
        """The first pass: every date column's order, and one currency for all losses.
        Returns how many rows there are (for the progress bar of the next pass)."""
        evidence = {
            column: DateEvidence(column)
            for field in DATE_FIELDS
            if (column := self.column(field)) is not None
            and column not in self.formats
            and column not in self.orders
        }
        loss = self.column("loss")
        currencies: dict[str, str] = {}
        count = 0
        for row in rows:
            count += 1
            for column, seen in evidence.items():
                value = row.cells[column]
                if isinstance(value, str) and value.strip():
                    seen.observe(value, row.where)
            if loss is not None and _filled(row.cells[loss]) and len(currencies) < _CURRENCIES_KEPT:
                code = self._currency(row)
                if code is not None and code not in currencies:
                    currencies[code] = row.where
        decided: dict[str, str | None] = dict(self.orders)
        for column, seen in evidence.items():
            self.orders[column] = decided[column] = seen.order(decided)
        if len(currencies) > 1:
            listed = ", ".join(f"{code} ({where})" for code, where in currencies.items())
            raise InvalidInput(
                f"the losses in {self.table.name} are in more than one currency: {listed}",
                "this logbook keeps one currency for losses: import each currency's rows"
                " into its own logbook, or convert them first",
            )
        return count

    def _currency(self, row: Row) -> str | None:
        column = self.column("currency")
        text = _str(row.cells[column]).strip().upper() if column is not None else ""
        return text or self.map.defaults.get("currency")

    def records(self) -> Iterator[Item]:
        """Every row from the start, converted (a ValueError for a bad one)."""
        for row in self.table.rows():
            try:
                yield row.where, self.convert(row)
            except _RowErrors as exc:
                yield row.where, ValueError(str(exc))

    # -- one row ----------------------------------------------------------------------

    def convert(self, row: Row) -> ComplaintIn:
        problems: list[str] = []
        cells = row.cells

        texts = {
            field: (value.strip() if type(value) is str else _str(value).strip())
            for field, column in self.first.items()
            if (value := cells[column]) != ""
        }

        def cell(field: str) -> str:
            return texts.get(field, "")

        def problem(field_or_column: str, why: str, value: Cell | None = None) -> None:
            column = self.column(field_or_column) or field_or_column
            if value is None:
                value = cells.get(column, "")
            problems.append(f"column {column!r}, value {shown(value)}: {why}")

        def when(field: str) -> datetime | None:
            column = self.column(field)
            if column is None or not _filled(cells[column]):
                return None
            try:
                return read_date(cells[column], self.orders.get(column), self.formats.get(column),
                                 self.zone)  # fmt: skip
            except ValueError as exc:
                problem(field, str(exc))
                return None

        def word(field: str, builtin: dict[str, str]) -> str | None:
            text = cell(field)
            if not text:
                return self.map.defaults.get(field)
            key = " ".join(text.split()).casefold()
            found = self.map.values.get(field, {}).get(key) or builtin.get(key)
            if found is None:
                problem(field, f"not a {field} complog knows; map it under [values.{field}]")
            return found

        customer = cell("customer")
        if not customer:
            problem("customer", "empty: every complaint needs a customer")
        summary = ": ".join(t for c in self.columns["summary"] if (t := _str(cells[c]).strip()))
        if not summary:
            problem("summary", "empty: every complaint needs a summary")
        opened_at = when("opened_at")
        if opened_at is None and not cell("opened_at"):
            problem("opened_at", "empty: every complaint needs the date it was opened")
        if opened_at is not None and opened_at > self.now:
            problem(
                "opened_at", f"is after now ({self.now:%Y-%m-%d %H:%M} UTC): is the date right?"
            )
        channel = word("channel", _BUILTIN["channel"]) or "other"
        heat_text = word("heat", _BUILTIN["heat"]) or "3"
        owner = cell("owner") or self.map.defaults.get("owner") or self.user
        resolved_at = when("resolved_at")
        status = word("status", _BUILTIN["status"])
        if status is None and not cell("status"):
            status = "resolved" if cell("resolved_at") else "open"
        if status == "resolved" and resolved_at is None and not problems:
            if self.column("resolved_at") is None:
                problem("status", "resolved, but the map names no resolved_at column")
            else:
                problem("resolved_at", "empty, but the complaint is resolved: when was it?")
        if resolved_at is not None and opened_at is not None and resolved_at < opened_at:
            problem("resolved_at", "is before the complaint was opened")
        cause = word("cause", _BUILTIN["cause"])
        satisfaction = word("satisfaction", _BUILTIN["satisfaction"])
        confirmed = word("confirmed", _BOOLEANS)
        written = word("written", _BOOLEANS)
        currency = self._currency(row)
        if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
            problem("currency", "not an ISO 4217 currency code (EUR, GBP, USD)")
            currency = None
        loss_column = self.column("loss")
        number_cell = loss_column is not None and isinstance(cells[loss_column], NumberText)
        loss = self._loss(cell("loss"), currency, problem, number_cell)
        compensation = self._compensation(cell("compensation"), currency, problem)
        external_id = self._external_id(row, cell("external_id"), problem)
        notes = []
        for column, note in self.notes:
            text = _str(cells[column]).strip()
            if text and opened_at is not None:
                notes.append({
                    "at": opened_at, "author": note.author or owner, "direction": note.direction,
                    "channel": note.channel or (channel if note.direction != "internal" else "other"),
                    "text": text,
                })  # fmt: skip
        promises = []
        promise = cell("promise")
        due = when("promise_due")
        if promise and due is None and not cell("promise_due"):
            problem("promise_due", f"empty, but the row promises {promise!r}: when is it due?")
        if due is not None and not promise:
            problem("promise", "empty, but the row has a promise due date")
        if promise and due is not None and opened_at is not None:
            promises.append({
                "text": promise, "owner": cell("promise_owner") or owner, "due_at": due,
                "created_at": opened_at, "created_by": self.user,
            })  # fmt: skip
        if problems:  # a column mapped to two fields says its problem once
            raise _RowErrors(list(dict.fromkeys(problems)))
        resolution = None
        if status == "resolved":
            resolution = {
                "outcome": cell("outcome") or self.map.defaults.get("outcome") or "resolved",
                "confirmed": None if confirmed is None else confirmed == "true",
                "satisfaction": satisfaction, "compensation": compensation, "cause": cause,
                "prevention": cell("prevention") or None, "resolved_at": resolved_at,
            }  # fmt: skip
        data: dict[str, Any] = {
            "external_id": external_id,
            "customer": {"name": customer, "phone": cell("phone") or None,
                         "email": cell("email") or None},
            "summary": summary, "status": status, "channel": channel,
            "category": cell("category") or None, "heat": int(heat_text),
            "wants": cell("wants") or None,
            "loss": None if loss is None else major(loss),
            # the row's currency, else (None) the logbook's
            "loss_currency": None if loss is None else currency,
            "written": written == "true", "owner": owner, "opened_at": opened_at,
            "created_by": self.user, "resolved_at": resolved_at if status == "resolved" else None,
            "resolution": resolution, "notes": notes, "promises": promises,
        }  # fmt: skip
        try:
            return ComplaintIn.model_validate(data)
        except ValidationError as exc:
            raise _RowErrors([self._explain(exc, cells)]) from None

    def _explain(self, exc: ValidationError, cells: dict[str, Cell]) -> str:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        message = str(first["msg"]).removeprefix("Value error, ")
        if field == "customer":
            field = "customer"
        elif field in ("resolution", "promises") and "promise" in message:
            field = "promise"
        column = self.column(field)
        if column is None:
            return message
        return f"column {column!r}, value {shown(cells[column])}: {message}"

    def _loss(
        self, text: str, currency: str | None, problem: Any, number_cell: bool
    ) -> Money | None:
        """The map says which mark is the decimal one, so the number is read as a plain
        decimal in the row's currency (minor units by its exponent). A spreadsheet's
        number cell is a number already: the map's decimal mark is about text."""
        if not text:
            return None
        from decimal import Decimal

        from complog.money import LIMIT, MoneyError, currency_info

        try:
            info = currency_info(currency or self.logbook_currency)
        except MoneyError as exc:
            problem("currency", exc.message)
            return None
        number = self._decimal(text, number_cell)
        if number is None:
            problem("loss", "give an amount such as 120 or 120.50")
            return None
        amount = Decimal(number)  # digits, one point, an exponent: always finite
        if number.startswith("-") and amount:
            problem("loss", "the loss must be 0 or more")
            return None
        if amount > LIMIT:  # compared before scaling: 1E+999999999 overflows the context
            problem("loss", f"that is more than {LIMIT:,}")
            return None
        minor = amount.scaleb(info.exponent)
        if minor != minor.to_integral_value():
            problem("loss", _places(info.code, info.exponent))
            return None
        return Money(int(minor), info.code)

    def _decimal(self, text: str, number_cell: bool) -> str | None:
        """The amount as Decimal reads it ('-1234.50'), or None when it cannot be read
        without guessing: marks that group no thousands ("12,50" in a map whose
        decimal mark is the point) are refused, never dropped. A trailing currency
        code or sign goes."""
        text = re.sub(r"\s*(?:[A-Za-z]{3}|[£$€])$", "", text.strip())
        sign = ""
        if text[:1] in ("-", "\u2212"):  # a hyphen or the minus sign
            sign, text = "-", text[1:].lstrip()
        if number_cell:  # Python's notation of the cell's number: 120.5, 1e-05
            return sign + text if _NUMBER_CELL.fullmatch(text) else None
        point = self.map.decimal
        group = "." if point == "," else ","
        found = re.fullmatch(
            rf"(?P<whole>[0-9]{{1,3}}(?:[{re.escape(group)} \u00a0\u202f][0-9]{{3}})+|[0-9]+)"
            rf"(?:{re.escape(point)}(?P<fraction>[0-9]+))?(?P<exponent>[eE][+-]?[0-9]+)?",
            text,
        )
        if found is None:
            return None
        whole = re.sub(r"[^0-9]", "", found.group("whole"))
        fraction = found.group("fraction")
        return sign + whole + ("." + fraction if fraction else "") + (found.group("exponent") or "")

    def _compensation(self, text: str, currency: str | None, problem: Any) -> str | None:
        if not text:
            return None
        from complog.money import NO_CURRENCY, MoneyError, value_in_text
        from complog.services.common import clean_text

        try:
            cleaned = clean_text(text, "compensation", required=False)
        except InvalidInput as exc:
            problem("compensation", exc.message)
            return None
        try:
            names_an_amount = value_in_text(cleaned, NO_CURRENCY) is not None
        except MoneyError:
            names_an_amount = True  # one that needs its currency: kept as written
        if cleaned is not None and currency and not names_an_amount:
            # "50" in a column whose currency is EUR is "50 EUR": written with it, it
            # counts as compensation given, in that currency.
            if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d{1,2})?|\d+(\.\d{1,2})?", cleaned):
                cleaned = f"{cleaned} {currency}"
        return cleaned

    def _external_id(self, row: Row, given: str, problem: Any) -> str | None:
        if not self.hashed:
            if not given:
                problem("external_id", "empty: every row needs its id (re-imports find rows by it)")
                return None
            return f"{self.map.name}:{given}"
        return f"{self.map.name}:row-{row_hash(row.cells)}"


def row_hash(cells: dict[str, Cell]) -> str:
    """A stable id for a row without one: its non-empty cells by column name."""
    digest = hashlib.sha256()
    for key, value in sorted((header_key(k), _str(v).strip()) for k, v in cells.items()):
        if value:
            digest.update(f"{key}\x1f{value}\x1e".encode())
    return digest.hexdigest()[:20]


#: a number cell's text as sheets.py writes it (str of an int or a float)
_NUMBER_CELL = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?")


def _places(code: str, exponent: int) -> str:
    if exponent == 0:
        return f"{code} has no minor unit: write a whole number"
    return (
        f"{code} has {exponent} decimal place{'s' if exponent != 1 else ''}: use at most that many"
    )


def _filled(value: Cell) -> bool:
    return not isinstance(value, str) or bool(value.strip())


def _str(value: Cell) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


_BOOLEANS = {**{w: "true" for w in _TRUE}, **{w: "false" for w in _FALSE}}
#: field -> the words every map understands: complog's own (any case)
_BUILTIN = {field: {v: v for v in values} for field, values in VALUE_TARGETS.items()}
_BUILTIN["cause"]["third party"] = "third-party"
