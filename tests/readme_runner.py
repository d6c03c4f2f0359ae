"""Run the README's console blocks, in order, as a reader would type them.

Every ```console block of README.md is a transcript: lines starting with `$ ` are
commands, the lines after each are what it printed (standard output and error, as a
terminal shows them). The runner types each command into bash on a pseudo-terminal
(80 columns, so the tables are the tables a reader sees) on a scratch logbook, with
the clock and user that the README's `<!-- readme: now=... user=... -->` comments
state (they render as nothing on GitHub), and compares what it printed, exactly.

    python -m tests.readme_runner            # report differences, exit 1 if any
    python -m tests.readme_runner --update   # rewrite README.md's outputs from a run

tests/test_readme.py runs it in the suite (and so in CI).
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
DIRECTIVE = re.compile(r"<!--\s*readme:\s*(.*?)\s*-->")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
COLUMNS = 80


@dataclass
class Step:
    """One `$ command` of a console block and the lines the README says it prints."""

    command: str
    expected: list[str]
    env: dict[str, str]
    line: int  # of the command in README.md
    actual: list[str] = field(default_factory=list)
    #: a README command that fails is a README that does not run as written
    exit_code: int = 0


def parse(text: str) -> list[Step]:
    """The console blocks' commands in order, each with the directives in force."""
    steps: list[Step] = []
    settings: dict[str, str] = {}
    in_console = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not in_console:
            for directive in DIRECTIVE.findall(line):
                for pair in directive.split():
                    key, _, value = pair.partition("=")
                    settings[key] = value
            if line.strip() == "```console":
                in_console = True
            continue
        if line.strip() == "```":
            in_console = False
        elif line.startswith("$ "):
            steps.append(Step(line[2:], [], dict(settings), number))
        elif steps:
            steps[-1].expected.append(line)
    return steps


def run(steps: list[Step], workdir: Path) -> None:
    """Type each command into bash, on a terminal, in the story's clock and user."""
    shim = workdir / "bin" / "complog"  # `complog` on PATH: this checkout's
    shim.parent.mkdir(parents=True, exist_ok=True)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m complog "$@"\n')
    shim.chmod(0o755)
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COMPLOG_", "PAGER", "VISUAL", "EDITOR", "XDG_", "LESS"))
    }
    base |= {
        "PATH": f"{shim.parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "COMPLOG_DB": str(workdir / "readme.db"),
        "XDG_CONFIG_HOME": str(workdir / "config"),
        "COLUMNS": str(COLUMNS),
        "LINES": "200",
        "TERM": "xterm",
        "NO_COLOR": "1",
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(README.parent / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    for step in steps:
        env = base | {
            "COMPLOG_NOW": step.env.get("now", ""),
            "COMPLOG_USER": step.env.get("user", ""),
        }
        env = {k: v for k, v in env.items() if v}
        step.actual, step.exit_code = _on_terminal(step.command, env, workdir)


def _on_terminal(command: str, env: dict[str, str], cwd: Path) -> tuple[list[str], int]:
    master, slave = pty.openpty()
    process = subprocess.Popen(
        ["bash", "--noprofile", "--norc", "-c", command], stdin=subprocess.DEVNULL,
        stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the command exited and its terminal closed
            break
        if not chunk:
            break
        seen += chunk
    code = process.wait(timeout=120)
    os.close(master)
    text = ANSI.sub("", seen.decode("utf-8", "replace")).replace("\r\n", "\n")
    return ([line.rstrip() for line in text.split("\n")[:-1]] if text else []), code


def differences(steps: list[Step]) -> list[str]:
    """Each command whose output differs, as README line, command, expected and got."""
    out = []
    for step in steps:
        expected = [line.rstrip() for line in step.expected]
        if step.exit_code != 0:
            out.append(f"README.md:{step.line}: $ {step.command}\n  exited {step.exit_code}\n")
        if expected != step.actual:
            out.append(
                f"README.md:{step.line}: $ {step.command}\n"
                + "".join(f"  - {line}\n" for line in expected)
                + "".join(f"  + {line}\n" for line in step.actual)
            )
    return out


def update(text: str, steps: list[Step]) -> str:
    """README.md with each command's output replaced by what it printed."""
    lines = text.splitlines()
    by_line = {step.line: step for step in steps}
    result: list[str] = []
    skipping = False
    for number, line in enumerate(lines, start=1):
        if number in by_line:
            result.append(line)
            result.extend(by_line[number].actual)
            skipping = True
            continue
        if skipping and (line.startswith("$ ") or line.strip() == "```"):
            skipping = False
        if not skipping:
            result.append(line)
    return "\n".join(result) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite README.md's outputs")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    steps = parse(text)
    with tempfile.TemporaryDirectory(prefix="complog-readme-") as folder:
        run(steps, Path(folder))
    found = differences(steps)
    if args.update:
        README.write_text(update(text, steps), encoding="utf-8")
        failed = [f for f in found if "  exited " in f]
        sys.stdout.write("".join(failed))
        return 1 if failed else 0
    sys.stdout.write("".join(found) or f"{len(steps)} commands: all outputs as README.md says\n")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
