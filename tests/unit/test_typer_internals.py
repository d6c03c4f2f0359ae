"""Typer's private API is used for the versions it was tested with, and only there."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from complog.cli.typer_internals import PIN, check_version

ROOT = Path(__file__).resolve().parents[2]


def test_an_untested_typer_stops_complog_with_what_to_install():
    script = "import typer; typer.__version__ = '0.30.0'; from complog.cli.main import main; main()"
    ran = subprocess.run(
        [sys.executable, "-c", script, "due"], capture_output=True, text=True, check=False
    )
    assert (ran.returncode, ran.stdout) == (1, "")
    assert ran.stderr == (
        "complog: error: complog was tested with Typer 0.29.x, and Typer 0.30.0 is installed\n"
        f"hint: pip install '{PIN}'\n"
    )


@pytest.mark.parametrize("version", ["0.28.9", "0.30.0", "1.0.0", "0.290.1"])
def test_versions_outside_the_tested_range_are_refused(version):
    with pytest.raises(SystemExit):
        check_version(version)


def test_the_tested_version_is_accepted():
    check_version("0.29.2")


def test_the_package_pins_the_range_the_module_supports():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert PIN in pyproject["project"]["dependencies"]


def test_only_typer_internals_imports_typer_private_modules():
    """typer._click, typer._coercion, ... and typer.core: one module, one version check."""
    found = []
    for path in sorted((ROOT / "src" / "complog").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith(("typer._", "typer.core")) and path.name != "typer_internals.py":
                    found.append(f"{path.relative_to(ROOT)}: {name}")
    assert not found


def test_the_entry_point_builds_only_the_command_it_runs():
    """run() builds the command looked up, not all of them (40 ms of every command);
    the names are all there, in the order declared, for help and typo suggestions."""
    from complog.cli.main import COMMANDS, ComplogGroup, app
    from complog.cli.typer_internals import lazy_group

    built: list[str] = []

    def prepare(command):
        built.append(command.name)
        ComplogGroup.prepare(command)

    group = lazy_group(app, prepare)
    assert list(group.commands) == [name for _function, name in COMMANDS]
    assert built == []
    add = group.get_command(None, "add")
    assert add is group.get_command(None, "add")
    assert built == ["add"]
    assert add.short_help.startswith("Log a complaint")
    assert group.get_command(None, "no-such-command") is None
