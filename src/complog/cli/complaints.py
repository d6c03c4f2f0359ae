"""Commands about complaints: add, note, show, list, resolve, reopen."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from complog.cli import completion
from complog.cli.options import (
    AtOption,
    Cause,
    Channel,
    ComplaintId,
    Format,
    FormatOption,
    Status,
    WriteFormatOption,
    app_context,
    fmt,
    monitored_reader,
)
from complog.context import AppContext
from complog.errors import InvalidInput
from complog.vocabulary import CHANNELS


def add(
    ctx: typer.Context,
    customer: Annotated[
        str | None,
        typer.Argument(
            help="Customer name (created if new; matched ignoring case).",
            show_default=False,
            autocompletion=completion.customers,
        ),
    ] = None,
    summary: Annotated[
        str | None,
        typer.Argument(help="What the complaint is about, in a line.", show_default=False),
    ] = None,
    channel: Annotated[
        Channel, typer.Option(help="How the complaint reached you.")
    ] = Channel.phone,
    category: Annotated[
        str | None, typer.Option(help="Your category, e.g. billing, delivery, equipment.")
    ] = None,
    heat: Annotated[int, typer.Option(help="How hot the customer is: 1 calm .. 5 boiling.")] = 3,
    wants: Annotated[
        str | None, typer.Option(help="What the customer wants (refund, visit, apology...).")
    ] = None,
    loss: Annotated[
        str | None,
        typer.Option(
            help="The customer's loss, e.g. 120, 120.50, £120.50 or 1.000,50 € (without a currency: the logbook's)."
        ),
    ] = None,
    written: Annotated[
        bool,
        typer.Option(
            "--written", help="The complaint was made in writing (needs a written reply)."
        ),
    ] = False,
    owner: Annotated[str | None, typer.Option(help="Who owns the complaint. Default: you.")] = None,
    at: AtOption = None,
    promise: Annotated[
        str | None, typer.Option(help="A promise made on the call (needs --due).")
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(help="When the promise is due: 'tomorrow 10am', 'fri', '+2h', '3bd'."),
    ] = None,
    phone: Annotated[str | None, typer.Option(help="Customer's phone number.")] = None,
    email: Annotated[str | None, typer.Option(help="Customer's email address.")] = None,
    format: FormatOption = None,
) -> None:
    """Log a complaint; creates the customer if new.

    With no arguments on a terminal, asks for the fields one by one.

    Example: complog add "Acme Newsagency" "Till crashes at close" --heat 4 --promise "Call back with fix" --due "tomorrow 10am"
    """
    from complog.briefing import brief
    from complog.queries.opening import reader_in
    from complog.render import flow, output
    from complog.render.text import friendly, safe
    from complog.services.intake import NewComplaint, log_complaint

    app = app_context(ctx)
    interactive = (
        customer is None and summary is None and sys.stdin.isatty() and sys.stdout.isatty()
    )
    if interactive:
        customer, summary, heat, promise, due = _ask(app, heat)
    if customer is None:
        raise InvalidInput(
            "CUSTOMER and SUMMARY are required",
            'e.g. complog add "Acme Newsagency" "Till crashes at close"',
        )
    # --at and --due are read against the logbook's calendar. A new logbook's is the
    # default one: they are checked before the logbook is made. An existing one's is read
    # inside the write transaction, on its connection: add opens no second one.
    new_logbook = app.location.path is not None and not app.location.path.exists()
    if new_logbook:
        for given in (at, due):
            app.when_given(given)
    if not interactive:
        from complog.cli.freetext import given_text, required_text

        if summary is None and not (sys.stdin is not None and sys.stdin.isatty()):
            raise InvalidInput(
                "CUSTOMER and SUMMARY are required",
                'e.g. complog add "Acme Newsagency" "Till crashes at close"',
            )
        summary = required_text(
            ctx, summary, param="summary", what="summary", about=f"of {customer}'s complaint"
        )
        wants = given_text(ctx, wants, what="wants")
        promise = given_text(ctx, promise, what="promise")
    assert summary is not None
    output_format = fmt(format)
    store = app.store()
    with store.transaction() as session:
        reader = reader_in(session, store.location)
        app.settings_read(reader.settings())
        new = NewComplaint(
            customer=customer, summary=summary, channel=channel.value, category=category,
            heat=heat, wants=wants, loss=loss, written=written, owner=owner,
            at=app.when_given(at), promise=promise, due=app.when_given(due),
            phone=phone, email=email,
        )  # fmt: skip
        logged = log_complaint(session, app.actor(), new)
        tz = reader.settings().tz
        known = None
        if not interactive:
            known = brief(reader, logged.customer, app.now, exclude=logged.complaint_id,
                          new_customer=logged.new_customer)  # fmt: skip
        row = reader.complaint(logged.complaint_id) if output_format in ("json", "csv") else None
    if known is not None:
        flow.briefing(known.compare(logged.customer), logged.customer, app.now, tz, merge_hint=True)
    if logged.promise_due is not None and logged.promise_due < app.now:
        output.warn(f"promise {logged.promise_id} is already overdue")
    if row is not None:
        from complog.render import shapes

        data = shapes.complaint_json(row, tz) | {"promise_id": logged.promise_id}
        if output_format == "json":
            output.emit_json(data)
        else:
            output.emit_csv([data], [*shapes.COMPLAINT_COLUMNS, "promise_id"])
        return
    message = f"Logged complaint {logged.complaint_id} for {safe(logged.customer, one_line=True)}"
    if logged.promise_id is not None and logged.promise_due is not None:
        message += f" (promise {logged.promise_id} due {friendly(logged.promise_due, app.now, tz)})"
    output.say(message)


def _ask(app: AppContext, heat: int) -> tuple[str, str, int, str | None, str | None]:
    """The interactive form for `complog add` with no arguments: each answer is
    checked as it is given, so one typo does not lose the others."""
    from rich.prompt import Prompt

    from complog.briefing import brief
    from complog.render import flow, output
    from complog.services.intake import check_heat

    app.reader()  # a logbook that cannot be opened fails now, before any typing

    def required(question: str) -> str:
        while True:
            answer = Prompt.ask(question).strip()
            if answer:
                return answer
            output.note("  (required)")

    customer = required("Customer")
    reader = app.reader()
    known = brief(reader, customer, app.now).compare(customer)
    flow.briefing(known, customer, app.now, reader.settings().tz, merge_hint=False)
    summary = required("What is the complaint")
    chosen = None
    while chosen is None:
        answer = Prompt.ask("Heat 1 (calm) to 5 (boiling)", default=str(heat)).strip()
        try:
            chosen = check_heat(int(answer))
        except (ValueError, InvalidInput):
            output.note(f"  {answer!r} is not a heat: heat runs from 1 (calm) to 5 (boiling)")
    promise = (
        Prompt.ask("Promise made (blank for none)", default="", show_default=False).strip() or None
    )
    due = None
    while promise is not None and due is None:
        answer = Prompt.ask("Due (e.g. tomorrow 10am, fri 14:30, +2h)").strip()
        try:
            app.when(answer)
        except InvalidInput as exc:
            output.note(f"  {exc.message}")
            continue
        due = answer
    return customer, summary, chosen, promise, due


def note(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    text: Annotated[
        str | None,
        typer.Argument(
            help="What was said or done; '-' reads it from standard input; left out on a"
            " terminal, your editor ($VISUAL, $EDITOR) opens.",
            show_default=False,
        ),
    ] = None,
    channel: Annotated[
        Channel | None, typer.Option(help="Channel of the interaction. Default: the complaint's.")
    ] = None,
    inbound: Annotated[bool, typer.Option("--in", help="The customer contacted us.")] = False,
    outbound: Annotated[
        bool, typer.Option("--out", help="We contacted the customer (counts as a response).")
    ] = False,
    internal: Annotated[
        bool, typer.Option("--internal", help="An internal note (the default).")
    ] = False,
    at: AtOption = None,
    format: WriteFormatOption = None,
) -> None:
    """Add an interaction or internal note to a complaint.

    Example: complog note 12 "Rang back, engineer booked for Friday" --out
    """
    from complog.cli.freetext import required_text
    from complog.render import shapes, written
    from complog.services.complaints import add_note

    if inbound + outbound + internal > 1:
        raise InvalidInput("choose one of --in, --out, --internal")
    direction = "in" if inbound else "out" if outbound else "internal"
    app = app_context(ctx)
    when = app.when_given(at)
    text = required_text(ctx, text, param="text", what="note", about=f"on complaint {complaint_id}")
    with app.store().transaction() as session:
        note_id = add_note(session, app.actor(), complaint_id, text, direction=direction,
                           channel=channel.value if channel else None, at=when)  # fmt: skip
    reader = app.reader()

    def shape() -> dict[str, Any]:
        made = next(n for n in reader.notes(complaint_id) if n.id == note_id)
        shaped = shapes.note_json(made, reader.settings().tz)
        return {"id": shaped["id"], "complaint_id": complaint_id} | shaped

    written.changed(
        fmt(format), f"Noted on complaint {complaint_id} (note {note_id}, {direction})", shape
    )


def show(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    format: FormatOption = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="The whole timeline (table and plain show the latest 50)."),
    ] = False,
) -> None:
    """Show a complaint with its customer and timeline, in time order: the latest 50
    entries on a terminal and in plain text (--all for every one); JSON and CSV
    always hold everything.

    Example: complog show 12 --format json
    """
    from complog.render import views

    app = app_context(ctx)
    reader = app.reader()
    chosen, tz = fmt(format), reader.settings().tz
    if chosen in ("json", "csv"):
        # everything but the notes now; the notes streamed as they are written (read
        # twice for JSON: one snapshot, so a note added meanwhile is in both or neither)
        with reader.snapshot():
            detail = reader.detail(complaint_id, latest_notes=0)
            views.show_streamed(
                detail, lambda: reader.iter_notes(complaint_id), chosen, app.now, tz
            )
        return
    latest = None if every else views.SHOW_LATEST
    detail = reader.detail(complaint_id, latest_notes=latest)
    views.show(detail, chosen, app.now, tz, latest=latest)


def list_complaints(
    ctx: typer.Context,
    status: Annotated[Status, typer.Option(help="Which complaints.")] = Status.open,
    customer: Annotated[
        str | None,
        typer.Option(help="Only this customer's.", autocompletion=completion.customers),
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Only complaints this person owns.")] = None,
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Opened at or after (e.g. 2026-11-01, -7d).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Opened before.")] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, max=1_000_000, help="At most this many.")
    ] = None,
    format: FormatOption = None,
) -> None:
    """List complaints, newest first (default: open ones).

    Example: complog list --status all --customer "Acme Newsagency"
    """
    from complog.render import views
    from complog.rows import ComplaintFilter

    app = app_context(ctx)
    reader = app.reader()
    if customer is not None and reader.customer_id(customer) is None:
        _no_such_customer(app, customer)
    flt = ComplaintFilter(
        status=status.value, customer=customer, owner=owner, category=category,
        since=app.when_given(since), until=app.when_given(until),
        limit=limit,
    )  # fmt: skip
    views.complaints(reader.complaints(flt), fmt(format), app.now, reader.settings().tz)


def _no_such_customer(app: AppContext, customer: str) -> None:
    """`list --customer` of a name nobody has: nothing matches (an empty list, exit 0,
    for scripts), and stderr says so, with the spellings `customer NAME` would suggest."""
    from complog.names import did_you_mean
    from complog.render import output
    from complog.render.text import safe

    close = app.reader().near_customers(customer)
    hint = did_you_mean(close) or "complog customers lists them"
    output.warn(f"no customer named {safe(customer.strip(), one_line=True)!r}; {hint}")


def resolve(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    outcome: Annotated[
        str | None,
        typer.Option(
            help="What was done; what the customer got. Required ('-': standard input;"
            " left out on a terminal, your editor opens).",
            show_default=False,
        ),
    ] = None,
    confirmed: Annotated[
        bool | None,
        typer.Option(
            "--confirmed/--unconfirmed",
            help="Did the customer confirm it is acceptable?",
            show_default=False,
        ),
    ] = None,
    satisfaction: Annotated[int | None, typer.Option(help="Customer satisfaction 1-5.")] = None,
    compensation: Annotated[
        str | None, typer.Option(help="Compensation given (refund, free visit...).")
    ] = None,
    cause: Annotated[Cause | None, typer.Option(help="Who caused the problem.")] = None,
    prevention: Annotated[
        str | None, typer.Option(help="What will stop it happening again.")
    ] = None,
    at: AtOption = None,
    cancel_open_promises: Annotated[
        bool,
        typer.Option(
            "--cancel-open-promises", help="Cancel promises still open instead of refusing."
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Refuse (exit 4) while an ISO 10002 step is missing (see complog check).",
        ),
    ] = False,
    format: WriteFormatOption = None,
) -> None:
    """Resolve a complaint. Refuses (exit 4) while promises are open.

    With --strict, also refuses while a step of complog check would still be
    missing once resolved (acknowledged, assessed, investigated via --cause,
    responded, --outcome, customer's acceptance via --confirmed).

    Example: complog resolve 12 --outcome "Till replaced" --confirmed --satisfaction 4 --cause ours
    """
    from complog.cli.freetext import given_text, required_text
    from complog.services.complaints import Resolution, resolve_complaint

    app = app_context(ctx)
    resolved_at = app.when_given(at)
    outcome = required_text(
        ctx, outcome, param="outcome", what="outcome", about=f"of complaint {complaint_id}"
    )
    compensation = given_text(ctx, compensation, what="compensation")
    prevention = given_text(ctx, prevention, what="prevention")
    resolution = Resolution(
        outcome=outcome, confirmed=confirmed, satisfaction=satisfaction, compensation=compensation,
        cause=cause.value if cause else None, prevention=prevention,
        at=resolved_at, cancel_open_promises=cancel_open_promises,
        strict=strict,
    )  # fmt: skip
    with app.store().transaction() as session:
        cancelled = resolve_complaint(session, app.actor(), complaint_id, resolution)
    extra = (
        f" (cancelled {cancelled} open promise{'s' if cancelled != 1 else ''})" if cancelled else ""
    )
    _complaint_changed(
        app,
        complaint_id,
        format,
        f"Resolved complaint {complaint_id}{extra}",
        cancelled_promises=cancelled,
    )


def reopen(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    reason: Annotated[
        str | None,
        typer.Option(
            help="Why it is being reopened. Required ('-': standard input; left out on a"
            " terminal, your editor opens).",
            show_default=False,
        ),
    ] = None,
    at: AtOption = None,
    format: WriteFormatOption = None,
) -> None:
    """Reopen a resolved complaint; the old resolution stays in its history.

    Example: complog reopen 12 --reason "Till crashed again"
    """
    from complog.cli.freetext import required_text
    from complog.services.complaints import reopen_complaint

    app = app_context(ctx)
    when = app.when_given(at)
    reason = required_text(
        ctx, reason, param="reason", what="reason", about=f"for reopening complaint {complaint_id}"
    )
    with app.store().transaction() as session:
        reopen_complaint(session, app.actor(), complaint_id, reason, when)
    _complaint_changed(app, complaint_id, format, f"Reopened complaint {complaint_id}")


def wait(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    reason: Annotated[
        str | None,
        typer.Option(
            help="What the customer is to do (send photos, confirm a date). Required ('-':"
            " standard input; left out on a terminal, your editor opens).",
            show_default=False,
        ),
    ] = None,
    at: AtOption = None,
    format: WriteFormatOption = None,
) -> None:
    """Put a complaint on hold while it waits on the customer: the resolution
    and quiet clocks stop until `complog resume` (or `resolve`).

    Example: complog wait 12 --reason "Sending photos of the damage"
    """
    from complog.cli.freetext import required_text
    from complog.services.waiting import start_waiting

    app = app_context(ctx)
    when = app.when_given(at)
    reason = required_text(
        ctx, reason, param="reason", what="reason", about=f"complaint {complaint_id} waits for"
    )
    with app.store().transaction() as session:
        start_waiting(session, app.actor(), complaint_id, reason, when)
    _complaint_changed(
        app, complaint_id, format, f"Complaint {complaint_id} is waiting on the customer"
    )


def resume(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    at: AtOption = None,
    format: WriteFormatOption = None,
) -> None:
    """End the wait on the customer: the clocks run again.

    Example: complog resume 12
    """
    from complog.render.text import duration
    from complog.services.waiting import stop_waiting

    app = app_context(ctx)
    when = app.when_given(at)
    with app.store().transaction() as session:
        waited = stop_waiting(session, app.actor(), complaint_id, when)
    minutes = waited.total_seconds() / 60
    _complaint_changed(
        app,
        complaint_id,
        format,
        f"Resumed complaint {complaint_id} after waiting {duration(minutes)}",
        waited_minutes=int(minutes),
    )


def check(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help="Exit 1 when a step is missing (5 when the logbook does not exist).",
        ),
    ] = False,
    format: FormatOption = None,
) -> None:
    """Check a case against the ISO 10002 steps: recorded, acknowledged (first
    outbound note or kept promise), assessed (heat and category), investigated
    (cause), responded (outbound note after assessment), decision communicated
    (outcome), customer's acceptance logged (--confirmed), closed.

    Example: complog check 12 && complog resolve 12 --strict --outcome "Till replaced" --cause ours --confirmed
    """
    from complog.checklist import evaluate, facts_from_detail
    from complog.render import flow

    app = app_context(ctx)
    reader = monitored_reader(app) if exit_code else app.reader()
    detail = reader.detail(complaint_id)
    checklist = evaluate(facts_from_detail(detail))
    flow.checklist(detail.complaint, checklist, fmt(format), reader.settings().tz)
    if exit_code and not checklist.complete:
        raise typer.Exit(1)


def edit(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    summary: Annotated[str | None, typer.Option(help="A better summary.")] = None,
    category: Annotated[str | None, typer.Option(help="Category ('' clears it).")] = None,
    heat: Annotated[int | None, typer.Option(help="Heat, 1 (calm) to 5 (boiling).")] = None,
    wants: Annotated[
        str | None, typer.Option(help="What the customer wants ('' clears it).")
    ] = None,
    loss: Annotated[
        str | None, typer.Option(help="What it cost them, e.g. 120.50 or 5,50 € ('' clears it).")
    ] = None,
    channel: Annotated[
        str | None, typer.Option(help=" or ".join(", ".join(CHANNELS).rsplit(", ", 1)) + ".")
    ] = None,
    written: Annotated[
        bool | None,
        typer.Option(
            "--written/--not-written", help="A written complaint, or not.", show_default=False
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Who owns it now.")] = None,
    format: WriteFormatOption = None,
) -> None:
    """Correct or complete what was recorded: the assessment (category, heat),
    the summary, owner, channel or loss. Audited, and `complog undo` takes it back.

    Example: complog edit 12 --category billing --heat 4
    """
    from complog.cli.freetext import given_text
    from complog.services.complaints import Changes, edit_complaint

    app = app_context(ctx)
    summary = given_text(ctx, summary, what="summary")
    wants = given_text(ctx, wants, what="wants")
    changes = Changes(summary=summary, category=category, heat=heat, wants=wants, loss=loss,
                      channel=channel, written=written, owner=owner)  # fmt: skip
    with app.store().transaction() as session:
        changed = edit_complaint(session, app.actor(), complaint_id, changes)
    fields = list(dict.fromkeys("loss" if name.startswith("loss_") else name for name in changed))
    if fields:
        sentence = f"Edited complaint {complaint_id}: {', '.join(fields)}"
    else:
        sentence = f"Complaint {complaint_id} already says that; nothing changed"
    _complaint_changed(app, complaint_id, format, sentence, changed=fields)


def _complaint_changed(
    app: AppContext, complaint_id: int, format: Format | None, sentence: str, **extra: Any
) -> None:
    """The sentence, or the complaint as `list --format json` shows it, with its
    resolution (null while open) and what this command adds (`extra`)."""
    from complog.render import shapes, written

    reader = app.reader()

    def shape() -> dict[str, Any]:
        complaint = reader.complaint(complaint_id)
        tz = reader.settings().tz
        resolution = shapes.resolution_json(complaint, tz)
        return shapes.complaint_json(complaint, tz) | {"resolution": resolution} | extra

    written.changed(fmt(format), sentence, shape)
