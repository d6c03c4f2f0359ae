"""`complog backup` while another process writes, and `complog erase` proven on the raw file.

SPEC: `backup FILE` is a consistent online copy; `erase CUSTOMER --yes` removes the
customer's personal data from the logbook, its search index and free pages, and
keeps anonymised counts for reports; `customer NAME --format json` is their data
export. The writer is a real process (tests/store/_writer.py) adding complaints in
a loop; the erase checks read the database file's bytes, not what complog shows.
"""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import IO, Any

import pytest

from tests.cli.helpers import snapshot

WRITER = Path(__file__).with_name("_writer.py")


# -- backup --------------------------------------------------------------------------------


def read_added(stream: IO[str], into: list[str], until: int) -> None:
    """Read the writer's `added ID SUMMARY` lines until `until` adds are confirmed."""
    while len(into) < until:
        line = stream.readline()
        assert line.startswith("added "), f"writer said {line!r}"
        into.append(line.split()[2])


def summaries_in(copy: Path) -> list[str]:
    with closing(sqlite3.connect(copy)) as conn:
        return [s for (s,) in conn.execute("SELECT summary FROM complaint ORDER BY id")]


def integrity(path: Path) -> list[tuple[str]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchall()


@pytest.mark.sqlite_only(
    reason="complog backup copies the SQLite file (PostgreSQL: pg_dump, docs/team.md)"
)
def test_backups_taken_during_a_writer_loop_are_consistent_prefixes(run, logbook, tmp_path):
    stderr = (tmp_path / "writer.err").open("w")
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), "W", "0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, text=True,
    )  # fmt: skip
    confirmed: list[str] = []
    copies: list[tuple[Path, int]] = []
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline() == "ready\n"
        for n in range(3):
            read_added(writer.stdout, confirmed, until=len(confirmed) + 5)
            copy = tmp_path / f"backup-{n}.db"
            at_start = len(confirmed)
            ran = run("backup", str(copy))
            assert ran.stdout == f"Backed up {logbook} to {copy}\n"
            copies.append((copy, at_start))
    finally:
        writer.kill()
        writer.wait()
        stderr.close()
    assert writer.stdout is not None
    for line in writer.stdout.read().splitlines():
        assert line.startswith("added "), line
        confirmed.append(line.split()[2])

    sizes = []
    for copy, at_start in copies:
        assert integrity(copy) == [("ok",)]
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        summaries = summaries_in(copy)
        # Every add confirmed before the backup began is in it, and what is in it is
        # exactly the first N adds: no torn write, no gap. The add in flight when the
        # writer was killed may have committed without being confirmed, hence the +1.
        assert at_start <= len(summaries) <= len(confirmed) + 1
        assert summaries == [f"W-{i:04d}" for i in range(len(summaries))]
        sizes.append(len(summaries))
        listed = run("list", "--status", "all", "--format", "json", env={"COMPLOG_DB": str(copy)})
        assert len(listed.json) == len(summaries)
    assert sizes == sorted(sizes)
    assert integrity(logbook) == [("ok",)]


@pytest.mark.sqlite_only(
    reason="complog backup copies the SQLite file (PostgreSQL: pg_dump, docs/team.md)"
)
def test_backup_copy_is_private_and_complete(run, logbook, tmp_path):
    run("add", "Acme Newsagency", "Till crashes at close")
    copy = tmp_path / "copy.db"

    ran = run("backup", str(copy))

    assert ran.stdout == f"Backed up {logbook} to {copy}\n"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert snapshot(copy)["rows"] == snapshot(logbook)["rows"]
    assert not list(tmp_path.glob("copy.db.tmp*"))


@pytest.mark.sqlite_only(
    reason="complog backup copies the SQLite file (PostgreSQL: pg_dump, docs/team.md)"
)
def test_backup_to_an_existing_file_exits_2_and_leaves_it_alone(run, tmp_path):
    run("add", "Acme Newsagency", "Till crashes at close")
    target = tmp_path / "precious.db"
    target.write_bytes(b"not yours")

    ran = run("backup", str(target), exit=2)

    assert ran.stderr == (
        f"complog: error: {target} already exists\n  choose a new file name for the backup\n"
    )
    assert target.read_bytes() == b"not yours"


@pytest.mark.sqlite_only(
    reason="complog backup copies the SQLite file (PostgreSQL: pg_dump, docs/team.md)"
)
def test_backup_into_a_missing_folder_exits_2(run, tmp_path):
    run("add", "Acme Newsagency", "Till crashes at close")
    ran = run("backup", str(tmp_path / "nowhere" / "copy.db"), exit=2)
    assert ran.stderr == f"complog: error: no such folder: {tmp_path / 'nowhere'}\n"


@pytest.mark.sqlite_only(
    reason="complog backup copies the SQLite file (PostgreSQL: pg_dump, docs/team.md)"
)
@pytest.mark.parametrize("folder", ["exists", "missing"])
def test_backup_without_a_logbook_exits_3_and_creates_nothing(proc, logbook, tmp_path, folder):
    if folder == "exists":
        logbook.parent.mkdir(mode=0o700)
    target = tmp_path / "copy.db"

    ran = proc("backup", str(target), exit=None)

    assert (ran.exit_code, ran.stdout) == (3, "")
    assert not logbook.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "logbook") == []


# -- erase ---------------------------------------------------------------------------------

QUENTIN = "Quentin Zylberstein"
PHONE = "+1 555 0199 7788"
EMAIL = "quentin.zyl@example.net"
#: made-up words, each written into exactly one kind of field about Quentin
WORDS = {
    "summary": "Xylophonic",
    "wants": "Refundoramic",
    "promise": "Vorpaltoaster",
    "cancelled promise": "Cancelmoid",
    "cancel reason": "Wibblesnatch",
    "note": "Grimblewick",
    "kept note": "Gronkulated",
    "reschedule reason": "Flibbertigibbet",
    "escalation reason": "Quintessentix",
    "first outcome": "Snarkleberry",
    "reopen reason": "Plumbusian",
    "outcome": "Zorbulated",
    "compensation": "Wobbulator",
    "prevention": "Frobnicate",
    "second complaint": "Jabberwockian",
}


def quentin_and_olga(run: Any) -> None:
    """Quentin (to be erased): two complaints touching every free-text field, one of
    them reopened; a repeat-customer escalation names him. Olga: one complaint."""
    w = WORDS
    now = {"COMPLOG_NOW": "2026-11-19T09:00:00+00:00"}
    run("add", QUENTIN, f"{w['summary']} toaster caught fire", "--phone", PHONE, "--email", EMAIL,
        "--wants", f"{w['wants']} payment", "--category", "appliances", "--heat", "4",
        "--promise", f"Deliver a {w['promise']}", "--due", "2026-11-20 10:00", env=now)  # fmt: skip
    run("add", "Olga Normal", "Kettle lid loose", "--category", "appliances", env=now)
    run("promise", "1", f"{w['cancelled promise']} call", "--due", "2026-11-19 15:00", env=now)
    run("cancel", "2", "--reason", f"{w['cancel reason']} said no", env=now)
    run("note", "1", f"Customer mentioned the {w['note']} warranty", "--in", env=now)
    run("reschedule", "1", "--due", "2026-11-24 10:00", "--reason", f"{w['reschedule reason']} delay",
        env={"COMPLOG_NOW": "2026-11-21T09:00:00+00:00"})  # fmt: skip
    run("escalate", "1", "--to", "manager", "--reason", f"{w['escalation reason']} fury")
    run("kept", "1", "--note", f"Delivered, {w['kept note']}")
    run("resolve", "1", "--outcome", f"{w['first outcome']} fix", "--confirmed")
    run("reopen", "1", "--reason", f"{w['reopen reason']} again")
    run("resolve", "1", "--outcome", f"{w['outcome']} replacement", "--confirmed",
        "--satisfaction", "4", "--compensation", f"{w['compensation']} voucher",
        "--cause", "ours", "--prevention", f"{w['prevention']} checks")  # fmt: skip
    run("add", QUENTIN, f"{w['second complaint']} grill", "--category", "appliances")
    run("add", QUENTIN, "Third one", "--category", "appliances")
    run("escalate", "--auto")  # repeat-customer: "Quentin Zylberstein opened 3 complaints ..."
    run("add", "Olga Normal", "Kettle again", "--category", "appliances")


def logbook_bytes(logbook: Path) -> bytes:
    """The database file and any -wal/-shm beside it, as raw bytes."""
    files = sorted(logbook.parent.glob(logbook.name + "*"))
    assert logbook in files
    return b"".join(path.read_bytes() for path in files)


def secrets() -> list[str]:
    return [QUENTIN, "Zylberstein", PHONE, "0199 7788", EMAIL, *WORDS.values()]


def counts(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the names and texts erase is meant to remove."""
    figures = {
        k: v for k, v in report.items() if k not in ("until", "compensation_given", "compensation")
    }
    figures["repeat_customers"] = sorted(r["complaints"] for r in report["repeat_customers"])
    return figures


def test_customer_json_is_their_data_export(run):
    quentin_and_olga(run)

    data = run("customer", QUENTIN, "--format", "json").json

    assert data["customer_detail"]["name"] == QUENTIN
    assert data["customer_detail"]["phone"] == PHONE
    assert data["customer_detail"]["email"] == EMAIL
    assert sorted(c["id"] for c in data["complaints"]) == [1, 3, 4]
    text = json.dumps(data, ensure_ascii=False)
    current = {k: w for k, w in WORDS.items() if k not in ("first outcome",)}
    missing = {k: w for k, w in current.items() if w not in text}
    assert missing == {}, f"their data export lacks {missing}"
    assert "Olga" not in text and "Kettle" not in text


def test_customer_json_keeps_compensation_given_before_a_reopen(run):
    run("add", QUENTIN, "Toaster")
    run("resolve", "1", "--outcome", "Refunded", "--compensation", "Wobbulator voucher",
        "--prevention", "Frobnicate checks", "--confirmed")  # fmt: skip
    run("reopen", "1", "--reason", "Broke again")
    run("resolve", "1", "--outcome", "Replaced", "--confirmed")

    text = run("customer", QUENTIN, "--format", "json").stdout

    assert "Wobbulator voucher" in text
    assert "Frobnicate checks" in text


def test_erase_without_yes_exits_2_and_changes_nothing(run, logbook):
    quentin_and_olga(run)
    before = snapshot(logbook)

    ran = run("erase", QUENTIN, exit=2)

    assert ran.stderr == "complog: error: erase cannot be undone; add --yes to confirm\n"
    assert snapshot(logbook) == before


def test_erase_of_an_unknown_customer_exits_3(run, logbook):
    quentin_and_olga(run)
    before = snapshot(logbook)
    ran = run("erase", "Nobody Known", "--yes", exit=3)
    assert ran.stderr.startswith("complog: error: no customer named 'Nobody Known'\n")
    assert snapshot(logbook) == before


@pytest.mark.sqlite_only(reason="reads the bytes of the SQLite file")
def test_before_erase_every_secret_is_in_the_file(run, logbook):
    # Guards the erase test below against passing because the words were never stored.
    quentin_and_olga(run)
    raw = logbook_bytes(logbook)
    assert [s for s in secrets() if s.encode() not in raw] == []


@pytest.mark.sqlite_only(reason="reads the bytes of the SQLite file")
def test_erased_customer_cannot_be_found_in_the_file_or_by_complog(run, logbook):
    quentin_and_olga(run)
    report = run("report", "--format", "json").json
    olga = [run("show", str(n), "--format", "json").json for n in (2, 5)]
    olga_history = run("customer", "Olga Normal", "--format", "json").json

    ran = run("erase", QUENTIN, "--yes")

    assert ran.stdout == "Erased customer 1: 3 complaints anonymised\n"
    raw = logbook_bytes(logbook)
    for secret in secrets():
        for form in {secret, secret.lower(), secret.upper()}:
            assert form.encode() not in raw, f"{form!r} is still in the logbook's bytes"
    assert integrity(logbook) == [("ok",)]
    for word in WORDS.values():
        assert run("search", word, "--format", "json").json == []
    gone = run("customer", QUENTIN, exit=3)
    assert gone.stderr.startswith(f"complog: error: no customer named '{QUENTIN}'\n")
    assert counts(run("report", "--format", "json").json) == counts(report)
    assert [run("show", str(n), "--format", "json").json for n in (2, 5)] == olga
    assert run("customer", "Olga Normal", "--format", "json").json == olga_history
    anonymous = run("list", "--status", "all", "--format", "json").json
    assert len(anonymous) == 5
    assert {c["customer"] for c in anonymous if c["id"] in (1, 3, 4)} == {"erased customer 1"}


@pytest.mark.sqlite_only(reason="reads the bytes of the SQLite file")
def test_erase_while_another_process_reads_does_not_claim_a_scrub_it_could_not_do(
    run, proc, logbook
):
    quentin_and_olga(run)
    with closing(sqlite3.connect(logbook, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM complaint").fetchone() == (5,)

        ran = proc("erase", QUENTIN, "--yes", exit=None, env={"COMPLOG_BUSY_TIMEOUT": "1"})

        raw = logbook_bytes(logbook)
        reader.execute("COMMIT")
    left = [s for s in secrets() if s.encode() in raw]
    if ran.exit_code == 0:
        assert left == [], f"erase said {ran.stdout!r} but the file still holds {left}"
    else:
        assert ran.exit_code == 5
        assert ran.stderr.startswith("complog: error: ")


@pytest.mark.sqlite_only(reason="reads the bytes of the SQLite file while a reader holds it")
def test_a_scrub_kept_from_finishing_by_a_reader_is_finished_by_the_next_write(run, proc, logbook):
    quentin_and_olga(run)
    # `idle` stays connected throughout, so the reader's close is not the last one
    # (SQLite checkpoints when the last connection closes, which would hide the point).
    with closing(sqlite3.connect(logbook, isolation_level=None)) as idle:
        idle.execute("SELECT count(*) FROM meta").fetchone()  # connected to the WAL, idle
        with closing(sqlite3.connect(logbook, isolation_level=None)) as reader:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM complaint").fetchone()
            ran = proc("erase", QUENTIN, "--yes", exit=5, env={"COMPLOG_BUSY_TIMEOUT": "1"})
            reader.execute("COMMIT")
        assert ran.stderr.startswith("complog: error: the data was anonymised, but another")
        assert [s for s in secrets() if s.encode() in logbook.read_bytes()] != []
        assert idle.execute("SELECT key FROM meta WHERE key = 'scrub_pending'").fetchall() != []

        run("note", "2", "Olga rang about her kettle")

        assert idle.execute("SELECT key FROM meta WHERE key = 'scrub_pending'").fetchall() == []
        assert [s for s in secrets() if s.encode() in logbook_bytes(logbook)] == []
    assert integrity(logbook) == [("ok",)]


def left_in(logbook: Path) -> list[str]:
    """Which secrets the file's bytes still hold, in any case (keys and index terms
    are casefolded)."""
    raw = logbook_bytes(logbook).lower()
    return [s for s in secrets() if s.lower().encode() in raw]


#: `complog erase`, killed the moment its transaction has committed, before the scrub
#: rewrites the file. A real SIGKILL cannot be aimed at that window reliably, so the
#: child dies by os._exit(137) there instead: the same state on disk as a kill -9.
KILLED_BEFORE_SCRUB = (
    "import os, sys; import complog.store as store;"
    " store.Store.scrub = lambda self: os._exit(137);"
    " from complog.cli.main import app; sys.argv[0] = 'complog'; app()"
)


@pytest.mark.sqlite_only(reason="reads the bytes of the SQLite file after a kill")
def test_an_erase_killed_before_its_scrub_is_finished_by_the_next_write(run, logbook):
    """The erase had committed, so running it again finds nobody (exit 3) and scrubbed
    nothing; the next write now finishes the job, as after a reader was in the way."""
    quentin_and_olga(run)
    killed = subprocess.run([sys.executable, "-c", KILLED_BEFORE_SCRUB, "erase", QUENTIN, "--yes"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert killed.returncode == 137, killed.stderr
    assert left_in(logbook) != []  # the window: the old text is still in the file

    run("note", "2", "Olga rang about her kettle")

    assert left_in(logbook) == []
    with closing(sqlite3.connect(logbook)) as conn:
        assert conn.execute("SELECT key FROM meta WHERE key = 'scrub_pending'").fetchall() == []
    assert integrity(logbook) == [("ok",)]


def test_erase_keeps_counts_categories_and_times(run):
    quentin_and_olga(run)
    before = {c["id"]: c for c in run("list", "--status", "all", "--format", "json").json}

    run("erase", QUENTIN, "--yes")

    after = {c["id"]: c for c in run("list", "--status", "all", "--format", "json").json}
    kept = ("status", "channel", "category", "heat", "opened_at", "resolved_at", "owner")
    assert {i: [c[k] for k in kept] for i, c in after.items()} == {
        i: [c[k] for k in kept] for i, c in before.items()
    }
    assert after[1]["summary"] == "[erased]"
    shown = run("show", "1", "--format", "json").json
    assert shown["customer_detail"]["phone"] is None
    assert shown["customer_detail"]["email"] is None
    assert {n["text"] for n in shown["notes"]} == {"[erased]"}
    assert {p["text"] for p in shown["promises"]} == {"[erased]"}
    assert shown["resolution"]["cause"] == "ours"
    assert shown["resolution"]["satisfaction"] == 4


def test_erase_keeps_the_compensation_count_in_reports(run):
    quentin_and_olga(run)
    before = run("report", "--format", "json").json

    run("erase", QUENTIN, "--yes")

    after = run("report", "--format", "json").json
    assert before["compensation_given"] == 1
    assert after["compensation_given"] == 1
    assert [c["complaint_id"] for c in after["compensation"]] == [1]
