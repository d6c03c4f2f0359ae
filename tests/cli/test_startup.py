"""Start-up weight of the hot read commands, and the usage errors of their values.

`due`, `list` and `show` run every morning and in cron: they must not import
the ORM (SQLAlchemy, SQLModel, Alembic) nor pydantic, which Typer 0.29 would
load to convert plain values (cli/coerce.py; docs/performance.md). Checked in a
real process, since the test process itself has imported everything.

Converting without pydantic must not change what is accepted or how a bad
value is reported: the messages below are those Typer's pydantic converter
gave before cli/coerce.py existed. Ids are read by complog's own parser, in
complog's words (tests/cli/test_messages.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer import _click as click

from complog.cli.coerce import FastParam
from complog.cli.main import app
from tests.cli.helpers import seed

HEAVY = ("pydantic", "pydantic_core", "sqlalchemy", "sqlmodel", "alembic", "complog.models")

IMPORTED = """
import json, sys
from complog.cli.main import app
try:
    app(sys.argv[2:])
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    json.dump(sorted(sys.modules), out)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["due"],
        ["due", "--days", "3", "--format", "json", "--owner", "alex"],
        ["list", "--status", "all", "--limit", "5"],
        ["show", "1"],
        ["show", "1", "--format", "json"],
    ],
)
def test_hot_read_commands_import_neither_orm_nor_pydantic(run, tmp_path, args):
    seed(run)
    modules_file = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", IMPORTED, str(modules_file), *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout, "the command printed nothing"
    modules = json.loads(Path(modules_file).read_text())
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY)
    assert heavy == []


TABLES_MAPPED = """
import json, sys
from complog.cli.main import run
sys.argv = ["complog", *sys.argv[2:]]
try:
    run()
except SystemExit:
    pass
from sqlmodel import SQLModel
with open(OUT, "w") as out:
    json.dump(sorted(SQLModel.metadata.tables), out)
"""


@pytest.mark.parametrize("options", [[], ["--promise", "Call back", "--due", "tomorrow 10am"]])
def test_add_maps_only_the_tables_it_writes(run, tmp_path, options):
    """Defining a table costs a few milliseconds of every command that imports it: `add`,
    run after every call, maps the four it writes (complog.tables.complaints)."""
    seed(run)
    out = tmp_path / "tables.json"
    proc = subprocess.run(
        [sys.executable, "-c", TABLES_MAPPED.replace("OUT", repr(str(out))), "-",
         "add", "Acme Newsagency", "Card reader offline", *options],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Logged complaint" in proc.stdout
    assert json.loads(out.read_text()) == ["complaint", "customer", "event", "promise"]


def test_every_parameter_converts_without_pydantic():
    group = typer.main.get_command(app)
    commands = [group, *group.commands.values()]  # type: ignore[attr-defined]
    typer_own = [
        f"{command.name} {param.name}"
        for command in commands
        for param in [*command.params, command.get_help_option(click.Context(command))]
        if not isinstance(param._runtime_param, FastParam)
    ]
    assert typer_own == []


USAGE = (
    "complog: error: Invalid value for '{option}': {message}\n  see 'complog {command} --help'\n"
)
NOT_INT = "Input should be a valid integer, unable to parse string as an integer"
FORMATS = "is not one of 'table', 'json', 'csv', 'plain'."

BAD_VALUES = [
    (["due", "--days", "x"], "--days", NOT_INT),
    (["due", "--days", ""], "--days", NOT_INT),
    (["due", "--days", "1.5"], "--days", NOT_INT),
    (["due", "--days", "٣"], "--days", NOT_INT),  # a digit, but not an ASCII one
    (["due", "--days", "-1"], "--days", "Input should be greater than or equal to 0"),
    (["due", "--days", "99999"], "--days", "Input should be less than or equal to 3660"),
    (["due", "--format", "xml"], "--format' / '-f", f"'xml' {FORMATS}"),
    (["due", "--format", "JSON"], "--format' / '-f", f"'JSON' {FORMATS}"),
    (["due", "--format", ""], "--format' / '-f", f"'' {FORMATS}"),
    (
        ["list", "--status", "closed"],
        "--status",
        "'closed' is not one of 'open', 'resolved', 'all'.",
    ),
    (["list", "--limit", "0"], "--limit", "Input should be greater than or equal to 1"),
    (["list", "--limit", "x"], "--limit", NOT_INT),
    (["add", "A", "B", "--heat", "x"], "--heat", NOT_INT),
    (
        ["add", "A", "B", "--channel", "fax"],
        "--channel",
        "'fax' is not one of 'phone', 'email', 'letter', 'visit', 'web', 'social', 'other'.",
    ),
    (["customers", "--top", "0"], "--top", "Input should be greater than or equal to 1"),
    (
        ["resolve", "1", "--outcome", "x", "--cause", "god"],
        "--cause",
        "'god' is not one of 'ours', 'customer', 'third-party', 'unknown'.",
    ),
]


@pytest.mark.parametrize(("args", "option", "message"), BAD_VALUES)
def test_bad_values_get_typers_usage_errors(run, args, option, message):
    ran = run(*args, exit=2)
    assert ran.stderr == USAGE.format(option=option, message=message, command=args[0])
    assert ran.stdout == ""


@pytest.mark.parametrize(
    ("days", "shown"), [(" 3 ", "3"), ("+3", "3"), ("007", "7"), ("3_0", "30"), ("0", "0")]
)
def test_numbers_pydantic_accepted_are_still_accepted(run, days, shown):
    out = run("due", "--days", days).stdout
    assert out == f"Nothing due in the next {shown} days.\n"


def test_an_integral_float_id_is_still_read_as_that_id(run):
    seed(run)
    assert run("show", "1.0", "--format", "json").json["id"] == 1


@pytest.mark.parametrize("args", [["due"], ["list"], ["show", "1"]])
def test_a_holidays_country_setting_is_not_built_by_commands_that_ask_no_date_of_it(
    run, tmp_path, args
):
    # The old load_settings validated the stored country on every read: it imported the
    # holidays package and built the GB calendar for every command (due: 334 vs 207 ms).
    seed(run)
    run("config", "holidays", "GB")
    modules_file = tmp_path / "modules.json"

    proc = subprocess.run(
        [sys.executable, "-c", IMPORTED, str(modules_file), *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip

    assert proc.returncode == 0, proc.stderr
    modules = json.loads(Path(modules_file).read_text())
    assert "holidays" not in modules


def test_an_unknown_country_is_still_refused_when_written(run):
    ran = run("config", "holidays", "XX", exit=2)

    assert "holidays package knows" in ran.stderr
