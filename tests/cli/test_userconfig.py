"""The user's config file (issue 21, item 5): config.toml in the user config folder
holds logbook, user, format and pager, so cron lines need not repeat them. Flags beat
the environment, which beats the file, which beats the defaults; `config --where`
shows each value's source; a bad file is a one-line error naming file and line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.helpers import assert_clean_error

pytestmark = pytest.mark.sqlite_only(reason="the person's own config file, not the logbook")


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """Where complog looks: $XDG_CONFIG_HOME/complog/config.toml (conftest isolates it)."""
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "complog"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "config.toml"


def test_the_logbook_named_in_the_file_is_used_when_no_flag_or_variable_names_one(
    run, config_file, tmp_path, monkeypatch
):
    monkeypatch.delenv("COMPLOG_DB")
    book = tmp_path / "shop" / "complaints.db"
    config_file.write_text(f'logbook = "{book}"\n')
    run("add", "Acme", "Till broke")
    assert book.exists()
    assert run("list", "-f", "json").json[0]["customer"] == "Acme"


def test_a_relative_logbook_is_relative_to_the_config_folder(run, config_file, monkeypatch):
    monkeypatch.delenv("COMPLOG_DB")
    config_file.write_text('logbook = "books/complog.db"\n')
    run("add", "Acme", "Till broke")
    assert (config_file.parent / "books" / "complog.db").exists()


def test_environment_beats_the_file_and_the_flag_beats_the_environment(
    run, config_file, tmp_path, logbook
):
    from_file, from_flag = tmp_path / "file.db", tmp_path / "flag.db"
    config_file.write_text(f'logbook = "{from_file}"\n')
    run("add", "Acme", "Till broke")  # COMPLOG_DB (set by conftest) wins over the file
    assert Path(logbook).exists() and not from_file.exists()
    run("--db", str(from_flag), "add", "Acme", "Till broke")
    assert from_flag.exists() and not from_file.exists()


def test_user_from_the_file_is_recorded_unless_the_environment_or_a_flag_says_otherwise(
    run, config_file, monkeypatch
):
    monkeypatch.delenv("COMPLOG_USER")
    config_file.write_text('user = "priya"\n')
    assert run("add", "Acme", "Till broke", "-f", "json").json["owner"] == "priya"
    assert (
        run("add", "Acme", "Again", "-f", "json", env={"COMPLOG_USER": "sam"}).json["owner"]
        == "sam"
    )
    assert run("--user", "kim", "add", "Acme", "Third", "-f", "json").json["owner"] == "kim"


def test_format_from_the_file_is_the_default_and_a_flag_overrides_it(run, config_file):
    run("add", "Acme", "Till broke")
    config_file.write_text('format = "json"\n')
    assert run("list").json[0]["summary"] == "Till broke"
    assert run("list", "-f", "csv").stdout.startswith("id,")
    assert run("-f", "plain", "list").stdout.lstrip()[0] != "["


def test_config_where_shows_each_value_and_its_source(run, config_file, tmp_path, monkeypatch):
    monkeypatch.delenv("COMPLOG_PAGER", raising=False)
    monkeypatch.delenv("PAGER", raising=False)
    book = tmp_path / "book.db"
    config_file.write_text(f'# mine\nlogbook = "{book}"\nformat = "plain"\n\npager = "less -R"\n')
    shown = run("config", "--where", "-f", "json").json
    assert shown["config_file"] == str(config_file)
    by = {row["setting"]: row for row in shown["settings"]}
    assert by["logbook"]["source"] == "COMPLOG_DB"  # conftest sets it: it beats the file
    assert by["user"] == {"setting": "user", "value": "tester", "source": "COMPLOG_USER"}
    assert by["format"] == {"setting": "format", "value": "plain", "source": f"{config_file}:3"}
    assert by["pager"] == {"setting": "pager", "value": "less -R", "source": f"{config_file}:5"}
    monkeypatch.delenv("COMPLOG_DB")
    by = {
        r["setting"]: r
        for r in run("--no-pager", "config", "--where", "-f", "json").json["settings"]
    }
    assert by["logbook"] == {"setting": "logbook", "value": str(book), "source": f"{config_file}:2"}
    assert by["pager"]["source"] == "--no-pager"


def test_config_where_without_a_file_shows_the_defaults(run, monkeypatch):
    monkeypatch.delenv("COMPLOG_PAGER", raising=False)
    monkeypatch.delenv("PAGER", raising=False)
    by = {r["setting"]: r for r in run("config", "--where", "-f", "json").json["settings"]}
    assert by["format"]["source"] == "default"
    assert by["pager"] == {"setting": "pager", "value": "less -FRX", "source": "default"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('logbook = "x.db"\nuser = \n', ":2: not valid TOML: Invalid value"),
        ('\n\nlogbok = "x.db"\n', ":3: unknown setting 'logbok'; known: logbook, user, format, pager"),
        ('format = "xml"\n', ":1: format 'xml' is not one of table, plain, json, csv"),
        ('user = 3\n', ":1: user must be text"),
        ('user = "  "\n', ":1: user is empty"),
        ('pager = true\n', ":1: pager = true says nothing"),
        ('[logbook]\npath = "x"\n', ":1: logbook must be text"),
        ('day_end = "17:30"\n', ":1: unknown setting 'day_end'"),
    ],
    ids=["toml", "unknown", "format", "type", "empty-user", "pager-true", "table", "logbook-setting"],
)  # fmt: skip
def test_a_bad_config_file_is_one_line_naming_the_file_and_line(
    run, config_file, logbook, text, message
):
    config_file.write_text(text)
    ran = run("add", "Acme", "Till broke", exit=2)
    assert_clean_error(ran, 2, f"{config_file}{message}")
    assert len(ran.stderr.splitlines()) == 1
    assert not Path(logbook).exists(), "a command ran despite the bad config file"


def test_a_config_file_that_is_not_utf8_names_its_line(run, config_file):
    config_file.write_bytes(b'user = "sam"\nformat = "caf\xe9"\n')
    assert_clean_error(run("list", exit=2), 2, f"{config_file}:2: not UTF-8 text")


def test_an_empty_complog_db_is_still_refused_whatever_the_file_says(run, config_file, tmp_path):
    """An unset variable in a cron line must never silently become another logbook."""
    config_file.write_text(f'logbook = "{tmp_path / "file.db"}"\n')
    ran = run("list", env={"COMPLOG_DB": ""}, exit=2)
    assert "COMPLOG_DB" in ran.stderr or "empty" in ran.stderr
    assert not (tmp_path / "file.db").exists()


def test_help_and_version_do_not_read_the_config_file(run, config_file):
    config_file.write_text("this is not toml\n")
    run("--help")
    run("--version")


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_config_path_that_is_not_a_file_is_a_clean_error_not_a_hang(run, config_file, kind):
    if kind == "folder":
        config_file.mkdir()
    else:
        os.mkfifo(config_file)
    ran = run("list", exit=2)
    assert_clean_error(ran, 2, f"{config_file}: not a regular file")


def test_a_config_symlink_to_a_missing_file_is_an_error_not_no_file(
    run, config_file, tmp_path, logbook
):
    """dotfiles linked into place but not checked out: the settings the person relies on
    (which logbook, who they are) must not silently become the defaults."""
    config_file.symlink_to(tmp_path / "dotfiles" / "complog.toml")
    ran = run("add", "Acme", "Till broke", exit=2)
    assert_clean_error(ran, 2, f"{config_file}: a symlink to a file that does not exist")
    assert not Path(logbook).exists()


def test_a_config_file_others_may_write_is_refused_before_its_pager_runs(
    run, config_file, tmp_path, logbook
):
    """`pager` is a command complog runs: a file anyone may write runs anyone's command."""
    marker = tmp_path / "ran"
    config_file.write_text(f'pager = "touch {marker}; less"\n')
    config_file.chmod(0o666)
    ran = run("list", exit=2)
    assert_clean_error(ran, 2, f"{config_file}: others may write to it")
    assert "chmod 600" in ran.stderr
    assert not marker.exists()
    config_file.chmod(0o644)
    run("list")


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to someone else needs root")
def test_a_config_file_that_belongs_to_someone_else_is_refused(run, config_file):
    config_file.write_text('user = "mallory"\n')
    os.chown(config_file, 4242, -1)
    assert_clean_error(run("list", exit=2), 2, f"{config_file}: it belongs to someone else")


def test_a_huge_config_file_is_refused_without_reading_it_all(run, config_file):
    config_file.write_bytes(b"# " + b"x" * (2 << 20) + b"\n")
    assert_clean_error(run("list", exit=2), 2, f"{config_file}: larger than 1 MiB")
