"""A listing declared once, shown in every format by one renderer.

Each listing (list, history, escalations, ...) declares its four faces in one
place: the JSON shape of the spec (`json`, whose keys `csv` lists in order), the
plain record (`plain`: fields joined by tabs, one record per line whatever the
text holds), and the table's columns (render.columns: header, cell, priority).
`show` picks the face for the format; escaping happens where text is written
(render.output), not in each listing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from complog.render import output
from complog.render.columns import Column, fit, table
from complog.render.text import safe

Row = TypeVar("Row")


@dataclass(frozen=True)
class Listing(Generic[Row]):
    json: Callable[[Row], dict[str, Any]]
    csv: Sequence[str]
    plain: Sequence[Callable[[Row], str]]
    columns: Sequence[Column[Row]]
    #: what the table says when there is nothing to list (None: an empty table)
    empty: str | None = None
    #: keyword arguments of the table itself (title, ...)
    table_options: dict[str, Any] = field(default_factory=dict)
    #: the JSON of the whole listing when it is not a list of `json` objects (config's
    #: object of settings)
    document: Callable[[Sequence[Row]], Any] | None = None


def show(listing: Listing[Row], rows: Sequence[Row], fmt: str) -> None:
    if fmt == "json":
        output.emit_json(
            listing.document(rows) if listing.document else [listing.json(r) for r in rows]
        )
    elif fmt == "csv":
        output.emit_csv([listing.json(r) for r in rows], listing.csv)
    elif fmt == "plain":
        output.lines("\t".join(safe(f(r), one_line=True) for f in listing.plain) for r in rows)
    else:
        from rich.text import Text

        if not rows and listing.empty is not None:
            output.show(Text(listing.empty, style="dim"))
            return
        console = output.stdout_console()
        columns = fit(listing.columns, rows, console.width) or [
            c for c in listing.columns if not c.priority
        ]
        table_or_stacked(console, columns, rows, list, **listing.table_options)


def table_or_stacked(
    console: Any,
    columns: Sequence[Column[Row]] | None,
    rows: Sequence[Row],
    stacked: Callable[[], Sequence[Any]],
    title: str | None = None,
    title_style: str | None = "",
    **options: Any,
) -> None:
    """The rows as a table of `columns`; when `columns` is None (the terminal is too
    narrow for the essential ones) the title, then `stacked()`'s blocks."""
    from rich.text import Text

    if columns is not None:
        console.print(table(title, title_style, columns, rows, **options))
        return
    if title is not None:
        console.print(Text(title, style=title_style or ""))
    for block in stacked():
        console.print(block)
