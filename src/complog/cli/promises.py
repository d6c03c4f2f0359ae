"""Commands about promises: promise, kept, cancel, reschedule, and the morning `due`."""

from __future__ import annotations

from typing import Annotated

import typer

from complog.cli.options import (
    AtOption,
    ComplaintId,
    Format,
    FormatOption,
    PromiseId,
    WriteFormatOption,
    app_context,
    fmt,
    monitored_reader,
)
from complog.context import AppContext
from complog.errors import InvalidInput

DueOption = Annotated[
    str,
    typer.Option(
        "--due",
        help="When: 'tomorrow 10am', 'fri 14:30', '2026-12-01', '+2h', '3bd', 'eod'.",
        show_default=False,
    ),
]
ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason",
        help="Why (recorded in the history). Required ('-': standard input; left out on a"
        " terminal, your editor opens).",
        show_default=False,
    ),
]


def promise(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    due: DueOption,
    text: Annotated[
        str | None,
        typer.Argument(
            help="What was promised to the customer; '-' reads it from standard input; left"
            " out on a terminal, your editor opens.",
            show_default=False,
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Who must keep it. Default: you.")] = None,
    at: AtOption = None,
    format: WriteFormatOption = None,
) -> None:
    """Record a promise made to the customer, with an owner and a due time.

    Example: complog promise 12 "Engineer visit" --due "fri 10am" --owner sam
    """
    from complog.cli.freetext import required_text
    from complog.render import output
    from complog.render.text import friendly, safe
    from complog.services.promises import make_promise

    app = app_context(ctx)
    when = app.when(due)
    made_at = app.when_given(at)
    text = required_text(
        ctx, text, param="text", what="promise", about=f"on complaint {complaint_id}"
    )
    with app.store().transaction() as session:
        made = make_promise(session, app.actor(), complaint_id, text, when, owner, made_at)
    _promise_changed(
        app,
        made.id or 0,  # set by the insert
        format,
        f"Promise {made.id} on complaint {complaint_id} due"
        f" {friendly(made.due_at, app.now, app.settings().tz)} ({safe(made.owner, one_line=True)})",
    )
    if made.due_at < app.now:
        output.warn(f"promise {made.id} is already overdue")


def _promise_changed(
    app: AppContext, promise_id: int, format: Format | None, sentence: str
) -> None:
    """The sentence, or the promise as `show --format json` lists it."""
    from complog.render import shapes, written

    reader = app.reader()
    written.changed(
        fmt(format),
        sentence,
        lambda: shapes.promise_json(reader.promise(promise_id), app.now, reader.settings().tz),
    )


def kept(
    ctx: typer.Context,
    promise_id: PromiseId,
    note: Annotated[
        str | None, typer.Option("--note", help="What was done (recorded as an outbound note).")
    ] = None,
    at: AtOption = None,
    format: WriteFormatOption = None,
) -> None:
    """Mark a promise kept; says how late if it was.

    Example: complog kept 7 --note "Called back, fix confirmed"
    """
    from complog.cli.freetext import given_text
    from complog.render.text import late_by
    from complog.services.promises import keep_promise

    app = app_context(ctx)
    note = given_text(ctx, note, what="note")
    when = app.when_given(at)
    with app.store().transaction() as session:
        result = keep_promise(session, app.actor(), promise_id, note=note, at=when)
    if result.late_by_seconds > 0:
        sentence = f"Kept promise {promise_id}, late by {late_by(result.kept_at - result.due_at)}"
    else:
        sentence = f"Kept promise {promise_id} on time"
    _promise_changed(app, promise_id, format, sentence)


def cancel(
    ctx: typer.Context,
    promise_id: PromiseId,
    reason: ReasonOption = None,
    at: AtOption = None,
    format: WriteFormatOption = None,
) -> None:
    """Cancel a promise that will not be kept (a reason is required).

    Example: complog cancel 7 --reason "Customer no longer wants a visit"
    """
    from complog.cli.freetext import required_text
    from complog.services.promises import cancel_promise

    app = app_context(ctx)
    when = app.when_given(at)
    reason = required_text(
        ctx, reason, param="reason", what="reason", about=f"for cancelling promise {promise_id}"
    )
    with app.store().transaction() as session:
        cancel_promise(session, app.actor(), promise_id, reason, when)
    _promise_changed(app, promise_id, format, f"Cancelled promise {promise_id}")


def reschedule(
    ctx: typer.Context,
    promise_id: PromiseId,
    due: DueOption,
    reason: ReasonOption = None,
    at: AtOption = None,
    format: WriteFormatOption = None,
) -> None:
    """Move a promise to a new due time; the move and its reason are kept in its history.

    Moving a promise after it fell due marks it broken.

    Example: complog reschedule 7 --due "mon 10am" --reason "Part delayed by supplier"
    """
    from complog.cli.freetext import required_text
    from complog.render.text import friendly
    from complog.services.promises import reschedule_promise

    app = app_context(ctx)
    when = app.when(due)
    agreed = app.when_given(at)
    reason = required_text(
        ctx, reason, param="reason", what="reason", about=f"for moving promise {promise_id}"
    )
    with app.store().transaction() as session:
        moved = reschedule_promise(session, app.actor(), promise_id, when, reason, agreed)
    tz = app.settings().tz
    late = " (it was already late: recorded as broken)" if moved.late else ""
    _promise_changed(
        app,
        promise_id,
        format,
        f"Rescheduled promise {promise_id} to {friendly(moved.new_due_at, app.now, tz)}{late}"
        f"; rescheduled {moved.count} time{'s' if moved.count != 1 else ''}",
    )


#: promises per section (and escalations) that `due` shows on a terminal or in plain text
DUE_PAGE = 20


def due(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option(help="Only promises this person owns.")] = None,
    mine: Annotated[
        bool, typer.Option("--mine", help="Only my promises (--user / COMPLOG_USER).")
    ] = False,
    days: Annotated[int, typer.Option(min=0, max=3660, help="How many days ahead to list.")] = 7,
    by: Annotated[str | None, typer.Option("--by", help="Group by: owner.")] = None,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help="Exit 1 when anything is overdue, else 0 (5 when the logbook does not exist).",
        ),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=1_000_000,
            help=f"Show at most N promises per section, and N escalations (default {DUE_PAGE}).",
            show_default=False,
        ),
    ] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Show every promise and escalation (json and csv always do)."),
    ] = False,
    format: FormatOption = None,
) -> None:
    """Open promises: overdue (most late first), due today, and the next N days.

    Escalations not yet acknowledged are listed after them. A long list shows
    the first 20 of each section and how many more there are; json and csv
    always list everything.

    Example: complog due --mine --exit-code
    """
    from complog.render import views

    if owner is not None and not owner.strip():
        raise InvalidInput("--owner must not be empty", "leave it out to see everyone's promises")
    if owner and mine:
        raise InvalidInput("use --owner or --mine, not both")
    if by not in (None, "owner"):
        raise InvalidInput(f"cannot group by {by!r}", "use --by owner")
    if all_ and limit is not None:
        raise InvalidInput("use --all or --limit, not both")
    app = app_context(ctx)
    shape = fmt(format)
    page = None if all_ or shape in ("json", "csv") else (limit or DUE_PAGE)
    reader = monitored_reader(app) if exit_code else app.reader()
    listing = reader.due(
        app.now,
        days=days,
        owner=app.user if mine else owner,
        limit=page,
        by_owner=by == "owner",
    )
    views.due(listing, shape, app.now, reader.settings().tz, by_owner=by == "owner")
    if exit_code and listing.overdue:
        raise typer.Exit(1)


def calendar(
    ctx: typer.Context,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Write the .ics file here (replaced whole, 0600), device or pipe; default: standard output.",
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Only promises this person owns.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only my promises.")] = False,
    alarm: Annotated[
        int,
        typer.Option(min=0, max=10080, help="Minutes before the due time to remind (0: no alarm)."),
    ] = 30,
) -> None:
    """Open promises as an iCalendar (.ics) feed for a calendar app.

    Each promise keeps its UID across runs, so re-importing updates events
    instead of duplicating them.

    Example: complog calendar --mine --out ~/complog.ics
    """
    from complog.files import write
    from complog.render import output
    from complog.render.ics import promises_calendar

    if owner and mine:
        raise InvalidInput("use --owner or --mine, not both")
    app = app_context(ctx)
    target = app.output_target(out) if out is not None else None
    reader = app.reader()
    items = reader.open_promises(owner=app.user if mine else owner)
    data = promises_calendar(items, reader.logbook_id(), app.now, alarm)
    if target is None:
        output.emit_bytes(data)
        return
    write(target, data)
    if not target.stream:
        from complog.render.text import one_record

        output.note(
            f"Wrote {len(items)} promise{'s' if len(items) != 1 else ''} to {one_record(out)}"
        )
