"""`json.dumps(value, ensure_ascii=False, indent=2)`, byte for byte, faster.

With `indent` the standard library drops its C encoder for a pure-Python one
that makes a call per value: a large report (100,000 resolution times, 15,000
compensation entries) spends a third of a second in it. The shapes our JSON is
made of (objects with string keys, lists of numbers, flat objects) are written
here with the C pieces (`encode_basestring`, the C encoder without indent,
`float.__repr__`); anything else falls back to the standard encoder, re-indented.
tests/unit/test_jsontext.py checks the bytes against `json.dumps` on generated
values.
"""

from __future__ import annotations

import json
from typing import Any

_INFINITY = float("inf")
# json's own string encoder for ensure_ascii=False (the C one when available)
encode_basestring = json.encoder.encode_basestring
_standard = json.JSONEncoder(ensure_ascii=False, indent=2).encode
_compact = json.JSONEncoder(ensure_ascii=False).encode  # no indent: the C encoder
_FLAT = (str, int, float, bool, type(None))
_FLAT_TYPES = frozenset(_FLAT)
_STR = frozenset((str,))
_NUMBERS = frozenset((int, float))  # exactly: bool is an int, and writes as true/false
#: the C encoder's maker (None where _json is not compiled; not in the type stubs)
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_flat_encoders: dict[str, Any] = {}


def _flat_object(value: dict[str, Any], indent: str) -> str:
    """A non-empty object of string keys and flat values, `indent` deep: the C encoder
    with the indented line break as its item separator (there is no nesting for it to
    indent), one call instead of a call per value (`show` of 100,000 notes)."""
    encode = _flat_encoders.get(indent)
    if encode is None:
        separator = ",\n" + indent + "  "
        encode = _flat_encoders[indent] = _c_make_encoder(
            None, _standard_default, encode_basestring, None, ": ", separator, False, False, True
        )
    body = "".join(encode(value, 0))
    return "{\n" + indent + "  " + body[1:-1] + "\n" + indent + "}"


def _standard_default(value: Any) -> Any:
    return json.JSONEncoder().default(value)  # raises TypeError, as json.dumps does


def scalar(value: Any) -> str:
    """One JSON scalar (str, int, float, bool, None) as json.dumps writes it."""
    kind = type(value)
    if kind is str:
        return str(encode_basestring(value))
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and -_INFINITY < value < _INFINITY:
        return float.__repr__(value)
    return _compact(value)  # NaN and the infinities the standard way


def dumps(value: Any, indent: str = "") -> str:
    """`value` as `json.dumps(value, ensure_ascii=False, indent=2)` writes it, nested
    `indent` deep (its lines after the first start with `indent`)."""
    kind = type(value)
    if kind is dict and value and _STR.issuperset(map(type, value)):
        inner = indent + "  "
        if _FLAT_TYPES.issuperset(map(type, value.values())):
            # a flat object: a note, a compensation entry, a week's figures
            if _c_make_encoder is not None:
                return _flat_object(value, indent)
            items = [f"{inner}{encode_basestring(k)}: {scalar(v)}" for k, v in value.items()]
        else:
            items = [f"{inner}{encode_basestring(k)}: {dumps(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if kind is list and value:
        inner = indent + "  "
        if _NUMBERS.issuperset(map(type, value)):
            # numbers contain no ", ": the C encoder's separators become line breaks
            return "[\n" + inner + _compact(value)[1:-1].replace(", ", ",\n" + inner) + "\n" + indent + "]"  # fmt: skip
        return "[\n" + inner + (",\n" + inner).join([dumps(v, inner) for v in value]) + "\n" + indent + "]"  # fmt: skip
    if kind in _FLAT:
        return scalar(value)
    # tuples, subclasses, non-string keys, empty containers: the standard encoder.
    # Its output has line breaks only between tokens (strings escape theirs).
    return _standard(value).replace("\n", "\n" + indent)
