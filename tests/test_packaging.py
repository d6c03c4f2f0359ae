"""Packaging metadata and what CI checks (issue 21, item 10).

.ci/run itself builds the wheel and installs it in a fresh venv; these tests pin
that it does so, and the metadata a package index shows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only(reason="reads the project's files; no logbook")

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
TEST_COMMAND = ".venv/bin/python -m pytest"


def test_license_is_an_spdx_expression_with_its_file():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    # PEP 639's license string needs setuptools 77 (older ones warn or fail on it)
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]


def test_classifiers_name_the_supported_pythons_and_no_license():
    classifiers = PYPROJECT["project"]["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert "Typing :: Typed" in classifiers
    # with an SPDX license, a license classifier is an error for setuptools >= 77
    assert not [c for c in classifiers if c.startswith("License ::")]


def _ci_commands() -> list[str]:
    return [
        line.strip()
        for line in CI.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_ci_lints_types_and_builds_the_wheel_before_the_tests():
    commands = _ci_commands()
    order = [
        ".venv/bin/ruff check src tests",
        ".venv/bin/ruff format --check src tests",
        ".venv/bin/mypy",
        ".venv/bin/pip wheel --no-deps",
        '"$wheels/venv/bin/complog" --version',
    ]
    found = [next(i for i, c in enumerate(commands) if step in c) for step in order]
    assert found == sorted(found)
    tests_at = next(i for i, c in enumerate(commands) if c.startswith(TEST_COMMAND))
    assert found[-1] < tests_at


def test_ci_ends_by_running_exactly_the_readme_test_command():
    runs = [c for c in _ci_commands() if "-m pytest" in c]
    assert runs == [f"{TEST_COMMAND} || status=$?"]


def test_ci_installs_chromium_and_postgresql_when_missing():
    assert re.search(r"apt_install postgresql\b", CI)
    assert re.search(r"apt_install chromium\b", CI)
    assert 'export CI="${CI:-true}"' in CI


# -- team mode is findable and installable (issue 21, item 9) ----------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")
TEAM = (ROOT / "docs" / "team.md").read_text(encoding="utf-8")
CHECKOUT_INSTALL = "pip install -e '.[postgres]'"


def test_readme_has_a_team_section_with_the_url_form_and_a_link_to_team_md():
    section = README.split("## A team logbook on PostgreSQL", 1)[1].split("\n## ", 1)[0]
    assert "postgresql+psycopg://" in section
    assert CHECKOUT_INSTALL in section
    assert "(docs/team.md)" in section


def test_team_md_installs_from_a_checkout_with_an_extra_that_exists():
    assert CHECKOUT_INSTALL in TEAM.split("## Set up", 1)[1].split("\n## ", 1)[0]
    assert "psycopg[binary]>=3.1" in PYPROJECT["project"]["optional-dependencies"]["postgres"]


def test_db_help_gives_the_postgresql_url_form():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "complog", "--help"],
        capture_output=True, text=True, check=True, env={"COLUMNS": "200", "PATH": ""},
    ).stdout  # fmt: skip
    assert "postgresql+psycopg://user@host/db" in out
