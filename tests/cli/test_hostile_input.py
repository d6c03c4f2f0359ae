"""Hostile text in the places issue 20's attack found unguarded: a user name that is
not UTF-8, and a newline inside a value complog echoes back (a setting, a file
name). A message is the lines complog means to write, never one a value forged."""

from __future__ import annotations

from pathlib import Path

import pytest

#: what a shell passes for `$'b\xff'` when the locale is UTF-8: Python keeps the byte
#: as a lone surrogate, which no UTF-8 text (SQLite's or PostgreSQL's) can hold
UNDECODABLE = "b\udcff"


def test_an_undecodable_complog_user_is_a_usage_error_and_saves_nothing(proc):
    ran = proc("add", "Acme", "Broken", env={"COMPLOG_USER": UNDECODABLE}, exit=2)
    assert ran.stderr == (
        "complog: error: the user (--user or COMPLOG_USER) is not valid UTF-8 text\n"
        "  check the terminal's locale (LANG), or give the name in UTF-8\n"
    )
    assert proc("list", "--status", "all", "-f", "json").json == []


@pytest.mark.sqlite_only(reason="on PostgreSQL the signed-in role acts, not the login name")
def test_an_undecodable_login_name_is_a_usage_error_that_names_the_way_out(
    proc, logbook, monkeypatch
):
    monkeypatch.delenv("COMPLOG_USER", raising=False)
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # getpass.getuser's order
        monkeypatch.setenv(variable, UNDECODABLE)
    ran = proc("add", "Acme", "Broken", exit=2)
    assert ran.stderr == (
        "complog: error: your login name is not valid UTF-8 text\n"
        "  give a name with --user or COMPLOG_USER\n"
    )
    assert proc("list", "--status", "all", "-f", "json", env={"COMPLOG_USER": "t"}).json == []


@pytest.mark.parametrize("value", ["Boss\nFORGED", "Boss\r\nFORGED", "Boss\tand\nteam"])
def test_setting_a_value_with_a_newline_confirms_it_on_one_line(run, value):
    """`config KEY VALUE` says what it stored as `config KEY` shows it: one line."""
    run("init")
    said = run("config", "escalate_to", value).stdout
    shown = run("config", "escalate_to").stdout
    assert said.count("\n") == 1 and shown.count("\n") == 1
    assert said == f"escalate_to = {shown}"


def test_an_error_quoting_a_file_name_with_a_newline_stays_two_lines(proc, tmp_path: Path):
    forged = tmp_path / "e\ncomplog: error: FORGED"
    forged.write_text("not a complaint file\n")
    ran = proc("import", str(forged), exit=2)
    shown = forged.name.replace("\n", "\\n")
    assert ran.stderr == (
        f"complog: error: cannot tell the format of {shown}\n"
        "  add --format json, jsonl, csv, cfpb or twcs\n"
    )


def test_a_missing_logbook_named_with_a_newline_is_a_two_line_error(proc, tmp_path: Path):
    missing = tmp_path / "gone\nFORGED.db"
    ran = proc("--db", str(missing), "due", "--exit-code", exit=5)
    assert ran.stderr.count("\n") == 2
    assert "gone\\nFORGED.db" in ran.stderr.splitlines()[0]


@pytest.mark.sqlite_only(reason="backup copies SQLite files")
def test_a_result_line_naming_a_file_with_a_newline_stays_one_line(proc, tmp_path: Path):
    target = tmp_path / "copy\nFORGED.db"
    proc("init")
    ran = proc("backup", str(target))
    assert ran.stdout.count("\n") == 1
    assert ran.stdout.endswith("copy\\nFORGED.db\n")
    assert target.exists()


def test_import_refusing_a_file_named_with_a_newline_lists_it_on_one_line(proc, tmp_path: Path):
    bad = tmp_path / "e\nFORGED.json"
    bad.write_text("{}\n")
    ran = proc("import", str(bad), "--format", "json", exit=2)
    assert ran.stderr.splitlines() == [
        "  e\\nFORGED.json file: line 1: expected a JSON array of complaints",
        "complog: error: 1 bad record in e\\nFORGED.json; nothing was imported",
        "  fix them, or add --skip-bad to import the rest",
    ]


@pytest.mark.sqlite_only(reason="a logbook file that does not exist yet")
def test_reading_a_logbook_not_made_yet_named_with_a_newline_says_so_on_one_line(proc, tmp_path):
    ran = proc("--db", str(tmp_path / "new\nFORGED.db"), "due")
    assert ran.stderr.count("\n") == 1
    assert "new\\nFORGED.db yet" in ran.stderr


def test_report_html_names_its_file_on_one_line(proc, tmp_path: Path):
    page = tmp_path / "page\nFORGED.html"
    proc("add", "Acme", "Till")
    ran = proc("report", "--html", str(page))
    assert ran.stderr == f"Wrote {str(page).replace(chr(10), chr(92) + 'n')}\n"
    assert page.exists()


@pytest.mark.sqlite_only(reason="a hooks folder on this machine")
def test_a_hook_not_run_from_a_folder_named_with_a_newline_is_reported_on_its_lines(
    run, tmp_path: Path
):
    """A shared logbook's hooks_dir is anyone's text; the warning after every command
    stays the two lines complog writes."""
    from tests.cli.test_hooks import RECORD, hook

    folder = tmp_path / "team\ncomplog: error: FORGED"
    run("config", "hooks_dir", str(folder))
    hook(folder, "on-add", RECORD.format(name="on-add"))
    ran = run("add", "Acme", "Till")
    lines = ran.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("warning: hook on-add not run: the logbook's hooks_dir")
    assert not any(line.startswith("complog: error") for line in lines)


@pytest.mark.sqlite_only(reason="a logbook file's name")
def test_init_names_a_logbook_with_a_newline_in_its_path_on_one_line(proc, tmp_path: Path):
    folder = tmp_path / "shop\nFORGED"
    ran = proc("--db", str(folder / "c.db"), "init")
    assert ran.stdout == f"Created logbook at {tmp_path}/shop\\nFORGED/c.db\n"
    assert (folder / "c.db").exists()


MARKUP = "/tmp/[link=https:/evil.example]team[/link] [bold red]hooks[/] [vip]"


def test_a_hooks_dir_that_looks_like_rich_markup_is_shown_as_typed(run):
    """A shared logbook's hooks_dir went into the hooks table's title as Rich markup:
    `[link=URL]` became a hyperlink on every user's terminal and `[vip]` vanished."""
    run("config", "hooks_dir", MARKUP)
    shown = run("hooks", "-f", "table").stdout
    assert "".join(f"Hooks in {MARKUP}".split()) in "".join(shown.split())  # wrapped at 80
