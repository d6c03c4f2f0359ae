"""`complog import`: validate the whole file first, then write it in one transaction.

Two passes over the input keep memory bounded however large it is: the first
finds bad rows (and, unless --skip-bad, stops with nothing written), the
second writes the good ones. Standard input and pipes are copied once to a
private file first (importers/sources.py), so both passes see every record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from complog.context import AppContext
from complog.errors import InvalidInput
from complog.importers.read import Item, describe, guess_format, read_records
from complog.importers.records import ComplaintIn
from complog.importers.sources import open_input
from complog.render import output
from complog.render.progress import track

if TYPE_CHECKING:
    from complog.importers.columnmap import ColumnMap
    from complog.importers.datecolumns import Zone
    from complog.importers.sheets import Table
    from complog.importers.sources import Input
    from complog.services.importing import ImportResult

SHOW_BAD = 10
#: why an import does not keep an id the file gives
RENUMBERED_WHY = "a number this logbook has already used, or above 1,000,000,000, is never kept"


def run_import(
    app: AppContext, file: str, fmt: str | None, *, dry_run: bool, skip_bad: bool
) -> None:
    source = open_input(file)
    try:
        if (
            fmt is None
            and source.path is not None
            and source.path.suffix.lower() in (".xlsx", ".xlsm")
        ):
            raise InvalidInput(
                f"{source.name} is an Excel workbook: complog imports it through a column map",
                f"start with: complog import {file} --inspect --write-map MAP.toml",
            )
        fmt = fmt or guess_format(source)
        import_records(
            app, source.name, f"{source.name} ({fmt})",
            lambda notes: read_records(source, fmt, app.user, notes),
            dry_run=dry_run, skip_bad=skip_bad,
        )  # fmt: skip
    except UnicodeDecodeError as exc:
        # A binary file, or text in another encoding: a usage error, not a crash.
        raise InvalidInput(
            f"{source.name} is not UTF-8 text (byte {exc.start}); nothing was imported",
            "save it as UTF-8 (in Excel: CSV UTF-8) and import it again",
        ) from None
    finally:
        source.close()


#: how many would-be complaints a mapped --dry-run shows
PREVIEW = 5


def import_records(
    app: AppContext,
    name: str,
    label: str,
    records: Callable[[list[str] | None], Iterator[Item]],
    *,
    dry_run: bool,
    skip_bad: bool,
) -> None:
    """Check every record, then write the good ones in one transaction (or, with
    --dry-run, say what would be written). `records(notes)` makes the checking pass
    over the input from its start, `records(None)` the writing pass."""
    from complog.render.text import one_record

    name = one_record(name)  # shown in messages; the label is what is recorded
    from complog.services.importing import Importer, existing_keys, largest_ids

    total, bad_count = 0, 0
    bad: list[tuple[str, str]] = []  # the first SHOW_BAD, to show: memory stays bounded
    notes: list[str] = []
    largest: dict[str, int] = {}  # new numbers go above the file's own
    for position, item in track(records(notes), "Checking"):
        total += 1
        if isinstance(item, ValueError):
            bad_count += 1
            if len(bad) < SHOW_BAD:
                bad.append((position, describe(item)))
        else:
            largest_ids(item, largest)
    if bad_count and not skip_bad:
        raise _refused(name, bad, bad_count)
    # The second pass meets the same bad records and leaves them out.
    good = (
        (position, item) for position, item in records(None) if not isinstance(item, ValueError)
    )
    if dry_run:
        reader = app.reader()
        planner = Importer(None, app.actor(), existing_keys(reader.tuples, reader.dialect), largest)
        for _, record in good:
            planner.add(record)
        result = planner.result
        output.say(f"Would import {result.added} complaint{'s' if result.added != 1 else ''} from {name}"
                   f" ({result.unchanged} already present, {bad_count} bad); nothing was changed")  # fmt: skip
        _say_renumbered(result, would=True)
        for line in notes:
            output.note(line)
        return
    with app.store().transaction() as session:
        from complog.services.importing import session_fetch

        dialect = session.get_bind().dialect.name
        importer = Importer(
            session, app.actor(), existing_keys(session_fetch(session), dialect), largest
        )
        for _, record in track(good, "Importing", total=total - bad_count):
            importer.add(record)
        result = importer.finish(label)
    output.say(f"Imported {result.added} complaint{'s' if result.added != 1 else ''} from {name}"
               f" ({result.unchanged} already present, {bad_count} skipped as bad)")  # fmt: skip
    _say_renumbered(result, would=False)
    for position, problem in bad:
        output.note(f"  skipped {position}: {problem}")
    if bad_count > SHOW_BAD:
        output.note(f"  … and {bad_count - SHOW_BAD} more")
    for line in notes:
        output.note(line)


def _refused(name: str, bad: list[tuple[str, str]], bad_count: int) -> InvalidInput:
    """The bad records listed on stderr, and the error that imports none of them."""
    for position, problem in bad:
        output.note(f"  {name} {position}: {problem}")
    more = f" (and {bad_count - SHOW_BAD} more)" if bad_count > SHOW_BAD else ""
    return InvalidInput(
        f"{bad_count} bad record{'s' if bad_count != 1 else ''} in {name}{more}; nothing was imported",
        "fix them, or add --skip-bad to import the rest",
    )


def import_in_one_pass(
    app: AppContext,
    name: str,
    label: str,
    records: Iterator[Item],
    *,
    total: int | None,
    dry_run: bool,
    skip_bad: bool,
) -> None:
    """Check and write in one pass, inside the one transaction: each good record is
    queued (and written in batches) as it is checked, and a bad one, unless
    --skip-bad, ends in InvalidInput inside the transaction, which rolls everything
    back. Converting a spreadsheet row costs more than writing it, so reading it
    once instead of twice is most of a mapped import's time; the price is that
    the write lock is held while checking. --dry-run shows the first complaints
    it would add."""
    from complog.render.text import one_record

    name = one_record(name)  # shown in messages; the label is what is recorded
    from complog.services.importing import Importer, existing_keys, session_fetch

    bad: list[tuple[str, str]] = []  # the first SHOW_BAD, to show: memory stays bounded
    bad_count = 0
    previews: list[str] = []

    def feed(importer: Importer) -> None:
        nonlocal bad_count
        for position, item in track(records, "Checking" if dry_run else "Importing", total):
            if isinstance(item, ValueError):
                bad_count += 1
                if len(bad) < SHOW_BAD:
                    bad.append((position, describe(item)))
            elif bad_count and not skip_bad:
                continue  # all of it will be refused: only look for more bad rows
            elif importer.add(item) and dry_run and len(previews) < PREVIEW:
                previews.append(f"  {position}: {preview_line(item)}")
        if bad_count and not skip_bad:
            raise _refused(name, bad, bad_count)

    if dry_run:
        reader = app.reader()
        planner = Importer(None, app.actor(), existing_keys(reader.tuples, reader.dialect))
        feed(planner)
        output.lines(previews)
        result = planner.result
        output.say(f"Would import {result.added} complaint{'s' if result.added != 1 else ''} from {name}"
                   f" ({result.unchanged} already present, {bad_count} bad); nothing was changed")  # fmt: skip
        return
    with app.store().transaction() as session:
        dialect = session.get_bind().dialect.name
        importer = Importer(session, app.actor(), existing_keys(session_fetch(session), dialect))
        feed(importer)
        result = importer.finish(label)
    output.say(f"Imported {result.added} complaint{'s' if result.added != 1 else ''} from {name}"
               f" ({result.unchanged} already present, {bad_count} skipped as bad)")  # fmt: skip
    for position, problem in bad:
        output.note(f"  skipped {position}: {problem}")
    if bad_count > SHOW_BAD:
        output.note(f"  … and {bad_count - SHOW_BAD} more")


def preview_line(record: ComplaintIn) -> str:
    """One would-be complaint, as a dry run shows it."""
    from complog.render.text import safe

    parts = [record.status, record.channel, f"heat {record.heat}",
             f"opened {record.opened_at:%Y-%m-%d %H:%M} UTC", f"owner {record.owner}"]  # fmt: skip
    if record.category:
        parts.append(f"category {record.category}")
    if record.notes:
        parts.append(f"{len(record.notes)} note{'s' if len(record.notes) != 1 else ''}")
    if record.promises:
        parts.append(f"promise due {record.promises[0].due_at:%Y-%m-%d %H:%M} UTC")
    summary = record.summary if len(record.summary) <= 60 else record.summary[:59] + "…"
    return safe(f"{record.customer.name}: {summary} ({', '.join(parts)})", one_line=True)


def _say_renumbered(result: ImportResult, *, would: bool) -> None:
    """Ids are kept unless this logbook already handed them out (numbers are never
    reused); say which complaints got another number, so a quoted "#5" can be found."""
    moved = result.renumbered
    get = "would get" if would else "got"
    if moved:
        shown = ", ".join(f"{old} -> {new}" for old, new in moved[:SHOW_BAD])
        more = f" (and {len(moved) - SHOW_BAD} more)" if len(moved) > SHOW_BAD else ""
        output.note(
            f"{len(moved)} complaint{'s' if len(moved) != 1 else ''} {get} a new number"
            f" ({RENUMBERED_WHY}): {shown}{more}"
        )
    if result.renumbered_parts:
        n = result.renumbered_parts
        output.note(f"{n} note{'s' if n != 1 else ''}, promise{'s' if n != 1 else ''} or"
                    f" escalation{'s' if n != 1 else ''} {get} a new id ({RENUMBERED_WHY})")  # fmt: skip


def _open_sheet(
    app: AppContext, file: str, map_file: str | None, *, source_only: bool = False
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
        settings = app.settings()
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


def run_mapped_import(
    app: AppContext, file: str, map_file: str, *, dry_run: bool, skip_bad: bool
) -> None:
    """`import FILE --map MAP`: any CSV or .xlsx sheet, read through a column map."""
    from complog.importers.mapped import MappedSheet

    source, table, column_map, zone = _open_sheet(app, file, map_file)
    assert column_map is not None
    try:
        sheet = MappedSheet(table, column_map, zone, app.user, app.now, _currency_of(app))
        rows = sheet.infer(track(table.rows(), "Reading dates"))
        if sheet.hashed:
            output.note(
                "note: the map names no external_id column, so rows are known by a hash of"
                " their cells: re-importing them adds nothing, but an edited row comes in as new"
            )
        import_in_one_pass(
            app, table.name, f"{table.name} (map {column_map.name})", sheet.records(),
            total=rows, dry_run=dry_run, skip_bad=skip_bad,
        )  # fmt: skip
    except UnicodeDecodeError as exc:
        raise _not_text(source.name, exc) from None
    finally:
        table.close()
        source.close()


def _currency_of(app: AppContext) -> str:
    """The logbook's currency, for losses written without one (the default for a
    logbook the import is about to create)."""
    from complog.services.importing import stored_currency

    return stored_currency(app.reader().tuples)


def run_inspect(
    app: AppContext, file: str, write_map: str | None, map_file: str | None = None
) -> None:
    """`import FILE --inspect [--write-map MAP]`: the columns, samples and a map to start
    from; with --map, read as that map's [source] says (sheet, header_row, encoding)."""
    from pathlib import Path

    from complog.files import write_new_text
    from complog.importers.inspect import describe_columns, profile, suggested_map
    from complog.render.text import safe

    if write_map is not None and write_map.strip() in ("", "-"):
        raise InvalidInput(
            "--write-map needs a file name", "without --write-map the map is printed"
        )
    if write_map is not None and Path(write_map).expanduser().exists():
        raise InvalidInput(f"{write_map} already exists", "choose a new file name for the map")
    if write_map is not None and not Path(write_map).expanduser().parent.is_dir():
        raise InvalidInput(f"no such folder: {Path(write_map).expanduser().parent}")
    source, table, given, zone = _open_sheet(app, file, map_file, source_only=True)
    try:
        columns, rows = profile(table.header, track(table.rows(), "Reading"), zone)
        stem = source.path.stem if source.path is not None else "sheet"
        sheet = getattr(table, "sheet_name", None)
        name = given.name if given is not None and given.name_given else _source_name(stem)
        text = suggested_map(columns, name, sheet, given)
    except UnicodeDecodeError as exc:
        raise _not_text(source.name, exc) from None
    finally:
        table.close()
        source.close()
    output.lines(safe(line) for line in describe_columns(columns, rows, table.name))
    sheets = getattr(table, "sheet_names", [])
    if len(sheets) > 1:
        output.say(
            "sheets: " + ", ".join(safe(repr(n)) for n in sheets) + " (choose with [source] sheet)"
        )
    if write_map is None:
        output.say("")
        output.say(
            "Suggested map (save it with --write-map MAP.toml, check it, then import with --map):"
        )
        output.say("")
        output.lines(text.splitlines())
        return
    path = Path(write_map).expanduser()
    write_new_text(path, text, write_map)
    output.say(f"Wrote a suggested map to {safe(write_map, one_line=True)}: check it, then"
               f" complog import {safe(file, one_line=True)} --map {safe(write_map, one_line=True)} --dry-run")  # fmt: skip


def _source_name(stem: str) -> str:
    """A source name for external ids: the file's name, without ':' (the id's separator)."""
    name = stem.replace(":", "-").strip()
    return name or "sheet"
