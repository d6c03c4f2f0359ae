"""The README is executable documentation (issue 21, item 1): every `$ complog` line of
its console blocks is typed into a terminal, in order, on a scratch logbook, with the
clock and user the README states, and must print exactly what the README shows and
exit 0. tests/readme_runner.py does the work; `python -m tests.readme_runner --update`
rewrites the outputs after a deliberate change."""

from __future__ import annotations

import pytest

from tests import readme_runner

pytestmark = pytest.mark.sqlite_only(reason="the README's tour uses a scratch SQLite file")


def test_every_readme_console_block_runs_as_written(tmp_path):
    steps = readme_runner.parse(readme_runner.README.read_text(encoding="utf-8"))
    assert len(steps) >= 20, "the tour lost its console blocks"
    readme_runner.run(steps, tmp_path)
    differences = readme_runner.differences(steps)
    assert differences == [], (
        "README.md does not run as written (python -m tests.readme_runner --update"
        " rewrites the outputs after a deliberate change):\n" + "".join(differences)
    )


def test_every_readme_step_states_its_clock_and_user():
    steps = readme_runner.parse(readme_runner.README.read_text(encoding="utf-8"))
    assert all(step.env.get("now") and step.env.get("user") for step in steps)


def test_the_runner_notices_a_wrong_output_and_a_failing_command(tmp_path):
    text = (
        "<!-- readme: user=sam now=2026-11-23T09:30:00+00:00 -->\n"
        "```console\n"
        '$ complog add "Acme" "Till broke"\n'
        "Logged complaint 9 for Acme\n"
        "$ complog show 42\n"
        "```\n"
    )
    steps = readme_runner.parse(text)
    readme_runner.run(steps, tmp_path)
    found = readme_runner.differences(steps)
    assert "  - Logged complaint 9 for Acme\n  + Logged complaint 1 for Acme\n" in found[0]
    assert "$ complog show 42\n  exited 3\n" in found[1]
