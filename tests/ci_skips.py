"""Under CI=true, a skipped test fails the run unless its reason is allowed below.

A test that CI never runs is a test that does not exist: the headless-Chromium
test of the HTML report passed CI for months by skipping (issue 21, item 10).
Each allowed reason says why CI cannot always provide what the test needs.
Loaded by tests/conftest.py (`pytest_plugins`); run on the xdist controller only.
"""

from __future__ import annotations

import os

import pytest

#: skip reason (its start) -> why a CI machine may legitimately lack it
CI_ALLOWED_SKIPS = {
    "making a device node needs root": (
        "CI may run as an ordinary user; the FIFO and symlink cases run everywhere"
    ),
    "planting another user's symlink needs root": (
        "as above: only root can give a symlink another owner (lchown)"
    ),
    "cannot make a private mount namespace here": (
        "a container without CAP_SYS_ADMIN or user namespaces cannot mount a small disk"
    ),
    "cannot mount a tmpfs here": "as above: mounting needs privileges a container may lack",
}

_disallowed: list[str] = []


def _in_ci(config: pytest.Config) -> bool:
    return os.environ.get("CI") == "true" and not hasattr(config, "workerinput")


def skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def allowed(reason: str) -> bool:
    return any(reason.startswith(start) for start in CI_ALLOWED_SKIPS)


@pytest.hookimpl
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = skip_reason(report)
        if not allowed(reason):
            _disallowed.append(f"{report.nodeid}: {reason}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _in_ci(session.config) and _disallowed and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _in_ci(terminalreporter.config) and _disallowed:
        terminalreporter.section(
            "skipped under CI=true (not on tests/ci_skips.py's list)", red=True
        )
        for line in _disallowed:
            terminalreporter.line(line)
        terminalreporter.line(
            "CI fails on these: install what they need (.ci/run), or add the reason, with why,"
            " to CI_ALLOWED_SKIPS"
        )
