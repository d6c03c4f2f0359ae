"""The docs come from the code, and stay true to it (STYLE rule 11).

Like sqlite-utils' tests/test_docs.py: docs/cli.md must be what cog would
generate now, every command needs a help text with an example, and every
command needs a section in the reference. The README's two set-up commands
are a promise to new users and to CI (.ci/run), so they are pinned here too.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from cogapp import Cog
from typer.core import TyperGroup

from complog.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
CLI_MD = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"
CI_SCRIPT = ROOT / ".ci" / "run"

INSTALL_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/complog demo"
)
TEST_COMMAND = ".venv/bin/python -m pytest"


def registered_commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    return dict(group.commands)


COMMANDS = registered_commands()


def test_cli_reference_is_up_to_date() -> None:
    out, err = io.StringIO(), io.StringIO()
    cog = Cog()
    cog.set_output(stdout=out, stderr=err)
    status = cog.main(["cog", "--check", "--diff", str(CLI_MD)])
    assert status == 0, (
        "docs/cli.md is stale; regenerate it with: .venv/bin/cog -r docs/cli.md\n"
        f"{out.getvalue()}{err.getvalue()}"
    )


def test_app_has_commands() -> None:
    # Guards the parametrized tests below against passing vacuously.
    core = {"add", "note", "promise", "kept", "reschedule", "due", "show", "resolve"}
    assert core <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help_with_an_example(name: str) -> None:
    help_text = COMMANDS[name].help or ""
    assert help_text.strip(), f"complog {name} has no help text (give the function a docstring)"
    lines = [line.strip() for line in help_text.splitlines()]
    examples = [line for line in lines if line.startswith("Example:")]
    assert examples, f"complog {name}'s help has no 'Example:' line"
    assert all(re.search(rf"^Example: complog\b.*\b{re.escape(name)}\b", e) for e in examples), (
        f"complog {name}'s example should run 'complog ... {name}': {examples}"
    )


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_a_section_in_cli_reference(name: str) -> None:
    headings = re.findall(r"^## (.+?)\s*$", CLI_MD.read_text(encoding="utf-8"), flags=re.M)
    assert f"complog {name}" in headings, f"docs/cli.md has no '## complog {name}' section"


def readme_opening_commands() -> list[str]:
    """Shell commands in the fenced code blocks before the README's first `## ` heading."""
    text = README.read_text(encoding="utf-8")
    opening = re.split(r"^## ", text, maxsplit=1, flags=re.M)[0]
    commands: list[str] = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", opening, flags=re.M | re.S):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ")
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_readme_opens_with_the_two_setup_commands() -> None:
    assert readme_opening_commands() == [INSTALL_COMMAND, TEST_COMMAND]


def test_ci_runs_the_readme_test_command() -> None:
    assert TEST_COMMAND in CI_SCRIPT.read_text(encoding="utf-8")
