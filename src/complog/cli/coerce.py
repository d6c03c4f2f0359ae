"""Parameter conversion without pydantic, for the values that need none.

Typer 0.29 converts every non-flag parameter through a pydantic `TypeAdapter`,
built on first use (`typer/core.py` `_TyperParameter.get_runtime_param` ->
`typer/_coercion.py` `build_runtime_param` -> `typer/_adapters.py`). Importing
pydantic for that costs ~90-100 ms of every `due`, `list` and `show` (see
docs/performance.md), and complog's parameters are all plain `str`, `int`
(some with min/max), `bool` flags, an `Enum` (Typer strips `Optional`) or a
`list[str]` of trailing arguments (`complog hooks trust NAME...`).

`install` gives each such parameter a `FastParam` up front. It takes the
values that are unambiguous (any str for a str, a bool for a bool, a str of ASCII digits within
the bounds for an int, an exact choice for an Enum, strs for a list[str]) and hands everything else
to Typer's own converter, built only then. So the values accepted and the
usage errors are Typer's by construction (" 3 ", "1.0", "3_0" still parse as
pydantic parses them; "x" still gets pydantic's message), and only the common
case skips pydantic. Anything not listed above keeps Typer's converter.
An id (`options.IdParser`: 12, #12, P3, E2) is read by complog's own parser,
whose errors are in complog's words.

Typer's private API is reached only through cli/typer_internals.py, which checks
the installed version; tests/cli/test_startup.py checks both the imports and the
error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any

from complog.cli.options import IdParser
from complog.cli.typer_internals import (
    RuntimeParam,
    TypeDescriptor,
    build_runtime_param,
    coerce_cli_choice,
    on_help_option,
    set_runtime_param,
)

#: at most 18 digits: always an int64, and no leading zeros, signs or spaces,
#: whose handling is left to pydantic
_PLAIN_INT = re.compile(r"(?:0|[1-9][0-9]{0,17})")


@dataclass(frozen=True)
class FastParam(RuntimeParam):
    """Converts the plain values itself and defers everything else to Typer."""

    descriptor: TypeDescriptor

    @cached_property
    def typer_param(self) -> RuntimeParam:
        return build_runtime_param(self.descriptor)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        annotation = self.annotation
        if self.parameter_info.parser is not None:  # complog's own (ids): all its words
            return self.parameter_info.parser(value)
        if annotation == list[str]:
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                return list(value)
        elif annotation is str or annotation is bool:
            if isinstance(value, annotation):
                return value
        elif annotation is int:
            number = _plain_int(value)
            if number is not None and self._within_bounds(number):
                return number
        elif isinstance(annotation, type) and issubclass(annotation, Enum):
            if isinstance(value, annotation):
                return value
            if isinstance(value, str) and ctx.token_normalize_func is None:
                try:
                    return coerce_cli_choice(
                        value,
                        choices=tuple(annotation),
                        case_sensitive=self.parameter_info.case_sensitive,
                        ctx=ctx,
                    )
                except ValueError:
                    pass  # not a choice: Typer's converter words the error
        return self.typer_param._coerce_value(value, param, ctx)

    def _within_bounds(self, number: int) -> bool:
        low, high = self.parameter_info.min, self.parameter_info.max
        return (low is None or number >= low) and (high is None or number <= high)


def _plain_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _PLAIN_INT.fullmatch(value):
        return int(value)
    return None


def _is_plain(descriptor: TypeDescriptor) -> bool:
    info = descriptor.parameter_info
    annotation = descriptor.annotation
    if descriptor.file_annotation is not None:
        return False
    if info.parser is not None:  # only a parser that needs nothing of Typer's
        return isinstance(info.parser, IdParser)
    if annotation is int:
        return not info.clamp
    if annotation in (str, bool, list[str]):
        return True
    return isinstance(annotation, type) and issubclass(annotation, Enum)


def install(command: Any) -> None:
    """Give each plain parameter of `command` a FastParam (others keep Typer's),
    including the --help option Click makes on first use."""
    for param in command.params:
        _install(param)
    on_help_option(command, _install)


def _install(param: Any) -> None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", None) is not None:
        return
    if not _is_plain(descriptor):
        return
    variadic = param.nargs == -1 and not param.multiple and descriptor.annotation == list[str]
    if not variadic and (param.multiple or param.nargs != 1):
        return
    set_runtime_param(
        param,
        FastParam(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            descriptor=descriptor,
        ),
    )
