"""Tables that keep their point on a narrow terminal.

A listing declares its columns once, each with a priority: 0 is never dropped,
and when the terminal is too narrow the highest numbers go first. A column may
be `flexible` (it takes what is left and wraps, down to its `min_width`). When
even the essential columns do not fit, `fit` says so and the listing prints a
stacked layout instead, one record per block, that still carries its point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from rich.table import Table

Row = TypeVar("Row")

#: what SIMPLE_HEAD puts between two columns: padding, the (blank) rule, padding
GAP = 3


@dataclass(frozen=True)
class Column(Generic[Row]):
    header: str
    cell: Callable[[Row], Any]  # str or a Rich Text
    priority: int = 0
    flexible: bool = False
    #: a flexible column's narrowest useful width
    least: int = 16
    #: Rich's add_column keywords (justify, style, no_wrap, overflow, max_width, ...)
    options: dict[str, Any] = field(default_factory=dict)

    def natural_width(self, rows: Sequence[Row]) -> int:
        from rich.cells import cell_len

        widths = [cell_len(self.header)]
        for row in rows:
            value = self.cell(row)
            text = value if isinstance(value, str) else getattr(value, "plain", str(value))
            widths.extend(cell_len(line) for line in text.split("\n"))
        natural = max(widths)
        limit = self.options.get("max_width")
        return min(natural, limit) if limit else natural

    def least_width(self, rows: Sequence[Row]) -> int:
        """The width below which the column no longer does its job."""
        if not self.flexible:
            return self.natural_width(rows)
        return min(self.natural_width(rows), self.least)


def fit(
    columns: Sequence[Column[Row]], rows: Sequence[Row], width: int
) -> list[Column[Row]] | None:
    """The columns to show in `width` cells: all of them when they fit, else without
    the highest priorities first; None when the essential ones alone do not fit."""
    chosen = list(columns)
    droppable = sorted((c for c in columns if c.priority), key=lambda c: -c.priority)
    while True:
        needed = sum(c.least_width(rows) for c in chosen) + GAP * (len(chosen) - 1)
        if needed <= width:
            return chosen
        if not droppable:
            return None
        chosen.remove(droppable.pop(0))


def table(
    title: str | None,
    style: str | None,
    columns: Sequence[Column[Row]],
    rows: Sequence[Row],
    **options: Any,
) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # Rich reads a str title or cell as markup: stored text (a shared logbook's hooks_dir
    # in the hooks title) would become a hyperlink or a style, and "[vip]" would vanish.
    # As Text it is shown as typed, styled as Rich styles a title (`table.title` unless
    # the listing names one).
    shown_title = Text(title, style="table.title" if style is None else style) if title else None
    settings: dict[str, Any] = {
        "title": shown_title, "title_justify": "left", "box": box.SIMPLE_HEAD,
        "pad_edge": False, "expand": False, "show_edge": False, **options,
    }  # fmt: skip
    out = Table(**settings)
    for column in columns:
        out.add_column(column.header, **column.options)
    for row in rows:
        out.add_row(*(_as_text(column.cell(row)) for column in columns))
    return out


def _as_text(cell: Any) -> Any:
    """A str cell as Text: shown as typed, never read as Rich markup."""
    from rich.text import Text

    return Text(cell) if isinstance(cell, str) else cell
