"""Erase finds everything: a property test over random histories (hypothesis).

A RuleBasedStateMachine gives four customers a history through the CLI:
complaints (`add`, with or without a promise, e-mail and phone), notes, edits,
promises and reschedules, escalations, waits and resumes, resolutions and
reopenings, customer merges in both directions, `undo` (of any of these, merges
included), and an export imported back after an undo. Every piece of text about
customer *i* carries one of their markers (`namemk{i}x`, `mail{i}mk@…`, `ph{i}mk`,
`summk{i}`, `notemk{i}`, `outmk{i}`, …). Then one living customer is erased, and:

- no byte of the SQLite file or its -wal, and no term of its full-text indexes
  (fts5vocab over the shadow tables), holds a marker of that customer or of the
  customers merged into them (and not un-merged); on PostgreSQL no row of any table
  does (erase has run VACUUM FULL);
- neither does a fresh `complog export` (the customer data export);
- every other customer's complaints show exactly as before;
- the report's figures are unchanged (only names and free text may change).

Before the fix, the `create` event of a customer merged away and the merge event's
from/into snapshots kept the merged-away name and its e-mail (issue 17, item 2),
and the events of a complaint undo had removed kept its text; with EXAMPLES below
this test fails on that erase within seconds. An erase that ignores merges only
(`_family` skipping merge events) was missed by about half the runs while every example
started empty (the few with a merge came late); each example now starts with two or three
customers, and that mutant fails within the first 4-20 examples (six seeds, shrinking
off; notes/issue17.md has the command).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from typer.testing import CliRunner

from complog.cli.main import app

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
CUSTOMERS = (0, 1, 2, 3)
WHO = st.sampled_from(CUSTOMERS)
PICK = st.integers(min_value=0, max_value=50)
#: markers of customer i: every kind of text that can be written about them
KINDS = ("namemk", "mail", "ph", "summk", "wantmk", "notemk", "editmk", "outmk", "compmk",
         "prevmk", "reopmk", "waitmk", "promk", "reschmk", "escmk")  # fmt: skip
UNDID_MERGE = re.compile(r"^Undid: merge of customer '(.+)' into '(.+)' by ")


def markers(i: int) -> list[str]:
    """What must not survive customer i's erasure, lowercased (names are casefolded)."""
    return [f"{kind}{i}x" if kind == "namemk" else f"{kind}{i}mk" if kind in ("mail", "ph")
            else f"{kind}{i}" for kind in KINDS]  # fmt: skip


def name(i: int) -> str:
    return f"Namemk{i}x Smith"


def who_is(customer: str) -> int:
    return int(customer.split("mk")[1][0])


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class ErasureMachine(RuleBasedStateMachine):
    """One example: a fresh logbook, a random history, then one erase (in teardown)."""

    backend: str
    url: str | None = None  # PostgreSQL: the work database, emptied for each example
    reset: Any = None
    template: Path
    workdir: Path

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(dir=self.workdir))
        if self.backend == "postgres":
            self.db = self.reset()
        else:
            path = self.folder / "complog.db"
            shutil.copyfile(self.template, path)
            self.db = str(path)
        self.now = START
        self.runner = CliRunner()
        self.victim_pick = 0
        #: merges not undone, oldest first: (from, into) customer numbers
        self.merges: list[tuple[int, int]] = []
        self.merged_ever = False

    # -- running commands -------------------------------------------------------------

    def cli(self, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[int, str]:
        env = {"COMPLOG_DB": self.db, "COMPLOG_NOW": iso(self.now), "COMPLOG_USER": "tester", "TZ": "UTC"}  # fmt: skip
        result = self.runner.invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code in ok, (args, result.exit_code, result.stdout, result.stderr)
        if result.exit_code:
            assert result.stderr.startswith("complog: error: "), (args, result.stderr)
        self.now += timedelta(minutes=7)
        return result.exit_code, result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--format", "json")[1])

    def complaints(self) -> list[dict[str, Any]]:
        return self.json("list", "--status", "all")

    def alive(self) -> set[int]:
        return {who_is(c["customer"]) for c in self.json("customers") if "mk" in c["customer"]}

    def merged_away(self, i: int) -> bool:
        return any(source == i for source, _ in self.merges)

    def pick(self, pick: int) -> tuple[str, int] | None:
        listed = self.complaints()
        if not listed:
            return None
        chosen = listed[pick % len(listed)]
        return str(chosen["id"]), who_is(chosen["customer"])

    # -- the history ------------------------------------------------------------------

    @initialize(victim=st.integers(min_value=0, max_value=3))
    def choose_victim(self, victim: int) -> None:
        self.victim_pick = victim

    @initialize(first=st.lists(WHO, min_size=2, max_size=3, unique=True))
    def two_or_three_customers(self, first: list[int]) -> None:
        """Start with a few customers with contact details, so a merge (issue 17's item 2)
        can be any step: starting empty, a run of 25 examples missed an erase that
        ignores merges about half the time (measured, see the commit)."""
        for i in first:
            self.add(i, promise=True, contact=True)

    @rule(i=WHO, promise=st.booleans(), contact=st.booleans())
    def add(self, i: int, promise: bool, contact: bool) -> None:
        if self.merged_away(i):
            return  # a new customer of that name would be someone else to the logbook
        args = ["add", name(i), f"Till summk{i} broke", "--wants", f"wantmk{i} refund"]
        if promise:
            args += ["--promise", f"Call back promk{i}", "--due", "tomorrow"]
        if contact:
            args += ["--email", f"mail{i}mk@example.test", "--phone", f"ph{i}mk 555"]
        self.cli(*args)

    @rule(pick=PICK)
    def note(self, pick: int) -> None:
        if (chosen := self.pick(pick)) is not None:
            self.cli("note", chosen[0], f"Rang them notemk{chosen[1]}", "--out")

    @rule(pick=PICK)
    def edit(self, pick: int) -> None:
        if (chosen := self.pick(pick)) is not None:
            self.cli("edit", chosen[0], "--summary", f"Till editmk{chosen[1]} broke {pick}")

    @rule(pick=PICK)
    def promise_and_reschedule(self, pick: int) -> None:
        if (chosen := self.pick(pick)) is None:
            return
        code, out = self.cli(
            "promise", chosen[0], f"Visit promk{chosen[1]}", "--due", "fri 10am", ok=(0, 4)
        )
        if code == 0:
            promise_id = out.split()[1]  # "Promise 3 on complaint 1 due ..."
            self.cli(
                "reschedule",
                promise_id,
                "--due",
                "mon 10am",
                "--reason",
                f"Away reschmk{chosen[1]}",
            )

    @rule(pick=PICK)
    def escalate(self, pick: int) -> None:
        if (chosen := self.pick(pick)) is not None:
            self.cli("escalate", chosen[0], "--to", "manager", "--reason", f"Angry escmk{chosen[1]}",
                     ok=(0, 4))  # fmt: skip

    @rule(pick=PICK, resume=st.booleans())
    def wait(self, pick: int, resume: bool) -> None:
        if (chosen := self.pick(pick)) is None:
            return
        code, _ = self.cli("wait", chosen[0], "--reason", f"Photos waitmk{chosen[1]}", ok=(0, 4))
        if code == 0 and resume:
            self.cli("resume", chosen[0])

    @rule(pick=PICK)
    def resolve(self, pick: int) -> None:
        if (chosen := self.pick(pick)) is not None:
            n = chosen[1]
            self.cli("resolve", chosen[0], "--outcome", f"Fixed outmk{n}", "--compensation", f"Voucher compmk{n}",
                     "--prevention", f"Test prevmk{n}", "--satisfaction", "4", "--cause", "ours",
                     "--cancel-open-promises", ok=(0, 4))  # fmt: skip

    @rule(pick=PICK)
    def reopen(self, pick: int) -> None:
        if (chosen := self.pick(pick)) is not None:
            self.cli("reopen", chosen[0], "--reason", f"Broke again reopmk{chosen[1]}", ok=(0, 4))

    @rule(source=PICK, into=PICK)
    def merge(self, source: int, into: int) -> None:
        """Either may be merged into the other: both directions, any pair."""
        alive = sorted(self.alive())
        if len(alive) < 2:
            return
        source = alive[source % len(alive)]
        into = [i for i in alive if i != source][into % (len(alive) - 1)]
        self.cli("customer", "merge", name(source), name(into))
        self.merges.append((source, into))
        self.merged_ever = True

    @rule()
    def undo(self) -> None:
        code, out = self.cli("undo", ok=(0, 3, 4))
        undid = UNDID_MERGE.match(out)
        if code == 0 and undid:
            self.merges.remove((who_is(undid[1]), who_is(undid[2])))

    @precondition(lambda self: not self.merged_ever)
    @rule()
    def export_undo_import(self) -> None:
        """What undo removed comes back from an export, renumbered. (Only before any
        merge: re-importing complaints a merge moved would copy them to the other
        customer, who then holds that text legitimately.)"""
        path = self.folder / "export.jsonl"
        self.cli("export", "--out", str(path))
        self.undo()
        self.cli("import", str(path))

    # -- the erase, and what must hold after it ------------------------------------------

    def teardown(self) -> None:
        try:
            self.erase_and_check()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def erase_and_check(self) -> None:
        alive = sorted(self.alive())
        if not alive:
            i = next(i for i in CUSTOMERS if not self.merged_away(i))
            self.add(i, promise=True, contact=True)
            alive = [i]
        victim = alive[self.victim_pick % len(alive)]
        if self.merges and self.victim_pick % 2 == 0:  # often one who took others in
            victim = self.merges[-1][1]
            while any(s == victim for s, _ in self.merges):  # later merged on itself
                victim = next(t for s, t in self.merges if s == victim)
        merged_in = {victim}
        while grown := {s for s, t in self.merges if t in merged_in} - merged_in:
            merged_in |= grown
        gone = [m for i in sorted(merged_in) for m in markers(i)]
        others = {c["id"]: self.cli("show", str(c["id"]), "--format", "json")[1]
                  for c in self.complaints() if who_is(c["customer"]) != victim}  # fmt: skip
        report = figures(self.json("report", "--since", "2026-01-01"))

        self.cli("erase", name(victim), "--yes")

        leaks = self.leaks(gone)
        assert not leaks, f"customers {sorted(merged_in)}' data survived the erase: {leaks}"
        exported = self.cli("export")[1].lower()
        assert not [m for m in gone if m in exported], "the export still holds them"
        after = {c["id"]: self.cli("show", str(c["id"]), "--format", "json")[1]
                 for c in self.complaints() if not c["customer"].startswith("erased customer")}  # fmt: skip
        assert after == others, "another customer's data changed"
        assert figures(self.json("report", "--since", "2026-01-01")) == report

    def leaks(self, needles: list[str]) -> list[str]:
        """Where any needle is still stored: tables, index terms, file bytes."""
        found = []
        if self.backend == "postgres":
            import psycopg

            with psycopg.connect(self.db.replace("+psycopg", "")) as conn:
                tables = [r[0] for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]  # fmt: skip
                for table in tables:
                    for (row,) in conn.execute(f'SELECT lower(t::text) FROM "{table}" t'):
                        found += [f"{table}: {m} in {row[:200]}" for m in needles if m in row]
            return found
        path = Path(self.db)
        with closing(sqlite3.connect(path)) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    text = repr(row).lower()
                    found += [f"{table}: {m} in {text[:200]}" for m in needles if m in text]
            for fts in ("complaint_fts", "note_fts", "promise_fts", "reschedule_fts"):
                conn.execute(
                    f"CREATE VIRTUAL TABLE temp.v_{fts} USING fts5vocab(main, '{fts}', 'row')"
                )
                for (term,) in conn.execute(f"SELECT term FROM temp.v_{fts}"):
                    found += [f"{fts} index: {term}" for m in needles if m in term]
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                data = file.read_bytes().lower()
                found += [f"{file.name} bytes: {m}" for m in needles if m.encode() in data]
        return found


def figures(value: Any) -> Any:
    """A report's numbers, with its names and texts blanked (erase changes those only)."""
    if isinstance(value, dict):
        return {k: figures(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((figures(v) for v in value), key=repr)
    return "text" if isinstance(value, str) else value


#: enough to find issue 17's merge leak in CI (it fails within the first examples on the
#: old erase), within about a minute per back end on the 2-core CI machine
EXAMPLES, STEPS = 25, 18


def test_erase_leaves_no_trace_of_the_person_after_any_history(backend, tmp_path, run, request):
    ErasureMachine.backend = backend
    ErasureMachine.workdir = tmp_path
    if backend == "postgres":
        work = request.getfixturevalue("postgres_work_database")
        ErasureMachine.reset = staticmethod(work.reset)
    else:
        template = tmp_path / "template" / "complog.db"
        run("--db", str(template), "init")
        ErasureMachine.template = template
    run_state_machine_as_test(
        ErasureMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            print_blob=True,
        ),
    )


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
