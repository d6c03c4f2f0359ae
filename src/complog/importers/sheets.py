"""A spreadsheet's rows by header name: a CSV file or one sheet of an .xlsx workbook.

A mapped import reads its input three times (find each date column's format, check
every row, write), so a Table gives its rows from the start as often as asked, one
at a time: memory stays bounded whatever the number of rows. The header is checked
before any row: one name per column, no name twice, and no empty name between two
others. A merged or two-row header (a title over several columns) is refused with
what to do, never guessed at; so is a value under a column with no name.

CSV goes through importers/sources.py (dialect from the header row, bounded lines
and fields, any input `open_input` takes). .xlsx goes through openpyxl in read-only
mode, imported only here, so no other command pays for it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any, Protocol

from complog.errors import InvalidInput
from complog.importers.sources import MAX_LINE, Input, csv_records, too_long

#: a cell: text, or a date/time Excel stored as one (it needs no format)
Cell = str | datetime | date | time


class NumberText(str):
    """A number cell's text ("120.5"): a number already, whatever decimal mark the
    map gives for amounts written as text (mapped.py reads it as it is)."""

    __slots__ = ()


#: the first bytes of a zip archive, which an .xlsx workbook is
ZIP_MAGIC = b"PK\x03\x04"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: as a spreadsheet names its columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def header_key(name: str) -> str:
    """How a map names a column: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Row:
    #: as a spreadsheet program shows it (the first row of the file is 1)
    number: int
    #: CSV: the physical line the record starts on (quoted fields may hold line breaks)
    line: int | None
    #: header -> cell ("" when empty)
    cells: dict[str, Cell]

    @property
    def where(self) -> str:
        if self.line is not None and self.line != self.number:
            return f"row {self.number} (line {self.line})"
        return f"row {self.number}"


class Table(Protocol):
    name: str
    header: list[str]

    def rows(self) -> Iterator[Row]: ...

    def close(self) -> None: ...


def is_xlsx(source: Input) -> bool:
    suffix = source.path.suffix.lower() if source.path is not None else ""
    if suffix in (".xlsx", ".xlsm"):
        return True
    source.raw.seek(0)
    return source.raw.read(4) == ZIP_MAGIC


def open_table(
    source: Input, *, sheet: str | None = None, header_row: int = 1, encoding: str | None = None
) -> Table:
    """The input as a Table, its header checked."""
    if is_xlsx(source):
        return XlsxTable(source, sheet, header_row)
    if sheet is not None:
        raise InvalidInput(
            f"{source.name} is a CSV file; it has no sheets",
            "remove `sheet` from the map's [source], or import the .xlsx workbook",
        )
    return CsvTable(source, header_row, encoding)


def check_header(cells: list[str], name: str, row: int) -> list[str]:
    """The column names, trailing empty ones dropped; InvalidInput for a header complog
    cannot read by name."""
    names = [c.strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise InvalidInput(
            f"row {row} of {name} is empty: complog needs a header row naming the columns",
            "put the column names in the first row, or set header_row in the map's [source]",
        )
    for index, value in enumerate(names):
        if not value:
            before = next(n for n in reversed(names[:index]) if n) if any(names[:index]) else None
            where = f"between {before!r} and " if before else "before "
            after = next(n for n in names[index:] if n)
            raise InvalidInput(
                f"the header row (row {row}) of {name} has no name in column {column_letter(index)},"
                f" {where}{after!r}: is it a merged or two-row header?",
                "unmerge the header cells and give every column its own name in one row"
                " (or point header_row in the map's [source] at the row of names)",
            )
    seen: dict[str, str] = {}
    for index, value in enumerate(names):
        key = header_key(value)
        if key in seen:
            raise InvalidInput(
                f"the header row (row {row}) of {name} names {value!r} twice"
                f" (columns {column_letter(names.index(seen[key]))} and {column_letter(index)})",
                "rename one of them so that every column has its own name",
            )
        seen[key] = value
    return names


def _unnamed(name: str, row: int, index: int, header_row: int) -> InvalidInput:
    return InvalidInput(
        f"row {row} of {name} has a value in column {column_letter(index)}, which has no name"
        f" in the header row (row {header_row}): is row {header_row} a title or a merged header?",
        "give every column a name in one header row (unmerge a title over several columns),"
        " or point header_row in the map's [source] at the row of names",
    )


class CsvTable:
    """A CSV file; UTF-8 unless the map names another encoding (a BOM says UTF-16)."""

    def __init__(self, source: Input, header_row: int, encoding: str | None) -> None:
        self.source = source
        self.name = source.name
        self.header_row = header_row
        self.encoding = encoding or _bom_encoding(source.raw)
        self.header = self._read_header()

    def _records(self) -> Iterator[tuple[int, int, list[str]]]:
        """(row number, line, fields) from the header row on."""
        with self.source.text(self.encoding) as fh:
            for number, (line, fields) in enumerate(
                csv_records(fh, self.name, self.header_row), start=1
            ):
                if number >= self.header_row:
                    yield number, line, fields

    def _read_header(self) -> list[str]:
        for number, _line, fields in self._records():
            return check_header(fields, self.name, number)
        raise InvalidInput(f"{self.name} is empty", "export the sheet with its header row")

    def rows(self) -> Iterator[Row]:
        header = self.header
        width = len(header)
        records = self._records()
        next(records, None)  # the header, checked already
        for number, line, fields in records:
            if not any(f.strip() for f in fields):
                continue  # a blank line, or a row of empty cells
            for index in range(width, len(fields)):
                if fields[index].strip():
                    raise _unnamed(self.name, number, index, self.header_row)
            cells: dict[str, Cell] = {
                name: (fields[i] if i < len(fields) else "") for i, name in enumerate(header)
            }
            yield Row(number, line, cells)

    def close(self) -> None:
        pass


def _bom_encoding(raw: IO[bytes]) -> str:
    raw.seek(0)
    start = raw.read(2)
    return "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"


class XlsxTable:
    """One sheet of an .xlsx workbook, read with openpyxl in read-only mode (rows are
    parsed as they are asked for). Cached formula results are read, not formulas."""

    def __init__(self, source: Input, sheet: str | None, header_row: int) -> None:
        self.source = source
        self.name = source.name
        self.header_row = header_row
        openpyxl = _openpyxl()
        from xml.etree.ElementTree import ParseError

        from openpyxl.utils.exceptions import InvalidFileException

        try:
            source.raw.seek(0)
            _refuse_bombs(source.raw, source.name)
            source.raw.seek(0)
            self.book = openpyxl.load_workbook(source.raw, read_only=True, data_only=True)
        except (
            InvalidFileException,
            zipfile.BadZipFile,
            KeyError,
            ValueError,
            OSError,
            ParseError,
        ) as exc:
            raise InvalidInput(
                f"cannot read {source.name} as an Excel workbook: {type(exc).__name__}: {exc}"[
                    :300
                ],
                "is it an .xlsx file? an older .xls must be saved as .xlsx or CSV first",
            ) from None
        names = list(self.book.sheetnames)
        if sheet is None:
            self.sheet_name = names[0]
        elif sheet in names:
            self.sheet_name = sheet
        else:
            self.close()
            raise InvalidInput(
                f"{source.name} has no sheet {sheet!r}",
                "its sheets are: " + ", ".join(repr(n) for n in names),
            )
        self.sheet_names = names
        self.sheet = self.book[self.sheet_name]
        # The sheet's <dimension> is only a claim: "A1:XFD1048576" would make openpyxl
        # pad every row to 16,384 cells and yield a million rows. Read what is there.
        self.sheet.reset_dimensions()
        self.name = f"{source.name} (sheet {self.sheet_name!r})" if len(names) > 1 else source.name
        self.header = self._read_header()

    def _values(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        from xml.etree.ElementTree import ParseError

        rows = enumerate(self.sheet.iter_rows(values_only=True), start=1)
        while True:
            try:
                number, values = next(rows)
            except StopIteration:
                return
            except ParseError as exc:  # the sheet's XML is cut short or malformed
                raise InvalidInput(
                    f"cannot read {self.source.name} as an Excel workbook: {exc}"[:300],
                    "open it in a spreadsheet program and save it again, or save it as CSV",
                ) from None
            if number >= self.header_row:
                yield number, values

    def _read_header(self) -> list[str]:
        for number, values in self._values():
            return check_header([_text(v) for v in values], self.name, number)
        raise InvalidInput(f"{self.name} is empty", "the sheet needs a header row")

    def rows(self) -> Iterator[Row]:
        header = self.header
        width = len(header)
        values_iter = self._values()
        next(values_iter, None)
        for number, values in values_iter:
            cells = [_cell(v) for v in values[:width]]
            for index in range(width, len(values)):
                if _cell(values[index]) != "":
                    raise _unnamed(self.name, number, index, self.header_row)
            if not any(c != "" for c in cells):
                continue
            yield Row(
                number,
                None,
                {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)},
            )

    def close(self) -> None:
        self.book.close()


#: Apache POI's defences against zip bombs (ZipSecureFile), which every .xlsx that
#: Excel or LibreOffice writes passes: a part may not inflate more than 100 times
#: once past 1 MiB, nor be larger than 1 GiB (openpyxl reads some parts whole).
MAX_INFLATE_RATIO = 100
INFLATE_GRACE = 1 << 20
MAX_PART = 1 << 30


def _refuse_bombs(raw: IO[bytes], name: str) -> None:
    """Refuse a workbook whose parts inflate beyond reason, before openpyxl reads any:
    a 200 kB file whose shared strings inflate to 85 MB took 430 MB and minutes."""
    with zipfile.ZipFile(raw) as archive:
        for part in archive.infolist():
            size = part.file_size  # zipfile reads no more than this: a bound, not a claim
            inflates = size > INFLATE_GRACE and size > MAX_INFLATE_RATIO * part.compress_size
            if inflates or size > MAX_PART:
                raise InvalidInput(
                    f"{name} is not a workbook complog will open: its part {part.filename!r}"
                    f" inflates from {part.compress_size:,} to {size:,} bytes",
                    "a zip bomb, or a workbook far larger than a complaint log: save the sheet"
                    " as CSV to import it",
                )


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise InvalidInput(
            "reading .xlsx workbooks needs the openpyxl package, which is not installed",
            "install it (pip install openpyxl, or reinstall complog), or save the sheet as CSV UTF-8",
        ) from None
    return openpyxl


def _text(value: Any) -> str:
    cell = _cell(value)
    return cell if isinstance(cell, str) else cell.isoformat()


def _cell(value: Any) -> Cell:
    """An Excel value as a cell: numbers as a person reads them (4.0 -> "4")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date | time):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return NumberText(int(value))
    if isinstance(value, int | float):
        return NumberText(value)
    text = str(value)
    if len(text) > MAX_LINE:
        raise too_long("a cell")
    return text
