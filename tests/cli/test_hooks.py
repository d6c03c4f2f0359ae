"""Hooks: executables in hooks/ next to the logbook (or `hooks_dir`) run after the
commit, once trusted, with the command's events as JSON Lines on stdin; a failing
hook never loses the write. Trust itself: test_hook_trust.py; limits in real
processes: test_hook_limits.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.helpers import snapshot

RECORD = (
    '#!/bin/sh\ncat >> "$(dirname "$0")/{name}.jsonl"\necho >> "$(dirname "$0")/{name}.jsonl"\n'
)


pytestmark = pytest.mark.sqlite_only(
    reason="hooks/ beside the logbook file; PostgreSQL logbooks use the hooks_dir setting"
)


def hook(folder: Path, name: str, body: str, mode: int = 0o755) -> Path:
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / name
    path.write_text(body)
    path.chmod(mode)
    return path


def received(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def hooks(logbook: Path) -> Path:
    return logbook.parent / "hooks"


def test_on_add_receives_the_event_and_the_complaint_as_json(run, hooks):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    run("hooks", "trust", "on-add")
    ran = run("add", "Acme Newsagency", "Till crashes", "--heat", "4", "--loss", "120")
    assert ran.stdout == "Logged complaint 1 for Acme Newsagency\n"
    assert ran.stderr == ""
    [payload] = received(hooks, "on-add")
    assert payload["hook"] == "on-add"
    event = payload["event"]
    assert (event["action"], event["entity"], event["entity_id"], event["complaint_id"]) == (
        "add", "complaint", 1, 1,
    )  # fmt: skip
    assert event["user"] == "tester"
    assert event["at"] == "2026-11-23T09:00:00+00:00"
    assert event["after"]["summary"] == "Till crashes"
    assert payload["complaint"]["customer"] == "Acme Newsagency"
    assert payload["complaint"]["heat"] == 4
    assert payload["complaint"]["loss"] == 120
    assert payload["logbook"].endswith("complog.db")


@pytest.mark.parametrize(
    ("name", "command", "action"),
    [
        ("on-promise", ["promise", "1", "Engineer visit", "--due", "fri"], "promise"),
        ("on-kept", ["kept", "1"], "kept"),
        ("on-escalate", ["escalate", "1", "--to", "manager", "--reason", "Angry"], "escalate"),
        ("on-resolve", ["resolve", "1", "--outcome", "Fixed", "--cancel-open-promises"], "resolve"),
    ],
)
def test_each_hook_runs_on_its_command(run, hooks, name, command, action):
    run("add", "Acme Newsagency", "Till", "--promise", "Call back", "--due", "tomorrow")
    hook(hooks, name, RECORD.format(name=name))
    run("hooks", "trust", name)
    run("note", "1", "Not hooked")
    assert received(hooks, name) == []
    run(*command)
    [payload] = received(hooks, name)
    assert payload["event"]["action"] == action
    assert payload["complaint"]["id"] == 1


def test_add_with_a_promise_runs_on_add_and_on_promise(run, hooks):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    hook(hooks, "on-promise", RECORD.format(name="on-promise"))
    run("hooks", "trust")
    run("add", "Acme Newsagency", "Till", "--promise", "Call back", "--due", "tomorrow")
    assert [p["event"]["entity_id"] for p in received(hooks, "on-promise")] == [1]
    assert len(received(hooks, "on-add")) == 1


def test_automatic_escalations_run_on_escalate_once_each(run, hooks):
    run("add", "Acme Newsagency", "Till", "--at", "2026-11-16 09:00",
        "--promise", "Call back", "--due", "2026-11-16 12:00")  # fmt: skip
    hook(hooks, "on-escalate", RECORD.format(name="on-escalate"))
    run("hooks", "trust", "on-escalate")
    created = run("escalate", "--auto", "--format", "json").json
    assert sorted(p["event"]["entity_id"] for p in received(hooks, "on-escalate")) == sorted(
        e["id"] for e in created
    )
    run("escalate", "--auto", "--dry-run")
    run("escalate", "--auto")  # nothing new: no hook
    assert len(received(hooks, "on-escalate")) == len(created)


def test_a_failing_hook_is_reported_and_the_write_is_kept(run, hooks, logbook):
    run("init")
    hook(hooks, "on-add", "#!/bin/sh\necho 'chat server down' >&2\nexit 3\n")
    run("hooks", "trust", "on-add")
    ran = run("add", "Acme Newsagency", "Till")
    assert ran.stdout == "Logged complaint 1 for Acme Newsagency\n"
    assert ran.stderr == (
        "chat server down\nwarning: hook on-add failed (exit 3); the change is saved\n"
    )
    assert run("show", "1", "--format", "json").json["summary"] == "Till"


def test_a_hook_that_is_not_executable_is_reported(run, hooks):
    run("init")
    path = hook(hooks, "on-add", RECORD.format(name="on-add"), mode=0o644)
    ran = run("add", "Acme Newsagency", "Till")
    assert ran.stderr == (
        f"warning: hook on-add not run: it is not executable (chmod +x {path});"
        " the change is saved\n"
    )
    run("show", "1")


def test_a_hanging_hook_is_stopped_after_the_timeout(run, hooks):
    run("config", "hook_timeout", "1")
    hook(hooks, "on-add", "#!/bin/sh\nsleep 120 &\nwait\n")
    run("hooks", "trust", "on-add")
    ran = run("add", "Acme Newsagency", "Till")
    assert ran.stderr == (
        "warning: hook on-add did not finish within 1s and was stopped; the change is saved\n"
    )
    run("show", "1")


def test_a_hook_others_may_write_to_is_not_run_even_if_trusted(run, hooks):
    run("init")
    path = hook(hooks, "on-add", RECORD.format(name="on-add"))
    run("hooks", "trust", "on-add")
    path.chmod(0o777)
    ran = run("add", "Acme Newsagency", "Till")
    assert "hook on-add not run: others may write to" in ran.stderr
    assert received(hooks, "on-add") == []


def test_hooks_dir_setting_points_elsewhere(run, tmp_path, hooks):
    elsewhere = tmp_path / "my-hooks"
    run("config", "hooks_dir", str(elsewhere))
    hook(elsewhere, "on-add", RECORD.format(name="on-add"))
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    run("hooks", "trust", "on-add")
    run("add", "Acme Newsagency", "Till")
    assert len(received(elsewhere, "on-add")) == 1
    assert received(hooks, "on-add") == []  # the configured folder replaces hooks/


def test_hooks_dir_relative_to_the_logbook_folder(run, logbook):
    run("config", "hooks_dir", "team-hooks")
    folder = logbook.parent / "team-hooks"
    hook(folder, "on-add", RECORD.format(name="on-add"))
    run("hooks", "trust", "on-add")
    run("add", "Acme Newsagency", "Till")
    assert len(received(folder, "on-add")) == 1


def test_failed_and_dry_run_commands_run_no_hooks(run, hooks, logbook):
    run("add", "Acme Newsagency", "Till")
    hook(hooks, "on-resolve", RECORD.format(name="on-resolve"))
    hook(hooks, "on-kept", RECORD.format(name="on-kept"))
    run("hooks", "trust")  # so only the failure and the dry run keep them from running
    run("kept", "9", exit=3)
    before = snapshot(logbook)
    run("undo", "--dry-run")
    assert snapshot(logbook) == before
    assert sorted(os.listdir(hooks)) == ["on-kept", "on-resolve"]  # no hook wrote anything


def test_real_process_hook_output_goes_to_stderr_and_json_stays_clean(proc, hooks):
    proc("init")
    hook(hooks, "on-add", "#!/bin/sh\ncat > /dev/null\necho 'notified the team'\n")
    proc("hooks", "trust", "on-add")
    ran = proc("add", "Acme Newsagency", "Till", "--format", "json")
    assert json.loads(ran.stdout)["id"] == 1
    assert ran.stderr == "notified the team\n"
