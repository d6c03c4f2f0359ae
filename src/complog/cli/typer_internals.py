"""Every use of Typer's private API, in one place, for the Typer versions tested.

complog reaches past Typer's public API for three things:

- converting plain parameter values without pydantic (cli/coerce.py; ~90 ms of
  every `due`, `list` and `show`): `typer._coercion`, `typer._param_types`;
- Click's exceptions and current context, which Typer 0.29 ships as its own copy
  of Click (`typer._click`);
- the `--help` option Click makes on first use, which both the metavar tidying
  (cli/main.py) and the fast conversion adjust (`on_help_option`);
- shell completion (cli/completion.py): Typer's completion scripts and the shell
  classes it registers only when `add_completion` is on (`completion_script`,
  `register_completion_classes`, both loaded only when used);
- building a command only when it is looked up (`lazy_group`): Typer builds every
  command of an app before it parses the command line (40 ms for complog's 39).

Any Typer release may move these, so the installed version is checked here, at
import, and a version complog was not tested with stops every command (and the
test suite) with a message saying which one to install. Widen SUPPORTED, and the
pin in pyproject.toml, only as far as the tests prove.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer

#: Typer versions (prefixes) the test suite passed with
SUPPORTED = ("0.29.",)
PIN = "typer>=0.29,<0.30"


def check_version(version: str) -> None:
    """Stop, with a message that says what to install, on an untested Typer."""
    if not version.startswith(SUPPORTED):
        raise SystemExit(
            f"complog: error: complog was tested with Typer {', '.join(v + 'x' for v in SUPPORTED)},"
            f" and Typer {version} is installed\nhint: pip install '{PIN}'"
        )


check_version(typer.__version__)

from typer._click.core import ParameterSource  # noqa: E402
from typer._click.exceptions import (  # noqa: E402
    ClickException,
    MissingParameter,
    NoSuchOption,
    UsageError,
)
from typer._click.globals import get_current_context  # noqa: E402
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param  # noqa: E402
from typer._param_types import coerce_cli_choice  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

__all__ = [
    "PIN",
    "SUPPORTED",
    "ClickException",
    "MissingParameter",
    "NoSuchOption",
    "ParameterSource",
    "RuntimeParam",
    "TypeDescriptor",
    "TyperGroup",
    "UsageError",
    "build_runtime_param",
    "check_version",
    "coerce_cli_choice",
    "completion_script",
    "get_current_context",
    "lazy_group",
    "on_help_option",
    "register_completion_classes",
    "set_runtime_param",
]


def on_help_option(command: Any, adjust: Callable[[Any], None]) -> None:
    """Call `adjust(option)` on the --help option Click builds for `command` on
    first use (it is not in `command.params`). Adjusters run in the order given."""
    adjusters: list[Callable[[Any], None]] | None = getattr(
        command, "_complog_help_adjusters", None
    )
    if adjusters is None:
        adjusters = []
        original = command.get_help_option

        def help_option(ctx: Any) -> Any:
            option = original(ctx)
            if option is not None:
                for each in adjusters:
                    each(option)
            return option

        command.get_help_option = help_option
        command._complog_help_adjusters = adjusters
    adjusters.append(adjust)


def set_runtime_param(param: Any, runtime: RuntimeParam) -> bool:
    """Give a Click parameter Typer made its value converter up front (Typer builds
    one on first use otherwise); False when it already has one."""
    if getattr(param, "_runtime_param", None) is not None:
        return False
    param._runtime_param = runtime
    return True


def build_each_command_once(monkeypatch: Any) -> None:
    """Tests: typer.testing.CliRunner rebuilds the Click command on every invoke
    (milliseconds each, thousands of invokes in the property tests); cache it."""
    import functools

    import typer.main
    import typer.testing

    monkeypatch.setattr(typer.testing, "_get_command", functools.cache(typer.main.get_command))


def completion_script(prog_name: str, complete_var: str, shell: str) -> str:
    """The script Typer writes for `shell` (bash, zsh, fish) to source."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=prog_name, complete_var=complete_var, shell=shell)


def register_completion_classes() -> None:
    """Typer's shell classes (its `complete_bash` instruction order), which Typer itself
    registers only for apps built with add_completion=True."""
    from typer._completion_classes import completion_init

    completion_init()


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands by name, each built from its Typer declaration on first
    lookup. The names are known up front (help, suggestions for a typo, completion);
    a command line runs one command, so it builds one."""

    def __init__(self, declared: dict[str, Any], build: Callable[[Any], Any]) -> None:
        self._declared = declared
        self._build = build
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._build(self._declared[name])
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._declared.setdefault(name, None)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._declared[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._declared)

    def __len__(self) -> int:
        return len(self._declared)


def lazy_group(app: typer.Typer, prepare: Callable[[Any], None]) -> Any:
    """The Click group Typer would build for `app`, with its commands built (and
    given to `prepare`) only when looked up."""
    import typer.main

    declared = app.registered_commands
    app.registered_commands = []
    try:
        group = typer.main.get_group(app)
    finally:
        app.registered_commands = declared

    def build(info: Any) -> Any:
        command = typer.main.get_command_from_info(
            info,
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )
        prepare(command)
        return command

    names = {
        typer.main.get_command_name(str(i.name or getattr(i.callback, "__name__", ""))): i
        for i in declared
    }
    group.commands = LazyCommands(names, build)
    return group
