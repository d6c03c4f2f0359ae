"""Commands about customers: customer (and customer merge), customers, search."""

from __future__ import annotations

from typing import Annotated

import typer

from complog.cli import completion
from complog.cli.options import FormatOption, app_context, fmt
from complog.errors import InvalidInput


def customer(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="Customer name (case and spacing ignored).",
            show_default=False,
            autocompletion=completion.customers,
        ),
    ],
    source: Annotated[
        str | None,
        typer.Argument(
            metavar="FROM",
            help="With NAME 'merge': the spelling to remove.",
            show_default=False,
            hidden=True,
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="INTO",
            help="With NAME 'merge': the customer to keep.",
            show_default=False,
            hidden=True,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", hidden=True)] = False,
    format: FormatOption = None,
) -> None:
    """A customer's whole history on one screen: complaints, interactions,
    promises kept and broken, escalations, compensation, causes.

    `--format json` is the customer's data export (everything held about them).
    `complog customer merge FROM INTO` is `complog merge-customers FROM INTO`.

    Example: complog customer "Acme Newsagency"
    """
    from complog.render import customers as view
    from complog.render import output

    if dry_run and source is None:
        raise InvalidInput("--dry-run goes with customer merge FROM INTO")
    if source is not None:
        # `customer merge FROM INTO`: three words can only be a merge, so a customer
        # who is really called "merge" is still `complog customer merge`.
        if name != "merge" or target is None:
            raise InvalidInput(
                "customer takes one NAME (quote names with spaces)",
                "or: complog customer merge FROM INTO",
            )
        merge_customers(ctx, source, target, dry_run=dry_run, format=format)
        return
    app = app_context(ctx)
    reader = app.reader()
    history = reader.customer_history(name)
    if hint := reader.merge_hint(name):
        output.warn(hint)
    view.history(history, fmt(format), app.now, reader.settings().tz)


def merge_customers(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FROM",
            help="The spelling to remove.",
            show_default=False,
            autocompletion=completion.customers,
        ),
    ],
    target: Annotated[
        str,
        typer.Argument(
            metavar="INTO",
            help="The customer to keep.",
            show_default=False,
            autocompletion=completion.customers,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would move; change nothing.")
    ] = False,
    format: FormatOption = None,
) -> None:
    """Merge one customer entered under two spellings: FROM's complaints move to
    INTO, FROM's phone and email fill INTO's blanks, FROM is removed. History
    stays intact (one audit event; complog undo reverses it).

    Also spelled: complog customer merge FROM INTO.

    Example: complog merge-customers "Acme Newsagancy" "Acme Newsagency"
    """
    from complog.render import flow
    from complog.services.customers import merge_customers as merge

    app = app_context(ctx)
    with app.store().transaction(dry_run=dry_run) as session:
        merged = merge(session, app.actor(), source, target)
    flow.merged(merged, fmt(format), dry_run=dry_run)


def customers(
    ctx: typer.Context,
    top: Annotated[
        int | None,
        typer.Option(
            "--top", min=1, max=1_000_000, help="Only the N customers with most complaints."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Count complaints opened since (e.g. -30d, 2026-01-01)."),
    ] = None,
    format: FormatOption = None,
) -> None:
    """Customers by number of complaints: the top callers.

    Example: complog customers --top 10 --since -90d
    """
    from complog.render import customers as view

    app = app_context(ctx)
    reader = app.reader()
    rows = reader.customers(top=top, since=app.when_given(since))
    view.customers(rows, fmt(format), app.now, reader.settings().tz)


def search(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help='Words to find; FTS syntax: "exact phrase", OR, NOT, prefix*, summary:word.',
            show_default=False,
        ),
    ],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many complaints.")] = 20,
    format: FormatOption = None,
) -> None:
    """Full-text search over summaries, notes, promises and resolutions, best match first.

    A query that starts with "-" goes after "--": complog search -- "-wants:modem router"

    Example: complog search "router OR modem"
    """
    from complog.render import customers as view
    from complog.rows import SearchSyntaxError

    if not query.strip():
        raise InvalidInput("the search query is empty")
    app = app_context(ctx)
    reader = app.reader()
    try:
        hits = reader.search(query, limit=limit)
    except SearchSyntaxError as exc:
        shown = query if len(query) <= 60 else query[:60] + "…"
        hint = 'put phrases in double quotes ("one day"); operators are AND, OR, NOT in capitals'
        if str(exc).startswith("no such column"):
            hint = (
                'to find "re:" or a web address as words, put it in double quotes ("http://x.com")'
            )
        raise InvalidInput(f"cannot understand the search {shown!r} ({exc})", hint) from None
    view.search(hits, fmt(format), app.now, reader.settings().tz)
