"""jsontext.dumps writes what json.dumps(ensure_ascii=False, indent=2) writes, byte
for byte, on any JSON value (and on tuples, non-string keys, NaN, the infinities and
nesting), so every command's JSON is unchanged by the faster encoder."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complog.render.jsontext import dumps, scalar

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(st.floats(), max_size=8)
        | st.lists(st.integers(), max_size=8)
        | st.dictionaries(st.text(max_size=6), inner, max_size=5)
        | st.dictionaries(st.integers() | st.booleans() | st.none(), inner, max_size=3)
        | st.tuples(inner, inner)
    ),
    max_leaves=40,
)


def standard(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_dumps_is_json_dumps_indent_2_byte_for_byte(value: Any) -> None:
    assert dumps(value) == standard(value)


@given(VALUES)
def test_nested_dumps_is_the_standard_output_re_indented(value: Any) -> None:
    assert dumps(value, "    ") == standard(value).replace("\n", "\n    ")


@pytest.mark.parametrize(
    "value",
    [
        {}, [], {"a": []}, {"a": {}}, [[], {}], "", "line\nbreak", "\u2028 ☃ \x1b[31m \x85",
        float("nan"), float("inf"), -float("inf"), [float("nan"), 1.5, -0.0, 1e300, 5],
        [1, True, 2.0], [True, False], {"x": [1.0, float("-inf")]}, (1, 2.5),
        OrderedDict(a=1), {1: "one", None: "none", False: "no", 2.5: "half"},
        {"report": {"resolution_hours": [0.25, 3.0, 1.0 / 3], "compensation": [
            {"complaint_id": 1, "cause": None, "compensation": "£20 voucher", "value": 20.0}]}},
    ],
)  # fmt: skip
def test_dumps_on_the_edges(value: Any) -> None:
    assert dumps(value) == standard(value)


@given(SCALARS)
def test_scalar_is_json_dumps(value: Any) -> None:
    assert scalar(value) == json.dumps(value, ensure_ascii=False)


def test_not_serializable_raises_as_json_dumps_does() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"when": object()})


@given(st.dictionaries(st.text(max_size=6), SCALARS, min_size=1, max_size=8))
def test_flat_objects_without_the_c_encoder_are_the_same_bytes(value: Any) -> None:
    """Where _json is not compiled (c_make_encoder is None) flat objects are written
    value by value, to the same bytes."""
    from complog.render import jsontext

    saved = jsontext._c_make_encoder
    jsontext._c_make_encoder = None
    try:
        assert dumps({"notes": [value]}) == standard({"notes": [value]})
    finally:
        jsontext._c_make_encoder = saved
