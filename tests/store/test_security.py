"""What a complaint logbook must never do: leak its files, or run what it is told.

- Every file complog writes is private (0600) even under umask 0: backups,
  exports, calendars, HTML reports, demo logbooks and migration backups (the
  logbook, its -wal/-shm and folder are in test_file_modes.py).
- Text is data, never code: SQL-looking text in every text field is stored
  and shown literally and the schema is intact; complog runs no shell (nor
  any other program); format strings and Rich markup are shown as typed;
  terminal escapes and bidi overrides are shown inert (\\x1b-style) in
  table and plain output.
(Erasure leaving no bytes of the customer behind is tested in
test_backup_erase.py.)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

import complog
from complog.cli.typer_internals import build_each_command_once
from tests.cli.helpers import snapshot

FIXTURES = Path(__file__).parents[1] / "data" / "logbooks"


@pytest.fixture(autouse=True)
def command_built_once(monkeypatch):
    """Typer's CliRunner rebuilds the Click command on every invoke; build it once."""
    build_each_command_once(monkeypatch)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def under_umask_0(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "complog", *args], capture_output=True, text=True, umask=0,
        timeout=120, cwd=cwd, env={**os.environ, "COMPLOG_DB": str(db)}, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def query(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


# -- private files ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["backup", "out.file"],
        ["export", "--format", "jsonl", "--out", "out.file"],
        ["export", "--format", "csv", "--out", "out.file"],
        ["calendar", "--out", "out.file"],
        ["report", "--html", "out.file"],
        ["demo", "--keep", "out.file"],
    ],
    ids=lambda a: "-".join(a[:2]),
)
@pytest.mark.sqlite_only(
    reason="modes of the files complog writes (a SQLite backup among them); the back end does not choose them"
)
def test_files_complog_writes_are_0600_even_with_umask_0(args, logbook, proc, tmp_path):
    proc("add", "Acme Newsagency", "Till crashes at close", "--promise", "Call back", "--due", "tomorrow 10am")  # fmt: skip
    work = tmp_path / "work"
    work.mkdir()

    done = under_umask_0(*args, db=logbook, cwd=work)

    assert done.returncode == 0, done.stderr
    written = {p.name: oct(mode(p)) for p in work.iterdir()}
    assert written == {name: oct(0o600) for name in written}
    assert "out.file" in written


@pytest.mark.sqlite_only(reason="the mode of an export file; the back end does not choose it")
def test_export_over_an_existing_readable_file_leaves_it_0600(logbook, proc, tmp_path):
    proc("add", "Acme Newsagency", "Till crashes at close")
    target = tmp_path / "complaints.jsonl"
    target.write_text("old contents\n")
    target.chmod(0o644)

    done = under_umask_0("export", "--out", str(target), db=logbook, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert oct(mode(target)) == oct(0o600)
    assert "Acme Newsagency" in target.read_text()


@pytest.mark.sqlite_only(reason="the backup of a SQLite fixture logbook before its migration")
def test_migration_backup_of_a_readable_old_logbook_is_0600_even_with_umask_0(tmp_path):
    """The copy made before a migration is private even when the old logbook was not."""
    path = tmp_path / "old" / "complog.db"
    path.parent.mkdir()
    shutil.copyfile(FIXTURES / "0001_initial.db", path)
    path.chmod(0o644)

    done = under_umask_0("list", "--status", "all", db=path, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    backup = path.with_name("complog.db.0001_initial.bak")
    assert oct(mode(backup)) == oct(0o600)
    assert query(backup, "SELECT count(*) FROM complaint") == [(2,)]
    assert sorted(p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")) == []


# -- SQL injection ------------------------------------------------------------------

SQL = "'); DROP TABLE complaint;--"


def test_sql_in_every_text_field_is_stored_and_shown_literally_and_the_schema_is_intact(
    logbook, run, backend
):
    run("init")
    schema = snapshot(logbook)["schema"]
    user = ["--user", f"user {SQL}"]
    run(*user, "add", f"customer {SQL}", f"summary {SQL}", "--category", f"category {SQL}",
        "--wants", f"wants {SQL}", "--owner", f"owner {SQL}", "--phone", f"phone {SQL}",
        "--email", "robert');DROP_TABLE_complaint;--@example.com",
        "--promise", f"promise {SQL}", "--due", "tomorrow 10am")  # fmt: skip
    run(*user, "note", "1", f"note {SQL}", "--in")
    run(*user, "promise", "1", f"second promise {SQL}", "--due", "fri", "--owner", f"owner2 {SQL}")
    run(*user, "reschedule", "2", "--due", "mon 10am", "--reason", f"reason {SQL}")
    run(*user, "kept", "1", "--note", f"kept note {SQL}")
    run(*user, "escalate", "1", "--to", f"to {SQL}", "--reason", f"escalation {SQL}")
    run(*user, "config", "escalate_to", f"boss {SQL}")
    run(*user, "resolve", "1", "--outcome", f"outcome {SQL}", "--compensation", f"compensation {SQL}",
        "--prevention", f"prevention {SQL}", "--cancel-open-promises")  # fmt: skip
    run(*user, "reopen", "1", "--reason", f"reopen {SQL}")

    shown = run("show", "1", "--format", "json").json
    assert (shown["customer"], shown["summary"], shown["category"], shown["wants"], shown["owner"]) == (
        f"customer {SQL}", f"summary {SQL}", f"category {SQL}", f"wants {SQL}", f"owner {SQL}",
    )  # fmt: skip
    assert (shown["customer_detail"]["phone"], shown["customer_detail"]["email"]) == (
        f"phone {SQL}",
        "robert');DROP_TABLE_complaint;--@example.com",
    )
    assert [n["text"] for n in shown["notes"]] == [f"note {SQL}", f"kept note {SQL}"]
    assert [(p["text"], p["owner"]) for p in shown["promises"]] == [
        (f"promise {SQL}", f"owner {SQL}"),
        (f"second promise {SQL}", f"owner2 {SQL}"),
    ]
    assert shown["promises"][1]["reschedules"][0]["reason"] == f"reason {SQL}"
    assert [(e["to"], e["reason"], e["by"]) for e in shown["escalations"]] == [
        (f"to {SQL}", f"escalation {SQL}", f"user {SQL}")
    ]
    assert run("config", "escalate_to").stdout == f"boss {SQL}\n"
    history = run("history", "1", "--format", "json").json
    assert {e["user"] for e in history} == {f"user {SQL}"}
    assert any(e["after"] and e["after"].get("reason") == f"reopen {SQL}" for e in history)
    # Looked up and filtered by the same text, it is still just text.
    assert [c["id"] for c in run("list", "--customer", f"customer {SQL}", "--format", "json").json] == [1]  # fmt: skip
    assert [c["id"] for c in run("list", "--owner", f"owner {SQL}", "--format", "json").json] == [1]
    assert [c["id"] for c in run("list", "--category", f"category {SQL}", "--format", "json").json] == [1]  # fmt: skip
    assert run("customer", f"customer {SQL}", "--format", "json").json["customer"] == f"customer {SQL}"  # fmt: skip
    assert [h["id"] for h in run("search", SQL, "--format", "json").json] == [1]
    assert [h["id"] for h in run("search", "DROP", "--format", "json").json] == [1]
    assert snapshot(logbook)["schema"] == schema
    if backend == "sqlite":
        assert query(logbook, "PRAGMA integrity_check") == [("ok",)]


# -- no shell -------------------------------------------------------------------------

SOURCE = Path(complog.__file__).parent
RUNS_PROGRAMS = re.compile(
    r"\bimport subprocess\b|\bfrom subprocess\b|\bos\.(system|popen|exec\w*|spawn\w*|posix_spawn\w*)\b"
    r"|\bimport pty\b|\bshell\s*=\s*True\b|\bwebbrowser\b"
)


#: The one module allowed to start programs: the user's own hooks, by path, as a list of
#: arguments (no shell), with the events on stdin — never text from the logbook as a command.
#: hooks.py decides which hook runs and hands its path to hookrun.py, which starts it.
HOOKS = "hooks.py"
RUNNER = "hookrun.py"


def test_complog_source_runs_no_shell_and_no_other_program():
    found = [
        f"{path.relative_to(SOURCE)}:{n}: {line.strip()}"
        for path in sorted(SOURCE.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if RUNS_PROGRAMS.search(line)
    ]
    # Hooks, and the programs a person names as theirs, as git runs them: $VISUAL/$EDITOR
    # for a text left out on a terminal, $PAGER (COMPLOG_PAGER) for a long listing.
    assert [f.split(":")[0] + ": " + f.split(": ", 1)[1] for f in found] == [
        "cli/freetext.py: import subprocess",
        "hookrun.py: import subprocess",
        "render/pager.py: import subprocess",
    ]


def test_hooks_start_their_program_by_path_without_a_shell():
    hooks, runner = ((SOURCE / name).read_text(encoding="utf-8") for name in (HOOKS, RUNNER))
    for source in (hooks, runner):
        assert "shell=" not in source and "os.system" not in source
    assert "run_program([str(path)]," in hooks
    assert hooks.count("run_program(") == 1
    assert "subprocess.Popen(\n            list(argv)," in runner


SHELL = ["$(touch pwned-1)", "`touch pwned-2`", "; touch pwned-3", "| touch pwned-4", "&& touch pwned-5"]  # fmt: skip


def test_shell_syntax_in_text_and_file_names_is_never_run(logbook, proc, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env = {"COMPLOG_DB": str(logbook)}
    text = " ".join(SHELL)
    for args in (
        ["add", f"Acme {text}", text, "--promise", text, "--due", "tomorrow", "--owner", text],
        ["note", "1", text],
        ["escalate", "1", "--to", text, "--reason", text],
        ["report", "--html", "$(touch pwned-6).html"],
        ["calendar", "--out", "`touch pwned-7`.ics"],
        ["search", text],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "complog", *args], capture_output=True, text=True,
            cwd=work, env={**os.environ, **env}, stdin=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip
        assert done.returncode in (0, 2), done.stderr
    assert sorted(p.name for p in work.iterdir()) == ["$(touch pwned-6).html", "`touch pwned-7`.ics"]  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("pwned")) == []
    assert proc("show", "1", "--format", "json").json["summary"] == text


# -- format strings and markup ----------------------------------------------------------

FORMATS = ["{0.__class__}", "%s%n%x", "{}", "{customer}", "%(name)s", "[red]loud[/red]"]


@pytest.fixture
def format_logbook(run):
    for n, text in enumerate(FORMATS, 1):
        run("add", f"{text} customer", f"{text} summary", "--promise", f"{text} promise", "--due", "2026-11-23 10:00")  # fmt: skip
        run("note", str(n), f"{text} note")
        run("escalate", str(n), "--to", "manager", "--reason", f"{text} reason")


def squeezed(text: str) -> str:
    """Without whitespace or table rules: a table may wrap a long cell over lines."""
    return re.sub(r"[\s│─┃━]+", "", text)


@pytest.mark.parametrize("fmt", ["plain", "table"])
@pytest.mark.parametrize(
    ("args", "shown"),
    [(["list"], FORMATS), (["due"], FORMATS), (["escalations"], FORMATS), (["customers"], FORMATS),
     (["search", "summary"], FORMATS)]
    + [(["show", str(n)], [t]) for n, t in enumerate(FORMATS, 1)]
    + [(["customer", f"{t} customer"], [t]) for t in FORMATS],
    ids=lambda a: "-".join(a) if a and isinstance(a[0], str) and a[0].isalpha() else "",
)  # fmt: skip
def test_format_strings_and_markup_in_text_are_shown_as_typed(
    args, shown, fmt, format_logbook, run
):
    out = run(*args, "--format", fmt).stdout
    for text in shown:
        assert squeezed(f"{text} ") in squeezed(out), (text, out)
    assert "<class" not in out


def test_format_strings_in_a_name_come_back_verbatim_from_add(run):
    for text in FORMATS:
        ran = run("add", text, "Till crashes at close")
        assert ran.stdout.startswith("Logged complaint ") and ran.stdout.rstrip("\n").endswith(f" for {text}")  # fmt: skip


# -- terminal escapes -------------------------------------------------------------------

ESCAPES = "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x9b2J \u202eevil \rover \x08bs"
INERT = "\\x1b[31mred\\x1b[0m \\x1b]0;title\\x07 \\x9b2J \\u202eevil"
RAW = ["\x1b", "\x07", "\x9b", "\u202e", "\r", "\x08"]


@pytest.fixture
def hostile_logbook(run):
    """Escapes in every text someone else could have typed: names, text, owner, user."""
    user = ["--user", f"clerk {ESCAPES}"]
    run(*user, "add", f"Acme {ESCAPES}", f"Summary {ESCAPES}", "--category", f"cat {ESCAPES}",
        "--owner", f"owner {ESCAPES}", "--promise", f"Promise {ESCAPES}", "--due", "2026-11-23 10:00")  # fmt: skip
    run(*user, "note", "1", f"Note {ESCAPES}", "--in")
    run(*user, "escalate", "1", "--to", f"to {ESCAPES}", "--reason", f"Reason {ESCAPES}")
    run(*user, "ack", "1")
    run(*user, "escalate", "1", "--to", f"to {ESCAPES}", "--reason", f"Open {ESCAPES}")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["list"], id="list-plain"),
        pytest.param(["list", "--format", "table"], id="list-table"),
        pytest.param(["show", "1"], id="show-plain"),
        pytest.param(["show", "1", "--format", "table"], id="show-table"),
        pytest.param(["due"], id="due-plain"),
        pytest.param(["due", "--format", "table"], id="due-table"),
        pytest.param(["customer", f"Acme {ESCAPES}"], id="customer-plain"),
        pytest.param(["customer", f"Acme {ESCAPES}", "--format", "table"], id="customer-table"),
        pytest.param(["customers"], id="customers-plain"),
        pytest.param(["search", "summary"], id="search-plain"),
        pytest.param(["search", "summary", "--format", "table"], id="search-table"),
        pytest.param(["escalations"], id="escalations-plain"),
        pytest.param(["escalations", "--format", "table"], id="escalations-table"),
        pytest.param(["history"], id="history-plain"),
        pytest.param(["history", "--format", "table"], id="history-table"),
        pytest.param(["digest"], id="digest"),
        pytest.param(["report"], id="report-plain"),
    ],
)
def test_terminal_escapes_in_stored_text_are_shown_inert(args, hostile_logbook, run):
    ran = run(*args)

    assert [c for c in RAW if c in ran.stdout + ran.stderr] == []
    if "--format" not in args and args[0] not in ("customers", "report", "history"):
        assert INERT in ran.stdout  # shown, escaped, not dropped


def test_confirmations_and_errors_show_escapes_inert(run):
    ran = run("add", f"Acme {ESCAPES}", "Till crashes", "--promise", "Call", "--due", "tomorrow")
    assert [c for c in RAW if c in ran.stdout + ran.stderr] == []
    again = run("add", f"Acme {ESCAPES}", "Again")  # warns about the open complaint
    assert [c for c in RAW if c in again.stdout + again.stderr] == []
    missing = run("customer", f"Acne {ESCAPES}", exit=3)
    assert [c for c in RAW if c in missing.stdout + missing.stderr] == []
    bad = run("add", "Acme", "Till", "--channel", f"fax {ESCAPES}", exit=2)
    assert [c for c in RAW if c in bad.stderr] == []


def test_plain_show_keeps_one_record_per_line_whatever_a_note_holds(run):
    # A note "n1\nFAKE ..." printed raw forged a timeline line of its own.
    run("add", "Acme", "Till crashes")
    run("note", "1", "n1\n  2026-11-23 09:00  note         FAKE entry\tand a tab", "--in")

    lines = run("show", "1").stdout.splitlines()

    assert not any(
        line.lstrip().startswith("2026-11-23 09:00  note         FAKE") for line in lines
    )
    assert any("n1 2026-11-23 09:00 note FAKE entry and a tab" in line for line in lines)


@pytest.mark.parametrize("args", [["config"], ["-f", "plain", "config"], ["config", "escalate_to"]])
def test_setting_values_from_a_shared_logbook_are_shown_inert(run, args):
    run("config", "escalate_to", f"boss {ESCAPES}")

    ran = run(*args)

    assert [c for c in RAW if c in ran.stdout + ran.stderr] == []


def test_a_promise_owner_in_the_confirmation_is_shown_inert(run):
    run("add", "Acme", "Till crashes")

    ran = run("promise", "1", "Call back", "--due", "tomorrow", "--owner", f"pat {ESCAPES}")

    assert [c for c in RAW if c in ran.stdout + ran.stderr] == []


def test_an_argument_that_is_not_utf8_is_named_inert(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "complog", "add", b"\x1b]0;pwned\x07\xff".decode("utf-8", "surrogateescape"), "x"],
        capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip

    assert done.returncode == 2
    assert b"\x1b" not in done.stderr and b"\x07" not in done.stderr
    assert b"not valid UTF-8" in done.stderr


def test_history_csv_keeps_c1_and_bidi_controls_inert_inside_nested_json(run):
    run("add", f"Acme {ESCAPES}", f"Summary {ESCAPES}")

    ran = run("history", "--format", "csv")

    assert [c for c in RAW if c in ran.stdout] == []
    import csv as csv_module
    import io

    rows = list(csv_module.DictReader(io.StringIO(ran.stdout)))
    after = json.loads(next(r["after"] for r in rows if r["entity"] == "complaint"))
    assert "\x9b" in after["summary"] and "\u202e" in after["summary"]  # still the same text
