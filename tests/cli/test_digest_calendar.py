"""`complog digest` (the read-only morning mail) and `complog calendar` (the .ics feed)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar


def at(when: str) -> dict[str, str]:
    if "T" not in when:  # "2026-11-23 09:00" means UTC
        when = when.replace(" ", "T") + ":00+00:00"
    return {"COMPLOG_NOW": when}


TUESDAY = "2026-11-24 09:00"


def _yesterday_scenario(run, last=None) -> None:
    """A Monday (2026-11-23) with known numbers, seen from Tuesday 09:00.

    Monday: opened 2 (Bolt, Cogs), resolved 1 (Acme), promises kept 2 (P1 on time,
    P2 an hour late), broken 4 (P2 kept late, P3 and P6 still open, P4 moved after it
    fell due). `last` runs the final write (a real process leaves it in the -wal).
    """
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-23 12:00",
        env=at("2026-11-22 20:00"))  # fmt: skip
    run("add", "Bolt", "Wrong order", "--owner", "sam", "--promise", "Refund",
        "--due", "2026-11-23 13:00", env=at("2026-11-23 10:00"))  # fmt: skip
    run("kept", "1", env=at("2026-11-23 11:30"))
    run("kept", "2", env=at("2026-11-23 14:00"))
    run("resolve", "1", "--outcome", "Replaced the till", env=at("2026-11-23 15:00"))
    run("add", "Cogs", "Late delivery", "--owner", "sam", "--promise", "Chase courier",
        "--due", "2026-11-23 16:30", env=at("2026-11-23 16:00"))  # fmt: skip
    run("add", "Dent", "Scratched table", "--owner", "alex", "--promise", "Visit",
        "--due", "2026-11-23 09:30", env=at("2026-11-22 23:59"))  # fmt: skip
    run("reschedule", "4", "--due", "2026-11-25 10:00", "--reason", "Van broke down",
        env=at("2026-11-23 10:00"))  # fmt: skip
    run("add", "Fern", "Old issue", "--owner", "alex", "--promise", "Report",
        "--due", "2026-11-20 12:00", env=at("2026-11-13 10:00"))  # fmt: skip
    run("promise", "3", "Send voucher", "--due", "2026-11-23 17:00", env=at("2026-11-23 16:05"))
    run("promise", "5", "Quote", "--due", "2026-11-24 15:00", "--owner", "alex",
        env=at("2026-11-24 08:00"))  # fmt: skip
    run("promise", "5", "Call back", "--due", "2026-11-24 08:30", "--owner", "alex",
        env=at("2026-11-24 08:00"))  # fmt: skip
    run("escalate", "5", "--to", "Dana", "--reason", "Too early for the digest",
        env=at("2026-11-23 08:59"))  # fmt: skip
    (last or run)("escalate", "3", "--to", "Dana", "--reason", "Courier lost it twice",
                  env=at("2026-11-23 09:00"))  # fmt: skip


EXPECTED_DIGEST = """\
complog digest for Tuesday 24 November 2026, 09:00 (UTC)

OVERDUE PROMISES (4)
  alex:
    P5 #5 Fern: Report (3d 21h late, heat 3)
    P8 #5 Fern: Call back (30m late, heat 3)
  sam:
    P3 #3 Cogs: Chase courier (16h 30m late, heat 3)
  tester:
    P6 #3 Cogs: Send voucher (16h late, heat 3)

DUE TODAY (1)
  P7 #5 Fern: Quote (alex, today 15:00)

NEW ESCALATIONS since 2026-11-23 09:00 (1)
  E2 #3 Cogs -> Dana [manual] Courier lost it twice

OPEN LONGER THAN 5bd (1)
  #5 Fern: Old issue (open since 2026-11-13 10:00, alex)

WEEK OVER WEEK (the last 7 days; the 7 before in brackets)
  opened 4 (1), resolved 1 (0)
  resolved within 5bd: 100% (–)
  promises kept on time: 14%, 1 of 7 (–, 0 of 0)
  oldest open complaint: #5 Fern: Old issue (open since 2026-11-13 10:00, alex)

YESTERDAY (Mon 23 Nov): opened 2, resolved 1, promises kept 2, broken 4
Open complaints now: 4
"""


def test_digest_is_the_morning_summary_with_every_section(run):
    _yesterday_scenario(run)
    assert run("digest", env=at(TUESDAY)).stdout == EXPECTED_DIGEST


def test_digest_on_an_empty_logbook_says_none_everywhere(run):
    run("init")
    out = run("digest").stdout
    assert out == (
        "complog digest for Monday 23 November 2026, 09:00 (UTC)\n"
        "\n"
        "OVERDUE PROMISES (0)\n  none\n\n"
        "DUE TODAY (0)\n  none\n\n"
        "NEW ESCALATIONS since 2026-11-20 09:00 (0)\n  none\n\n"
        "OPEN LONGER THAN 5bd (0)\n  none\n\n"
        "WEEK OVER WEEK (the last 7 days; the 7 before in brackets)\n"
        "  opened 0 (0), resolved 0 (0)\n"
        "  resolved within 5bd: – (–)\n"
        "  promises kept on time: –, 0 of 0 (–, 0 of 0)\n"
        "  oldest open complaint: none\n\n"
        "YESTERDAY (Sun 22 Nov): opened 0, resolved 0, promises kept 0, broken 0\n"
        "Open complaints now: 0\n"
    )


def _escalation_lines(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("NEW ESCALATIONS"))
    section = []
    for line in lines[start:]:
        if not line:
            break
        section.append(line)
    return section


def test_monday_digest_covers_escalations_since_friday_at_the_same_time(run):
    run("add", "Acme", "Till crashes", env=at("2026-11-19 09:00"))
    run("escalate", "1", "--to", "Dana", "--reason", "Thursday", env=at("2026-11-20 08:59"))
    run("escalate", "1", "--to", "Dana", "--reason", "Friday", env=at("2026-11-20 09:00"))
    run("escalate", "1", "--to", "Dana", "--reason", "Saturday", env=at("2026-11-21 11:00"))
    assert _escalation_lines(run("digest").stdout) == [
        "NEW ESCALATIONS since 2026-11-20 09:00 (2)",
        "  E2 #1 Acme -> Dana [manual] Friday",
        "  E3 #1 Acme -> Dana [manual] Saturday",
    ]


def test_digest_after_a_holiday_covers_escalations_since_the_last_working_day(run):
    run("config", "holidays", "2026-11-23")
    run("add", "Acme", "Till crashes", env=at("2026-11-19 09:00"))
    run("escalate", "1", "--to", "Dana", "--reason", "Friday", env=at("2026-11-20 09:30"))
    out = run("digest", env=at("2026-11-24 09:00")).stdout
    assert _escalation_lines(out) == [
        "NEW ESCALATIONS since 2026-11-20 09:00 (1)",
        "  E1 #1 Acme -> Dana [manual] Friday",
    ]


def test_digest_escalation_window_keeps_the_local_clock_across_dst(run):
    # Monday 26 Oct 09:00 GMT: since Friday 09:00 BST, which is 08:00 UTC.
    run("config", "tz", "Europe/London")
    run("add", "Acme", "Till crashes", env=at("2026-10-20 09:00"))
    run("escalate", "1", "--to", "Dana", "--reason", "Before", env=at("2026-10-23 07:59"))
    run("escalate", "1", "--to", "Dana", "--reason", "On the dot", env=at("2026-10-23 08:00"))
    assert _escalation_lines(run("digest", env=at("2026-10-26 09:00")).stdout) == [
        "NEW ESCALATIONS since 2026-10-23 09:00 (1)",
        "  E2 #1 Acme -> Dana [manual] On the dot",
    ]


def test_digest_yesterday_is_the_local_calendar_day(run):
    # New York: 01:00 UTC Monday is still Sunday evening locally.
    run("config", "tz", "America/New_York")
    run("add", "Acme", "Sunday evening locally", env=at("2026-11-23 01:00"))
    run("add", "Bolt", "Monday morning locally", env=at("2026-11-23 06:00"))
    monday_night = run("digest", env=at("2026-11-24 03:00")).stdout.splitlines()
    assert monday_night[-2] == (
        "YESTERDAY (Sun 22 Nov): opened 1, resolved 0, promises kept 0, broken 0"
    )
    tuesday = run("digest", env=at("2026-11-24 14:00")).stdout.splitlines()
    assert tuesday[-2] == "YESTERDAY (Mon 23 Nov): opened 1, resolved 0, promises kept 0, broken 0"


def test_digest_marks_acknowledged_escalations(run):
    run("add", "Acme", "Till crashes")
    run("escalate", "1", "--to", "Dana", "--reason", "Angry")
    run("ack", "1")
    assert _escalation_lines(run("digest").stdout)[1] == (
        "  E1 #1 Acme -> Dana [manual] Angry (acknowledged)"
    )


def test_digest_since_overrides_the_escalation_window(run):
    run("add", "Acme", "Till crashes", env=at("2026-11-02 09:00"))
    run("escalate", "1", "--to", "Dana", "--reason", "Old", env=at("2026-11-10 09:00"))
    assert _escalation_lines(run("digest").stdout)[0].endswith("(0)")
    lines = _escalation_lines(run("digest", "--since", "2026-11-09").stdout)
    assert lines == [
        "NEW ESCALATIONS since 2026-11-09 17:00 (1)",
        "  E1 #1 Acme -> Dana [manual] Old",
    ]
    run("digest", "--since", "last blue moon", exit=2)


def test_digest_shows_times_in_the_configured_time_zone(run):
    run("config", "tz", "Europe/London")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-23 15:00")
    out = run("digest", env=at("2026-11-23T08:00:00+00:00")).stdout
    assert (
        out.splitlines()[0] == "complog digest for Monday 23 November 2026, 08:00 (Europe/London)"
    )
    assert "  P1 #1 Acme: Call back (tester, today 15:00)" in out.splitlines()


@contextlib.contextmanager
def _held_open(logbook: Path):
    """Another reader keeps the logbook open, so the last write stays in the -wal
    (no checkpoint on close): as when cron reads while someone is working."""
    conn = sqlite3.connect(f"{logbook.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield
    finally:
        conn.close()


def _sha(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.mark.sqlite_only(reason="bytes, WAL and file permissions of the SQLite logbook")
def test_digest_leaves_a_writable_logbook_byte_identical(run, proc, logbook):
    run("init")
    with _held_open(logbook):  # a read-only holder: the -wal keeps the last write
        _yesterday_scenario(run, last=proc)
    assert logbook.with_name(logbook.name + "-wal").stat().st_size > 0
    before = _sha(logbook.parent)
    assert proc("digest", env=at(TUESDAY)).stdout == EXPECTED_DIGEST
    after = _sha(logbook.parent)
    assert {k: v for k, v in after.items() if not k.endswith("-shm")} == {
        k: v for k, v in before.items() if not k.endswith("-shm")
    }


# -- digest on a logbook the process may only read ------------------------------------


def _works(prefix: list[str]) -> bool:
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", "import complog"],
                              capture_output=True, timeout=60)  # fmt: skip
    except OSError:
        return False
    return done.returncode == 0


def _cannot_write(prefix: list[str], directory: Path) -> bool:
    probe = (
        "import sys\n"
        f"try:\n    open({str(directory / 'probe')!r}, 'w')\nexcept OSError:\n    sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    done = subprocess.run([*prefix, sys.executable, "-c", probe], capture_output=True, timeout=60)
    return done.returncode == 0


@pytest.fixture
def readonly_copy(logbook: Path, tmp_path: Path):
    """Copy the logbook (with its -wal/-shm) into a directory the child process may only read.

    Returns (path of the copy, command prefix that runs a process without write access).
    As a normal user the files are 0444 in a 0555 directory. As root, the process runs as
    `nobody` when it can reach this Python, otherwise as root with every capability
    dropped (so permission bits apply to it too). Skips when neither is possible.
    """
    holder = Path(os.environ.get("COMPLOG_TEST_RO_DIR", "/tmp")) if os.geteuid() == 0 else tmp_path
    import tempfile

    outer = Path(tempfile.mkdtemp(prefix="complog-ro-", dir=holder))
    directory = outer / "logbook"
    directory.mkdir()

    def make(files: tuple[str, ...] = ("", "-wal", "-shm")) -> Path:
        for suffix in files:
            source = logbook.with_name(logbook.name + suffix)
            if source.exists():
                shutil.copyfile(source, directory / (logbook.name + suffix))
        for p in directory.iterdir():
            p.chmod(0o444)
        directory.chmod(0o555)
        outer.chmod(0o755)
        return directory / logbook.name

    prefix: list[str] = []
    if os.geteuid() == 0:
        as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        no_caps = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]
        prefix = next((p for p in (as_nobody, no_caps) if _works(p)), [])
        if not prefix:
            shutil.rmtree(outer)
            pytest.skip("cannot run a process without write access here (setpriv unavailable)")

    class Copy:
        def __init__(self) -> None:
            self.prefix = prefix
            self.directory = directory

        def make(self, files: tuple[str, ...] = ("", "-wal", "-shm")) -> Path:
            path = make(files)
            if not _cannot_write(self.prefix, directory):
                pytest.skip("the read-only copy is writable by the child process")
            return path

        def run(self, path: Path, *args: str, now: str = TUESDAY) -> subprocess.CompletedProcess:
            # The test's own config folder is root's (0700): another user cannot even
            # tell whether config.toml exists there, which complog rightly refuses.
            env = {**os.environ, **at(now), "COMPLOG_DB": str(path),
                   "XDG_CONFIG_HOME": "/nonexistent/complog-test-config"}  # fmt: skip
            return subprocess.run([*self.prefix, sys.executable, "-m", "complog", *args],
                                  capture_output=True, text=True, env=env,
                                  stdin=subprocess.DEVNULL, timeout=120)  # fmt: skip

    yield Copy()
    directory.chmod(stat.S_IRWXU)
    shutil.rmtree(outer)


@pytest.mark.sqlite_only(reason="bytes, WAL and file permissions of the SQLite logbook")
def test_digest_works_on_a_logbook_it_may_only_read(run, proc, readonly_copy, logbook):
    run("init")
    with _held_open(logbook):
        _yesterday_scenario(run, last=proc)
        path = readonly_copy.make()
    before = _sha(path.parent)
    done = readonly_copy.run(path, "digest")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == EXPECTED_DIGEST
    assert _sha(path.parent) == before
    # Writing through the same access fails cleanly with the storage exit code.
    refused = readonly_copy.run(path, "note", "1", "hello")
    assert refused.returncode == 5
    assert "read-only" in refused.stderr and "Traceback" not in refused.stderr
    assert _sha(path.parent) == before


@pytest.mark.sqlite_only(reason="bytes, WAL and file permissions of the SQLite logbook")
def test_read_only_due_and_escalations_also_work(run, readonly_copy):
    _yesterday_scenario(run)
    path = readonly_copy.make()
    due = readonly_copy.run(path, "due", "--format", "json")
    assert due.returncode == 0, due.stderr
    assert '"promise_id": 5' in due.stdout
    listed = readonly_copy.run(path, "escalations", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert '"reason": "Courier lost it twice"' in listed.stdout
    feed = readonly_copy.run(path, "calendar")
    assert feed.returncode == 0, feed.stderr
    assert len(_events(feed.stdout)) == 6


@pytest.mark.sqlite_only(reason="bytes, WAL and file permissions of the SQLite logbook")
def test_escalate_auto_dry_run_works_on_a_logbook_it_may_only_read(run, readonly_copy):
    _yesterday_scenario(run)
    path = readonly_copy.make()
    before = _sha(path.parent)
    done = readonly_copy.run(path, "escalate", "--auto", "--dry-run", "--exit-code")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("Would escalate ")
    assert _sha(path.parent) == before


@pytest.mark.sqlite_only(reason="bytes, WAL and file permissions of the SQLite logbook")
def test_read_only_digest_never_silently_ignores_committed_changes_in_the_wal(
    run, proc, readonly_copy, logbook
):
    run("init")
    with _held_open(logbook):
        _yesterday_scenario(run, last=proc)
        path = readonly_copy.make(files=("", "-wal"))  # e.g. copied without the -shm
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    done = readonly_copy.run(path, "digest")
    shows_data = done.returncode == 0 and done.stdout == EXPECTED_DIGEST
    refuses = done.returncode == 5 and "Traceback" not in done.stderr
    assert shows_data or refuses, done.stdout


# -- calendar ---------------------------------------------------------------------------


def _events(ics: bytes | str) -> list:
    calendar = Calendar.from_ical(ics)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def _promises(run) -> None:
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-23 16:00")
    run("promise", "1", "Send engineer", "--due", "2026-11-25 10:00", "--owner", "sam")
    run("add", "Bolt", "Wrong order", "--promise", "Refund", "--due", "2026-11-24 12:00")
    run("promise", "2", "Apology letter", "--due", "2026-11-24 12:00")
    run("promise", "2", "Gift card", "--due", "2026-11-26 12:00")
    run("kept", "4")
    run("cancel", "5", "--reason", "Customer declined")


def test_calendar_has_one_event_per_open_promise(run):
    _promises(run)
    ics = run("calendar").stdout
    calendar = Calendar.from_ical(ics)
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"]).startswith("-//complog//")
    events = _events(ics)
    assert len(events) == 3
    by_start = sorted((e.decoded("DTSTART"), str(e["SUMMARY"])) for e in events)
    assert by_start == [
        (datetime(2026, 11, 23, 16, 0, tzinfo=UTC), "Call back — Acme (#1)"),
        (datetime(2026, 11, 24, 12, 0, tzinfo=UTC), "Refund — Bolt (#2)"),
        (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), "Send engineer — Acme (#1)"),
    ]
    assert all(int(e["SEQUENCE"]) == 0 for e in events)
    assert len({str(e["UID"]) for e in events}) == 3


def test_calendar_uids_are_stable_across_runs_and_reschedules(run):
    _promises(run)
    first = {str(e["UID"]): e for e in _events(run("calendar").stdout)}
    second = {str(e["UID"]): e for e in _events(run("calendar", env=at("2026-11-23 10:00")).stdout)}
    assert first.keys() == second.keys()
    [engineer_uid] = [u for u, e in first.items() if "Send engineer" in str(e["SUMMARY"])]
    assert engineer_uid.startswith("promise-2-")

    run("reschedule", "2", "--due", "2026-11-27 14:00", "--reason", "Part delayed",
        env=at("2026-11-23 11:00"))  # fmt: skip
    moved = {str(e["UID"]): e for e in _events(run("calendar", env=at("2026-11-23 11:05")).stdout)}
    assert moved.keys() == first.keys()
    assert moved[engineer_uid].decoded("DTSTART") == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert int(moved[engineer_uid]["SEQUENCE"]) == 1
    others = [u for u in first if u != engineer_uid]
    assert all(int(moved[u]["SEQUENCE"]) == 0 for u in others)
    assert all(moved[u].decoded("DTSTART") == first[u].decoded("DTSTART") for u in others)

    run("reschedule", "2", "--due", "2026-11-30 14:00", "--reason", "Again",
        env=at("2026-11-23 12:00"))  # fmt: skip
    again = {str(e["UID"]): e for e in _events(run("calendar", env=at("2026-11-23 12:05")).stdout)}
    assert int(again[engineer_uid]["SEQUENCE"]) == 2


def test_kept_promise_leaves_the_calendar(run):
    _promises(run)
    uids = {str(e["UID"]) for e in _events(run("calendar").stdout)}
    run("kept", "1")
    after = {str(e["UID"]) for e in _events(run("calendar").stdout)}
    assert len(after) == 2 and after < uids


def test_calendar_uids_differ_between_logbooks(run, tmp_path):
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-23 16:00")
    other = {"COMPLOG_DB": str(tmp_path / "other" / "complog.db")}
    run(
        "add",
        "Acme",
        "Till crashes",
        "--promise",
        "Call back",
        "--due",
        "2026-11-23 16:00",
        env=other,
    )
    [mine] = _events(run("calendar").stdout)
    [theirs] = _events(run("calendar", env=other).stdout)
    assert str(mine["UID"]) != str(theirs["UID"])


@pytest.mark.parametrize(("args", "minutes"), [((), 30), (("--alarm", "45"), 45),
                                               (("--alarm", "1440"), 1440)])  # fmt: skip
def test_calendar_alarm_fires_before_the_due_time(run, args, minutes):
    _promises(run)
    for event in _events(run("calendar", *args).stdout):
        [alarm] = [c for c in event.subcomponents if c.name == "VALARM"]
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == timedelta(minutes=-minutes)


def test_calendar_alarm_zero_means_no_alarm(run):
    _promises(run)
    events = _events(run("calendar", "--alarm", "0").stdout)
    assert len(events) == 3
    assert all(not e.subcomponents for e in events)


def test_calendar_rejects_a_negative_alarm(run):
    run("calendar", "--alarm", "-5", exit=2)


def test_calendar_out_writes_the_file(run, tmp_path):
    _promises(run)
    target = tmp_path / "feeds" / "complog.ics"
    target.parent.mkdir()
    done = run("calendar", "--out", str(target))
    assert done.stdout == ""
    written = target.read_bytes()
    assert written.startswith(b"BEGIN:VCALENDAR\r\n")  # RFC 5545 lines end in CRLF
    assert written.decode().replace("\r\n", "\n") == run("calendar").stdout
    assert len(_events(target.read_bytes())) == 3


def test_calendar_owner_and_mine_filter_the_promises(run):
    _promises(run)
    sams = _events(run("calendar", "--owner", "sam").stdout)
    assert [str(e["SUMMARY"]) for e in sams] == ["Send engineer — Acme (#1)"]
    mine = _events(run("calendar", "--mine").stdout)
    assert sorted(str(e["SUMMARY"]) for e in mine) == [
        "Call back — Acme (#1)",
        "Refund — Bolt (#2)",
    ]
    run("calendar", "--owner", "sam", "--mine", exit=2)


def test_calendar_of_an_empty_logbook_is_a_valid_empty_calendar(run):
    run("init")
    ics = run("calendar").stdout
    assert _events(ics) == []
    assert Calendar.from_ical(ics)["VERSION"] == "2.0"
