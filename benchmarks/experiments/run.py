"""Experiments (not fixes): run complog with some of the proposed changes emulated.

    COMPLOG_EXPERIMENT=no_pydantic python benchmarks/experiments/run.py --db LOGBOOK due
    COMPLOG_EXPERIMENT=no_pydantic,due_page python benchmarks/experiments/run.py --db LOGBOOK due

It changes nothing in src/: it patches the running process only, so bench.py
--experiments can measure what each proposed change would save.

no_pydantic:

Typer 0.29 coerces every non-flag parameter through a pydantic TypeAdapter,
built lazily on first use (typer/core.py `_TyperParameter.get_runtime_param`
-> typer/_coercion.py `build_runtime_param` -> typer/_adapters.py, which
imports pydantic). complog's parameters are all plain str / int (with min,
max) / bool / Enum / Optional of those, which need no pydantic. This wrapper
swaps in a small coercer for exactly those and falls back to Typer's own for
anything else, to measure what a `cls=`-level hook in cli/main.py would save.

due_page:
`due` prints every open promise due in the next 7 days and every unacknowledged
escalation: 3,700 lines at 100k, 40 at 1k. This keeps the first 50 promises
(overdue first, most late first, as now) and 20 escalations, emulating a paged
`due` that prints counts for the rest. The query still fetches every row here,
so the gain measured is a lower bound (with LIMIT in SQL it saves ~25 ms more at 100k).
"""

from __future__ import annotations

import os
import types
from enum import Enum
from typing import Any, Union, get_args, get_origin

import typer.core
from typer import _coercion
from typer._click.exceptions import BadParameter

_original = typer.core.build_runtime_param


def _plain(annotation: Any) -> Any:
    """str | None -> str; anything not simple -> None."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else None
    return annotation


class _Simple(_coercion.RuntimeParam):
    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        base = _plain(self.annotation)
        info = self.parameter_info
        if base is str:
            return str(value)
        if base is bool:
            if isinstance(value, bool):
                return value
            return str(value).lower() in ("1", "true", "yes", "y", "on")
        if base is int:
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise BadParameter(
                    f"{value!r} is not a valid integer.", ctx=ctx, param=param
                ) from None
            low, high = getattr(info, "min", None), getattr(info, "max", None)
            if (low is not None and number < low) or (high is not None and number > high):
                raise BadParameter(f"{number} is not in the range.", ctx=ctx, param=param)
            return number
        if isinstance(base, type) and issubclass(base, Enum):
            for member in base:
                if str(value) in (member.value, member.name):
                    return member
            raise BadParameter(f"{value!r} is not one of the choices.", ctx=ctx, param=param)
        raise AssertionError("unreachable")


def build_runtime_param(descriptor: Any) -> Any:
    base = _plain(descriptor.annotation)
    simple = base in (str, int, bool) or (isinstance(base, type) and issubclass(base, Enum))
    if (
        simple
        and descriptor.file_annotation is None
        and getattr(descriptor.parameter_info, "parser", None) is None
    ):
        return _Simple(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
    return _original(descriptor)


def _due_page() -> None:
    import dataclasses

    from complog import queries

    original = queries.Reader.due

    def due(self, now, *, days=7, owner=None):  # type: ignore[no-untyped-def]
        listing = original(self, now, days=days, owner=owner)
        order = {"overdue": 0, "today": 1, "upcoming": 2}
        items = sorted(
            listing.items,
            key=lambda i: (order[i.section], -i.overdue_minutes, i.due_at, i.promise_id),
        )
        return dataclasses.replace(
            listing, items=tuple(items[:50]), escalations=listing.escalations[:20]
        )

    queries.Reader.due = due  # type: ignore[method-assign]


chosen = set(filter(None, os.environ.get("COMPLOG_EXPERIMENT", "").split(",")))
if "no_pydantic" in chosen:
    typer.core.build_runtime_param = build_runtime_param
if "due_page" in chosen:
    _due_page()

from complog.cli.main import run  # noqa: E402

run()
