"""Free text from anywhere: the command line, standard input, or an editor.

`-` in place of a text (`complog note 12 -`, `--reason -`) reads it from standard
input, so a call note written elsewhere can be piped in. A required text left out
on a terminal opens $VISUAL or $EDITOR, as `git commit` does: lines starting with
'#' are comments, and an empty text saves nothing. Off a terminal (cron, pipes) no
editor ever opens: the missing text is the usual usage error, exit 2.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from complog.cli.typer_internals import MissingParameter
from complog.errors import InvalidInput, StorageError

#: what `-` stands for
STDIN = "-"
#: a text read from standard input is bounded: the longest note is 200,000 characters
STDIN_LIMIT = 1 << 20
#: as git: when neither $VISUAL nor $EDITOR is set
DEFAULT_EDITOR = "vi"


def given_text(ctx: Any, value: str | None, *, what: str) -> str | None:
    """An optional text as given: `-` reads standard input; None stays None."""
    if value == STDIN:
        return read_stdin(ctx, what)
    return value


def required_text(ctx: Any, value: str | None, *, param: str, what: str, about: str = "") -> str:
    """A required text: as given, `-` from standard input, or (left out on a
    terminal) written in the editor. `param` names the parameter for the usual
    "Missing argument" error; `about` says in the editor what the text is for."""
    if value is not None:
        return given_text(ctx, value, what=what) or ""
    if sys.stdin is not None and sys.stdin.isatty():
        return edit_text(what, about)
    command = ctx.command
    parameter = next((p for p in command.params if p.name == param), None)
    raise MissingParameter(ctx=ctx, param=parameter)


def read_stdin(ctx: Any, what: str) -> str:
    """Standard input as one text, read once per command (a second `-` has nothing left)."""
    from complog.cli.options import app_context

    app = app_context(ctx)
    if app.stdin_taken_by is not None:
        raise InvalidInput(
            f"standard input can give only one text: it already gave the {app.stdin_taken_by}",
            f"give the {what} on the command line",
        )
    app.stdin_taken_by = what
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    if stream is None:
        raise InvalidInput(f"there is no standard input to read the {what} from")
    data = stream.read(STDIN_LIMIT + 1)
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    if len(raw) > STDIN_LIMIT:
        raise InvalidInput(
            f"the {what} on standard input is longer than {STDIN_LIMIT // (1 << 20)} MiB",
            "attach long documents elsewhere and note where they are",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"the {what} on standard input is not UTF-8 text",
            "convert it first, e.g. iconv -t UTF-8",
        ) from None


def editor_command() -> str:
    """$VISUAL, then $EDITOR, then vi (git's order)."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    if os.environ.get("TERM") == "dumb":
        raise InvalidInput(
            "no editor: this terminal is 'dumb' and neither VISUAL nor EDITOR is set",
            "give the text on the command line, or '-' to read it from standard input",
        )
    return DEFAULT_EDITOR


def edit_text(what: str, about: str = "") -> str:
    """Open the editor on a private scratch file and return what was written,
    without '#' comment lines. An empty result aborts: nothing is saved."""
    from complog.files import scratch_file

    editor = editor_command()
    purpose = f" {about}" if about else ""
    template = (
        "\n"
        f"# Write the {what}{purpose}, then save and close the editor.\n"
        "# Lines starting with '#' are ignored; an empty text saves nothing.\n"
    )
    sys.stdout.flush()
    with scratch_file(f"complog-{what.replace(' ', '-')}.txt", template) as path:
        code = _run_editor(editor, str(path))
        if code != 0:
            found = code != 127
            raise InvalidInput(
                f"the editor ({editor}) {'exited with status ' + str(code) if found else 'was not found'};"
                " nothing was saved",
                "set VISUAL or EDITOR to an editor that is installed"
                if not found
                else f"give the {what} on the command line, or '-' to read standard input",
            )
        written = _read_back(path, what)
    try:
        decoded = written.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"the {what} the editor saved is not UTF-8 text; nothing was saved",
            "save the file as UTF-8",
        ) from None
    text = "\n".join(line for line in decoded.splitlines() if not line.startswith("#")).strip()
    if not text:
        raise InvalidInput(
            f"the {what} is empty; nothing was saved",
            f"write the {what} in the editor, or give it on the command line",
        )
    return text


def _read_back(path: Any, what: str) -> bytes:
    """What the editor saved, bounded as standard input is: an editor (or a wrapper)
    that leaves a FIFO or a gigabyte must not hang complog or fill its memory."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise StorageError(
            f"cannot read back what the editor saved: {exc.strerror or exc}"
        ) from None
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InvalidInput(
                "the editor left something that is not a file; nothing was saved",
                f"give the {what} on the command line, or '-' to read standard input",
            )
        try:
            written = file.read(STDIN_LIMIT + 1)
        except OSError as exc:
            raise StorageError(
                f"cannot read back what the editor saved: {exc.strerror or exc}"
            ) from None
    if len(written) > STDIN_LIMIT:
        raise InvalidInput(
            f"the {what} the editor saved is longer than {STDIN_LIMIT // (1 << 20)} MiB;"
            " nothing was saved",
            "attach long documents elsewhere and note where they are",
        )
    return written


def _run_editor(editor: str, path: str) -> int:
    """Run the editor as git does (`sh -c '$EDITOR "$@"'`, so `code --wait` works) on
    the terminal. complog ignores Ctrl-C meanwhile: it belongs to the editor."""
    import signal
    import subprocess

    stdout: Any = None
    tty = None
    if not sys.stdout.isatty():  # `complog note 1 -f json > out`: the editor still needs the screen
        from complog.files import controlling_terminal

        tty = stdout = controlling_terminal()  # closed below, after the editor
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = subprocess.run(  # noqa: S603 - the user's own editor, as git runs it
            ["/bin/sh", "-c", f'{editor} "$@"', editor, path], stdout=stdout, check=False
        )
    except OSError as exc:
        raise InvalidInput(f"cannot start the editor ({editor}): {exc.strerror or exc}") from None
    finally:
        signal.signal(signal.SIGINT, previous)
        if tty is not None:
            tty.close()
    if process.returncode == -signal.SIGINT or process.returncode == 128 + signal.SIGINT:
        raise KeyboardInterrupt
    return process.returncode
