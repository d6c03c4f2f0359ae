"""Commands that summarise: report and digest."""

from __future__ import annotations

from typing import Annotated

import typer

from complog.cli.options import app_context, fmt, monitored_reader
from complog.errors import InvalidInput

REPORT_FORMATS = ("table", "json", "plain")


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
    long, and yesterday's numbers. Exit 5 when the logbook does not exist.

    Example: complog escalate --auto && complog digest | mail -s "complaints" me@example.com
    """
    from complog.digest import build_digest
    from complog.render.digest import digest as render_digest

    app = app_context(ctx)
    reader = monitored_reader(app)
    settings = reader.settings()
    built = build_digest(reader, app.now, app.when_given(since))
    render_digest(built, settings.tz, str(settings.resolve_within))


def report(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(help="Start of the period (e.g. -30d, 2026-01-01). Default: the beginning."),
    ] = None,
    until: Annotated[str | None, typer.Option(help="End of the period. Default: now.")] = None,
    by: Annotated[
        str, typer.Option(help="Breakdown to show: owner, category, cause or channel.")
    ] = "owner",
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="table (default on a terminal), plain, or json."),
    ] = None,
    html: Annotated[
        str | None,
        typer.Option(
            "--html", help="Also write a self-contained HTML page with charts to this file."
        ),
    ] = None,
) -> None:
    """Key figures: time to first response and to resolution (business hours),
    promise keeping per person, escalations, satisfaction, causes, repeat customers.

    Example: complog report --since -90d --by category --html report.html
    """
    from dataclasses import replace
    from datetime import timedelta

    from complog.bulk import collector_paused
    from complog.kpis import build_report
    from complog.render.output import default_format
    from complog.render.report import report as render_report

    if by not in ("owner", "category", "cause", "channel"):
        raise InvalidInput(
            f"cannot break down by {by!r}", "use --by owner, category, cause or channel"
        )
    if format is not None and format not in REPORT_FORMATS:
        raise InvalidInput(f"unknown format {format!r}", "use --format table, plain or json")
    app = app_context(ctx)
    page = app.output_target(html) if html else None  # before the work, not after
    reader = app.reader()
    settings = reader.settings()
    start = app.when_given(since)
    end = app.when(until) if until else app.now
    if start is not None and start >= end:
        raise InvalidInput("--since must be before --until")
    # An explicit --until is exclusive; the default "until now" includes this instant,
    # so a complaint logged a moment ago counts.
    query_end = end if until else end + timedelta(microseconds=1)
    # two million objects live until the report is printed, none in a cycle (bulk.py)
    with collector_paused():
        # the reads (the complaints, then the promises build_report counts) see one
        # state of the logbook; not held while printing (a pager may wait on a person)
        with reader.snapshot():
            complaints, promises, reschedules = reader.report_figures(start, query_end, app.now)
            figures = build_report(
                complaints, promises, reschedules, calendar=settings.calendar,
                resolve_within=settings.resolve_within, since=start, until=query_end,
                now=app.now, waits=reader.waits_by_complaint(start, query_end),
                acknowledge_within=settings.acknowledge_within,
            )  # fmt: skip
        figures = replace(figures, until=end)
        if page is not None:
            from complog.files import write
            from complog.render.html import report_page
            from complog.render.output import note

            write(page, report_page(figures, settings.tz, app.now).encode("utf-8"))
            if not page.stream:
                from complog.render.text import one_record

                note(f"Wrote {one_record(html)}")
        # the global --format (or the user's config) where report has it, else by terminal
        chosen = fmt(None) if format is None else format
        render_report(
            figures, chosen if chosen in REPORT_FORMATS else default_format(None), settings.tz, by
        )
