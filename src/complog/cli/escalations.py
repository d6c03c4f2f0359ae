"""Commands about escalations: escalate (manual and --auto), escalations, ack."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from complog.cli.options import (
    COMPLAINT_IDS,
    AtOption,
    EscalationId,
    FormatOption,
    WriteFormatOption,
    app_context,
    fmt,
    monitored_reader,
)
from complog.context import AppContext
from complog.errors import InvalidInput


def escalate(
    ctx: typer.Context,
    complaint_id: Annotated[
        int | None,
        typer.Argument(
            help="Complaint to escalate by hand (omit with --auto).",
            show_default=False,
            parser=COMPLAINT_IDS,
        ),  # fmt: skip
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Person or role to escalate to.")] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help="Why it needs someone more senior ('-': standard input; left out on a"
            " terminal, your editor opens).",
        ),
    ] = None,
    auto: Annotated[
        bool, typer.Option("--auto", help="Apply the escalation rules (for cron).")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="With --auto: show what would be escalated; change nothing."
        ),
    ] = False,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help="With --auto: exit 1 when something was (or would be) escalated;"
            " 5 when the logbook does not exist.",
        ),
    ] = False,
    at: AtOption = None,
    format: FormatOption = None,
) -> None:
    """Escalate a complaint by hand, or apply the rules with --auto.

    --auto is idempotent: each (complaint, rule, trigger) is escalated once, however
    often it runs and even from two crons at once. Rules: overdue-promise, quiet-hot,
    slow-resolution, written-unanswered, rescheduled-twice, repeat-customer, and
    unacknowledged once switched on (see complog config).

    Example: complog escalate --auto && complog digest | mail -s complaints me@example.com
    """
    from complog.render import escalations as view

    app = app_context(ctx)
    if auto:
        if complaint_id is not None or to or reason or at:
            raise InvalidInput("--auto takes no complaint id, --to, --reason or --at")
        _auto(app, dry_run, exit_code, fmt(format))
        return
    if dry_run or exit_code:
        raise InvalidInput("--dry-run and --exit-code go with --auto")
    on_terminal = sys.stdin is not None and sys.stdin.isatty()
    if complaint_id is None or to is None or (reason is None and not on_terminal):
        raise InvalidInput(
            "give a complaint ID, --to and --reason (or --auto)",
            'e.g. complog escalate 12 --to manager --reason "Threatening to leave"',
        )
    from complog.cli.freetext import required_text
    from complog.services.escalations import escalate as escalate_complaint

    when = app.when_given(at)
    reason = required_text(
        ctx, reason, param="reason", what="reason", about=f"for escalating complaint {complaint_id}"
    )
    with app.store().transaction() as session:
        row = escalate_complaint(session, app.actor(), complaint_id, to, reason, when)
    reader = app.reader()
    view.escalated_one(reader.escalation(row.id or 0), fmt(format), app.now, reader.settings().tz)


def _auto(app: AppContext, dry_run: bool, exit_code: bool, output_format: str) -> None:
    from complog.render import escalations as view
    from complog.rules import evaluate

    reader = monitored_reader(app) if exit_code else app.reader()
    settings = reader.settings()
    if dry_run:
        existing = reader.escalation_keys()
        firings = [
            f
            for f in evaluate(reader.rule_facts(), settings, app.now)
            if (f.complaint_id, f.rule, f.trigger) not in existing
        ]
        view.auto_result(
            [(f, None) for f in firings], output_format, app.now, settings.tz, dry_run=True
        )
        count = len(firings)
    else:
        from complog.services.escalations import auto_escalate

        store = app.store()
        with store.transaction() as session:
            created = auto_escalate(session, app.actor(), store.location)
        view.auto_result(created, output_format, app.now, settings.tz, dry_run=False)
        count = len(created)
    if exit_code and count:
        raise typer.Exit(1)


def escalations(
    ctx: typer.Context,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only those not yet acknowledged.")
    ] = False,
    to: Annotated[
        str | None, typer.Option("--to", help="Only those escalated to this person or role.")
    ] = None,
    format: FormatOption = None,
) -> None:
    """List escalations, oldest first.

    Example: complog escalations --open --to manager
    """
    from complog.render import escalations as view

    app = app_context(ctx)
    reader = app.reader()
    rows = reader.escalations(unacknowledged=open_only, to=to)
    view.listing(rows, fmt(format), app.now, reader.settings().tz)


def ack(
    ctx: typer.Context,
    escalation_id: EscalationId,
    at: AtOption = None,
    format: WriteFormatOption = None,
) -> None:
    """Acknowledge an escalation: someone senior has seen it and is on it.

    Example: complog ack 3
    """
    from complog.render import shapes, written
    from complog.services.escalations import acknowledge

    app = app_context(ctx)
    when = app.when_given(at)
    with app.store().transaction() as session:
        acknowledge(session, app.actor(), escalation_id, when)
    reader = app.reader()
    written.changed(
        fmt(format),
        f"Acknowledged escalation {escalation_id}",
        lambda: shapes.escalation_json(reader.escalation(escalation_id), reader.settings().tz),
    )
