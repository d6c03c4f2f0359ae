"""Commands about the logbook itself: init, config, history, undo, demo."""

from __future__ import annotations

from typing import Annotated

import typer

from complog.cli.options import COMPLAINT_IDS, FormatOption, app_context, fmt


def init(ctx: typer.Context) -> None:
    """Create the logbook (if it does not exist) and print where it is.

    Any command that writes creates it too.

    Example: complog --db ~/shop/complaints.db init
    """
    from complog.render import output

    app = app_context(ctx)
    created = app.store().created
    output.say(f"{'Created logbook at' if created else 'Logbook at'} {app.location}")


def config(
    ctx: typer.Context,
    key: Annotated[
        str | None, typer.Argument(help="Setting to show or set.", show_default=False)
    ] = None,
    value: Annotated[str | None, typer.Argument(help="New value.", show_default=False)] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Return KEY to its default.")] = False,
    format: FormatOption = None,
) -> None:
    """Show or change settings kept in the logbook (shared by everyone using it).

    With no KEY, lists every setting. Business hours: day_start, day_end,
    workdays (mon-fri), holidays (dates and/or a country code such as GB), tz.

    Example: complog config day_end 17:30
    """
    from complog.render import output, views
    from complog.settings import SPECS, check_key

    app = app_context(ctx)
    if key is None and (reset or value is not None):
        from complog.errors import InvalidInput

        raise InvalidInput("--reset needs the KEY to reset", "e.g. complog config day_end --reset")
    if key is None:
        reader = app.reader()
        stored = reader.stored_settings()
        values = dict(reader.settings().values)
        views.settings(values, set(stored), {k: s.help for k, s in SPECS.items()}, fmt(format))
        return
    check_key(key)
    if value is None and not reset:
        output.say(app.reader().settings().values[key])
        return
    from complog.services.config import set_setting

    if reset and value is not None:
        from complog.errors import InvalidInput

        raise InvalidInput("give a VALUE or --reset, not both")
    with app.store().transaction() as session:
        stored_value = set_setting(session, app.actor(), key, None if reset else value)
    output.say(
        f"{key} = {stored_value}" if stored_value is not None else f"{key} reset to its default"
    )


def history(
    ctx: typer.Context,
    complaint_id: Annotated[
        int | None,
        typer.Argument(
            metavar="ID",
            help="Only this complaint's events.",
            show_default=False,
            parser=COMPLAINT_IDS,
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, max=1_000_000, help="Only the last N events.")
    ] = None,
    format: FormatOption = None,
) -> None:
    """The audit log: every change, who made it and when, with before and after.

    Example: complog history 12 --format json
    """
    from complog.render import views

    app = app_context(ctx)
    reader = app.reader()
    if complaint_id is not None:
        reader.complaint(complaint_id)  # exit 3 for an unknown id
    views.history(reader.events(complaint_id, limit), fmt(format), reader.settings().tz)


def undo(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be undone; change nothing.")
    ] = False,
    format: FormatOption = None,
) -> None:
    """Undo your last change (the last command you ran that wrote), from the audit log.

    "Your" is COMPLOG_USER / --user. Run it again to undo the change before.
    Refuses (exit 4) when someone else has since changed the same complaint,
    promise, escalation, customer or setting, and for erase, import and
    migrate-to. The undo itself is recorded in the history.

    Example: complog undo --dry-run && complog undo
    """
    from complog.render import flow
    from complog.services.undo import undo_last

    app = app_context(ctx)
    with app.store().transaction(dry_run=dry_run) as session:
        result = undo_last(session, app.actor())
    flow.undone(result, fmt(format), dry_run=dry_run)


def demo(
    ctx: typer.Context,
    keep: Annotated[
        str | None,
        typer.Option(
            "--keep", help="Write the sample logbook to this file instead of a temporary one."
        ),
    ] = None,
) -> None:
    """Load a realistic sample logbook into a temporary database and tour it.

    Never touches your own logbook.

    Example: complog demo
    """
    from complog.demo import run_demo

    app = app_context(ctx)
    run_demo(app.now, keep)


def doctor(ctx: typer.Context, format: FormatOption = None) -> None:
    """Check the logbook for damage and privacy: every page and index, the search
    indexes, foreign keys, the schema revision, file and folder modes.

    Exit 0 when all is well; 5, with what is wrong and what to do, when not.
    Nothing is changed. Run it weekly from cron (docs/cron.md).

    Example: complog doctor || mail -s "complog logbook needs attention" me@example.com
    """
    from complog.doctor import examine
    from complog.errors import StorageError
    from complog.render import views

    app = app_context(ctx)
    checks = examine(app.location)
    views.doctor(checks, fmt(format))
    failed = [c for c in checks if not c.ok]
    if failed:
        raise StorageError(
            f"the logbook {app.location} failed {len(failed)} check{'s' if len(failed) != 1 else ''}:"
            f" {', '.join(c.name for c in failed)}",
            failed[0].fix,
        )
