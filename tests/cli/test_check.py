"""`complog check ID`: the ISO 10002 steps of a case; `resolve --strict` refuses
while a step before closing is missing."""

from __future__ import annotations

from tests.cli.helpers import assert_clean_error, assert_iso, snapshot


def steps(run, complaint_id="1"):
    data = run("check", complaint_id, "--format", "json").json
    return {s["step"]: s["done"] for s in data["steps"]}


def test_a_new_complaint_is_recorded_and_nothing_else(run):
    run("add", "Acme Newsagency", "Till crashes")
    data = run("check", "1", "--format", "json").json
    assert [s["step"] for s in data["steps"]] == [
        "recorded", "acknowledged", "assessed", "investigated", "responded",
        "decision_communicated", "acceptance_logged", "closed",
    ]  # fmt: skip
    assert data["missing"] == [s["step"] for s in data["steps"]][1:]
    assert (data["complete"], data["done"], data["total"]) == (False, 1, 8)
    assert_iso(data["steps"][0]["at"])


def test_a_case_run_by_the_steps_is_complete(run):
    run("add", "Acme Newsagency", "Till crashes", "--category", "equipment", "--heat", "4",
        "--at", "today 8am", "--promise", "Call back", "--due", "today 10am")  # fmt: skip
    run("kept", "1", "--at", "today 8:15am")
    assert steps(run)["acknowledged"] is True
    assert steps(run)["assessed"] is True
    assert steps(run)["responded"] is False  # a kept promise acknowledges; a reply responds
    run("note", "1", "Explained the fix", "--out", "--at", "today 8:30am")
    run("resolve", "1", "--outcome", "Till replaced", "--cause", "ours", "--confirmed", "--strict")
    data = run("check", "1", "--format", "json").json
    assert data["complete"] is True and data["missing"] == []
    acknowledged = data["steps"][1]
    assert acknowledged["at"] == "2026-11-23T08:15:00+00:00"  # when it happened
    assert acknowledged["detail"] == "promise 1 kept"
    run("check", "1", "--exit-code")


def test_check_text_lists_each_step(run):
    run("add", "Acme Newsagency", "Till crashes", "--category", "equipment")
    lines = run("check", "1").stdout.splitlines()
    assert lines[0] == "Complaint 1 (Acme Newsagency): Till crashes - 2 of 8 steps"
    assert lines[1].startswith("  [x] recorded")
    assert lines[2].startswith("  [ ] acknowledged")
    assert "no outbound note or kept promise yet" in lines[2]
    assert lines[3].startswith("  [x] assessed")


def test_check_exit_code_is_1_while_steps_are_missing(run):
    run("add", "Acme Newsagency", "Till crashes")
    run("check", "1", "--exit-code", exit=1)


def test_check_unknown_complaint(run):
    assert_clean_error(run("check", "9", exit=3), 3, "no complaint 9")


def test_unconfirmed_resolution_leaves_acceptance_missing(run):
    run("add", "Acme Newsagency", "Till crashes")
    run("resolve", "1", "--outcome", "Refund", "--unconfirmed")
    data = run("check", "1", "--format", "json").json
    assert "acceptance_logged" in data["missing"] and "closed" not in data["missing"]
    assert data["steps"][6]["detail"] == "the customer did not confirm it"


def test_resolve_strict_refuses_listing_the_missing_steps(run, logbook):
    run("add", "Acme Newsagency", "Till crashes")
    before = snapshot(logbook)
    ran = run("resolve", "1", "--outcome", "Till replaced", "--strict", exit=4)
    assert_clean_error(
        ran, 4,
        "complaint 1 is not ready to close: missing acknowledged, assessed, investigated,"
        " responded, customer's acceptance logged",
    )  # fmt: skip
    assert "complog check 1" in ran.stderr
    assert snapshot(logbook) == before


def test_resolve_strict_counts_what_the_resolution_itself_records(run):
    run("add", "Acme Newsagency", "Till crashes", "--category", "equipment")
    run("note", "1", "Rang back", "--out")
    ran = run("resolve", "1", "--outcome", "Fixed", "--strict", exit=4)
    assert_clean_error(ran, 4, "missing investigated, customer's acceptance logged")
    run("resolve", "1", "--outcome", "Fixed", "--cause", "third-party", "--confirmed", "--strict")


def test_resolve_without_strict_is_unchanged(run):
    run("add", "Acme Newsagency", "Till crashes")
    run("resolve", "1", "--outcome", "Fixed")
