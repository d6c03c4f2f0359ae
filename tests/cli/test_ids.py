"""Ids are never handed out twice, whatever is undone, erased, merged or imported.

A complaint number is what the customer quotes on the phone and what a hook has
already mailed out: "#2" must never come to mean another case. Before migration
0004, SQLite gave a new row max(id) + 1, so `add`, `undo`, `add` numbered two
different complaints 2 and `history 2` mixed their events.
"""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import snapshot


def added(run, *args: str) -> int:
    return int(run("add", *args, "--format", "json").json["id"])


def last_event(run) -> dict:
    return run("history", "--format", "json").json[-1]


def test_a_complaint_added_after_an_undo_gets_a_new_number(run):
    assert added(run, "Acme Newsagency", "one") == 1
    assert added(run, "Bravo Bakery", "two") == 2
    run("undo")
    assert added(run, "Charlie Cafe", "three") == 3
    # complaint 2's history is the undone complaint's alone, not mixed with another's
    assert {e["complaint_id"] for e in run("history", "3", "--format", "json").json} == {3}
    run("show", "2", exit=3)


def test_history_of_an_undone_number_tells_what_became_of_it(run):
    """The customer quotes "#2": `history 2` shows that it was logged and undone (it
    used to exit 3, "no complaint 2", hiding the audit log's answer), and nothing else."""
    run("add", "Acme Newsagency", "one")
    run("add", "Bravo Bakery", "two")
    run("undo")
    run("add", "Charlie Cafe", "three")

    events = run("history", "2", "--format", "json").json

    assert [(e["action"], e["complaint_id"]) for e in events] == [("add", 2), ("undo", 2)]
    assert events[0]["after"]["summary"] == "two"
    ran = run("history", "9", exit=3)
    assert ran.stderr.startswith("complog: error: no complaint 9\n")


# Each kind of numbered thing: the command that makes one, and how its id is read.
KINDS = {
    "promise": (["promise", "1", "Call back", "--due", "tomorrow"], "promise"),
    "note": (["note", "1", "Rang them", "--out"], "note"),
    "kept-note": (["kept", "1", "--note", "Rang back"], "note"),
    "escalation": (["escalate", "1", "--to", "manager", "--reason", "Angry"], "escalation"),
    "wait": (["wait", "1", "--reason", "Photos of the till"], "wait"),
    "customer": (["add", "Delta Dairy", "Milk sour"], "customer"),
}  # fmt: skip


def ids_of(run, kind: str) -> list[int]:
    return sorted(
        int(e["entity_id"])
        for e in run("history", "--format", "json").json
        if e["entity"] == kind and e["action"] not in ("undo",) and e["before"] is None
    )


@pytest.mark.parametrize("kind", KINDS, ids=KINDS.keys())
def test_undo_then_the_same_command_never_reuses_the_id(run, kind):
    args, entity = KINDS[kind]
    run("add", "Acme Newsagency", "Till", "--promise", "Ring back", "--due", "tomorrow")
    if kind == "kept-note":
        run("promise", "1", "Second promise", "--due", "tomorrow")
    run(*args)
    first = ids_of(run, entity)[-1]
    run("undo")
    if kind == "kept-note":
        run("kept", "2", "--note", "Rang back again")
    elif kind == "wait":
        run(*args)
    else:
        run(*args)
    assert ids_of(run, entity)[-1] == first + 1


def test_a_resolution_reopened_after_an_undo_gets_a_new_past_resolution_id(run, logbook):
    run("add", "Acme Newsagency", "Till")
    run("resolve", "1", "--outcome", "Fixed")
    run("reopen", "1", "--reason", "Broke again")
    first = last_event(run)["after"]["past_resolution_id"]
    run("undo")
    run("reopen", "1", "--reason", "Broke again, really")
    assert last_event(run)["after"]["past_resolution_id"] == first + 1


def test_a_customer_merged_away_does_not_lend_its_id_to_the_next_customer(run):
    run("add", "Jane Doe", "x")
    run("add", "Jane  Do", "y")
    run("customer", "merge", "Jane  Do", "Jane Doe")
    run("add", "Zed Zebra", "z")
    assert ids_of(run, "customer") == [1, 2, 3]


def test_undoing_a_merge_puts_the_customer_back_under_its_own_id(run):
    run("add", "Jane Doe", "x")
    run("add", "Jane  Do", "y")
    run("customer", "merge", "Jane  Do", "Jane Doe")
    run("undo")
    assert run("show", "2", "--format", "json").json["customer_detail"]["name"] == "Jane  Do"
    run("add", "Zed Zebra", "z")
    assert ids_of(run, "customer") == [1, 2, 3]


def test_erase_keeps_every_number_in_use(run):
    run("add", "Jane Doe", "x")
    run("erase", "Jane Doe", "--yes")
    assert added(run, "Zed Zebra", "z") == 2


def test_ids_keep_climbing_after_many_undos_on_either_back_end(run):
    for n in range(1, 6):
        assert added(run, "Acme Newsagency", f"attempt {n}") == n
        run("undo")
    assert run("list", "--status", "all", "--format", "json").json == []
    assert added(run, "Acme Newsagency", "kept") == 6


# -- import ------------------------------------------------------------------------


def exported(run, tmp_path, name="all.jsonl"):
    path = tmp_path / name
    run("export", "--out", str(path))
    return path


def test_an_import_keeps_ids_this_logbook_never_used(run, tmp_path, logbook):
    run("add", "Acme Newsagency", "one")
    run("add", "Bravo Bakery", "two")
    source = exported(run, tmp_path)
    other = tmp_path / "other" / "complog.db"

    ran = run("import", str(source), env={"COMPLOG_DB": str(other)})

    assert ran.stderr == ""
    listed = run("list", "--status", "all", "--format", "json", env={"COMPLOG_DB": str(other)})
    assert sorted(c["id"] for c in listed.json) == [1, 2]


def test_an_import_gives_an_undone_complaint_a_new_number_and_says_so(run, tmp_path):
    run("add", "Acme Newsagency", "one")
    run("add", "Bravo Bakery", "two")
    source = exported(run, tmp_path)
    run("undo")  # complaint 2 is gone; its number stays used

    ran = run("import", str(source))

    assert (
        ran.stdout == "Imported 1 complaint from all.jsonl (1 already present, 0 skipped as bad)\n"
    )
    assert ran.stderr == (
        "1 complaint got a new number (a number this logbook has already used, or above"
        " 1,000,000,000, is never kept): 2 -> 3\n"
    )
    listed = run("list", "--status", "all", "--format", "json").json
    assert {c["id"]: c["summary"] for c in listed} == {1: "one", 3: "two"}
    again = run("import", str(source))  # the renumbered complaint is recognised
    assert again.stdout.startswith("Imported 0 complaints")


def test_an_import_dry_run_says_which_numbers_would_change(run, tmp_path, logbook):
    run("add", "Acme Newsagency", "one")
    source = exported(run, tmp_path)
    run("undo")
    before = snapshot(logbook)

    ran = run("import", str(source), "--dry-run")

    assert "1 complaint would get a new number" in ran.stderr
    assert "1 -> 2" in ran.stderr
    assert snapshot(logbook) == before


def test_only_the_complaints_whose_ids_are_used_are_renumbered(run, tmp_path):
    for n in range(1, 6):
        run("add", f"Customer {n}", f"complaint {n}")
    source = exported(run, tmp_path)
    other = tmp_path / "other" / "complog.db"
    env = {"COMPLOG_DB": str(other)}
    run("add", "Someone Else", "already here", env=env)

    ran = run("import", str(source), env=env)

    # complaint 1's number is taken; 2-5 keep theirs, 1 goes above the file's largest
    assert "1 -> 6" in ran.stderr and "5 complaints" not in ran.stderr
    listed = run("list", "--status", "all", "--format", "json", env=env).json
    assert {c["id"]: c["summary"] for c in listed} == {
        1: "already here", 2: "complaint 2", 3: "complaint 3", 4: "complaint 4",
        5: "complaint 5", 6: "complaint 1",
    }  # fmt: skip


def test_an_import_never_keeps_an_id_that_would_leave_no_room_to_grow(run, tmp_path):
    run("add", "Acme Newsagency", "one")
    obj = json.loads(exported(run, tmp_path).read_text())
    obj["id"] = 2**31 - 1  # PostgreSQL's largest id: every later add would fail
    obj["opened_at"] = "2026-11-20T09:00:00+00:00"
    source = tmp_path / "huge.jsonl"
    source.write_text(json.dumps(obj) + "\n")

    ran = run("import", str(source))

    assert f"{2**31 - 1} -> 2" in ran.stderr
    assert added(run, "Bravo Bakery", "after") == 3


def test_an_import_after_undo_then_add_never_reuses_on_either_back_end(run, tmp_path):
    """On PostgreSQL the import used to set every sequence to max(id) + 1: back
    below a number undo had freed, which the next add then handed out again."""
    run("add", "Acme Newsagency", "one")
    run("add", "Bravo Bakery", "two")
    run("undo")
    other = tmp_path / "other.jsonl"
    other.write_text("")
    run("import", str(other), "--format", "jsonl")
    assert added(run, "Charlie Cafe", "three") == 3


def test_migrate_to_carries_the_numbers_already_used(run, tmp_path):
    """The new logbook holds complaints 1 and 2, but 3 was handed out (and undone)
    here: the next complaint there is 4, not a second "#3"."""
    for name in ("Acme Newsagency", "Bravo Bakery", "Charlie Cafe"):
        run("add", name, "x", "--promise", "Call back", "--due", "tomorrow")
    run("undo")
    target = tmp_path / "moved" / "complog.db"

    run("migrate-to", str(target))

    env = {"COMPLOG_DB": str(target)}
    assert [c["id"] for c in run("list", "--format", "json", env=env).json] == [2, 1]
    assert run("add", "Delta Dairy", "y", "--format", "json", env=env).json["id"] == 4
    run("promise", "4", "Visit", "--due", "tomorrow", env=env)
    promises = run("show", "4", "--format", "json", env=env).json["promises"]
    assert [p["id"] for p in promises] == [4]
