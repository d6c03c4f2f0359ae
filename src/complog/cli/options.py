"""Options shared by several commands, as Annotated types, and cheap enums."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from complog.context import AppContext


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


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="table (default on a terminal), plain (default in a pipe), json or csv.",
    ),
]
ComplaintId = Annotated[
    int, typer.Argument(help="Complaint id, as printed by add or list.", show_default=False)
]
PromiseId = Annotated[
    int,
    typer.Argument(help="Promise id (P#), as printed by add, promise or due.", show_default=False),
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When it happened, if not now (e.g. '2026-11-23 09:15', 'today 9am', '2h ago').",
    ),
]


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # commands invoked without the root callback
        obj = AppContext()
        ctx.find_root().obj = obj
    return obj


def fmt(value: Format | None) -> str:
    from complog.render.output import default_format

    return default_format(value.value if value else None)
