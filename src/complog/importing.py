"""`complog import`: validate the whole file first, then write it in one transaction.

Two passes over the input keep memory bounded however large it is: the first
finds bad rows (and, unless --skip-bad, stops with nothing written), the
second writes the good ones. Standard input and pipes are copied once to a
private file first (importers/sources.py), so both passes see every record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from complog.context import AppContext
from complog.errors import InvalidInput
from complog.importers.read import describe, guess_format, read_records
from complog.importers.sources import Input, open_input
from complog.render import output
from complog.render.progress import track

if TYPE_CHECKING:
    from complog.services.importing import ImportResult

SHOW_BAD = 10
#: why an import does not keep an id the file gives
RENUMBERED_WHY = "a number this logbook has already used, or above 1,000,000,000, is never kept"


def run_import(
    app: AppContext, file: str, fmt: str | None, *, dry_run: bool, skip_bad: bool
) -> None:
    source = open_input(file)
    try:
        _run_import(app, source, fmt, dry_run=dry_run, skip_bad=skip_bad)
    except UnicodeDecodeError as exc:
        # A binary file, or text in another encoding: a usage error, not a crash.
        raise InvalidInput(
            f"{source.name} is not UTF-8 text (byte {exc.start}); nothing was imported",
            "save it as UTF-8 (in Excel: CSV UTF-8) and import it again",
        ) from None
    finally:
        source.close()


def _run_import(
    app: AppContext, source: Input, fmt: str | None, *, dry_run: bool, skip_bad: bool
) -> None:
    from complog.services.importing import Importer, existing_keys, largest_ids

    fmt = fmt or guess_format(source)
    total, bad_count = 0, 0
    bad: list[tuple[str, str]] = []  # the first SHOW_BAD, to show: memory stays bounded
    notes: list[str] = []
    largest: dict[str, int] = {}  # new numbers go above the file's own
    for position, item in track(read_records(source, fmt, app.user, notes), "Checking"):
        total += 1
        if isinstance(item, ValueError):
            bad_count += 1
            if len(bad) < SHOW_BAD:
                bad.append((position, describe(item)))
        else:
            largest_ids(item, largest)
    if bad_count and not skip_bad:
        for position, problem in bad:
            output.note(f"  {source.name} {position}: {problem}")
        more = f" (and {bad_count - SHOW_BAD} more)" if bad_count > SHOW_BAD else ""
        raise InvalidInput(
            f"{bad_count} bad record{'s' if bad_count != 1 else ''} in {source.name}{more}; nothing was imported",
            "fix them, or add --skip-bad to import the rest",
        )
    # The second pass meets the same bad records and leaves them out.
    good = (
        (position, item)
        for position, item in read_records(source, fmt, app.user)
        if not isinstance(item, ValueError)
    )
    if dry_run:
        reader = app.reader()
        planner = Importer(None, app.actor(), existing_keys(reader.tuples, reader.dialect), largest)
        for _, record in good:
            planner.add(record)
        result = planner.result
        output.say(f"Would import {result.added} complaint{'s' if result.added != 1 else ''} from {source.name}"
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
        result = importer.finish(f"{source.name} ({fmt})")
    output.say(f"Imported {result.added} complaint{'s' if result.added != 1 else ''} from {source.name}"
               f" ({result.unchanged} already present, {bad_count} skipped as bad)")  # fmt: skip
    _say_renumbered(result, would=False)
    for position, problem in bad:
        output.note(f"  skipped {position}: {problem}")
    if bad_count > SHOW_BAD:
        output.note(f"  … and {bad_count - SHOW_BAD} more")
    for line in notes:
        output.note(line)


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
