"""Where output goes and in which format: stdout for results, stderr for messages."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

FORMATS = ("table", "json", "csv", "plain")


def default_format(requested: str | None) -> str:
    """`table` on a terminal, `plain` in a pipe, unless asked otherwise."""
    if requested:
        return requested
    return "table" if sys.stdout.isatty() else "plain"


def stdout_console() -> Console:
    from rich.console import Console

    # Rich honours NO_COLOR and never emits escapes when stdout is not a terminal.
    # Its own wrapper, not a TextIO: every attribute but `write` is the real stream's.
    safe_stream = _TerminalSafe(sys.stdout)
    console = Console(file=cast(IO[str], safe_stream), highlight=False, emoji=False)
    # Rich writes style codes only with a colour system (a terminal, or FORCE_COLOR);
    # without one, an escape sequence in the text can only have come from stored text.
    safe_stream.styled = console.color_system is not None
    return console


class _TerminalSafe:
    """Standard output as Rich writes to it, with `inert` applied to everything but
    the colour codes Rich itself adds on a terminal: a table cell, panel or title
    built from stored text is safe here even when its view forgot `safe()`. (On a
    terminal a colour code in such text would pass as one of Rich's: colour only,
    which cannot move the cursor, set a title or reach the clipboard.)"""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        #: whether Rich writes style codes here (then those are kept)
        self.styled = True

    def write(self, text: str) -> int:
        from complog.render.text import outside_styles

        self._stream.write(outside_styles(text, inert) if self.styled else inert(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # isatty, flush, encoding...
        return getattr(self._stream, name)


def show(*renderables: RenderableType) -> None:
    console = stdout_console()
    for item in renderables:
        console.print(item)


def inert(text: str) -> str:
    """Text as it may reach a terminal: every line complog writes passes here, so
    stored text (a customer's name, a note, a setting) can never carry an escape
    sequence, a bell or a bidi override to the screen, whatever the call site did.
    Newlines and tabs stay; the views keep plain output to one record per line."""
    from complog.render.text import safe

    return safe(text)


def say(text: str) -> None:
    """A result line on stdout (`Logged complaint 3 for Acme`)."""
    sys.stdout.write(inert(text) + "\n")


def lines(rows: Iterable[str]) -> None:
    sys.stdout.writelines(inert(row) + "\n" for row in rows)


def note(text: str) -> None:
    """A message for the person, not the pipe: stderr."""
    sys.stderr.write(inert(text) + "\n")


def warn(text: str) -> None:
    sys.stderr.write(f"warning: {inert(text)}\n")


def emit_bytes(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def emit_json(data: Any) -> None:
    """JSON on stdout, inert on a terminal: json.dumps escapes C0 controls itself;
    C1 controls and bidi overrides become \\u escapes too (the same JSON)."""
    from complog.render.jsontext import dumps
    from complog.render.text import json_inert

    # One write: json.dump writes each token separately (400,000 writes for a large
    # report). jsontext.dumps is json.dumps(indent=2), byte for byte, with C speed.
    sys.stdout.write(json_inert(dumps(data)) + "\n")


#: emit_json_streamed writes once it holds this many characters (or 1,000 pieces)
_STREAM_CHARS = 1 << 20


def emit_json_streamed(data: Mapping[str, Any], streamed: Mapping[str, Iterable[Any]]) -> None:
    """`emit_json(data)` byte for byte (inert text included), but each key of `streamed` is written from its
    iterable as it is read instead of from a list in memory (`show --format json`
    of a complaint with 100,000 notes), a thousand items or a megabyte to a write
    (whichever comes first: a thousand notes of a megabyte each are not held)."""
    from complog.render.jsontext import dumps
    from complog.render.text import json_inert

    pending: list[str] = []
    held = 0  # characters in pending

    def write(text: str) -> None:
        nonlocal held
        pending.append(text)
        held += len(text)
        if len(pending) >= 1000 or held >= _STREAM_CHARS:
            flush()

    def flush() -> None:
        nonlocal held
        # as emit_json: inert on a terminal (each piece is whole JSON tokens)
        sys.stdout.write(json_inert("".join(pending)))
        pending.clear()
        held = 0

    write("{")
    for number, (key, value) in enumerate(data.items()):
        write(("," if number else "") + "\n  " + json.dumps(key, ensure_ascii=False) + ": ")
        if key not in streamed:
            write(dumps(value, "  "))
            continue
        empty = True
        for item in streamed[key]:
            write(("[\n    " if empty else ",\n    ") + dumps(item, "    "))
            empty = False
        write("[]" if empty else "\n  ]")
    write("\n}\n" if data else "}\n")
    flush()


def emit_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """CSV with a header row; nested values are written as JSON text."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(col)) for col in columns])


def _cell(value: Any) -> Any:
    """Listings' CSV keeps text but makes control characters inert (terminal escapes);
    `export` writes its own CSV, byte for byte."""
    if value is None:
        return ""
    if isinstance(value, str):
        from complog.render.text import safe

        return safe(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        from complog.render.text import json_inert

        return json_inert(json.dumps(value, ensure_ascii=False))
    return value
