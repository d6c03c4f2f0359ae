"""Options shared by several commands, as Annotated types, and cheap enums."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from complog import vocabulary
from complog.cli import completion
from complog.cli.typer_internals import get_current_context
from complog.context import AppContext
from complog.errors import InvalidInput, NotFound, StorageError

if TYPE_CHECKING:
    from complog.queries import Reader


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    plain = "plain"


# the domain's words live in complog.vocabulary (stdlib only: cheap to import here)
Channel = vocabulary.Channel
Cause = vocabulary.Cause
Status = vocabulary.StatusFilter


#: SQLite (and PostgreSQL bigint) ids stop here; anything larger names nothing
MAX_ID = 2**63 - 1

#: an id as complog prints it: 12, #12 (complaints), P3 (promises), E2 (escalations);
#: spaces around it, a "+" and an integral "12.0" are accepted as they always were
_ID = re.compile(r"\s*([#PE]?)\s*\+?([0-9]+)(?:\.0*)?\s*", re.IGNORECASE)
_PREFIX_KINDS = {"#": "complaint", "P": "promise", "E": "escalation"}


@dataclass(frozen=True)
class IdParser:
    """Reads a complaint, promise or escalation id in any form complog prints it
    (`12`, `#12`, `P3`, `E2`) and words what else was given in complog's terms.
    A Typer `parser=`; cli/coerce.py calls it directly (no pydantic at start-up)."""

    kind: str
    prefix: str
    number: int  # for the examples
    listed_by: str

    def example(self) -> str:
        return f"{self.number} or {self.prefix}{self.number}"

    def __call__(self, value: str | int) -> int:
        if isinstance(value, int):
            number = value
        else:
            match = _ID.fullmatch(value)
            if match is None:
                raise InvalidInput(
                    f"{value!r} is not {_a(self.kind)} id",
                    f"give it as complog prints it, e.g. {self.example()} ({self.listed_by})",
                )
            prefix, digits = match.group(1).upper(), match.group(2)
            if prefix and prefix != self.prefix:
                raise InvalidInput(
                    f"{value.strip()!r} is {_a(_PREFIX_KINDS[prefix])} id, not {_a(self.kind)} id",
                    f"{_command()} takes {_a(self.kind)} id, e.g. {self.example()}"
                    f" ({self.listed_by})",
                )
            number = int(digits)
        if not 0 < number <= MAX_ID:
            raise NotFound(f"no {self.kind} {number}", self.listed_by)
        return number


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _command() -> str:
    ctx = get_current_context(silent=True)
    return ctx.command_path if ctx is not None else "this command"


COMPLAINT_IDS = IdParser("complaint", "#", 12, "complog list --status all shows them")
PROMISE_IDS = IdParser("promise", "P", 3, "complog show ID lists a complaint's promises")
ESCALATION_IDS = IdParser("escalation", "E", 2, "complog escalations lists them")


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
        metavar="ID", help="Complaint id, as printed by add or list (12 or #12).",
        show_default=False, parser=COMPLAINT_IDS, autocompletion=completion.open_complaints,
    ),
]  # fmt: skip
PromiseId = Annotated[
    int,
    typer.Argument(
        metavar="PID", help="Promise id, as printed by add, promise or due (3 or P3).",
        show_default=False, parser=PROMISE_IDS, autocompletion=completion.open_promises,
    ),
]  # fmt: skip
EscalationId = Annotated[
    int,
    typer.Argument(
        metavar="ESC_ID", help="Escalation id, as listed by escalations or due (2 or E2).",
        show_default=False, parser=ESCALATION_IDS,
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
    """The output format: the command's --format, else the global one (flag or user
    config file), else by terminal. Noted on the context: the pager pages tables only."""
    from complog.render.output import default_format

    current = get_current_context(silent=True)
    obj = current.find_root().obj if current is not None else None
    app = obj if isinstance(obj, AppContext) else None
    if value is None and app is not None:
        value = app.format
    chosen = default_format(value.value if isinstance(value, Format) else value)
    if app is not None:
        app.output_format = chosen
    return chosen
