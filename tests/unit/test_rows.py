"""`FromRow.from_row` fills a row's fields by column name without calling the frozen
dataclass's `__init__`: these tests hold it to building exactly what `__init__` builds."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any, get_type_hints

import pytest

from complog import rows
from complog.rows import FromRow, NoteRow, PromiseRow, RescheduleRow

ROW_CLASSES = sorted(
    (
        c
        for c in vars(rows).values()
        if isinstance(c, type) and issubclass(c, FromRow) and c is not FromRow
    ),
    key=lambda c: c.__name__,
)


@pytest.mark.parametrize("cls", ROW_CLASSES, ids=lambda c: c.__name__)
def test_row_classes_are_what_from_row_can_build_without_init(cls: type[FromRow]) -> None:
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert not hasattr(cls, "__post_init__")
    assert "__slots__" not in vars(cls)


def _stored(hint: Any, number: int) -> tuple[Any, Any]:
    """A stored value for a field of type `hint`, and the value the field should get."""
    if hint in (datetime, datetime | None):
        return "2026-12-01 09:30:00.000000", datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    if hint in (bool, bool | None):
        return 1, True
    if hint == dict[str, Any] | None:
        return json.dumps({"n": number}), {"n": number}
    if hint in (int, int | None):
        return number, number
    return f"text {number}", f"text {number}"


@pytest.mark.parametrize("cls", ROW_CLASSES, ids=lambda c: c.__name__)
def test_from_row_builds_what_the_constructor_builds(cls: type[FromRow]) -> None:
    hints = get_type_hints(cls)
    row: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for number, f in enumerate(dataclasses.fields(cls)):  # type: ignore[arg-type]
        stored, value = _stored(hints[f.name], number)
        row[cls.COLUMNS.get(f.name, f.name)] = stored
        expected[f.name] = value
    built, constructed = cls.from_row(row), cls(**expected)
    assert built == constructed
    assert repr(built) == repr(constructed)
    try:
        assert hash(built) == hash(constructed)
    except TypeError:  # a row holding a dict (an event's before/after) is unhashable
        with pytest.raises(TypeError):
            hash(constructed)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.x = 1  # type: ignore[attr-defined]


def test_given_values_are_used_and_a_missing_column_fails() -> None:
    stored = {"at": "2026-12-01", "old_due_at": "2026-12-02", "new_due_at": "2026-12-03",
              "reason": "customer away", "late": 0, "actor": "sam"}  # fmt: skip
    reschedule = RescheduleRow.from_row(stored)
    assert reschedule.late is False and reschedule.at == datetime(2026, 12, 1, tzinfo=UTC)
    promise_columns = {"id": 1, "complaint_id": 2, "text": "Call back", "owner": "sam",
                       "due_at": "2026-12-02", "status": "open", "created_at": "2026-12-01",
                       "created_by": "sam", "kept_at": None, "cancelled_at": None,
                       "closed_note": None}  # fmt: skip
    promise = PromiseRow.from_row(promise_columns, reschedules=(reschedule,))
    assert promise.reschedules == (reschedule,) and promise.kept_at is None
    with pytest.raises(KeyError):
        NoteRow.from_row({"id": 1})
