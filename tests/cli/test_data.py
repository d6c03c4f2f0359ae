"""Data in and out: lossless export/import, CFPB and Twitter imports, bad rows, CSV export.

SPEC: `export --format jsonl|json|csv [--out FILE]`, `import FILE [--format ...]
[--dry-run] [--skip-bad]`. The real-data slices in tests/data/ (see SOURCES.md
there) keep the quirks of the public files: quoted newlines, XXXX redactions,
masked ZIPs, old layouts, branching Twitter threads.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import stat
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import assert_clean_error, snapshot
from tests.conftest import NOW, Runner

DATA = Path(__file__).resolve().parents[1] / "data"
DOCS = Path(__file__).resolve().parents[2] / "docs"
CFPB_SLICE = DATA / "cfpb_slice.csv"
CFPB_OLD = DATA / "cfpb_old_layout.csv"
TWCS_SLICE = DATA / "twcs_slice.csv"

CSV_COLUMNS = [
    "id", "external_id", "customer", "phone", "email", "summary", "status", "channel", "category",
    "heat", "wants", "loss", "written", "owner", "opened_at", "resolved_at", "outcome", "confirmed",
    "satisfaction", "compensation", "cause", "prevention", "open_promises", "notes", "promises",
    "broken_promises", "escalations", "loss_currency",
]  # fmt: skip
CHANNELS = ("phone", "email", "letter", "visit", "web", "social", "other")
LONG_NOTE = " ".join(f"Visit log line {n:05d}: checked valve, pressure, flue." for n in range(1000))
RTL_NAME = "محمد الأحمد"
RTL_SUMMARY = "الغلاية لا تعمل منذ أسبوع"
HEBREW = "הדוד דולף שוב"


def at(when: str) -> dict[str, str]:
    """Run a command as if the clock said `when` (UTC)."""
    return {"COMPLOG_NOW": when if "T" in when else when.replace(" ", "T") + ":00+00:00"}


def on(db: Path) -> dict[str, str]:
    """Run a command against another logbook file."""
    return {"COMPLOG_DB": str(db)}


def build_everything(run: Any, *, reopen: bool = True) -> None:
    """A logbook in which every field of every table holds something.

    complaint 1 (Zoë, letter, written, loss with cents): 21 notes (every channel x
      in/out/internal), a 50 KB note, RTL and emoji text; promises kept on time (P1),
      kept late (P2), cancelled (P3), rescheduled on time then late and kept (P4);
      manual, automatic and acknowledged escalations; resolved with every field.
    complaint 2 (RTL customer): resolved, reopened, resolved again (only resolved
      once when not `reopen`).
    complaint 3 (plain): open, with an open promise and an open escalation.
    complaints 4-12: the old-layout CFPB file (external ids, customer notes).
    """
    run("add", "Zoë Ærøe-Ñandú", "Boiler 🔥 leaks — «urgent»", "--channel", "letter",
        "--category", "heating", "--heat", "5", "--wants", "Full refund 💷", "--loss", "123.45",
        "--written", "--owner", "alice", "--phone", "+44 20 7946 0958", "--email", "zoe@example.org",
        "--at", "2026-11-02 09:30", "--promise", "Engineer visit 🛠", "--due", "2026-11-03 10:00",
        env=at("2026-11-02 09:30"))  # fmt: skip
    minute = 0
    for channel in CHANNELS:
        for direction in ("--in", "--out", "--internal"):
            minute += 1
            run("note", "1", f"{channel} {direction[2:]} ✉ {HEBREW}", "--channel", channel,
                direction, "--at", f"2026-11-02 10:{minute:02d}", env=at("2026-11-02 11:00"))  # fmt: skip
    run("note", "1", LONG_NOTE, "--channel", "visit", "--internal", env=at("2026-11-02 12:00"))
    run("kept", "1", "--note", "Engineer came, part ordered", "--at", "2026-11-03 09:45",
        env=at("2026-11-03 12:00"))  # fmt: skip
    run("promise", "1", "Send written report", "--due", "2026-11-04 12:00", "--owner", "bob",
        env=at("2026-11-03 12:00"))  # fmt: skip
    run("kept", "2", "--at", "2026-11-05 10:00", env=at("2026-11-05 10:30"))
    run("promise", "1", "Courtesy call", "--due", "2026-11-06 12:00", env=at("2026-11-03 12:00"))
    run("cancel", "3", "--reason", "Customer asked us not to call", env=at("2026-11-04 09:00"))
    run("promise", "1", "Replace valve", "--due", "2026-11-10 12:00", env=at("2026-11-04 09:00"))
    run("reschedule", "4", "--due", "2026-11-12 12:00", "--reason", "Part on back order",
        env=at("2026-11-09 09:00"))  # fmt: skip
    run("escalate", "1", "--to", "head of service", "--reason", "Threatens legal action ⚖️",
        env=at("2026-11-09 10:00"))  # fmt: skip
    run("escalate", "--auto", env=at("2026-11-12 16:00"))  # P4 overdue, open 8 working days
    run("reschedule", "4", "--due", "2026-11-16 12:00", "--reason", "Supplier missed delivery",
        env=at("2026-11-13 09:00"))  # fmt: skip
    run("ack", "1", env=at("2026-11-13 10:00"))
    run("kept", "4", "--at", "2026-11-16 11:00", env=at("2026-11-16 11:00"))
    run("resolve", "1", "--outcome", "Boiler replaced ✅", "--confirmed", "--satisfaction", "4",
        "--compensation", "£50 voucher", "--cause", "ours", "--prevention",
        "Check valves at install", env=at("2026-11-17 15:00"))  # fmt: skip

    run("add", RTL_NAME, RTL_SUMMARY, "--channel", "phone", "--heat", "2",
        env=at("2026-11-10 09:00"))  # fmt: skip
    if reopen:
        run("resolve", "2", "--outcome", "Reset the pilot light", "--unconfirmed",
            env=at("2026-11-11 09:00"))  # fmt: skip
        run("reopen", "2", "--reason", "Went out again", env=at("2026-11-12 09:00"))
    run("resolve", "2", "--outcome", "Thermocouple replaced", "--confirmed", "--cause",
        "third-party", "--satisfaction", "5", env=at("2026-11-13 09:00"))  # fmt: skip

    run("add", "Plain Customer", "Invoice wrong", "--heat", "1", "--promise", "Send credit note",
        "--due", "2026-11-30 12:00", env=at("2026-11-20 09:00"))  # fmt: skip
    run("escalate", "3", "--to", "finance", "--reason", "Over limit", env=at("2026-11-20 10:00"))
    run("import", str(CFPB_OLD), env=at("2026-11-21 09:00"))


def export(run: Any, *args: str, env: dict[str, str] | None = None) -> str:
    return run("export", *args, env=env).stdout


def copy_logbook(source: Path, target: Path) -> None:
    """A private copy of a built logbook, through SQLite's backup API."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    target.chmod(0o600)


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[[bool, str], Path | str]:
    """Builds each variant of the everything-logbook once per module and back end (it
    takes seconds): a SQLite file, or a database of the test PostgreSQL server."""
    cache: dict[tuple[bool, str], Path | str] = {}

    def get(reopen: bool, backend: str) -> Path | str:
        if (reopen, backend) not in cache:
            if backend == "postgres":
                server = request.getfixturevalue("postgres_server")
                target: Path | str = server.url(server.create_database())
            else:
                target = tmp_path_factory.mktemp("everything") / "complog.db"
            with pytest.MonkeyPatch.context() as env:
                for name, value in (("COMPLOG_DB", str(target)), ("COMPLOG_NOW", NOW),
                                    ("COMPLOG_USER", "tester"), ("TZ", "UTC")):  # fmt: skip
                    env.setenv(name, value)
                build_everything(Runner(), reopen=reopen)
            cache[reopen, backend] = target
        return cache[reopen, backend]

    return get


@pytest.fixture
def everything(
    built: Callable[[bool, str], Path | str],
    logbook: Path | str,
    backend: str,
    request: pytest.FixtureRequest,
) -> Callable[..., None]:
    """Put the everything-logbook (see build_everything) in this test's logbook."""

    def load(*, reopen: bool = True) -> None:
        source = built(reopen, backend)
        if backend == "postgres":
            request.getfixturevalue("postgres_work_database").load(source)
        else:
            copy_logbook(Path(source), Path(logbook))

    return load


def saved(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def logbook_files(db: Path | str) -> dict[str, Any]:
    """The database and its WAL, byte for byte (the -shm index is not data; an empty
    WAL is the same as none). On PostgreSQL: every row, the schema and the next ids."""
    if isinstance(db, str):
        return snapshot(db)
    files = sorted(db.parent.glob(db.name + "*"))
    return {
        p.name: p.read_bytes() for p in files if not p.name.endswith("-shm") and p.stat().st_size
    }


# -- lossless round trip -------------------------------------------------------------------


def test_everything_logbook_really_exercises_every_field(run, everything):
    everything()
    first, second = (run("show", str(n), "--format", "json").json for n in (1, 2))
    assert first["customer_detail"]["phone"] == "+44 20 7946 0958"
    assert first["customer_detail"]["email"] == "zoe@example.org"
    assert first["loss"] == 123.45 and first["written"] is True
    assert {(n["channel"], n["direction"]) for n in first["notes"]} >= {
        (c, d) for c in CHANNELS for d in ("in", "out", "internal")
    }
    assert LONG_NOTE in [n["text"] for n in first["notes"]]
    assert len(LONG_NOTE.encode()) >= 50_000
    promises = {p["text"]: p for p in first["promises"]}
    assert [p["status"] for p in promises.values()] == ["kept", "kept", "cancelled", "kept"]
    assert promises["Engineer visit 🛠"]["broken"] is False
    assert promises["Send written report"]["broken"] is True
    assert [r["late"] for r in promises["Replace valve"]["reschedules"]] == [False, True]
    rules = sorted(e["rule"] for e in first["escalations"])
    assert "manual" in rules and "overdue-promise" in rules
    assert any(e["acknowledged_at"] for e in first["escalations"])
    assert first["resolution"] == {
        "outcome": "Boiler replaced ✅", "confirmed": True, "satisfaction": 4,
        "compensation": "£50 voucher", "cause": "ours", "prevention": "Check valves at install",
        "resolved_at": "2026-11-17T15:00:00+00:00",
        # added with currencies (migration 0005): the value the text names
        "compensation_value": 50.0, "compensation_currency": "GBP",
    }  # fmt: skip
    assert [t["kind"] for t in second["timeline"]].count("reopened") == 1
    assert second["resolution"]["outcome"] == "Thermocouple replaced"
    assert second["customer"] == RTL_NAME
    third = run("show", "3", "--format", "json").json
    assert [p["status"] for p in third["promises"]] == ["open"]
    assert [e["acknowledged_at"] for e in third["escalations"]] == [None]
    cfpb = run("show", "4", "--format", "json").json
    assert cfpb["external_id"].startswith("cfpb:")
    assert cfpb["customer_detail"]["notes"].startswith("Location: ")


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
@pytest.mark.parametrize(
    "reopen",
    [pytest.param(False, id="resolved-once"), pytest.param(True, id="reopened")],
)
def test_export_import_export_is_byte_identical(run, everything, tmp_path, fmt, reopen):
    everything(reopen=reopen)
    exported = export(run, "--format", fmt)
    source = saved(tmp_path, f"everything.{fmt}", exported)
    empty = tmp_path / "copy" / "complog.db"

    ran = run("import", str(source), env=on(empty))

    assert ran.stdout == (
        f"Imported 12 complaints from everything.{fmt} (0 already present, 0 skipped as bad)\n"
    )
    assert export(run, "--format", fmt, env=on(empty)) == exported


def test_json_and_jsonl_exports_hold_the_same_objects_as_show(run, everything):
    everything()
    lines = [json.loads(line) for line in export(run, "--format", "jsonl").splitlines()]
    assert json.loads(export(run, "--format", "json")) == lines
    assert [c["id"] for c in lines] == list(range(1, 13))
    assert lines == [run("show", str(n), "--format", "json").json for n in range(1, 13)]


def test_export_timestamps_are_utc_whatever_the_tz_setting(run, everything):
    everything()
    utc = export(run)
    run("config", "tz", "America/New_York")
    assert export(run) == utc
    assert "-05:00" not in utc and "-04:00" not in utc


def test_reimporting_an_export_adds_nothing(run, everything, tmp_path, logbook):
    everything()
    source = saved(tmp_path, "everything.jsonl", export(run))
    copy = tmp_path / "copy" / "complog.db"
    run("import", str(source), env=on(copy))
    before = {db: snapshot(db) for db in (logbook, copy)}

    again = run("import", str(source), env=on(copy))
    home = run("import", str(source))

    expected = (
        "Imported 0 complaints from everything.jsonl (12 already present, 0 skipped as bad)\n"
    )
    assert again.stdout == expected
    assert home.stdout == expected
    assert {db: snapshot(db) for db in (logbook, copy)} == before


def test_import_into_a_logbook_in_use_renumbers_taken_ids_and_stays_idempotent(
    run, everything, tmp_path
):
    everything()
    source = saved(tmp_path, "everything.jsonl", export(run))
    other = tmp_path / "other" / "complog.db"
    run("add", "Someone Else", "Already here", env=on(other))

    ran = run("import", str(source), env=on(other))
    again = run("import", str(source), env=on(other))

    assert ran.stdout == (
        "Imported 12 complaints from everything.jsonl (0 already present, 0 skipped as bad)\n"
    )
    assert again.stdout == (
        "Imported 0 complaints from everything.jsonl (12 already present, 0 skipped as bad)\n"
    )
    listed = run("list", "--status", "all", "--format", "json", env=on(other)).json
    assert sorted(c["id"] for c in listed) == list(range(1, 14))
    assert {c["id"]: c["summary"] for c in listed}[1] == "Already here"
    # Only complaint 1's number was taken: it goes above the file's largest (12), the
    # other eleven keep theirs, and the import says so.
    zoe = [c for c in listed if c["customer"] == "Zoë Ærøe-Ñandú"]
    assert [(c["id"], c["summary"]) for c in zoe] == [(13, "Boiler 🔥 leaks — «urgent»")]
    assert "got a new number" in ran.stderr and ": 1 -> 13\n" in ran.stderr
    moved = run("show", "13", "--format", "json", env=on(other)).json
    original = run("show", "1", "--format", "json").json
    assert [n["text"] for n in moved["notes"]] == [n["text"] for n in original["notes"]]
    assert moved["promises"][3]["reschedules"] == original["promises"][3]["reschedules"]


def test_csv_export_reads_back_as_complaints_without_their_history(run, everything, tmp_path):
    everything()
    source = saved(tmp_path, "everything.csv", export(run, "--format", "csv"))
    copy = tmp_path / "copy" / "complog.db"

    ran = run("import", str(source), env=on(copy))
    again = run("import", str(source), env=on(copy))

    assert ran.stdout == (
        "Imported 12 complaints from everything.csv (0 already present, 0 skipped as bad)\n"
    )
    assert again.stdout.startswith("Imported 0 complaints from everything.csv (12 already present")
    fields = ("id", "customer", "summary", "status", "channel", "category", "heat", "wants",
              "loss", "written", "owner", "opened_at", "resolved_at")  # fmt: skip
    mine = run("list", "--status", "all", "--format", "json").json
    theirs = run("list", "--status", "all", "--format", "json", env=on(copy)).json
    assert [[c[f] for f in fields] for c in theirs] == [[c[f] for f in fields] for c in mine]
    resolution = run("show", "1", "--format", "json").json["resolution"]
    assert run("show", "1", "--format", "json", env=on(copy)).json["resolution"] == resolution


# -- CFPB ----------------------------------------------------------------------------------


def cfpb_rows(path: Path = CFPB_SLICE) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["Complaint ID"]: row for row in csv.DictReader(fh)}


def cfpb_complaint(run: Any, complaint_id: str) -> dict[str, Any]:
    """`show --format json` of the complaint imported from CFPB complaint `complaint_id`."""
    customer = f"CFPB consumer {complaint_id}"
    found = run("list", "--status", "all", "--customer", customer, "--format", "json").json
    assert [c["customer"] for c in found] == [customer]
    return run("show", str(found[0]["id"]), "--format", "json").json


def test_cfpb_slice_imports_every_row_and_a_second_import_adds_nothing(run, logbook):
    ran = run("import", str(CFPB_SLICE))

    assert ran.stdout == "Imported 250 complaints from cfpb_slice.csv (0 already present, 0 skipped as bad)\n"  # fmt: skip
    listed = run("list", "--status", "all", "--format", "json").json
    assert len(listed) == 250
    assert sorted(c["customer"] for c in listed) == sorted(
        f"CFPB consumer {i}" for i in cfpb_rows()
    )
    # 12 "In progress" and 12 "Untimely response" rows stay open; the rest are closed.
    assert len(run("list", "--status", "open", "--format", "json").json) == 24
    before = snapshot(logbook)

    again = run("import", str(CFPB_SLICE), "--format", "cfpb")

    assert again.stdout == "Imported 0 complaints from cfpb_slice.csv (250 already present, 0 skipped as bad)\n"  # fmt: skip
    assert snapshot(logbook) == before


def test_cfpb_narrative_with_newlines_and_redactions_is_the_first_inbound_note(run):
    run("import", str(CFPB_SLICE))
    narrative = cfpb_rows()["3110277"]["Consumer complaint narrative"]
    assert "\n" in narrative and "XX/XX/XXXX" in narrative

    c = cfpb_complaint(run, "3110277")

    assert {k: c[k] for k in ("summary", "category", "owner", "channel", "written", "status",
                              "heat", "opened_at", "resolved_at", "external_id")} == {  # fmt: skip
        "summary": "Incorrect information on your report: Old information reappears or never goes away",
        "category": "Credit reporting, credit repair services, or other personal consumer reports / Credit reporting",
        "owner": "EQUIFAX, INC.",
        "channel": "web",
        "written": True,
        "status": "resolved",
        "heat": 3,
        "opened_at": "2018-12-27T12:00:00+00:00",
        "resolved_at": "2018-12-27T12:00:00+00:00",
        "external_id": "cfpb:3110277",
    }  # fmt: skip
    assert c["customer_detail"]["notes"] == "Location: OR, 977XX"
    assert [(n["at"], n["author"], n["channel"], n["direction"]) for n in c["notes"]] == [
        ("2018-12-27T12:00:00+00:00", "consumer", "web", "in"),
        ("2018-12-27T12:00:00+00:00", "cfpb-import", "other", "internal"),
    ]
    assert c["notes"][0]["text"] == narrative.strip()
    assert c["notes"][1]["text"] == (
        "Sent to EQUIFAX, INC. by the CFPB. Tags: Servicemember. Consumer consent: Consent provided. "
        "Timely response: Yes. Consumer disputed: N/A. State: OR. ZIP: 977XX."
    )
    assert c["resolution"] == {
        "outcome": "Closed with explanation", "confirmed": None, "satisfaction": None,
        "compensation": None, "cause": "unknown", "prevention": None,
        "resolved_at": "2018-12-27T12:00:00+00:00",
        "compensation_value": None, "compensation_currency": None,
    }  # fmt: skip


def test_cfpb_longest_narrative_is_kept_whole(run):
    run("import", str(CFPB_SLICE))
    narrative = cfpb_rows()["3439091"]["Consumer complaint narrative"]
    assert len(narrative) > 20_000
    assert cfpb_complaint(run, "3439091")["notes"][0]["text"] == narrative.strip()


def test_cfpb_monetary_relief_is_compensation_resolved_on_the_date_sent(run):
    run("import", str(CFPB_SLICE))

    c = cfpb_complaint(run, "3187899")  # phoned in; received 2019-03-22, sent 2019-03-28

    assert (c["channel"], c["written"], c["status"]) == ("phone", False, "resolved")
    assert c["opened_at"] == "2019-03-22T12:00:00+00:00"
    assert c["resolved_at"] == "2019-03-28T12:00:00+00:00"
    assert [(n["at"], n["direction"]) for n in c["notes"]] == [
        ("2019-03-28T12:00:00+00:00", "internal")
    ]
    assert c["resolution"]["outcome"] == (
        "Closed with monetary relief. Public response: Company has responded to the consumer "
        "and the CFPB and chooses not to provide a public response"
    )
    assert c["resolution"]["compensation"] == "monetary relief"
    assert c["owner"] == "WELLS FARGO & COMPANY"


@pytest.mark.parametrize(
    ("complaint_id", "expected"),
    [
        (
            "3553605",
            {"status": "open", "resolution": None, "resolved_at": None, "channel": "phone"},
        ),
        (
            "3256304",
            {"status": "open", "resolution": None, "resolved_at": None, "channel": "phone"},
        ),
    ],
    ids=["in-progress", "untimely-response"],
)
def test_cfpb_responses_still_pending_stay_open(run, complaint_id, expected):
    run("import", str(CFPB_SLICE))
    c = cfpb_complaint(run, complaint_id)
    assert {k: c[k] for k in expected} == expected


def test_cfpb_empty_state_and_zip_leave_no_location(run):
    run("import", str(CFPB_SLICE))
    c = cfpb_complaint(run, "3256304")  # Untimely response, no State, no ZIP
    assert c["customer_detail"]["notes"] is None
    assert c["notes"][0]["text"] == (
        "Sent to Accelerated Servicing Group LLC by the CFPB. Consumer consent: N/A. "
        "Timely response: No. Consumer disputed: N/A."
    )


@pytest.mark.parametrize(
    ("complaint_id", "confirmed", "category"),
    [
        ("2010655", False, "Debt collection"),  # disputed Yes; sub-product "I do not know"
        ("1723943", True, "Bank account or service / Checking account"),  # disputed No
        ("3110277", None, "Credit reporting, credit repair services, or other personal consumer reports / Credit reporting"),  # N/A
    ],
    ids=["disputed", "not-disputed", "not-asked"],
)  # fmt: skip
def test_cfpb_consumer_disputed_decides_confirmed(run, complaint_id, confirmed, category):
    run("import", str(CFPB_SLICE))
    c = cfpb_complaint(run, complaint_id)
    assert c["resolution"]["confirmed"] is confirmed
    assert c["category"] == category


@pytest.mark.parametrize(
    ("complaint_id", "channel", "written"),
    [("3196541", "letter", True), ("3203946", "letter", True), ("3194462", "email", True),
     ("1723943", "other", False), ("3553605", "phone", False), ("3110277", "web", True)],
    ids=["postal-mail", "fax", "email", "referral", "phone", "web"],
)  # fmt: skip
def test_cfpb_submitted_via_sets_channel_and_written(run, complaint_id, channel, written):
    run("import", str(CFPB_SLICE))
    c = cfpb_complaint(run, complaint_id)
    assert (c["channel"], c["written"]) == (channel, written)


def test_cfpb_issue_without_sub_issue_is_the_whole_summary(run):
    run("import", str(CFPB_SLICE))
    assert cfpb_complaint(run, "1723943")["summary"] == "Making/receiving payments, sending money"


def test_cfpb_old_layout_is_read_by_its_header_names(run):
    ran = run("import", str(CFPB_OLD), "--format", "cfpb")

    assert ran.stdout == "Imported 9 complaints from cfpb_old_layout.csv (0 already present, 0 skipped as bad)\n"  # fmt: skip
    c = cfpb_complaint(run, "1342794")  # MM/DD/YYYY: received 04/22/2015, sent 04/29/2015
    assert c["opened_at"] == "2015-04-22T12:00:00+00:00"
    assert c["resolved_at"] == "2015-04-29T12:00:00+00:00"
    assert c["summary"] == "Disclosure verification of debt: Right to dispute notice not received"
    assert c["owner"] == "Credit Protection Association, L.P."
    assert c["resolution"]["outcome"] == "Closed"  # from "Company response"
    assert c["resolution"]["confirmed"] is True
    assert [n["text"] for n in c["notes"]] == [
        "Sent to Credit Protection Association, L.P. by the CFPB. Timely response: No. "
        "Consumer disputed: No. State: DC. ZIP: 20013."
    ]
    assert cfpb_complaint(run, "1318032")["resolution"]["confirmed"] is False
    assert cfpb_complaint(run, "3558134")["status"] == "open"  # In progress


def test_cfpb_old_layout_control_character_in_company_name_is_a_space(run):
    raw = CFPB_OLD.read_text(encoding="utf-8")
    assert '"TRANSUNION INTERMEDIATE HOLDINGS,\u0085INC."' in raw
    assert '"Experian Information Solutions Inc.\u0085"' in raw

    run("import", str(CFPB_OLD))  # the format is recognised from the header

    assert cfpb_complaint(run, "3571115")["owner"] == "TRANSUNION INTERMEDIATE HOLDINGS, INC."
    assert cfpb_complaint(run, "3558134")["owner"] == "Experian Information Solutions Inc."
    assert "\u0085" not in export(run)


def test_same_cfpb_complaint_in_both_layouts_is_imported_once(run):
    run("import", str(CFPB_SLICE))
    ran = run("import", str(CFPB_OLD))
    # 8 of the 9 old-layout rows are complaints also in the current-layout slice.
    assert ran.stdout == "Imported 1 complaint from cfpb_old_layout.csv (8 already present, 0 skipped as bad)\n"  # fmt: skip
    assert len(run("list", "--status", "all", "--format", "json").json) == 251


@pytest.mark.parametrize("name", ["twcs_slice.csv", "complog.csv"])
def test_a_csv_that_is_not_a_cfpb_export_is_refused_with_format_cfpb(run, logbook, tmp_path, name):
    run("add", "Acme Newsagency", "Till crashes at close")
    source = (
        TWCS_SLICE
        if name == "twcs_slice.csv"
        else saved(tmp_path, name, export(run, "--format", "csv"))
    )
    before = snapshot(logbook)

    ran = run("import", str(source), "--format", "cfpb", exit=2)

    assert ran.stderr == (
        "complog: error: not a CFPB complaint export: no column for date received, product, "
        "issue, company, complaint id\n"
        "  is this a CFPB export? try --format csv for complog's own CSV\n"
    )
    assert ran.stdout == ""
    assert snapshot(logbook) == before


# -- Twitter support threads ---------------------------------------------------------------

TWEET_AUTHORS_IMPORTED = {"115712", "115713", "115818", "115988", "116081"}


def test_twitter_customer_started_threads_become_complaints(run, logbook):
    ran = run("import", str(TWCS_SLICE))

    assert ran.stdout == "Imported 5 complaints from twcs_slice.csv (0 already present, 0 skipped as bad)\n"  # fmt: skip
    in_file = sum(1 for _ in csv.DictReader(TWCS_SLICE.open(encoding="utf-8")))
    shown = [run("show", str(n), "--format", "json").json for n in range(1, 6)]
    left = in_file - sum(len(c["notes"]) for c in shown)
    assert left > 0  # the slice has company-started threads and cut replies
    assert ran.stderr.endswith(
        f"{left} tweets not imported: in threads a company started,"
        " or replying to tweets that are not in the file\n"
    )
    listed = run("list", "--status", "all", "--format", "json").json
    assert sorted((c["customer"], c["owner"], c["opened_at"]) for c in listed) == [
        ("twitter:115712", "sprintcare", "2017-10-31T21:45:10+00:00"),
        ("twitter:115713", "sprintcare", "2017-10-31T19:56:01+00:00"),
        ("twitter:115818", "Delta", "2016-08-06T01:31:50+00:00"),
        ("twitter:115988", "VerizonSupport", "2017-10-31T22:23:37+00:00"),
        ("twitter:116081", "AmazonHelp", "2017-10-31T22:40:01+00:00"),
    ]
    assert {(c["status"], c["channel"]) for c in listed} == {("open", "social")}
    before = snapshot(logbook)
    again = run("import", str(TWCS_SLICE), "--format", "twcs")
    assert again.stdout == "Imported 0 complaints from twcs_slice.csv (5 already present, 0 skipped as bad)\n"  # fmt: skip
    assert snapshot(logbook) == before


def twitter_thread(run: Any, author: str) -> dict[str, Any]:
    [c] = run("list", "--status", "all", "--customer", f"twitter:{author}", "--format", "json").json
    return run("show", str(c["id"]), "--format", "json").json


def test_twitter_branching_thread_notes_are_in_time_order(run):
    run("import", str(TWCS_SLICE))

    # 1695 <- 1692 (company) <- {1693, 1694} (two customer replies to it; 1694 came first)
    # and 1693 <- 1696 (company).
    c = twitter_thread(run, "116081")

    assert c["external_id"] == "twcs:1695"
    assert (
        c["summary"] == "@115821 my order hasn’t arrived (it was due 14th October). Can you help?"
    )
    assert [(n["at"][11:19], n["direction"], n["author"], n["channel"]) for n in c["notes"]] == [
        ("22:40:01", "in", "116081", "social"),
        ("22:43:00", "out", "AmazonHelp", "social"),
        ("22:54:29", "in", "116081", "social"),
        ("22:54:54", "in", "116081", "social"),
        ("22:58:00", "out", "AmazonHelp", "social"),
    ]
    assert c["notes"][2]["text"] == "@AmazonHelp Thanks for quick response. Pic attached. https://t.co/yNhYE638YS"  # fmt: skip
    assert (
        c["notes"][3]["text"] == "@AmazonHelp but I can’t find the options to cancel or re-order?"
    )


def test_twitter_html_entities_are_decoded_and_line_breaks_kept(run):
    run("import", str(TWCS_SLICE))

    # 1424 <- 1422 <- 1423 <- {1425 (company), 1426 (customer)}: the branch is in time order.
    c = twitter_thread(run, "115988")

    assert c["summary"] == (
        "Why am I still receiving a bill for oct when I disconnected by account on sept 20th? "
        "pls advise & reverse the charges. @115722"
    )
    assert [(n["direction"], n["text"]) for n in c["notes"]] == [
        ("in", c["summary"]),
        ("out", "@115988 Does this bill say Final Bill?\n^ACM"),
        ("in", "@VerizonSupport no! it just says amount due $27.04"),
        ("in", "@VerizonSupport All outstanding dues before 20th sept has been paid off"),
        ("out", "@115988 Can you please follow and DM us. \n^ACM"),
    ]


def test_twitter_long_thread_alternates_in_and_out_by_time_not_by_id(run):
    run("import", str(TWCS_SLICE))
    c = twitter_thread(run, "115712")  # tweets 8, 6, 5, 4, 3, 1, 2 in time order
    assert [n["direction"] for n in c["notes"]] == ["in", "out", "in", "out", "in", "out", "in"]
    assert [n["text"] for n in c["notes"]][::6] == [
        "@sprintcare is the worst customer service",
        "@sprintcare and how do you propose we do that",
    ]
    emoji = twitter_thread(run, "115713")["notes"]
    assert len(emoji) == 6 and "🤥 💯" in emoji[4]["text"]


def test_twitter_company_started_threads_and_replies_outside_the_file_are_skipped(run, tmp_path):
    run("import", str(TWCS_SLICE))

    exported = export(run)

    customers = {json.loads(line)["customer"] for line in exported.splitlines()}
    assert customers == {f"twitter:{a}" for a in TWEET_AUTHORS_IMPORTED}
    notes = [n for line in exported.splitlines() for n in json.loads(line)["notes"]]
    assert len(notes) == 26  # the 34 tweets minus 2 company-started threads (3+3) and 221<-222
    for skipped in ("Thank you for your patience. We'll call you shortly", "Currently Pac 12",
                    "tried that there was people", "Love the costumes"):  # fmt: skip
        assert skipped not in exported


# -- bad rows, --skip-bad, --dry-run -------------------------------------------------------


def five_complaints(run: Any) -> None:
    for n in range(1, 6):
        run("add", f"Customer {n}", f"Problem {n}", "--heat", "2")


def target_logbook(run: Any, tmp_path: Path) -> Path:
    """An existing, empty logbook to import into."""
    target = tmp_path / "target" / "complog.db"
    run("init", env=on(target))
    return target


BAD_HINT = "  fix them, or add --skip-bad to import the rest\n"


def test_jsonl_with_one_bad_row_imports_nothing_and_names_the_line(run, tmp_path):
    five_complaints(run)
    lines = export(run).splitlines(keepends=True)
    lines[2] = lines[2].replace('"heat": 2', '"heat": 9')
    bad = saved(tmp_path, "bad.jsonl", "".join(lines))
    target = target_logbook(run, tmp_path)
    before = snapshot(target)

    ran = run("import", str(bad), env=on(target), exit=2)

    assert ran.stdout == ""
    assert ran.stderr == (
        "  bad.jsonl line 3: heat: Input should be less than or equal to 5\n"
        "complog: error: 1 bad record in bad.jsonl; nothing was imported\n" + BAD_HINT
    )
    assert snapshot(target) == before


def test_skip_bad_imports_the_rest_and_lists_what_it_skipped(run, tmp_path):
    five_complaints(run)
    lines = export(run).splitlines(keepends=True)
    lines[2] = lines[2].replace('"heat": 2', '"heat": 9')
    bad = saved(tmp_path, "bad.jsonl", "".join(lines))
    target = target_logbook(run, tmp_path)

    ran = run("import", str(bad), "--skip-bad", env=on(target))

    assert ran.stdout == "Imported 4 complaints from bad.jsonl (0 already present, 1 skipped as bad)\n"  # fmt: skip
    assert ran.stderr == "  skipped line 3: heat: Input should be less than or equal to 5\n"
    listed = run("list", "--status", "all", "--format", "json", env=on(target)).json
    assert sorted(c["summary"] for c in listed) == [f"Problem {n}" for n in (1, 2, 4, 5)]


def test_complog_csv_with_a_bad_date_imports_nothing(run, tmp_path):
    five_complaints(run)
    lines = export(run, "--format", "csv").splitlines(keepends=True)
    lines[3] = lines[3].replace("2026-11-23T09:00:00+00:00", "2026-13-23T09:00:00+00:00")
    bad = saved(tmp_path, "bad.csv", "".join(lines))
    target = target_logbook(run, tmp_path)
    before = snapshot(target)

    ran = run("import", str(bad), env=on(target), exit=2)

    first, *rest = ran.stderr.splitlines(keepends=True)
    assert first.startswith("  bad.csv line 4: ")
    assert rest == ["complog: error: 1 bad record in bad.csv; nothing was imported\n", BAD_HINT]
    assert snapshot(target) == before


def test_complog_csv_timestamp_without_offset_is_refused_not_guessed(run, tmp_path):
    five_complaints(run)
    lines = export(run, "--format", "csv").splitlines(keepends=True)
    lines[5] = lines[5].replace("2026-11-23T09:00:00+00:00", "2026-11-23T09:00:00")
    bad = saved(tmp_path, "naive.csv", "".join(lines))

    ran = run("import", str(bad), env=on(target_logbook(run, tmp_path)), exit=2)

    assert ran.stderr.startswith(
        "  naive.csv line 6: timestamp '2026-11-23T09:00:00' has no UTC offset\n"
    )


def cfpb_without_one_complaint_id(tmp_path: Path, complaint_id: str) -> tuple[Path, int]:
    """The slice with one record's Complaint ID blanked, and the line that record starts on."""
    lines = CFPB_SLICE.read_text(encoding="utf-8").splitlines(keepends=True)
    [index] = [i for i, line in enumerate(lines) if line.rstrip("\n").endswith(f",{complaint_id}")]
    lines[index] = lines[index].rstrip("\n").removesuffix(complaint_id) + "\n"
    return saved(tmp_path, "no_id.csv", "".join(lines)), index + 1


def test_cfpb_row_without_complaint_id_names_its_physical_line(run, tmp_path):
    bad, line = cfpb_without_one_complaint_id(tmp_path, "3553605")
    # Narratives with line breaks come before it: its line is not its record number.
    assert line != list(cfpb_rows()).index("3553605") + 2
    target = target_logbook(run, tmp_path)
    before = snapshot(target)

    ran = run("import", str(bad), env=on(target), exit=2)

    assert ran.stderr == (
        f"  no_id.csv line {line}: no Complaint ID\n"
        "complog: error: 1 bad record in no_id.csv; nothing was imported\n" + BAD_HINT
    )
    assert snapshot(target) == before
    skipped = run("import", str(bad), "--skip-bad", env=on(target))
    assert skipped.stdout == "Imported 249 complaints from no_id.csv (0 already present, 1 skipped as bad)\n"  # fmt: skip
    assert skipped.stderr == f"  skipped line {line}: no Complaint ID\n"


def test_dry_run_reports_what_would_be_added_and_changes_no_byte(run, everything, tmp_path):
    everything()
    source = saved(tmp_path, "everything.jsonl", export(run))
    target = tmp_path / "target" / "complog.db"
    run("add", "Someone Else", "Already here", env=on(target))
    before = logbook_files(target)

    ran = run("import", str(source), "--dry-run", env=on(target))

    assert ran.stdout == "Would import 12 complaints from everything.jsonl (0 already present, 0 bad); nothing was changed\n"  # fmt: skip
    assert logbook_files(target) == before


def test_dry_run_counts_what_is_already_present(run, logbook):
    run("import", str(CFPB_OLD))
    before = logbook_files(logbook)

    ran = run("import", str(CFPB_SLICE), "--dry-run")

    assert ran.stdout == "Would import 242 complaints from cfpb_slice.csv (8 already present, 0 bad); nothing was changed\n"  # fmt: skip
    assert logbook_files(logbook) == before


def test_dry_run_with_skip_bad_counts_the_bad_rows(run, tmp_path, logbook):
    five_complaints(run)
    lines = export(run).splitlines(keepends=True)
    lines[2] = lines[2].replace('"heat": 2', '"heat": 9')
    bad = saved(tmp_path, "bad.jsonl", "".join(lines))
    target = target_logbook(run, tmp_path)
    before = logbook_files(target)

    ran = run("import", str(bad), "--dry-run", "--skip-bad", env=on(target))
    refused = run("import", str(bad), "--dry-run", env=on(target), exit=2)

    assert ran.stdout == "Would import 4 complaints from bad.jsonl (0 already present, 1 bad); nothing was changed\n"  # fmt: skip
    assert refused.stderr.endswith("complog: error: 1 bad record in bad.jsonl; nothing was imported\n" + BAD_HINT)  # fmt: skip
    assert logbook_files(target) == before


def test_json_array_bad_object_is_named_by_number_and_line(run, tmp_path, logbook):
    five_complaints(run)
    text = export(run, "--format", "json").replace('"summary": "Problem 2", "status": "open"', '"summary": "", "status": "open"')  # fmt: skip
    bad = saved(tmp_path, "bad.json", text)
    target = target_logbook(run, tmp_path)

    ran = run("import", str(bad), env=on(target), exit=2)

    assert ran.stderr == (
        "  bad.json object 2 (line 3): summary: String should have at least 1 character\n"
        "complog: error: 1 bad record in bad.json; nothing was imported\n" + BAD_HINT
    )


@pytest.mark.sqlite_only(reason="about not creating the SQLite file")
def test_json_file_that_is_not_an_array_is_refused(run, tmp_path, logbook):
    source = saved(tmp_path, "object.json", '{"customer": "Acme", "summary": "Till"}\n')
    ran = run("import", str(source), exit=2)
    assert ran.stderr == (
        "  object.json file: line 1: expected a JSON array of complaints\n"
        "complog: error: 1 bad record in object.json; nothing was imported\n" + BAD_HINT
    )
    assert not logbook.exists()


@pytest.mark.sqlite_only(reason="about not creating the SQLite file")
def test_import_of_a_missing_file_exits_2_without_creating_a_logbook(run, tmp_path, logbook):
    missing = tmp_path / "missing.jsonl"
    ran = run("import", str(missing), exit=2)
    assert ran.stderr == f"complog: error: no such file: {missing}\n"
    assert not logbook.exists()


@pytest.mark.sqlite_only(reason="about not creating the SQLite file")
@pytest.mark.parametrize("fmt", [[], ["--format", "csv"]])
def test_import_of_a_file_that_is_not_utf8_exits_2(run, tmp_path, logbook, fmt):
    binary = tmp_path / "latin1.csv"
    binary.write_bytes("id,customer\n1,caf\u00e9 \u00f6\n".encode("latin-1"))
    ran = run("import", str(binary), *fmt, exit=2)
    assert_clean_error(ran, 2, "latin1.csv is not UTF-8 text")
    assert not logbook.exists()


@pytest.mark.sqlite_only(reason="about not creating the SQLite file")
def test_import_of_a_directory_exits_2(run, tmp_path, logbook):
    ran = run("import", str(tmp_path), exit=2)
    assert ran.stderr == f"complog: error: {tmp_path} is a directory, not a file\n"
    assert not logbook.exists()


def test_import_with_an_unknown_format_exits_2(run, logbook):
    run("add", "Acme Newsagency", "Till crashes at close")
    before = snapshot(logbook)
    ran = run("import", str(CFPB_OLD), "--format", "xml", exit=2)
    assert ran.stderr == "complog: error: unknown import format 'xml'\n  use json, jsonl, csv, cfpb or twcs\n"  # fmt: skip
    assert snapshot(logbook) == before


@pytest.mark.sqlite_only(reason="about not creating the SQLite file")
def test_import_of_a_file_whose_format_cannot_be_told_exits_2(run, tmp_path, logbook):
    source = saved(tmp_path, "complaints.txt", "Acme,Till\n")
    ran = run("import", str(source), exit=2)
    assert ran.stderr == (
        "complog: error: cannot tell the format of complaints.txt\n"
        "  add --format json, jsonl, csv, cfpb or twcs\n"
    )
    assert not logbook.exists()


def test_export_with_an_unknown_format_exits_2(run):
    ran = run("export", "--format", "xml", exit=2)
    assert ran.stderr == "complog: error: unknown export format 'xml'\n  use --format json, jsonl or csv\n"  # fmt: skip


# -- CSV export and --out ------------------------------------------------------------------


def test_csv_export_has_the_documented_columns_and_one_row_per_complaint(run, everything):
    everything()

    rows = list(csv.reader(io.StringIO(export(run, "--format", "csv"), newline="")))

    assert rows[0] == CSV_COLUMNS
    assert len(rows) == 1 + 12
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first == {
        "id": "1", "external_id": "", "customer": "Zoë Ærøe-Ñandú", "phone": "+44 20 7946 0958",
        "email": "zoe@example.org", "summary": "Boiler 🔥 leaks — «urgent»", "status": "resolved",
        "channel": "letter", "category": "heating", "heat": "5", "wants": "Full refund 💷",
        "loss": "123.45", "written": "true", "owner": "alice",
        "opened_at": "2026-11-02T09:30:00+00:00", "resolved_at": "2026-11-17T15:00:00+00:00",
        "outcome": "Boiler replaced ✅", "confirmed": "true", "satisfaction": "4",
        "compensation": "£50 voucher", "cause": "ours", "prevention": "Check valves at install",
        "open_promises": "0", "notes": "23", "promises": "4", "broken_promises": "2",
        "escalations": first["escalations"],
        "loss_currency": "XXX",  # the file names none: the logbook's (no country in the locale)
    }  # fmt: skip
    shown = run("show", "1", "--format", "json").json
    assert first["escalations"] == str(len(shown["escalations"]))
    assert first["notes"] == str(len(shown["notes"]))
    third = dict(zip(CSV_COLUMNS, rows[3], strict=True))
    assert [third[k] for k in ("status", "open_promises", "loss", "confirmed")] == ["open", "1", "", ""]  # fmt: skip
    cfpb = dict(zip(CSV_COLUMNS, rows[4], strict=True))
    assert cfpb["external_id"].startswith("cfpb:")


def test_csv_columns_are_the_ones_docs_import_md_documents():
    text = (DOCS / "import.md").read_text(encoding="utf-8")
    section = text.split("## Export: CSV columns", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M) == CSV_COLUMNS


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_export_out_writes_a_private_file_with_what_stdout_would_get(
    run, everything, tmp_path, fmt
):
    everything()
    out = tmp_path / "exports" / f"all.{fmt}"
    out.parent.mkdir()

    ran = run("export", "--format", fmt, "--out", str(out))

    assert ran.stdout == ""
    assert out.read_text(encoding="utf-8") == export(run, "--format", fmt)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_export_out_replaces_an_existing_file_whole(run, tmp_path):
    run("add", "Acme Newsagency", "Till crashes at close")
    out = tmp_path / "all.jsonl"
    out.write_text("old export\n" * 1000, encoding="utf-8")
    out.chmod(0o644)

    run("export", "--out", str(out))

    assert out.read_text(encoding="utf-8") == export(run)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_out_into_a_missing_folder_is_a_usage_error(run, tmp_path):
    run("add", "Acme Newsagency", "Till crashes at close")
    ran = run("export", "--out", str(tmp_path / "nowhere" / "all.jsonl"), exit=2)
    assert ran.stderr.startswith("complog: error: ")
    assert not (tmp_path / "nowhere").exists()
