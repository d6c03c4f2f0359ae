"""Commands that move data in and out: export, import, backup, erase."""

from __future__ import annotations

from typing import Annotated

import typer

from complog.cli import completion
from complog.cli.options import app_context
from complog.errors import InvalidInput


def export(
    ctx: typer.Context,
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="jsonl (one complaint per line), json (one array) or csv."
        ),
    ] = "jsonl",
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            help="Write to this file (replaced whole, 0600), device or pipe; - is standard output.",
        ),
    ] = None,
) -> None:
    """Export every complaint with everything attached (shaped as show --format json).

    JSON and JSONL round-trip losslessly through import; CSV has one row per complaint.

    Example: complog export --format jsonl --out complaints.jsonl
    """
    from complog.render.export import export_all

    if format not in ("json", "jsonl", "csv"):
        raise InvalidInput(f"unknown export format {format!r}", "use --format json, jsonl or csv")
    app = app_context(ctx)
    target = app.output_target(out) if out is not None else None
    export_all(app.reader(), format, target, app.now)


def import_(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="File to import; - reads standard input.", show_default=False, metavar="FILE"
        ),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="json, jsonl, csv (complog's own), cfpb (CFPB export) or twcs (Twitter support threads). Default: from the file.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Check the file and count what would be added; change nothing."
        ),
    ] = False,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help="Import the good rows and list the bad ones (default: a bad row stops everything).",
        ),
    ] = False,
    map_file: Annotated[
        str | None,
        typer.Option(
            "--map",
            metavar="MAP.toml",
            help="Import any CSV or .xlsx sheet through this column map (see --inspect).",
        ),
    ] = None,
    inspect: Annotated[
        bool,
        typer.Option(
            "--inspect",
            help="Show the sheet's columns, a sample of each and a suggested map; import nothing."
            " With --map, read the sheet where that map's source section says (sheet, header row).",
        ),
    ] = False,
    write_map: Annotated[
        str | None,
        typer.Option(
            "--write-map",
            metavar="MAP.toml",
            help="With --inspect: write the suggested map to this new file.",
        ),
    ] = None,
) -> None:
    """Import complaints. Re-importing the same file adds nothing.

    A bad row is reported with its line number and nothing is imported
    (exit 2), unless --skip-bad. Any other spreadsheet (CSV or .xlsx) comes in
    through a column map: start with --inspect --write-map, check the map, then
    import with --map (docs/import.md).

    Example: complog import complaints.csv --format cfpb --dry-run

    Example: complog import tickets.xlsx --inspect --write-map tickets.toml

    Example: complog import tickets.xlsx --map tickets.toml --dry-run
    """
    from complog.render import imports
    from complog.render.progress import track
    from complog.services.importfile import BadRecords, import_file
    from complog.services.importsheet import import_mapped, inspect_sheet, read_mapped, save_map

    if write_map is not None:
        inspect = True
    if inspect and (format is not None or dry_run or skip_bad):
        raise InvalidInput(
            "--inspect only reads the file; it takes no --format, --dry-run or --skip-bad",
            "inspect first, then import with --map",
        )
    if map_file is not None and format is not None:
        raise InvalidInput("--map and --format do not go together", "give one of them")
    app = app_context(ctx)
    if inspect:
        found = inspect_sheet(app, file, map_file, write_map=write_map, progress=track)
        imports.inspection(found, map_printed=write_map is None)
        if write_map is not None:
            save_map(write_map, found)
            imports.map_written(file, write_map)
        return
    try:
        if map_file is not None:
            with read_mapped(app, file, map_file, progress=track) as mapped:
                if mapped.hashed:
                    imports.hashed()
                result = import_mapped(
                    app, mapped, dry_run=dry_run, skip_bad=skip_bad, progress=track
                )
        else:
            result = import_file(
                app, file, format, dry_run=dry_run, skip_bad=skip_bad, progress=track
            )
    except BadRecords as refused:
        imports.refused(refused)
        raise
    imports.imported(result)


def backup(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="Where to write the copy (must not exist).", show_default=False, metavar="FILE"
        ),
    ],
) -> None:
    """A consistent copy of the logbook, taken online (others may keep writing).

    Example: complog backup ~/backups/complog-$(date +%F).db
    """
    from complog.render import output
    from complog.store import backup_to

    app = app_context(ctx)
    app.reader()  # exists and is current
    location = app.location
    if location.path is None:
        raise InvalidInput("backup copies SQLite logbooks", "for PostgreSQL use pg_dump")
    target = backup_to(location.path, file)
    from complog.render.text import one_record

    output.say(f"Backed up {one_record(str(location))} to {one_record(str(target))}")


def erase(
    ctx: typer.Context,
    customer: Annotated[
        str,
        typer.Argument(
            help="Customer whose personal data to remove.",
            show_default=False,
            metavar="CUSTOMER",
            autocompletion=completion.customers,
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Forget a customer: remove their name, contact and the text about them
    from the logbook, its audit history, search index and free pages; counts stay
    for reports. The history is searched too: customers merged into this one, and
    customers or complaints of this name that undo removed.

    Run `complog customer NAME --format json` first if they asked for their data.

    Example: complog erase "Jane Doe" --yes
    """
    from complog.render import output
    from complog.render.text import safe
    from complog.services.erasure import erase as erase_person

    if not yes:
        raise InvalidInput("erase cannot be undone; add --yes to confirm")
    app = app_context(ctx)
    actor = app.actor()
    app.close()  # the scrub rewrites the file: no reader of ours may hold it
    erased = erase_person(app.store(), actor, customer)
    plural = "s" if erased.complaints != 1 else ""
    if erased.customer_id is not None:
        output.say(
            f"Erased customer {erased.customer_id}: {erased.complaints} complaint{plural} anonymised"
        )
    else:
        output.say(
            f"No customer is named {safe(customer.strip(), one_line=True)} now; erased them from"
            f" the history ({erased.complaints} complaint{plural} that undo had removed)"
        )
    for leftover in erased.leftovers:
        output.warn(f"{leftover} was made before this erase and still holds their data")


def migrate_to(
    ctx: typer.Context,
    url: Annotated[
        str,
        typer.Argument(
            help="The new logbook: postgresql+psycopg://user@host/db or a file path.",
            show_default=False,
            metavar="URL",
        ),
    ],
) -> None:
    """Move this logbook into another, empty one (a team's PostgreSQL database),
    with ids, settings and the whole audit history intact. This logbook is left as it was.

    Example: complog migrate-to postgresql+psycopg://sam@db.example.com/complaints
    """
    from datetime import UTC

    from complog.render import output
    from complog.render.shapes import show_json
    from complog.render.text import safe
    from complog.services.migration import move_logbook

    app = app_context(ctx)
    moved, target = move_logbook(
        app.reader(), url, app.actor(), lambda detail: show_json(detail, app.now, UTC)
    )
    shown_target = safe(str(target), one_line=True)
    output.say(
        f"Moved {moved.complaints} complaint{'s' if moved.complaints != 1 else ''}, {moved.events} audit events"
        f" and {moved.settings} settings to {shown_target}"
    )
    output.note(
        f"From now on use: --db '{shown_target}' (or COMPLOG_DB);"
        f" {safe(str(app.location), one_line=True)} was left as it was."
    )
