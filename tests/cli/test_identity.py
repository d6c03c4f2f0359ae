"""Who is acting: the user named on the command line or in COMPLOG_USER is checked.

An empty or blank name used to be read as "not given", so the change was recorded
under the login name: someone else's, for a cron line whose variable was unset.
"""

from __future__ import annotations

import pytest

from tests.cli.helpers import assert_clean_error, snapshot

BLANK = ["", " ", "\t", " \u3000 "]


@pytest.mark.parametrize("blank", BLANK)
def test_an_empty_user_option_is_exit_2_and_changes_nothing(run, logbook, blank):
    run("add", "Acme Newsagency", "Till")
    before = snapshot(logbook)

    ran = run("--user", blank, "add", "Acme Newsagency", "Till again", exit=2)

    assert_clean_error(ran, 2, "the user (--user or COMPLOG_USER) is empty")
    assert snapshot(logbook) == before


@pytest.mark.parametrize("blank", BLANK)
def test_an_empty_complog_user_is_exit_2_and_changes_nothing(run, logbook, blank):
    run("add", "Acme Newsagency", "Till")
    before = snapshot(logbook)

    ran = run("note", "1", "Rang back", env={"COMPLOG_USER": blank}, exit=2)

    assert_clean_error(ran, 2, "the user (--user or COMPLOG_USER) is empty")
    assert snapshot(logbook) == before


def test_an_empty_user_is_refused_by_reading_commands_too(run):
    # `due --mine` with an empty name would otherwise show the login name's promises.
    ran = run("due", "--mine", env={"COMPLOG_USER": ""}, exit=2)
    assert_clean_error(ran, 2, "is empty")


@pytest.mark.parametrize(
    ("name", "message"),
    [("a\x00b", "contains a NUL byte"), ("x" * 201, "is too long (201 characters; at most 200)")],
)
def test_a_user_with_a_nul_byte_or_too_long_is_exit_2(run, name, message):
    ran = run("--user", name, "add", "Acme Newsagency", "Till", exit=2)
    assert_clean_error(ran, 2, message)


def test_a_user_is_recorded_trimmed_and_nfc_normalised(run):
    run("--user", "  Jose\u0301 ", "add", "Acme Newsagency", "Till")
    assert run("history", "--format", "json").json[-1]["user"] == "Jos\u00e9"


def test_an_empty_complog_user_in_a_real_process_is_exit_2(proc):
    ran = proc("add", "Acme Newsagency", "Till", env={"COMPLOG_USER": "   "}, exit=2)
    assert_clean_error(ran, 2, "the user (--user or COMPLOG_USER) is empty")
