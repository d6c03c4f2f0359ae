"""Commands about the logbook itself: init, config, history, undo, demo, db."""

from __future__ import annotations

from typing import Annotated

import typer

from complog.cli.options import COMPLAINT_IDS, FormatOption, app_context, fmt
from complog.context import AppContext


def init(ctx: typer.Context) -> None:
    """Create the logbook (if it does not exist) and print where it is.

    Any command that writes creates it too.

    Example: complog --db ~/shop/complaints.db init
    """
    from complog.render import output
    from complog.render.text import one_record

    app = app_context(ctx)
    created = app.store().created
    output.say(
        f"{'Created logbook at' if created else 'Logbook at'} {one_record(str(app.location))}"
    )
    if created:  # shown once, at creation: the currency was taken from the locale
        from complog.money import NO_CURRENCY

        currency = app.reader().settings().currency
        output.note(
            "amounts have no currency yet (the locale names no country):"
            " set one with complog config currency GBP (or EUR, USD, ...)"
            if currency == NO_CURRENCY
            else f"amounts written without a currency are in {currency} (from the locale);"
            " complog config currency changes it"
        )


def config(
    ctx: typer.Context,
    key: Annotated[
        str | None, typer.Argument(help="Setting to show or set.", show_default=False)
    ] = None,
    value: Annotated[str | None, typer.Argument(help="New value.", show_default=False)] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Return KEY to its default.")] = False,
    where: Annotated[
        bool,
        typer.Option(
            "--where",
            help="Show your own settings (logbook, user, format, pager), each with where it"
            " came from: a flag, the environment, your config.toml, or the default.",
        ),
    ] = False,
    format: FormatOption = None,
) -> None:
    """Show or change settings kept in the logbook (shared by everyone using it).

    With no KEY, lists every setting. Business hours: day_start, day_end,
    workdays (mon-fri), holidays (dates and/or a country code such as GB), tz.
    Your own settings live in config.toml in your config folder: --where shows them.

    Example: complog config day_end 17:30
    """
    from complog.render import output, views
    from complog.settings import SPECS, check_key

    app = app_context(ctx)
    if where:
        if key is not None or reset:
            from complog.errors import InvalidInput

            raise InvalidInput("--where takes no KEY, VALUE or --reset")
        _where(app, fmt(format))
        return
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
        from complog.render.text import safe

        output.say(safe(app.reader().settings().values[key], one_line=True))
        return
    from complog.services.config import set_setting

    if reset and value is not None:
        from complog.errors import InvalidInput

        raise InvalidInput("give a VALUE or --reset, not both")
    with app.store().transaction() as session:
        stored_value = set_setting(session, app.actor(), key, None if reset else value)
    if stored_value is None:
        output.say(f"{key} reset to its default")
        return
    from complog.render.text import safe

    output.say(f"{key} = {safe(stored_value, one_line=True)}")  # as `config KEY` shows it


def _where(app: AppContext, output_format: str) -> None:
    """Each personal setting with its value and source (flags > environment > file > default)."""
    from complog.context import default_user
    from complog.render import views
    from complog.userconfig import config_path

    sources = app.sources
    pager, pager_source = app.pager_choice()
    rows = [
        {"setting": "logbook", "value": str(app.location),
         "source": _named(sources.get("logbook", "default"), "your user-data folder")},
        {"setting": "user", "value": app.given_user or default_user(),
         "source": _named(sources.get("user", "default"), "your login name")},
        {"setting": "format", "value": app.format or "table on a terminal, plain otherwise",
         "source": sources.get("format", "default")},
        {"setting": "pager", "value": pager or "none", "source": pager_source},
    ]  # fmt: skip
    views.where(rows, str(config_path()), output_format)


def _named(source: str, default: str) -> str:
    return f"default: {default}" if source == "default" else source


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
    events = reader.events(complaint_id, limit)
    if complaint_id is not None and not events:
        # exit 3 only when neither the complaint nor its history exists: a complaint
        # that undo removed keeps its events, which say what became of "#N"
        reader.complaint(complaint_id)
    views.history(events, fmt(format), reader.settings().tz)


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
    from complog.queries import open_reader
    from complog.render.tour import tour
    from complog.services.demo import make_sample

    app = app_context(ctx)
    sample = make_sample(app.now, keep)
    reader = open_reader(sample.location)
    try:
        tour(sample, reader, app.now)
    finally:
        reader.close()


def doctor(ctx: typer.Context, format: FormatOption = None) -> None:
    """Check the logbook for damage and privacy: every page and index, the search
    indexes, foreign keys, the schema revision, each complaint's first reply, file and
    folder modes.

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


DB_ACTIONS = ("status", "upgrade", "role")


def db(
    ctx: typer.Context,
    action: Annotated[
        str,
        typer.Argument(
            metavar="ACTION", help="status (the default), upgrade or role.", show_default=False
        ),
    ] = "status",
    role: Annotated[
        str | None,
        typer.Argument(metavar="ROLE", help="With role: a database role.", show_default=False),
    ] = None,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME", help="With role ROLE: the name to record for it.", show_default=False
        ),
    ] = None,  # fmt: skip
    sql: Annotated[
        bool,
        typer.Option("--sql", help="With upgrade: print the SQL it would run; change nothing."),
    ] = False,
    clear: Annotated[
        bool, typer.Option("--clear", help="With role ROLE: record the role's own name again.")
    ] = False,
    format: FormatOption = None,
) -> None:
    """The logbook's schema, and who is who on a PostgreSQL server.

    status: the schema revision of the logbook and of this complog, and the
    migrations pending. upgrade: run them (on PostgreSQL only this upgrades a
    team's schema; a SQLite file also upgrades itself, after a backup copy);
    --sql prints the SQL for a database administrator instead. role: list the
    names recorded for database roles; role ROLE NAME records NAME as the actor
    of ROLE's changes (members of complog_admin only).

    Example: complog db status && complog db upgrade --sql > upgrade.sql
    """
    from complog.errors import InvalidInput
    from complog.render import output
    from complog.render import schema as view

    if action not in DB_ACTIONS:
        raise InvalidInput(f"unknown db action {action!r}", "use: status, upgrade or role")
    words = [w for w in (role, name) if w is not None]
    if action != "role" and words:
        raise InvalidInput(f"db {action} takes no more arguments")
    if sql and action != "upgrade":
        raise InvalidInput("--sql goes with: complog db upgrade --sql")
    if clear and action != "role":
        raise InvalidInput("--clear goes with: complog db role ROLE --clear")
    app = app_context(ctx)
    if action == "status":
        from complog.store import schema_status

        view.status(schema_status(app.location), fmt(format))
    elif action == "upgrade" and sql:
        from complog.store import upgrade_sql

        text = upgrade_sql(app.location)
        if text:
            output.lines(text.rstrip("\n").split("\n"))
        else:
            output.note(f"complog: the logbook {app.location} is up to date; no SQL to run")
    elif action == "upgrade":
        from complog.store import open_store

        store = open_store(app.location, upgrade=True)
        store.engine.dispose()
        view.upgraded(str(app.location), store.upgraded, str(store.backup or "") or None)
    else:
        _role(app, words, clear, fmt(format))


def _role(app: AppContext, words: list[str], clear: bool, output_format: str) -> None:
    from complog.errors import InvalidInput
    from complog.render import output
    from complog.render import schema as view

    identity = app.identity()
    if identity is None:
        raise InvalidInput(
            "database roles are PostgreSQL's; a SQLite logbook records --user / COMPLOG_USER",
            "docs/team.md, Who did what",
        )
    if (clear and len(words) != 1) or (len(words) == 1 and not clear):
        raise InvalidInput(
            "give nothing (to list), ROLE NAME (to set) or ROLE --clear",
            'e.g. complog db role sam "Sam Taylor"',
        )
    if not words:
        reader = app.reader()
        view.roles(reader.role_names(), identity, output_format, reader.settings().tz)
        return
    from complog.services.roles import set_role_name

    with app.store().transaction() as session:
        row = set_role_name(session, app.actor(), identity, words[0], None if clear else words[1])
    if row is None:
        output.say(f"Role {words[0]} is recorded under its own name again")
    else:
        output.say(f"Role {row.role} is recorded as {row.name}")
