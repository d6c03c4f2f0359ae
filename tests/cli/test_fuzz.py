"""CLI fuzz: 2,000 generated argument lists never end in a traceback or an odd exit code.

A seeded generator (so a failure replays exactly) builds argument lists from
complog's own Click command tree, so every command and option (new ones
included) is exercised: random subsets of options, missing and repeated
values, values of the wrong kind, odd unicode (right-to-left text, combining
marks, emoji, NUL, terminal escapes), huge values, impossible dates, ids that
are negative, huge or not numbers, SQL and format strings. They run in-process
through CliRunner against a small seeded logbook, in a scratch working folder.

Each run must end with exit code 0-5 (1 only for a `--exit-code` check that
found something), no exception other than SystemExit, no traceback and no
"probably a bug" message, an error on stderr in complog's own format, and no
raw escape character in anything printed.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from complog.cli.main import app
from complog.cli.typer_internals import build_each_command_once
from complog.settings import SPECS

CASES = 2_000
SEED = 20261123

ODD_TEXT = [
    "Acme Newsagency", "Till crashes at close", "x", "", " ", "\t", "  padded  ",
    "مرحبا، الطابعة لا تعمل", "\u202eevil.exe\u202c", "e\u0301\u0301\u0301\u0301", "Z\u0336a\u0337l\u0338g\u0335o",
    "🧾💥👨\u200d👩\u200d👧", "\U0001f937\U0001f3fd\u200d\u2642\ufe0f", "a\x00b", "\x00", "\x1b[31mred\x1b[0m",
    "\x1b]0;pwned\x07", "\x9b31m", "line\r\noverwrite", "\x08\x08\x08", "caf\udce9 (Latin-1 bytes)", "\ufeffbom",
    "{0.__class__}", "{}", "%s%n%x", "%(name)s", "[bold red]markup[/]", "'); DROP TABLE complaint;--",
    '" OR 1=1 --', "NEAR(a b)", "*", "AND", '"unterminated', "--help", "-", "--", "=", "-1",
    "x" * 2_001, "y" * 200_001, "Ω" * 5_000, "name@example.com", "not-an-email@", "0", "None", "null",
]  # fmt: skip
NUMBERS = [
    "1", "2", "3", "0", "-1", "-0", "007", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "1" * 400, "1e3", "1.5", "abc", "٣", "0x10", " 1", "NaN", "inf", "",
]  # fmt: skip
WHENS = [
    "now", "today", "tomorrow", "tomorrow 10am", "fri 14:30", "monday", "sat", "eod", "eow",
    "+3d", "+2h", "+30m", "3bd", "+3bd", "in 3 days", "2026-12-01", "2026-12-01 14:30",
    "2026-12-01T10:00:00+00:00", "2026-12-01T10:00:00+14:00", "2026-12-01T10:00:00+25:00",
    "2026-02-30", "0000-01-01", "0001-01-01", "9999-12-31 23:59", "10000-01-01", "13:99", "25:00",
    "-7d", "+99999999d", "+1e9h", "yesterday", "2h ago", "1700000000", "", "  ", "tomorrow tomorrow",
    "31/12/2026", "next week", "fri 25:00", "in 999999999999 days",
]  # fmt: skip
FORMATS = ["table", "json", "csv", "plain", "jsonl", "cfpb", "twcs", "xml", "", "JSON"]
CHOICES = [
    "phone", "email", "letter", "visit", "web", "social", "other", "open", "resolved", "all",
    "ours", "customer", "third-party", "unknown", "owner", "category", "cause", "channel", "PHONE",
]  # fmt: skip
PATHS = ["out.file", "existing-dir", "no/such/dir/out.file", "", ".", "bad.csv", "good.jsonl", "empty.jsonl", "missing.csv"]  # fmt: skip
URLS = ["", "nonsense", "mysql://x/y", "sqlite:///", "sqlite:///other.db", "postgresql+psycopg://u@127.0.0.1:1/db"]  # fmt: skip
DBS = ["fuzz-other.db", "", "   ", "existing-dir", "sqlite:///", "mysql://x/y", "no/such/dir/x.db"]


def kind_of(name: str) -> list[str]:
    """Which pool to draw a parameter's value from, by its name."""
    if name.endswith("_id") or name in ("heat", "days", "limit", "top", "alarm", "satisfaction"):
        return NUMBERS
    if name in ("due", "at", "since", "until"):
        return WHENS
    if name == "format":
        return FORMATS
    if name in ("channel", "status", "cause", "by"):
        return CHOICES
    if name in ("out", "html", "keep", "file"):
        return PATHS
    if name == "url":
        return URLS
    if name == "key":
        return [*SPECS, "nonsense", "rule.nonsense", ""]
    return ODD_TEXT


def value(rng: random.Random, name: str) -> str:
    pool = kind_of(name) if rng.random() < 0.8 else rng.choice([ODD_TEXT, NUMBERS, WHENS])
    return rng.choice(pool)


def generate(rng: random.Random, root) -> list[str]:
    args: list[str] = []
    if rng.random() < 0.15:
        args += ["--user", rng.choice(ODD_TEXT)]
    if rng.random() < 0.1:
        args += ["--format", rng.choice(FORMATS)]
    if rng.random() < 0.03:
        args += ["--db", rng.choice(DBS)]
    roll = rng.random()
    if roll < 0.03:
        return args + [rng.choice(ODD_TEXT)]  # not a command
    if roll < 0.04:
        return args + rng.choice([["--version"], ["--help"], []])
    name = rng.choice([n for n in root.commands if n != "demo" or rng.random() < 0.05])
    command = root.commands[name]
    args.append(name)
    for param in command.params:
        if param.param_type_name == "argument":
            if rng.random() < 0.93:
                args.append(value(rng, param.name))
        elif rng.random() < 0.3:
            opts = [*param.opts, *param.secondary_opts]
            args.append(rng.choice(opts))
            if not getattr(param, "is_flag", False) and rng.random() < 0.95:
                args.append(value(rng, param.name))
    if rng.random() < 0.05:
        args.insert(rng.randrange(len(args) + 1), rng.choice(ODD_TEXT + NUMBERS))
    if rng.random() < 0.02:
        args.append("--help")
    return args


@pytest.fixture
def fuzz_folder(tmp_path, monkeypatch, run):
    """A scratch working folder with files to import, and a small seeded logbook."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(
        tempfile, "tempdir", str(tmp_path / "tmp")
    )  # `demo` leaves its logbook there
    (tmp_path / "existing-dir").mkdir()
    (tmp_path / "bad.csv").write_text("this,is\nnot,a complaint export\n\x00\x01\n")
    (tmp_path / "empty.jsonl").write_text("")
    run("add", "Acme Newsagency", "Till crashes at close", "--heat", "4",
        "--promise", "Call back with fix", "--due", "2026-11-23 10:00")  # fmt: skip
    run("add", "Bravo Bakery", "Oven not heating", "--written", "--promise", "Engineer visit", "--due", "tomorrow")  # fmt: skip
    run("note", "1", "Rang back, left voicemail", "--out")
    run("escalate", "1", "--to", "manager", "--reason", "Customer threatens to leave")
    run("export", "--format", "jsonl", "--out", "good.jsonl")
    return tmp_path


def unexpected(error: str) -> str:
    return (
        f"complog: error: unexpected {error}; this is probably a bug in complog\n"
        "  run again with COMPLOG_DEBUG=1 to see the details\n"
    )


#: Bugs this fuzz found and nobody has fixed yet: (name, how to recognise a run that hit
#: it), each with its own strict xfail test below. A hit is counted, not failed, so the fuzz
#: keeps guarding everything else. None now: the three it found ('.' as an output file, an
#: id beyond 64 bits for ack, text that is not valid UTF-8) are fixed and tested below.
KNOWN_BUGS: dict[str, Callable[[list[str], Any], bool]] = {}


def data_output(args: list[str]) -> bool:
    """JSON, CSV, JSONL, .ics: data for programs, written as stored (JSON escapes C0 controls)."""
    return bool({"export", "calendar", "json", "jsonl", "csv"} & set(args))


def problems_with(args: list[str], result) -> list[str]:
    found = []
    if not (result.exception is None or isinstance(result.exception, SystemExit)):
        found.append(f"raised {result.exception!r}")
    if result.exit_code not in (0, 1, 2, 3, 4, 5):
        found.append("exit code outside 0-5")
    if result.exit_code == 1 and not ("--exit-code" in args and not result.stderr):
        found.append("exit 1 that is not a --exit-code finding")
    output = result.stdout + result.stderr
    if "Traceback" in output or "probably a bug" in output:
        found.append("a traceback or an unexpected error")
    if not data_output(args) and ("\x1b" in output or "\x9b" in output):
        found.append("a raw terminal escape in the output")
    if result.exit_code >= 2 and not any(
        line.startswith("complog: error: ") or line == "Aborted; nothing was saved."
        for line in result.stderr.split("\n")
    ):
        found.append("an error not in complog's format")
    return found


def test_2000_generated_argument_lists_never_crash_and_exit_0_to_5(fuzz_folder, monkeypatch):
    # Typer's CliRunner rebuilds the Click command on every invoke; build it once.
    build_each_command_once(monkeypatch)
    root = typer.main.get_command(app)
    rng = random.Random(SEED)
    runner = CliRunner()
    codes: Counter[int] = Counter()
    commands: Counter[str] = Counter()
    known: Counter[str] = Counter()
    failures = []
    for case in range(CASES):
        args = generate(rng, root)
        result = runner.invoke(app, args, catch_exceptions=True)
        codes[result.exit_code] += 1
        commands[next((a for a in args if a in root.commands), "(none)")] += 1
        found = problems_with(args, result)
        bug = next((name for name, hit in KNOWN_BUGS.items() if hit(args, result)), None)
        if bug is not None:
            known[bug] += 1
        elif found:
            failures.append(f"case {case}: complog {args!r} -> {result.exit_code}: {found}\n{result.stderr[-500:]}")  # fmt: skip
    print(
        f"\nfuzz: {CASES} argument lists over {len(commands)} commands; exit codes "
        + ", ".join(f"{code}: {n}" for code, n in sorted(codes.items()))
        + "; known bugs hit: "
        + (", ".join(f"{k} x{n}" for k, n in known.items()) or "none")
    )
    assert failures == []
    assert codes[0] > 100 and codes[2] > 100  # the generator reaches past the parser too


# -- the bugs the fuzz found, one real process each ------------------------------------


@pytest.mark.parametrize(
    "args", [["export", "--out", "."], ["report", "--html", "."], ["calendar", "--out", "."]]
)
def test_output_file_named_dot_is_a_usage_error(args, proc, tmp_path):
    proc("add", "Acme Newsagency", "Till crashes at close")
    ran = proc(*args, exit=None)
    assert ran.exit_code == 2, ran.stderr
    assert ran.stderr.startswith("complog: error: ")


def test_acknowledging_an_id_beyond_the_id_range_is_not_found(proc):
    ran = proc("ack", str(2**63), exit=None)
    assert ran.exit_code == 3, ran.stderr
    assert ran.stderr.startswith(f"complog: error: no escalation {2**63}\n")


@pytest.mark.parametrize(
    "args",
    [
        [b"add", b"caf\xe9", b"Till crashes"],
        [b"note", b"1", b"caf\xe9"],
        [b"customer", b"caf\xe9"],
        [b"search", b"caf\xe9"],
    ],
    ids=lambda a: a[0].decode(),
)
def test_argument_that_is_not_valid_utf8_is_a_usage_error(args, proc):
    proc("add", "Acme Newsagency", "Till crashes at close")
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"complog", *args], capture_output=True,
        env=os.environ, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(b"complog: error: ")
