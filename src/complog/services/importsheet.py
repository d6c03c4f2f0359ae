"""`complog import FILE --map MAP` and `--inspect`: any CSV or .xlsx sheet, by column map.

A mapped import reads the sheet twice: once to learn each date column's
day/month order from all its values (`read_mapped`), then once to check and
write every row in one transaction (`import_mapped`, the one-pass import of
services/importfile.py). The two are separate calls so the caller can say,
between them, that rows without an id column are known by a hash. `--inspect`
profiles the columns and suggests a map (`inspect_sheet`); `save_map` writes it.
Nothing here prints; progress is the caller's callable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from complog.errors import InvalidInput
from complog.importers.sources import open_input
from complog.services.importfile import (
    Imported,
    Logbook,
    Progress,
    import_in_one_pass,
    no_progress,
)

if TYPE_CHECKING:
    from complog.importers.columnmap import ColumnMap
    from complog.importers.datecolumns import Zone
    from complog.importers.mapped import MappedSheet
    from complog.importers.sheets import Table
    from complog.importers.sources import Input


@dataclass
class MappedImport:
    """A sheet opened through its map with its dates read: ready to import. It holds
    the input open (a private copy for a pipe): close it, or use it in a `with`."""

    source: Input
    table: Table
    column_map: ColumnMap
    sheet: MappedSheet
    #: how many rows the sheet has
    rows: int

    @property
    def hashed(self) -> bool:
        """The map names no external_id column: rows are known by a hash of their cells."""
        return self.sheet.hashed

    def close(self) -> None:
        self.table.close()
        self.source.close()

    def __enter__(self) -> MappedImport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@dataclass(frozen=True)
class Inspection:
    """What `--inspect` found: a line per column, the workbook's sheets, a map to start from."""

    name: str
    rows: int
    #: the column listing, a line each (as read: the caller makes them safe to show)
    columns: tuple[str, ...]
    #: every sheet of a workbook (none for a CSV file)
    sheets: tuple[str, ...]
    #: the suggested map, TOML
    suggested_map: str


def read_mapped(
    logbook: Logbook, file: str, map_file: str, *, progress: Progress = no_progress
) -> MappedImport:
    """Open `file` through the map `map_file` and read every date column's order:
    InvalidInput for a bad map, header or date column, before anything is written."""
    from complog.importers.mapped import MappedSheet
    from complog.services.importing import stored_currency

    source, table, column_map, zone = _open_sheet(logbook, file, map_file)
    assert column_map is not None
    try:
        actor = logbook.actor()
        # A loss without a currency is in the logbook's (the default for a logbook
        # the import is about to create).
        currency = stored_currency(logbook.reader().tuples)
        sheet = MappedSheet(table, column_map, zone, actor.user, actor.now, currency)
        rows = sheet.infer(progress(table.rows(), "Reading dates"))
    except UnicodeDecodeError as exc:
        table.close()
        source.close()
        raise _not_text(source.name, exc) from None
    except BaseException:
        table.close()
        source.close()
        raise
    return MappedImport(source, table, column_map, sheet, rows)


def import_mapped(
    logbook: Logbook,
    mapped: MappedImport,
    *,
    dry_run: bool,
    skip_bad: bool,
    progress: Progress = no_progress,
) -> Imported:
    """Check and write every row of a sheet `read_mapped` opened, in one transaction;
    BadRecords when a bad row refuses the import (unless skip_bad)."""
    name = mapped.table.name
    try:
        return import_in_one_pass(
            logbook, name, f"{name} (map {mapped.column_map.name})", mapped.sheet.records(),
            total=mapped.rows, dry_run=dry_run, skip_bad=skip_bad, progress=progress,
        )  # fmt: skip
    except UnicodeDecodeError as exc:
        raise _not_text(mapped.source.name, exc) from None


def inspect_sheet(
    logbook: Logbook,
    file: str,
    map_file: str | None = None,
    *,
    write_map: str | None = None,
    progress: Progress = no_progress,
) -> Inspection:
    """`import FILE --inspect`: the columns, samples and a map to start from; with
    `map_file`, read as that map's [source] says (sheet, header_row, encoding).
    `write_map`, where the map will be saved, is checked first: a new file in a folder
    that exists."""
    from complog.importers.inspect import describe_columns, profile, suggested_map

    if write_map is not None and write_map.strip() in ("", "-"):
        raise InvalidInput(
            "--write-map needs a file name", "without --write-map the map is printed"
        )
    if write_map is not None and Path(write_map).expanduser().exists():
        raise InvalidInput(f"{write_map} already exists", "choose a new file name for the map")
    if write_map is not None and not Path(write_map).expanduser().parent.is_dir():
        raise InvalidInput(f"no such folder: {Path(write_map).expanduser().parent}")
    source, table, given, zone = _open_sheet(logbook, file, map_file, source_only=True)
    try:
        columns, rows = profile(table.header, progress(table.rows(), "Reading"), zone)
        stem = source.path.stem if source.path is not None else "sheet"
        sheet = getattr(table, "sheet_name", None)
        name = given.name if given is not None and given.name_given else _source_name(stem)
        text = suggested_map(columns, name, sheet, given)
    except UnicodeDecodeError as exc:
        raise _not_text(source.name, exc) from None
    finally:
        table.close()
        source.close()
    return Inspection(
        name=table.name, rows=rows, columns=tuple(describe_columns(columns, rows, table.name)),
        sheets=tuple(getattr(table, "sheet_names", [])), suggested_map=text,
    )  # fmt: skip


def save_map(write_map: str, inspection: Inspection) -> None:
    """Write the suggested map to the new, private file `write_map` (never replacing one)."""
    from complog.files import write_new_text

    write_new_text(Path(write_map).expanduser(), inspection.suggested_map, write_map)


def _open_sheet(
    logbook: Logbook, file: str, map_file: str | None, *, source_only: bool = False
) -> tuple[Input, Table, ColumnMap | None, Zone]:
    """The input, its table (header checked) and the map, or an error before any row."""
    from complog.importers.columnmap import load_map
    from complog.importers.datecolumns import Zone
    from complog.importers.sheets import open_table
    from complog.importers.sources import private_copy

    source = private_copy(open_input(file))
    try:
        stem = source.path.stem if source.path is not None else "sheet"
        column_map = (
            load_map(map_file, stem, source_only=source_only) if map_file is not None else None
        )
        settings = logbook.settings()
        zone = Zone(settings.tz, settings.calendar.day_end)
        table = open_table(
            source,
            sheet=column_map.sheet if column_map else None,
            header_row=column_map.header_row if column_map else 1,
            encoding=column_map.encoding if column_map else None,
        )
    except UnicodeDecodeError as exc:
        source.close()
        raise _not_text(source.name, exc) from None
    except BaseException:
        source.close()
        raise
    return source, table, column_map, zone


def _not_text(name: str, exc: UnicodeDecodeError) -> InvalidInput:
    return InvalidInput(
        f"{name} is not {exc.encoding.upper()} text (byte {exc.start}); nothing was imported",
        'name its encoding in the map: [source] encoding = "cp1252" (Excel\'s CSV on Windows),'
        " or save it as CSV UTF-8",
    )


def _source_name(stem: str) -> str:
    """A source name for external ids: the file's name, without ':' (the id's separator)."""
    name = stem.replace(":", "-").strip()
    return name or "sheet"
