"""Text from anywhere (issue 21, item 2): `-` reads a free text from standard input;
a required text left out on a terminal opens $VISUAL/$EDITOR, as `git commit` does;
off a terminal no editor ever opens."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import assert_clean_error, seed, snapshot

pytestmark = pytest.mark.sqlite_only(reason="where text comes from; the logbook is not its subject")


def _notes(run, complaint: str = "1") -> list[str]:
    return [n["text"] for n in run("show", complaint, "-f", "json").json["notes"]]


# -- standard input -------------------------------------------------------------------


def test_note_dash_reads_the_note_from_standard_input(run):
    seed(run)
    text = "Rang back at 14:05.\nCustomer: «still broken» — wants a visit ☎"
    made = run("note", "1", "-", "-f", "json", input=text + "\n").json
    assert made["text"] == text
    assert "-" not in _notes(run)


@pytest.mark.parametrize(
    "args",
    [
        ["cancel", "1", "--reason", "-"],
        ["promise", "1", "-", "--due", "fri"],
        ["resolve", "1", "--outcome", "-", "--cancel-open-promises"],
        ["kept", "1", "--note", "-"],
        ["escalate", "1", "--to", "manager", "--reason", "-"],
    ],
    ids=["cancel-reason", "promise-text", "resolve-outcome", "kept-note", "escalate-reason"],
)
def test_every_free_text_takes_dash_for_standard_input(run, args):
    seed(run)
    run(*args, input="From the pipe\n")
    shown = run("show", "1", "-f", "json").json
    assert "From the pipe" in str(shown)
    assert "'-'" not in str(shown) and '"-"' not in str(shown)


def test_add_summary_and_wants_cannot_both_come_from_standard_input(run):
    seed(run)
    before = snapshot(os.environ["COMPLOG_DB"])
    ran = run("add", "Acme Newsagency", "-", "--wants", "-", input="Both\n", exit=2)
    assert_clean_error(ran, 2, "standard input can give only one text: it already gave the summary")
    assert snapshot(os.environ["COMPLOG_DB"]) == before


def test_non_utf8_bytes_on_standard_input_are_a_clean_error(logbook, proc):
    proc("add", "Acme", "Till broke")
    before = snapshot(logbook)
    ran = subprocess.run(
        [sys.executable, "-m", "complog", "note", "1", "-"],
        input=b"caf\xe9 au lait\n", capture_output=True, env=os.environ, timeout=60,
    )  # fmt: skip
    assert ran.returncode == 2
    assert ran.stderr.decode().startswith("complog: error: the note on standard input is not UTF-8")
    assert snapshot(logbook) == before


def test_huge_standard_input_is_refused_with_nothing_saved(run):
    seed(run)
    before = snapshot(os.environ["COMPLOG_DB"])
    ran = run("note", "1", "-", input="x" * (2 << 20), exit=2)
    assert_clean_error(ran, 2, "the note on standard input is longer than 1 MiB")
    assert snapshot(os.environ["COMPLOG_DB"]) == before


def test_empty_standard_input_is_an_empty_note(run):
    seed(run)
    ran = run("note", "1", "-", input="", exit=2)
    assert_clean_error(ran, 2, "note text must not be empty")


# -- no terminal: never an editor -------------------------------------------------------


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fake editor: records the file it was given (its text and mode), then writes
    $FAKE_EDIT into it. Set as EDITOR; VISUAL is unset."""
    script = tmp_path / "fake-editor"
    script.write_text(
        "#!/bin/sh\n"
        'cp "$1" "$FAKE_SEEN"\n'
        'stat -c %a "$1" > "$FAKE_SEEN.mode"\n'
        'printf "%s" "$FAKE_EDIT" > "$1"\n'
        'exit "${FAKE_EXIT:-0}"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("FAKE_SEEN", str(tmp_path / "seen"))
    return tmp_path / "seen"


def _on_terminal(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """complog with a terminal on standard input (a pty), output captured; a new
    session, so the test's own terminal (if any) is never the editor's."""
    master, slave = pty.openpty()
    try:
        return subprocess.run(
            [sys.executable, "-m", "complog", *args],
            stdin=slave, capture_output=True, text=True, timeout=60,
            env={**os.environ, **(env or {})}, start_new_session=True,
        )  # fmt: skip
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["note", "1"], "Missing argument 'TEXT'."),
        (["cancel", "1"], "Missing option '--reason'."),
        (["resolve", "1"], "Missing option '--outcome'."),
    ],
)
def test_a_missing_text_off_a_terminal_is_a_usage_error_and_no_editor(
    logbook, proc, editor, args, message
):
    proc("add", "Acme", "Till broke", "--promise", "Call", "--due", "fri")
    ran = proc(*args, exit=2, env={"FAKE_EDIT": "should not be saved"})
    assert_clean_error(ran, 2, message)
    assert not editor.exists(), "an editor was opened without a terminal"


# -- a terminal: the editor ----------------------------------------------------------------


def test_note_left_out_on_a_terminal_is_written_in_the_editor(logbook, proc, run, editor):
    proc("add", "Acme", "Till broke")
    ran = _on_terminal(
        "note", "1", "--out",
        env={"FAKE_EDIT": "Rang back: engineer booked\n# my own comment\nfor Friday.\n"},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "Noted on complaint 1 (note 1, out)\n"
    assert _notes(run) == ["Rang back: engineer booked\nfor Friday."]
    template = editor.read_text()
    assert "# Write the note on complaint 1" in template
    assert "Lines starting with '#' are ignored" in template
    assert (editor.parent / "seen.mode").read_text().strip() == "600"
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("complog-*/complog-note.txt"))


def test_visual_is_preferred_to_editor(logbook, proc, run, editor, tmp_path):
    proc("add", "Acme", "Till broke", "--promise", "Call", "--due", "fri")
    visual = tmp_path / "visual"
    visual.write_text('#!/bin/sh\nprintf "Chosen by VISUAL" > "$1"\n')
    visual.chmod(0o755)
    ran = _on_terminal("cancel", "1", env={"VISUAL": str(visual), "FAKE_EDIT": "by EDITOR"})
    assert ran.returncode == 0, ran.stderr
    assert not editor.exists()
    assert "Chosen by VISUAL" in str(run("show", "1", "-f", "json").json["timeline"])


@pytest.mark.parametrize(
    ("edit", "exit_status", "message"),
    [
        ("\n# only comments\n\n", "0", "the note is empty; nothing was saved"),
        ("Half a note", "1", "exited with status 1; nothing was saved"),
    ],
    ids=["empty", "editor-failed"],
)
def test_an_empty_or_failed_edit_saves_nothing(logbook, proc, editor, edit, exit_status, message):
    proc("add", "Acme", "Till broke")
    before = snapshot(logbook)
    ran = _on_terminal("note", "1", env={"FAKE_EDIT": edit, "FAKE_EXIT": exit_status})
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.startswith("complog: error: "), ran.stderr
    assert message in ran.stderr
    assert "Traceback" not in ran.stderr
    assert snapshot(logbook) == before


def test_an_editor_that_is_not_installed_is_a_clean_error(logbook, proc):
    proc("add", "Acme", "Till broke")
    before = snapshot(logbook)
    ran = _on_terminal("note", "1", env={"EDITOR": "no-such-editor-xyz", "VISUAL": ""})
    assert ran.returncode == 2
    assert "the editor (no-such-editor-xyz) was not found; nothing was saved" in ran.stderr
    assert snapshot(logbook) == before


def test_add_summary_left_out_on_a_terminal_opens_the_editor(logbook, proc, run, editor):
    ran = _on_terminal("add", "Acme", "--heat", "4", env={"FAKE_EDIT": "Till crashes at close"})
    assert ran.returncode == 0, ran.stderr
    assert run("show", "1", "-f", "json").json["summary"] == "Till crashes at close"
    assert "of Acme's complaint" in editor.read_text()


def test_a_bad_date_is_refused_before_the_editor_opens(logbook, proc, editor):
    proc("add", "Acme", "Till broke")
    ran = _on_terminal("promise", "1", "--due", "someday")
    assert ran.returncode == 2
    assert not editor.exists(), "the editor opened for a command that was bound to fail"


def test_an_editor_that_leaves_a_fifo_is_a_clean_error_not_a_hang(logbook, proc, tmp_path):
    """A broken editor wrapper (or a hostile one) replaces the file with a FIFO:
    reading it back must not wait forever for a writer that never comes."""
    proc("add", "Acme", "Till broke")
    before = snapshot(logbook)
    script = tmp_path / "fifo-editor"
    script.write_text('#!/bin/sh\nrm -f "$1" && mkfifo "$1"\n')
    script.chmod(0o755)
    master, slave = pty.openpty()
    try:
        ran = subprocess.run(
            [sys.executable, "-m", "complog", "note", "1"], stdin=slave, capture_output=True,
            text=True, timeout=30, env={**os.environ, "EDITOR": str(script), "VISUAL": "", "TMPDIR": str(tmp_path)},
            start_new_session=True,
        )  # fmt: skip
    finally:
        os.close(master)
        os.close(slave)
    assert ran.returncode == 2, ran.stderr
    assert "the editor left something that is not a file; nothing was saved" in ran.stderr
    assert snapshot(logbook) == before


def test_a_huge_edit_is_refused_without_reading_it_all(logbook, proc, tmp_path):
    proc("add", "Acme", "Till broke")
    before = snapshot(logbook)
    script = tmp_path / "huge-editor"
    script.write_text('#!/bin/sh\nyes xxxxxxxxxxxxxxx | head -c 3000000 > "$1"\n')
    script.chmod(0o755)
    ran = _on_terminal(
        "note", "1", env={"EDITOR": str(script), "VISUAL": "", "TMPDIR": str(tmp_path)}
    )
    assert ran.returncode == 2, ran.stderr
    assert "the note the editor saved is longer than 1 MiB; nothing was saved" in ran.stderr
    assert snapshot(logbook) == before
