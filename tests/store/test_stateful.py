"""Random sequences of commands against a model of the rules: the logbook always agrees.

A hypothesis RuleBasedStateMachine drives add / note / promise / kept / cancel /
reschedule / resolve (sometimes --cancel-open-promises) / reopen through the
CLI, with the clock (COMPLOG_NOW) moving forward between steps, and keeps an
in-memory model of SPEC's rules: complaint status, open promises, promise
status and the "broken" flag (ever overdue: kept after its due time,
rescheduled after its due time, or overdue now), and the exit code each
command must give (0; 3 for an id that does not exist; 4 for a conflict with
the current state; 2 for a reschedule to the same or a past time).

After every step `due --format json`, `list --format json` and `show --format
json` of the complaint just touched must match the model; at the end, `show`
of every complaint.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from typer.testing import CliRunner

from complog.cli.main import app
from complog.cli.typer_internals import build_each_command_once

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
#: which item a command names: mostly one that exists (by index), sometimes none
PICKS = st.integers(min_value=0, max_value=40)
MISSING = ("0", "{next}", str(2**63))  # below, just past and beyond the id range
DUE_OFFSETS = st.sampled_from([-120, 0, 30, 180, 60 * 24, 60 * 24 * 3, 60 * 24 * 9])  # minutes
STEPS = st.sampled_from([1, 29, 90, 240, 60 * 20, 60 * 24 * 2])  # minutes


@dataclass
class PromiseModel:
    id: int
    complaint: int
    due: datetime
    status: str = "open"
    kept_at: datetime | None = None
    cancelled_at: datetime | None = None
    reschedules: list[tuple[datetime, datetime, bool]] = field(default_factory=list)

    def broken(self, now: datetime) -> bool:
        """SPEC: ever overdue (closing it late counts, as it was overdue until then)."""
        if any(late for _, _, late in self.reschedules):
            return True
        if self.status == "kept":
            return self.kept_at is not None and self.kept_at > self.due
        if self.status == "cancelled":
            return self.cancelled_at is not None and self.cancelled_at > self.due
        return self.due < now


@dataclass
class ComplaintModel:
    id: int
    customer: str
    status: str = "open"
    notes: list[str] = field(default_factory=list)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class LogbookMachine(RuleBasedStateMachine):
    template: Path  # an empty logbook, copied for each example (set by the test)
    workdir: Path

    def __init__(self) -> None:
        super().__init__()
        folder = Path(tempfile.mkdtemp(dir=self.workdir))
        self.db = folder / "complog.db"
        shutil.copyfile(self.template, self.db)
        self.now = START
        self.complaints: dict[int, ComplaintModel] = {}
        self.promises: dict[int, PromiseModel] = {}
        self.touched: int | None = None
        self.runner = CliRunner()

    def teardown(self) -> None:
        for complaint_id in self.complaints:
            self.check_show(complaint_id)
        shutil.rmtree(self.db.parent)

    # -- running commands ---------------------------------------------------------

    def cli(self, *args: str, exit: int) -> str:
        env = {"COMPLOG_DB": str(self.db), "COMPLOG_NOW": iso(self.now), "COMPLOG_USER": "tester", "TZ": "UTC"}  # fmt: skip
        result = self.runner.invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == exit, (args, result.exit_code, result.stdout, result.stderr)
        if exit:
            assert result.stdout == ""
            assert result.stderr.startswith("complog: error: "), result.stderr
        return result.stdout

    @staticmethod
    def pick(ids: list[int], pick: int) -> str:
        """An existing id (9 picks in 10), or one that names nothing."""
        if ids and pick % 10:
            return str(ids[pick % len(ids)])
        return MISSING[pick % 3].format(next=len(ids) + 1)

    def code_for_complaint(self, complaint_id: int, *, must_be: str | None = None) -> int:
        complaint = self.complaints.get(complaint_id)
        if complaint is None:
            return 3
        if must_be is not None and complaint.status != must_be:
            return 4
        return 0

    def code_for_promise(self, promise_id: int) -> int:
        promise = self.promises.get(promise_id)
        if promise is None:
            return 3
        return 0 if promise.status == "open" else 4

    # -- rules ----------------------------------------------------------------------

    @rule(minutes=STEPS)
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(customer=st.sampled_from(["Acme Newsagency", "Hillside Dental", "Bravo Bakery"]), offset=st.none() | DUE_OFFSETS)  # fmt: skip
    def add(self, customer: str, offset: int | None) -> None:
        complaint_id = len(self.complaints) + 1
        args = ["add", customer, f"Complaint {complaint_id}"]
        if offset is not None:
            args += ["--promise", f"Promise {len(self.promises) + 1}", "--due", iso(self.now + timedelta(minutes=offset))]  # fmt: skip
        out = self.cli(*args, exit=0)
        assert out.startswith(f"Logged complaint {complaint_id} for {customer}")
        self.complaints[complaint_id] = ComplaintModel(complaint_id, customer)
        if offset is not None:
            promise_id = len(self.promises) + 1
            self.promises[promise_id] = PromiseModel(promise_id, complaint_id, self.now + timedelta(minutes=offset))  # fmt: skip
        self.touched = complaint_id

    @rule(pick=PICKS)
    def note(self, pick: int) -> None:
        complaint_id = int(self.pick(list(self.complaints), pick))
        text = f"Note {sum(len(c.notes) for c in self.complaints.values()) + 1}"
        expected = self.code_for_complaint(complaint_id)
        self.cli("note", str(complaint_id), text, "--in", exit=expected)
        if expected == 0:
            self.complaints[complaint_id].notes.append(text)
            self.touched = complaint_id

    @rule(pick=PICKS, offset=DUE_OFFSETS)
    def promise(self, pick: int, offset: int) -> None:
        complaint_id = int(self.pick(list(self.complaints), pick))
        promise_id = len(self.promises) + 1
        due = self.now + timedelta(minutes=offset)
        expected = self.code_for_complaint(complaint_id, must_be="open")
        self.cli("promise", str(complaint_id), f"Promise {promise_id}", "--due", iso(due), exit=expected)  # fmt: skip
        if expected == 0:
            self.promises[promise_id] = PromiseModel(promise_id, complaint_id, due)
            self.touched = complaint_id

    @rule(pick=PICKS)
    def kept(self, pick: int) -> None:
        promise_id = int(self.pick(list(self.promises), pick))
        expected = self.code_for_promise(promise_id)
        self.cli("kept", str(promise_id), exit=expected)
        if expected == 0:
            promise = self.promises[promise_id]
            promise.status, promise.kept_at = "kept", self.now
            self.touched = promise.complaint

    @rule(pick=PICKS)
    def cancel(self, pick: int) -> None:
        promise_id = int(self.pick(list(self.promises), pick))
        expected = self.code_for_promise(promise_id)
        self.cli("cancel", str(promise_id), "--reason", "Customer changed their mind", exit=expected)  # fmt: skip
        if expected == 0:
            promise = self.promises[promise_id]
            promise.status, promise.cancelled_at = "cancelled", self.now
            self.touched = promise.complaint

    @rule(pick=PICKS, offset=DUE_OFFSETS)
    def reschedule(self, pick: int, offset: int) -> None:
        promise_id = int(self.pick(list(self.promises), pick))
        due = self.now + timedelta(minutes=offset)
        expected = self.code_for_promise(promise_id)
        if expected == 0:
            promise = self.promises[promise_id]
            if due == promise.due or due <= self.now:
                expected = 2  # the same time, or a time already past
        self.cli("reschedule", str(promise_id), "--due", iso(due), "--reason", "Parts late", exit=expected)  # fmt: skip
        if expected == 0:
            promise = self.promises[promise_id]
            promise.reschedules.append((promise.due, due, self.now > promise.due))
            promise.due = due
            self.touched = promise.complaint

    @rule(pick=PICKS, cancel_open=st.booleans())
    def resolve(self, pick: int, cancel_open: bool) -> None:
        complaint_id = int(self.pick(list(self.complaints), pick))
        expected = self.code_for_complaint(complaint_id, must_be="open")
        still_open = [p for p in self.promises.values() if p.complaint == complaint_id and p.status == "open"]  # fmt: skip
        if expected == 0 and still_open and not cancel_open:
            expected = 4  # refuses while promises are open
        flag = ["--cancel-open-promises"] if cancel_open else []
        self.cli("resolve", str(complaint_id), "--outcome", "Fixed", "--confirmed", *flag, exit=expected)  # fmt: skip
        if expected == 0:
            for promise in still_open:
                promise.status, promise.cancelled_at = "cancelled", self.now
            self.complaints[complaint_id].status = "resolved"
            self.touched = complaint_id

    @rule(pick=PICKS)
    def reopen(self, pick: int) -> None:
        complaint_id = int(self.pick(list(self.complaints), pick))
        expected = self.code_for_complaint(complaint_id, must_be="resolved")
        self.cli("reopen", str(complaint_id), "--reason", "It broke again", exit=expected)
        if expected == 0:
            self.complaints[complaint_id].status = "open"
            self.touched = complaint_id

    # -- invariants -------------------------------------------------------------------

    def open_promises(self, complaint_id: int) -> int:
        return sum(1 for p in self.promises.values() if p.complaint == complaint_id and p.status == "open")  # fmt: skip

    def check_show(self, complaint_id: int) -> None:
        model = self.complaints[complaint_id]
        shown = json.loads(self.cli("show", str(complaint_id), "--format", "json", exit=0))
        assert (shown["id"], shown["customer"], shown["status"], shown["open_promises"]) == (
            model.id, model.customer, model.status, self.open_promises(complaint_id),
        )  # fmt: skip
        assert (shown["resolution"] is None) == (model.status == "open")
        assert [n["text"] for n in shown["notes"]] == model.notes
        expected = [
            {
                "id": p.id, "status": p.status, "due_at": iso(p.due),
                "kept_at": None if p.kept_at is None else iso(p.kept_at),
                "broken": p.broken(self.now),
                "reschedules": [(iso(old), iso(new), late) for old, new, late in p.reschedules],
            }
            for p in sorted(self.promises.values(), key=lambda p: p.id)
            if p.complaint == complaint_id
        ]  # fmt: skip
        actual = [
            {
                "id": p["id"], "status": p["status"], "due_at": p["due_at"], "kept_at": p["kept_at"],
                "broken": p["broken"],
                "reschedules": [(r["old_due_at"], r["new_due_at"], r["late"]) for r in p["reschedules"]],
            }
            for p in shown["promises"]
        ]  # fmt: skip
        assert actual == expected

    @invariant()
    def due_list_matches_the_model(self) -> None:
        today = self.now.date()
        tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
        horizon = datetime.combine(today + timedelta(days=8), datetime.min.time(), UTC)
        expected = []
        for p in sorted(self.promises.values(), key=lambda p: (p.due, p.id)):
            if p.status != "open" or p.due >= horizon:
                continue
            if p.due < self.now:
                section, late = "overdue", int((self.now - p.due).total_seconds() // 60)
            else:
                section, late = ("today" if p.due < tomorrow else "upcoming"), 0
            expected.append((p.id, p.complaint, iso(p.due), section, late))
        due = json.loads(self.cli("due", "--format", "json", exit=0))
        actual = [
            (d["promise_id"], d["complaint_id"], d["due_at"], d["section"], d["overdue_minutes"])
            for d in due
        ]
        # In due-time order: overdue (most late first), then today, then upcoming.
        assert actual == expected

    @invariant()
    def list_matches_the_model(self) -> None:
        listed = json.loads(self.cli("list", "--status", "all", "--format", "json", exit=0))
        assert sorted((c["id"], c["status"], c["open_promises"]) for c in listed) == [
            (c.id, c.status, self.open_promises(c.id)) for c in self.complaints.values()
        ]

    @precondition(lambda self: self.touched is not None)
    @invariant()
    def touched_complaint_matches_the_model(self) -> None:
        assert self.touched is not None
        self.check_show(self.touched)


@pytest.fixture
def fast_runner(monkeypatch):
    """Build complog's Click command once: Typer's CliRunner rebuilds it on every
    invoke, which would be most of this test's run time."""
    build_each_command_once(monkeypatch)


def test_random_command_sequences_always_agree_with_the_model_of_the_rules(
    tmp_path, run, fast_runner
):
    template = tmp_path / "template" / "complog.db"
    run("--db", str(template), "init")
    LogbookMachine.template = template
    LogbookMachine.workdir = tmp_path
    run_state_machine_as_test(
        LogbookMachine,
        settings=settings(
            max_examples=80,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            print_blob=True,
        ),
    )
