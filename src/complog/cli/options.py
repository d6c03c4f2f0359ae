"""Options shared by several commands, as Annotated types, and cheap enums."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from typer._click.globals import get_current_context

from complog.context import AppContext
from complog.errors import NotFound, StorageError

if TYPE_CHECKING:
    from complog.queries import Reader


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    plain = "plain"


class Channel(StrEnum):
    phone = "phone"
    email = "email"
    letter = "letter"
    visit = "visit"
    web = "web"
    social = "social"
    other = "other"


class Cause(StrEnum):
    ours = "ours"
    customer = "customer"
    third_party = "third-party"
    unknown = "unknown"


class Status(StrEnum):
    open = "open"
    resolved = "resolved"
    all = "all"


#: SQLite (and PostgreSQL bigint) ids stop here; anything larger names nothing
MAX_ID = 2**63 - 1


def id_checker(kind: str, hint: str) -> Callable[[int | None], int | None]:
    def check(value: int | None) -> int | None:
        if value is not None and not 0 < value <= MAX_ID:
            raise NotFound(f"no {kind} {value}", hint)
        return value

    return check


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format", "-f", metavar="FORMAT",
        help="table (default on a terminal), plain (default in a pipe), json or csv.",
    ),
]  # fmt: skip
WriteFormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format", "-f", metavar="FORMAT",
        help="json or csv: print what was created or changed, with its id (default: a sentence).",
    ),
]  # fmt: skip
ComplaintId = Annotated[
    int,
    typer.Argument(
        metavar="ID", help="Complaint id, as printed by add or list.", show_default=False,
        callback=id_checker("complaint", "complog list --status all shows them"),
    ),
]  # fmt: skip
PromiseId = Annotated[
    int,
    typer.Argument(
        metavar="PID", help="Promise id (P#), as printed by add, promise or due.", show_default=False,
        callback=id_checker("promise", "complog show ID lists a complaint's promises"),
    ),
]  # fmt: skip
EscalationId = Annotated[
    int,
    typer.Argument(
        metavar="ESC_ID", help="Escalation id (E#), as listed by escalations or due.", show_default=False,
        callback=id_checker("escalation", "complog escalations lists them"),
    ),
]  # fmt: skip
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at", metavar="WHEN",
        help="When it happened, if not now (e.g. '2026-11-23 09:15', 'today 9am', '2h ago').",
    ),
]  # fmt: skip
#: metavar for flags: Typer's Rich help would otherwise print "<bool>" beside them
FLAG = ""


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # commands invoked without the root callback
        obj = AppContext()
        ctx.find_root().obj = obj
    return obj


def monitored_reader(app: AppContext) -> Reader:
    """The logbook a monitoring check reads (`due --exit-code`, `check --exit-code`,
    `escalate --auto --exit-code`, `digest`). A logbook that does not exist is exit 5
    with the path looked for: a mistyped COMPLOG_DB must never read as "all clear"."""
    reader = app.reader()
    if not reader.exists:
        raise StorageError(
            f"there is no logbook at {app.location}",
            "check --db or COMPLOG_DB (complog init creates a new logbook)",
        )
    return reader


def fmt(value: Format | str | None) -> str:
    """The output format: the command's --format, else the global one, else by terminal."""
    from complog.render.output import default_format

    if value is None:
        root = get_current_context(silent=True)
        obj = root.find_root().obj if root is not None else None
        value = obj.format if isinstance(obj, AppContext) else None
    return default_format(value.value if isinstance(value, Format) else value)
