"""Checks a monitor relies on never read a mistyped logbook as "all clear".

`due --exit-code`, `check --exit-code`, `escalate --auto --exit-code` and `digest`
exit 5 naming the path they looked for when the logbook does not exist, and
create nothing there (docs/user-guide.md, "Exit codes").
"""

from __future__ import annotations

import pytest

from tests.cli.helpers import assert_clean_error

pytestmark = pytest.mark.sqlite_only(reason="about a logbook file that does not exist")

MONITORS = [
    ["due", "--exit-code"],
    ["due", "--exit-code", "--format", "json"],
    ["check", "1", "--exit-code"],
    ["escalate", "--auto", "--exit-code"],
    ["escalate", "--auto", "--dry-run", "--exit-code"],
    ["digest"],
]


@pytest.mark.parametrize("args", MONITORS, ids=" ".join)
def test_a_monitor_on_a_missing_logbook_exits_5_with_its_path(proc, tmp_path, args):
    typo = tmp_path / "typo.db"
    ran = proc(*args, env={"COMPLOG_DB": str(typo)}, exit=5)
    assert_clean_error(ran, 5, f"there is no logbook at {typo}")
    assert "COMPLOG_DB" in ran.stderr
    assert list(tmp_path.iterdir()) == []


def test_due_exit_code_on_a_missing_logbook_in_process(run, logbook):
    ran = run("due", "--exit-code", exit=5)
    assert_clean_error(ran, 5, f"there is no logbook at {logbook}")
    assert not logbook.exists()


def test_due_without_exit_code_still_reads_a_missing_logbook_as_empty(run, logbook):
    ran = run("due")
    assert ran.stdout == "Nothing due in the next 7 days.\n"
    assert "no logbook at" in ran.stderr
    assert not logbook.exists()


@pytest.mark.parametrize("args", MONITORS[:2] + MONITORS[3:], ids=" ".join)
def test_a_monitor_on_a_new_empty_logbook_is_all_clear(run, args):
    run("init")
    run(*args, exit=0)
