"""Shell completion for bash, zsh and fish: commands, options, ids, customers.

`complog completion bash` prints the script the shell sources; the shell then runs
complog with `_COMPLOG_COMPLETE=complete_bash` (zsh, fish alike) to ask what fits.
Only then are Typer's completion classes loaded (`enable`), and only a completing
process opens the logbook to list open complaints, open promises and customers:
`due`, `list` and `show` pay nothing for it (tests/cli/test_startup.py).

Typer's completion scripts and classes are private API: cli/typer_internals.py holds
them, with the Typer version check.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from complog.errors import ComplogError

if TYPE_CHECKING:
    from complog.queries import Reader

#: the variable Typer's scripts set: `_{PROG}_COMPLETE`
COMPLETE_VAR = "_COMPLOG_COMPLETE"
T = TypeVar("T")
#: a customer list longer than this is no help on a terminal
MOST = 200


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


INSTALL = {
    "bash": "complog completion bash > ~/.local/share/bash-completion/completions/complog",
    "zsh": "complog completion zsh > ~/.zfunc/_complog  (with fpath+=~/.zfunc before compinit)",
    "fish": "complog completion fish > ~/.config/fish/completions/complog.fish",
}


def completion(
    shell: Annotated[
        Shell, typer.Argument(help="bash, zsh or fish.", show_default=False, metavar="SHELL")
    ],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Completes commands, options, ids of open complaints and promises, and customer
    names. Install it once, then open a new shell:

      bash: complog completion bash > ~/.local/share/bash-completion/completions/complog
      zsh:  complog completion zsh > ~/.zfunc/_complog   (fpath+=~/.zfunc before compinit)
      fish: complog completion fish > ~/.config/fish/completions/complog.fish

    Example: complog completion bash > ~/.local/share/bash-completion/completions/complog
    """
    from complog.render import output

    output.say(script(shell.value).rstrip("\n"))


def script(shell: str) -> str:
    """The script Typer writes for `shell`, calling complog by its name."""
    from complog.cli.typer_internals import completion_script

    return completion_script("complog", COMPLETE_VAR, shell)


def enable() -> None:
    """Register Typer's completion classes, when (and only when) a shell asks."""
    if os.environ.get(COMPLETE_VAR):
        from complog.cli.typer_internals import register_completion_classes

        register_completion_classes()


# -- what the shell is offered: read from the logbook the command line names ---------------


def open_complaints(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Ids of open complaints, each with its customer and summary."""
    from complog.rows import ComplaintFilter

    rows = _read(ctx, lambda reader: reader.complaints(ComplaintFilter(status="open")))
    return [(str(c.id), _help(f"{c.customer}: {c.summary}")) for c in rows]


def open_promises(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Ids of open promises, each with what was promised and its complaint."""
    rows = _read(ctx, lambda reader: reader.open_promises())
    return [(str(p.id), _help(f"#{c.id} {c.customer}: {p.text}")) for p, c in rows]


def customers(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Customer names that start with what was typed (ignoring case), busiest first."""
    from complog.render.text import safe

    typed = incomplete.casefold()
    rows = _read(ctx, lambda reader: reader.customers())
    # The shell prints a candidate as it is: a name that safe() would change (an escape
    # sequence, a bidi override, a newline that forges a second candidate) is typed, not
    # offered: shown escaped, it would complete to a customer that does not exist.
    names = [
        r
        for r in rows
        if r.customer.casefold().startswith(typed)
        and safe(r.customer) == r.customer
        and "\n" not in r.customer
        and "\t" not in r.customer  # fish reads a tab as the start of the description
    ][:MOST]
    # Typer offers only values that start with what was typed, case and all.
    return [
        (
            incomplete + r.customer[len(incomplete) :],
            f"{r.complaints} complaint{'' if r.complaints == 1 else 's'}",
        )
        for r in names
    ]


def _read(ctx: typer.Context, query: Callable[[Reader], list[T]]) -> list[T]:
    """What `query` reads from the logbook; nothing when it cannot be read."""
    reader = _reader(ctx)
    if reader is None:
        return []
    try:
        return query(reader)
    except ComplogError:
        return []
    finally:
        reader.close()


def _reader(ctx: typer.Context) -> Reader | None:
    """The logbook this command line names (--db, COMPLOG_DB, the config file), read
    only; None when there is none yet or it cannot be opened: completion stays quiet."""
    from complog.context import AppContext

    root = ctx.find_root()
    db = root.params.get("db")
    try:
        if db is None and "COMPLOG_DB" not in os.environ:
            from complog.userconfig import load

            db = load().logbook()
        reader = AppContext(db=db).reader()
        if not reader.exists:
            reader.close()
            return None
        return reader
    except ComplogError:
        return None


def _help(text: str) -> str:
    from complog.render.text import safe

    return safe(text, one_line=True)[:60]
