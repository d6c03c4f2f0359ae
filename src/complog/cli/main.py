"""The root app: global options, the command list, and errors -> exit codes.

Every ComplogError is translated here, once, into one or two lines on stderr
and its exit code (SPEC: 2 usage, 3 not found, 4 conflict, 5 storage).
Anything unexpected is a bug: one line pointing to COMPLOG_DEBUG=1, never a
traceback full of customer data.
"""

from __future__ import annotations

import gc
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from complog import __version__
from complog.cli import (
    admin,
    coerce,
    complaints,
    completion,
    customers,
    data,
    escalations,
    hooks,
    insight,
    promises,
    streams,
)
from complog.cli.typer_internals import (
    ClickException,
    NoSuchOption,
    ParameterSource,
    TyperGroup,
    UsageError,
    lazy_group,
    on_help_option,
)
from complog.context import AppContext
from complog.errors import ComplogError, InvalidInput


def _fail(message: str, hint: str | None, code: int) -> int:
    """The one place errors are written: inert, whatever text they quote (file names too)."""
    from complog.render.text import safe

    streams.error_line(f"complog: error: {safe(message)}\n" + (f"  {safe(hint)}\n" if hint else ""))
    return code


WHEN_OPTIONS = {"due", "at", "since", "until"}


def _no_type(ctx: Any) -> None:
    return None


def _tidy_metavars(command: Any) -> None:
    """Name what each option takes (WHEN, TEXT, N, CHANNEL) instead of Typer's
    <str>/<bool> and long <a|b|c> columns that wrap mid-word at 80 columns."""
    for param in command.params:
        descriptor = getattr(param, "type_descriptor", None)
        if param.param_type_name == "argument":
            param.display_type_rich = _no_type  # the name already says what it is
            if param.metavar is None:
                param.metavar = (param.name or "value").upper()
            continue
        if param.metavar is not None:
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif descriptor is not None and descriptor.is_choice and descriptor.choices:
            param.metavar = (param.name or "value").upper()
            choices = [str(getattr(c, "value", c)) for c in descriptor.choices]
            param.help = f"{param.help or ''} One of: {', '.join(choices)}.".strip()
        elif param.name in WHEN_OPTIONS:
            param.metavar = "WHEN"
        elif descriptor is not None and descriptor.annotation is int:
            param.metavar = "N"
        else:
            param.metavar = "TEXT"
    on_help_option(command, _no_metavar)


def _no_metavar(option: Any) -> None:
    option.metavar = ""


def _summary(help_text: str) -> str:
    """A command's line in `complog --help`: its first paragraph as one line, which
    Rich wraps at the terminal's width (Typer keeps the docstring's line breaks, so
    `wait` and `check` broke mid-sentence)."""
    return " ".join(inspect.cleandoc(help_text).split("\n\n", 1)[0].split())


class Interrupted(Exception):
    """Ctrl-C while a command ran. Typer turns KeyboardInterrupt into a silent
    exit 130; complog says, as for Ctrl-D, that nothing was saved."""


class ComplogGroup(TyperGroup):
    """Runs commands in non-standalone mode so errors are formatted here."""

    #: the command's context, to tell after an output error whether it saved a change
    _app: AppContext | None = None

    def invoke(self, ctx: Any) -> Any:
        ComplogGroup._app = None
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted from None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tidy_metavars(self)
        coerce.install(self)
        for command in self.commands.values():  # none when built by run(): see prepare
            self.prepare(command)

    @staticmethod
    def prepare(command: Any) -> None:
        _tidy_metavars(command)
        coerce.install(command)  # no pydantic for plain values (~90 ms a command)
        if command.short_help is None and command.help:
            command.short_help = _summary(command.help)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        completion.enable()  # only when a shell asks (_COMPLOG_COMPLETE): no cost otherwise
        if os.environ.get("COLUMNS", "x").strip("0") == "":
            # COLUMNS=0 made every table and --help blank: no width is no width given.
            del os.environ["COLUMNS"]
        if streams.reopen_closed_descriptors():
            code = _fail("cannot write output: standard output is closed", None, 5)
        else:
            with streams.guarded_output():
                code = self._output_checked(args, prog_name or "complog", complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _output_checked(
        self, args: Sequence[str] | None, prog_name: str, complete_var: str | None, **extra: Any
    ) -> int:
        """_run, then the last flush of stdout, both with polite output errors:
        `complog list | head` (the reader went away) is not an error."""
        try:
            code = self._run(args, prog_name, complete_var, **extra)
            sys.stdout.flush()
            return code
        except (streams.ReaderGone, BrokenPipeError):
            streams.silence()
            return 0
        except streams.OutputError as exc:
            streams.silence()
            if ComplogGroup._app is not None and ComplogGroup._app.has_saved:
                exc.after_saving()
            return _fail(exc.message, exc.hint, exc.exit_code)

    def _run(
        self, args: Sequence[str] | None, prog_name: str, complete_var: str | None, **extra: Any
    ) -> int:
        debug = os.environ.get("COMPLOG_DEBUG") == "1"
        undecodable = _first_undecodable(sys.argv[1:] if args is None else args)
        if undecodable is not None:
            return _fail(
                f"argument '{undecodable}' is not valid UTF-8 text",
                "complog keeps text as UTF-8; check the terminal's locale (LANG)",
                2,
            )
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            return result if isinstance(result, int) else 0
        except (streams.ReaderGone, BrokenPipeError, streams.OutputError):
            raise  # for _output_checked
        except ComplogError as exc:
            if debug:
                raise
            from complog.render.text import one_record

            # complog's own messages are one line each; a newline is in a value they quote
            return _fail(one_record(exc.message), exc.hint and one_record(exc.hint), exc.exit_code)
        except UsageError as exc:
            if not exc.format_message():  # `complog` alone: the help was the answer
                return 0
            # Typer's pydantic-based conversion prefixes "Value error, ": noise for a user.
            exc.message = exc.message.replace("Value error, ", "")
            hint = None
            if exc.ctx is not None:
                hint = f"see '{exc.ctx.command_path} --help'"
            if isinstance(exc, NoSuchOption):
                message, hint = _unknown_option(exc, hint)
                return _fail(message, hint, exc.exit_code)
            return _fail(exc.format_message(), hint, exc.exit_code)
        except ClickException as exc:
            return _fail(exc.format_message(), None, exc.exit_code)
        except typer.Abort:
            streams.error_line("\nAborted; nothing was saved.\n")
            return 2
        except SystemExit as exc:  # Typer exits itself on a broken pipe
            return exc.code if isinstance(exc.code, int) else 1
        except (KeyboardInterrupt, Interrupted):
            if ComplogGroup._app is not None and ComplogGroup._app.has_saved:
                streams.error_line(
                    "\nInterrupted after the change was saved (complog history shows it);"
                    " do not repeat it.\n"
                )
            else:
                streams.error_line("\nInterrupted; nothing was saved.\n")
            return 130
        except Exception as exc:  # noqa: BLE001 - the single top-level handler
            if debug:
                raise
            return _fail(
                f"unexpected {type(exc).__name__}; this is probably a bug in complog",
                "run again with COMPLOG_DEBUG=1 to see the details",
                1,
            )


#: the root's own options (and what they take): after a command, they are in the wrong place
GLOBAL_OPTIONS = {"--db": " FILE", "--user": " NAME", "--no-pager": "", "--version": ""}


def _unknown_option(exc: NoSuchOption, hint: str | None) -> tuple[str, str | None]:
    """`show -1` is a negative id, not an option; `due --db X` is a global option
    given after the command. Everything else keeps Click's words."""
    name = exc.option_name
    command = exc.ctx.command_path if exc.ctx is not None else "complog"
    if name[1:].isdigit():
        return (
            f"{name} is not an id: ids are positive numbers",
            f"{command} takes an id as complog prints it, e.g. 12 (see '{command} --help')",
        )
    option = name.split("=", 1)[0]
    if option in GLOBAL_OPTIONS and exc.ctx is not None and exc.ctx.parent is not None:
        subcommand = command.split(" ", 1)[1] if " " in command else ""
        return (
            f"{option} is a global option: it goes before the command",
            f"e.g. complog {option}{GLOBAL_OPTIONS[option]} {subcommand} ...",
        )
    return exc.format_message(), hint


def _first_undecodable(args: Sequence[str]) -> str | None:
    """An argument whose bytes were not UTF-8 (Python keeps them as lone surrogates)."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            try:
                raw = arg.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:
                raw = arg.encode("utf-8", "backslashreplace")
            from complog.render.text import safe

            return safe(raw.decode("utf-8", "backslashreplace"), one_line=True)
    return None


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
            help="Logbook: a SQLite file (or sqlite:///path), or a team's PostgreSQL database"
            " as postgresql+psycopg://user@host/db. Default: complog.db in your user-data folder.",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="COMPLOG_USER",
            show_envvar=True,
            help="Who is acting; recorded on every change. Default: your login name (on"
            " PostgreSQL: your database role; another name needs the complog_admin role).",
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Default output format for listings: table, plain, json or csv.",
        ),
    ] = None,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Never page long output (default: a pager when the output is longer than"
            " the terminal: COMPLOG_PAGER, pager in the config file, PAGER, less -FRX).",
        ),
    ] = False,
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
    if format is not None and format not in ("table", "plain", "json", "csv"):
        raise InvalidInput(f"unknown format {format!r}", "use --format table, plain, json or csv")
    from complog import userconfig

    file = userconfig.load()  # a bad file is an error naming its line, before any work
    sources = {
        "logbook": _source(ctx, "db", "--db", "COMPLOG_DB"),
        "user": _source(ctx, "user", "--user", "COMPLOG_USER"),
        "format": _source(ctx, "format", "--format", None),
    }
    if db is None and "COMPLOG_DB" not in os.environ and file.logbook() is not None:
        db, sources["logbook"] = file.logbook(), file.source("logbook")
    if user is None and "COMPLOG_USER" in os.environ:
        user = os.environ["COMPLOG_USER"]  # Click reads an empty variable as unset
        sources["user"] = "COMPLOG_USER"
    if user is None and file.text("user") is not None:
        user, sources["user"] = file.text("user"), file.source("user")
    if format is None and file.text("format") is not None:
        format, sources["format"] = file.text("format"), file.source("format")
    context = AppContext(db=db, format=format, sources=sources)
    ComplogGroup._app = context
    if user is not None:
        context.set_user(user)
    ctx.obj = context
    ctx.call_on_close(context.finish)
    configured = file.values.get("pager")
    context.pager_given = (
        no_pager,
        configured,
        file.source("pager") if configured is not None else "",
    )
    if ctx.invoked_subcommand in PAGED_COMMANDS and sys.stdout.isatty():
        from complog.render import pager

        def for_people() -> bool:  # known once the command chose its format
            return context.output_format in (None, *pager.PAGED_FORMATS)

        paged = pager.start(context.pager_choice()[0], for_people)
        if paged is not None:
            ctx.call_on_close(paged.finish)  # runs first: output, then the hooks' messages


#: commands whose output a person reads: paged on a terminal when longer than it
PAGED_COMMANDS = frozenset({
    "due", "list", "show", "history", "escalations", "customers", "customer", "search",
    "report", "digest", "config", "check", "doctor", "hooks",
})  # fmt: skip


def _source(ctx: typer.Context, name: str, flag: str, variable: str | None) -> str:
    """Where a root option's value came from: the flag, its variable, or nowhere yet."""
    given = ctx.get_parameter_source(name)
    if given == ParameterSource.COMMANDLINE:
        return flag
    if given == ParameterSource.ENVIRONMENT and variable is not None:
        return variable
    return "default"


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
    (complaints.edit, "edit"),
    (complaints.wait, "wait"),
    (complaints.resume, "resume"),
    (complaints.check, "check"),
    (customers.customer, "customer"),
    (customers.merge_customers, "merge-customers"),
    (customers.customers, "customers"),
    (customers.search, "search"),
    (insight.report, "report"),
    (insight.digest, "digest"),
    (promises.calendar, "calendar"),
    (data.export, "export"),
    (data.import_, "import"),
    (data.backup, "backup"),
    (data.erase, "erase"),
    (data.migrate_to, "migrate-to"),
    (admin.config, "config"),
    (admin.doctor, "doctor"),
    (admin.history, "history"),
    (hooks.hooks, "hooks"),
    (admin.undo, "undo"),
    (admin.demo, "demo"),
    (admin.db, "db"),
    (completion.completion, "completion"),
]
for _function, _name in COMMANDS:
    app.command(_name)(_function)


def run() -> None:
    """Console-script entry point: builds only the command that runs (Typer's own
    `app()` builds all of them first, 40 ms of every command).

    On the way out, every object still alive is moved out of the garbage collector's
    reach (`gc.freeze`): the interpreter's teardown otherwise walks all of them in full
    collections, 80-100 ms of every command once SQLAlchemy is loaded, to free memory
    the process is about to hand back anyway. Nothing waits on that collection: the
    commands close their files and connections themselves (test_exit_leaves_no_wal)."""
    try:
        lazy_group(app, ComplogGroup.prepare)()
    finally:
        gc.freeze()
