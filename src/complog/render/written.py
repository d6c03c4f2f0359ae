"""What a write command prints: a sentence for a person, or, with `--format json`
(or csv), the object it created or changed, with its id, for a script.

The objects are the shapes of render/shapes.py (a promise as in `show --format
json`'s promises, an escalation as in `escalations`), so a script reads one shape
whichever command gave it. The JSON is built only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from complog.render import output


def changed(fmt: str, sentence: str, shape: Callable[[], dict[str, Any]]) -> None:
    """`sentence` on stdout for table and plain; the object `shape()` for json and csv."""
    if fmt == "json":
        output.emit_json(shape())
    elif fmt == "csv":
        data = shape()
        output.emit_csv([data], list(data))
    else:
        output.say(sentence)
