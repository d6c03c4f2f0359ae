"""bulk.collector_paused: the cyclic collector is off inside the block and back as it
was afterwards, also when the block fails (a report that raises InvalidInput must
not leave a long-running caller without it)."""

from __future__ import annotations

import gc

import pytest

from complog.bulk import collector_paused


def test_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_comes_back_when_the_block_raises() -> None:
    with pytest.raises(ValueError, match="bad"), collector_paused():
        raise ValueError("bad")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
