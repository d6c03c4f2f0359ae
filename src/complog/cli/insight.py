"""Commands that summarise: digest (reports come later in this module)."""

from __future__ import annotations

from typing import Annotated

import typer

from complog.cli.options import app_context


def digest(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="New escalations since when. Default: the previous working day at this time.",
        ),
    ] = None,
) -> None:
    """Plain-text morning summary for cron mail. Read-only.

    Overdue promises by owner, due today, new escalations, complaints open too
    long, and yesterday's numbers.

    Example: complog escalate --auto && complog digest | mail -s "complaints" me@example.com
    """
    from complog.digest import build_digest
    from complog.render.digest import digest as render_digest

    app = app_context(ctx)
    reader = app.reader()
    settings = reader.settings()
    built = build_digest(reader, app.now, app.when(since) if since else None)
    render_digest(built, settings.tz, str(settings.resolve_within))
