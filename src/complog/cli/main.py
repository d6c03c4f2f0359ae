"""The root app: global options, the command list, and errors -> exit codes.

Every ComplogError is translated here, once, into one or two lines on stderr
and its exit code (SPEC: 2 usage, 3 not found, 4 conflict, 5 storage).
Anything unexpected is a bug: one line pointing to COMPLOG_DEBUG=1, never a
traceback full of customer data.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

# Typer >= 0.29 ships its own copy of click (pinned in pyproject.toml).
from typer._click.exceptions import ClickException, UsageError
from typer.core import TyperGroup

from complog import __version__
from complog.cli import admin, complaints, customers, data, escalations, insight, promises
from complog.context import AppContext
from complog.errors import ComplogError


def _fail(message: str, hint: str | None, code: int) -> int:
    sys.stderr.write(f"complog: error: {message}\n")
    if hint:
        sys.stderr.write(f"  {hint}\n")
    return code


class ComplogGroup(TyperGroup):
    """Runs commands in non-standalone mode so errors are formatted here."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        code = self._run(args, prog_name or "complog", complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(
        self, args: Sequence[str] | None, prog_name: str, complete_var: str | None, **extra: Any
    ) -> int:
        debug = os.environ.get("COMPLOG_DEBUG") == "1"
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            return result if isinstance(result, int) else 0
        except ComplogError as exc:
            if debug:
                raise
            return _fail(exc.message, exc.hint, exc.exit_code)
        except UsageError as exc:
            hint = None
            if exc.ctx is not None:
                hint = f"see '{exc.ctx.command_path} --help'"
            return _fail(exc.format_message(), hint, exc.exit_code)
        except ClickException as exc:
            return _fail(exc.format_message(), None, exc.exit_code)
        except typer.Abort:
            sys.stderr.write("Aborted.\n")
            return 1
        except SystemExit as exc:  # Typer exits itself on a broken pipe
            return exc.code if isinstance(exc.code, int) else 1
        except KeyboardInterrupt:
            sys.stderr.write("Interrupted.\n")
            return 130
        except BrokenPipeError:
            # `complog list | head`: the reader went away; that is not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 0
        except Exception as exc:  # noqa: BLE001 - the single top-level handler
            if debug:
                raise
            return _fail(
                f"unexpected {type(exc).__name__}; this is probably a bug in complog",
                "run again with COMPLOG_DEBUG=1 to see the details",
                1,
            )


app = typer.Typer(
    cls=ComplogGroup,
    name="complog",
    help="A logbook for resolving customer complaints: promises, escalations, reports.",
    epilog="Start with: complog demo. Every command has --help.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"complog {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="COMPLOG_DB",
            show_envvar=True,
            help="Logbook: a SQLite file path or a SQLAlchemy URL. Default: complog.db in your user-data folder.",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="COMPLOG_USER",
            show_envvar=True,
            help="Who is acting; recorded on every change. Default: your login name.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """A logbook for resolving customer complaints.

    Record what the customer said, what you promised and by when; see every
    morning what is late (complog due) and let rules escalate what goes quiet.
    """
    context = AppContext(db=db)
    if user is not None and user.strip():
        context.user = user.strip()
    ctx.obj = context
    ctx.call_on_close(context.close)


COMMANDS: list[tuple[Callable[..., None], str]] = [
    (admin.init, "init"),
    (complaints.add, "add"),
    (complaints.note, "note"),
    (promises.promise, "promise"),
    (promises.kept, "kept"),
    (promises.cancel, "cancel"),
    (promises.reschedule, "reschedule"),
    (promises.due, "due"),
    (escalations.escalate, "escalate"),
    (escalations.escalations, "escalations"),
    (escalations.ack, "ack"),
    (complaints.show, "show"),
    (complaints.list_complaints, "list"),
    (complaints.resolve, "resolve"),
    (complaints.reopen, "reopen"),
    (customers.customer, "customer"),
    (customers.customers, "customers"),
    (customers.search, "search"),
    (insight.report, "report"),
    (insight.digest, "digest"),
    (promises.calendar, "calendar"),
    (data.export, "export"),
    (data.import_, "import"),
    (data.backup, "backup"),
    (data.erase, "erase"),
    (admin.config, "config"),
    (admin.history, "history"),
    (admin.demo, "demo"),
]
for _function, _name in COMMANDS:
    app.command(_name)(_function)


def run() -> None:
    """Console-script entry point."""
    app()
