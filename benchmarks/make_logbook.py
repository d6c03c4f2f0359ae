"""Build a realistic complog logbook of N complaints, fast, for the benchmarks.

    python benchmarks/make_logbook.py 1000 100000        # cached in benchmarks/.cache/
    python benchmarks/make_logbook.py 100000 --force --check

What it makes (seeded, so the same N and seed give the same data):

* one year of complaints ending at NOW (below), opened on working days in
  working hours; a few thousand customers at 100k (N ** 0.72 of them) with a
  long-tailed number of complaints each (repeat callers, a few big accounts);
* about 10 notes and 3 promises per complaint (so 1,000,000 notes and 300,000
  promises at 100k), with text drawn from the CFPB narratives in
  /work/shared/data/cfpb_sample.csv when present (else a built-in word list)
  mixed with help-desk phrases;
* old complaints mostly resolved, recent ones mostly open; promises kept on
  time, kept late, cancelled, open and not yet due, or overdue; about 10% of
  promises rescheduled (some late, i.e. broken); escalations (automatic rules
  and manual), most acknowledged; an audit event per customer, complaint,
  promise and resolution (notes get none, to keep the build fast).

How: `complog init` creates the logbook, so the schema, indexes, FTS5 tables
and triggers are the real ones. Then, over plain sqlite3, the FTS triggers
and secondary indexes are dropped, every row is bulk-inserted with journaling
off, the indexes and triggers are recreated from the very SQL `init` wrote
(each complaint's first reply filled in first, as migration 0007's triggers
would have kept it), the four external-content FTS5 indexes are rebuilt ('rebuild'), and the file
is put back in WAL mode. The script then checks that sqlite_master (and the
pragmas that live in the file) equal those of a fresh `complog init`.

Next to each logbook-<N>.db a logbook-<N>.json records NOW and the
arguments the benchmark uses: a typical complaint id for `show`, a typical
repeat caller for `customer`/`add`, and a rare and a common search term
(picked from the FTS vocabulary, with their document frequencies).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
CFPB = Path("/work/shared/data/cfpb_sample.csv")
#: a Thursday morning; every benchmark runs with COMPLOG_NOW set to this
NOW_ISO = "2026-11-19T09:30:00+00:00"
NOW = datetime.fromisoformat(NOW_ISO)
EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - naive UTC, formatted as stored text
NOW_TS = (NOW.replace(tzinfo=None) - EPOCH).total_seconds()
DAY = 86400.0
HOUR = 3600.0
#: bump when the generator changes, so stale cached logbooks are rebuilt
GENERATOR_VERSION = 5
#: events by column name: migration 0004 added `role` (NULL on SQLite) in the middle
EVENT_INSERT = ("INSERT INTO event (id, at, actor, action, entity, entity_id, complaint_id, before, after)"
                " VALUES (?,?,?,?,?,?,?,?,?)")  # fmt: skip

FTS_TABLES = ("complaint", "note", "promise", "reschedule")

# -- text ----------------------------------------------------------------------

FALLBACK_WORDS = """
account balance bank billing card charge charged credit customer debt dispute
email engineer error fee fix invoice late letter loan manager money month
never payment phone problem refund reply report request router service still
system terminal till times told transfer update waiting wrong week years
""".split()

DESK_PHRASES = [
    "Called the customer back and went through the fault again.",
    "Customer rang, upset that nobody called back as promised.",
    "Left a voicemail asking them to call us back.",
    "Engineer visit booked; parts ordered from the supplier.",
    "Sent an email with the reference number and the next steps.",
    "Customer says the till still crashes at close of day.",
    "Checked the router logs: the line dropped twice overnight.",
    "Refund approved by the manager; finance will process it this week.",
    "Customer wants the fee reversed and an apology in writing.",
    "Card reader swapped; customer to confirm it works tomorrow.",
    "Spoke to the practice manager, who is losing patience.",
    "Escalated internally to the billing team for a credit note.",
    "Courier lost the replacement unit; reordered with next-day delivery.",
    "Customer confirmed the fix works and thanked us.",
    "Written reply posted with the refund confirmation.",
    "Duplicate charge found on the annual service plan invoice.",
    "Software patch installed remotely; asked them to test at closing.",
    "Customer threatening to cancel the contract and go elsewhere.",
]
NOTE_PREFIXES = ["Customer called: ", "Email from customer: ", "Call out: ", "Internal: ",
                 "Letter received: ", "Chat: ", "Voicemail: ", ""]  # fmt: skip
SUMMARIES = [
    "Till crashes at close", "Card reader rejects every card", "Card reader offline again",
    "Charged twice for the annual service plan", "Engineer did not turn up",
    "New till system still not installed", "Broadband drops every evening",
    "Refund not received after six weeks", "Fridge alarm ignored, stock lost",
    "Invoice does not match the quote", "Rude call-centre agent", "Late delivery of parts",
    "Receipt printer jams constantly", "Software update deleted the price list",
    "Contract renewed without consent", "Direct debit taken on the wrong day",
]  # fmt: skip
CATEGORIES = ["billing", "card reader", "software", "installation", "delivery", "refrigeration",
              "network", "contract", "service", "hardware", "staff", "refund"]  # fmt: skip
WANTS = ["Refund", "A visit this week", "An apology in writing", "Fee reversed",
         "Replacement unit", "Cancel the contract", "Compensation for lost stock", "A call back"]  # fmt: skip
PROMISES = ["Call back with fix", "Call back within the hour", "Engineer visit",
            "Written reply with refund confirmation", "Send replacement unit",
            "Refund the duplicate charge", "Check the router logs and call back",
            "One-day install by our engineer", "Email the corrected invoice",
            "Confirm the credit note"]  # fmt: skip
RESCHEDULE_REASONS = ["Engineer off sick", "Parts stuck with the courier", "Customer asked for later",
                      "Waiting for the supplier", "Manager on leave", "Wrong part delivered"]  # fmt: skip
OUTCOMES = ["Patched the till software", "Refund paid", "Unit replaced", "Credit note issued",
            "Router plugged back in; reader works", "Apology sent, fee reversed",
            "Engineer fixed the fault on site", "Contract cancelled without fee"]  # fmt: skip
PREVENTIONS = ["Add close-of-day to the release checklist", "Label the router plug",
               "Check stock before promising dates", "Train new starters on refunds"]  # fmt: skip
COMPENSATION = ["£25 credit", "£50 voucher", "One month free", "Fee refunded", "£120 goodwill"]
CLOSED_NOTES = ["Sent the patch; till closes cleanly", "Refund sent", "Called, all fine now",
                "Not needed any more", "Customer withdrew the request"]  # fmt: skip
FIRST = ["Corner", "Hillside", "Greenway", "Acme", "Riverside", "Station", "High Street",
         "Northgate", "Old Mill", "Market", "Parkview", "Harbour", "Kingsway", "Bridge",
         "Oak Tree", "Victoria", "Meadow", "Castle", "Union", "Church Lane", "Elm", "Granary",
         "Westfield", "Orchard", "Abbey", "Canal", "Seaside", "Summit", "Willow", "Crown"]  # fmt: skip
KIND = ["Café", "Dental", "Grocers", "Newsagency", "Bakery", "Pharmacy", "Garage", "Florist",
        "Butchers", "Salon", "Books", "Hardware", "Deli", "Vets", "Opticians", "Launderette",
        "Pub", "Takeaway", "Gym", "Hotel", "Surgery", "Nursery", "Cycles", "Fish Bar"]  # fmt: skip
SURNAMES = ["Okafor", "Smith", "Patel", "Jones", "Nowak", "Murphy", "Chen", "Garcia", "Khan",
            "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thomas", "Roberts"]  # fmt: skip
OWNER_NAMES = ["jo", "sam", "priya", "alex", "maria", "tom", "aisha", "ben", "chloe", "dan",
               "eve", "femi", "gus", "hana", "ivan", "jude", "kai", "lena", "milo", "nina"]  # fmt: skip
CHANNELS = (["phone"] * 45 + ["email"] * 25 + ["web"] * 10 + ["letter"] * 5 + ["visit"] * 5
            + ["social"] * 7 + ["other"] * 3)  # fmt: skip
HEATS = [1] * 10 + [2] * 25 + [3] * 35 + [4] * 20 + [5] * 10
CAUSES = ["ours"] * 5 + ["customer"] * 2 + ["third-party"] * 2 + ["unknown"]
RULES = ["overdue-promise", "quiet-hot", "slow-resolution", "written-unanswered",
         "rescheduled-twice", "repeat-customer"]  # fmt: skip


CONTACT_PHRASES = [" Spoke to {} at the depot.", " Contact: {}.", " Passed to {} in accounts.",
                   " {} from the supplier will call them.", " Customer asked for {} again."]  # fmt: skip
_SYLLABLES = ["ka", "lo", "ven", "dra", "mir", "tho", "sel", "bra", "qui", "nor", "fa", "zel",
              "ru", "dan", "shi", "ko", "wen", "tal", "gri", "mo", "ves", "pa", "lin", "hu",
              "or", "ber", "cy", "da", "el", "fin", "ga", "ith"]  # fmt: skip


def contact_name(i: int) -> str:
    """A made-up surname per number (Kalovendra, ...): rare words for search."""
    i = (i * 2654435761 + 12345) % len(_SYLLABLES) ** 4  # scatter neighbouring numbers
    parts = []
    for _ in range(4):
        parts.append(_SYLLABLES[i % len(_SYLLABLES)])
        i //= len(_SYLLABLES)
    return "".join(parts).capitalize()


def load_sentences() -> list[str]:
    """Sentences from the CFPB narratives (redactions and numbers dropped)."""
    if not CFPB.exists():
        return []
    csv.field_size_limit(10**8)
    out: list[str] = []
    with CFPB.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = row.get("Consumer complaint narrative") or ""
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
                words = sentence.split()
                if not 5 <= len(words) <= 28:
                    continue
                if re.search(r"XX|\{|\$|\d{3,}", sentence):
                    continue
                out.append(sentence)
    return out


# -- time ------------------------------------------------------------------------


def stamp(ts: float) -> str:
    """Epoch seconds -> the stored UTC text (YYYY-MM-DD HH:MM:SS.ffffff)."""
    return (EPOCH + timedelta(seconds=ts)).isoformat(" ", "microseconds")


def iso(ts: float | None) -> str | None:
    """Epoch seconds -> the audit log's ISO form (2026-11-19T09:30:00.000000+00:00)."""
    if ts is None:
        return None
    return (EPOCH + timedelta(seconds=ts)).isoformat("T", "microseconds") + "+00:00"


def working_instant(rng: random.Random, start: float, end: float) -> float:
    """A moment in [start, end), preferring working days and hours."""
    for _ in range(6):
        ts = rng.uniform(start, end)
        moment = EPOCH + timedelta(seconds=ts)
        if moment.weekday() < 5 and 8 <= moment.hour < 18:
            return ts
    return rng.uniform(start, end)


# -- the generator -----------------------------------------------------------------


class Generator:
    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed * 1_000_003 + n)
        sentences = load_sentences()
        if sentences:
            self.sentences = sentences
            self.source = f"{len(sentences)} sentences from {CFPB.name}"
        else:
            self.sentences = [
                " ".join(self.rng.choices(FALLBACK_WORDS, k=self.rng.randint(6, 16))).capitalize()
                + "."
                for _ in range(3000)
            ]
            self.source = "built-in word list"
        self.sentences += DESK_PHRASES * max(1, len(self.sentences) // 200)
        # about five new complaints per person per working day
        n_owners = max(4, round(n / 2000))
        self.owners = [OWNER_NAMES[i % len(OWNER_NAMES)] + (str(i // len(OWNER_NAMES)) if i >= len(OWNER_NAMES) else "")
                       for i in range(n_owners)]  # fmt: skip
        # people, depots and order numbers named in notes: each about 3 times, at any size
        self.n_contacts = max(100, n // 2)
        self.n_customers = max(20, round(n**0.72))
        self.customers = self._customers()
        # long-tailed share of complaints per customer (lognormal weights)
        weights = [self.rng.lognormvariate(0, 1.1) for _ in self.customers]
        self.cum_weights = list(_accumulate(weights))
        self.next_id = {"note": 1, "promise": 1, "reschedule": 1, "escalation": 1, "event": 1}
        self.counts = {k: 0 for k in ("note", "promise", "reschedule", "escalation", "event")}

    def _customers(self) -> list[str]:
        names: list[str] = []
        seen: set[str] = set()
        rng = self.rng
        while len(names) < self.n_customers:
            roll = rng.random()
            if roll < 0.7:
                name = f"{rng.choice(FIRST)} {rng.choice(KIND)}"
                if name.casefold() in seen:
                    name = f"{name} {rng.randint(2, 999)}"
            else:
                name = f"{rng.choice(['Mr', 'Mrs', 'Ms', 'Dr'])} {chr(65 + rng.randrange(26))}. {rng.choice(SURNAMES)}"
                if name.casefold() in seen:
                    name = f"{name}-{rng.choice(SURNAMES)}"
            key = " ".join(name.casefold().split())
            if key in seen:
                continue
            seen.add(key)
            names.append(name)
        return names

    def note_text(self) -> str:
        rng = self.rng
        k = 1 if rng.random() < 0.55 else 2
        text = " ".join(rng.choice(self.sentences) for _ in range(k))
        if rng.random() < 0.15:
            text += rng.choice(CONTACT_PHRASES).format(contact_name(rng.randrange(self.n_contacts)))
        return rng.choice(NOTE_PREFIXES) + text

    def event(self, rows: list[tuple], at: float, actor: str, action: str, entity: str,
              entity_id: int, complaint_id: int | None, before: dict | None, after: dict | None) -> None:  # fmt: skip
        eid = self.next_id["event"]
        self.next_id["event"] += 1
        dump = lambda d: None if d is None else json.dumps(d, ensure_ascii=False, sort_keys=True)  # noqa: E731
        rows.append((eid, stamp(at), actor, action, entity, str(entity_id), complaint_id,
                     dump(before), dump(after)))  # fmt: skip

    def build(self, conn: sqlite3.Connection, batch: int = 2000) -> None:
        rng = self.rng
        n = self.n
        start = NOW_TS - 365 * DAY
        opened = sorted(working_instant(rng, start, NOW_TS - 600) for _ in range(n))
        # customers: who opens each complaint; a customer is created with their first one
        who = rng.choices(range(len(self.customers)), cum_weights=self.cum_weights, k=n)
        first_seen: dict[int, float] = {}
        for i in range(n):
            first_seen.setdefault(who[i], opened[i])
        order = sorted(first_seen, key=lambda c: first_seen[c])
        customer_id = {c: i + 1 for i, c in enumerate(order)}
        customer_rows = []
        events: list[tuple] = []
        for c in order:
            name = self.customers[c]
            cid = customer_id[c]
            phone = f"01632 {rng.randint(100000, 999999)}" if rng.random() < 0.7 else None
            email = (f"{re.sub(r'[^a-z]', '', name.lower())[:12]}{cid}@example.com"
                     if rng.random() < 0.5 else None)  # fmt: skip
            row = (cid, name, " ".join(name.casefold().split()), phone, email, None,
                   stamp(first_seen[c]), None)  # fmt: skip
            customer_rows.append(row)
        conn.executemany("INSERT INTO customer VALUES (?,?,?,?,?,?,?,?)", customer_rows)
        for row in customer_rows:
            snap = dict(
                zip(("id", "name", "name_key", "phone", "email", "notes"), row[:6], strict=True)
            )
            snap |= {"created_at": iso(first_seen[order[row[0] - 1]]), "erased_at": None}
            self.event(events, first_seen[order[row[0] - 1]], "jo", "create", "customer", row[0],
                       None, None, snap)  # fmt: skip
        conn.executemany(EVENT_INSERT, events)
        self.counts["event"] += len(events)
        self.n_customer_rows = len(customer_rows)

        buf: dict[str, list[tuple]] = {t: [] for t in ("complaint", "note", "promise", "reschedule", "escalation", "event")}  # fmt: skip
        for i in range(n):
            self.complaint(i + 1, customer_id[who[i]], opened[i], buf)
            if (i + 1) % batch == 0 or i + 1 == n:
                self.flush(conn, buf)

    def flush(self, conn: sqlite3.Connection, buf: dict[str, list[tuple]]) -> None:
        widths = {"complaint": 23, "note": 8, "promise": 11, "reschedule": 8, "escalation": 10, "event": 9}  # fmt: skip
        for table, rows in buf.items():
            if rows:
                marks = ",".join("?" * widths[table])
                insert = (
                    EVENT_INSERT
                    if table == "event"
                    else COMPLAINT_INSERT
                    if table == "complaint"
                    else f"INSERT INTO {table} VALUES ({marks})"
                )
                conn.executemany(insert, rows)
                if table != "complaint":
                    self.counts[table] += len(rows)
                rows.clear()

    def complaint(
        self, cid: int, customer: int, opened: float, buf: dict[str, list[tuple]]
    ) -> None:
        rng = self.rng
        age = (NOW_TS - opened) / DAY
        p_open = 0.7 if age < 2 else 0.3 if age < 7 else 0.05 if age < 30 else 0.004
        is_open = rng.random() < p_open
        channel = rng.choice(CHANNELS)
        written = channel == "letter" or (channel == "email" and rng.random() < 0.4)
        owner = rng.choice(self.owners)
        creator = owner if rng.random() < 0.8 else rng.choice(self.owners)
        heat = rng.choice(HEATS)
        resolved = None
        if not is_open:
            resolved = min(opened + rng.lognormvariate(math.log(2 * DAY), 1.0), NOW_TS - 60)
            resolved = max(resolved, opened + 600)
        end = resolved if resolved is not None else NOW_TS - 60
        if rng.random() < 0.3:
            summary = rng.choice(SUMMARIES)
        else:
            sentence = rng.choice(self.sentences).rstrip(".!?")
            summary = " ".join(sentence.split()[: rng.randint(4, 9)])
        category = rng.choice(CATEGORIES) if rng.random() < 0.9 else None
        wants = rng.choice(WANTS) if rng.random() < 0.6 else None
        loss = rng.randint(1000, 250000) if rng.random() < 0.3 else None
        external = f"CFPB-{3_000_000 + cid}" if rng.random() < 0.15 else None
        if resolved is not None:
            outcome = rng.choice(OUTCOMES)
            compensation = rng.choice(COMPENSATION) if rng.random() < 0.15 else None
            confirmed = 1 if rng.random() < 0.7 else (0 if rng.random() < 0.33 else None)
            satisfaction = rng.randint(1, 5) if rng.random() < 0.6 else None
            cause = rng.choice(CAUSES)
            prevention = rng.choice(PREVENTIONS) if rng.random() < 0.3 else None
        else:
            outcome = compensation = confirmed = satisfaction = cause = prevention = None
        row = (cid, customer, summary, channel, category, heat, wants, loss, int(written), owner,
               "open" if is_open else "resolved", stamp(opened), stamp(opened + rng.uniform(0, 300)),
               creator, None if resolved is None else stamp(resolved), outcome, compensation,
               confirmed, satisfaction, cause, prevention, external,
               None if loss is None else "GBP")  # fmt: skip
        buf["complaint"].append(row)
        snap = {"id": cid, "customer_id": customer, "summary": summary, "channel": channel,
                "category": category, "heat": heat, "wants": wants, "loss_minor": loss,
                "loss_currency": None if loss is None else "GBP",
                "written": written, "owner": owner, "status": "open", "opened_at": iso(opened),
                "recorded_at": iso(opened), "created_by": creator, "resolved_at": None,
                "outcome": None, "compensation": None, "confirmed": None, "satisfaction": None,
                "cause": None, "prevention": None, "external_id": external}  # fmt: skip
        self.event(buf["event"], opened, creator, "add", "complaint", cid, cid, None, snap)

        # notes: about 10 per complaint, in time order between opening and the end
        k_notes = max(1, round(rng.gammavariate(2.0, 5.0)))
        times = sorted(rng.uniform(opened, end) for _ in range(k_notes))
        wrote_back = False
        for at in times:
            direction = rng.choices(("in", "out", "internal"), (40, 45, 15))[0]
            if direction == "internal":
                note_channel = "other"
            else:
                note_channel = channel if rng.random() < 0.6 else rng.choice(("phone", "email"))
            if written and resolved is not None and not wrote_back and direction == "out":
                note_channel, wrote_back = rng.choice(("email", "letter")), True
            nid = self.next_id["note"]
            self.next_id["note"] += 1
            author = owner if rng.random() < 0.85 else rng.choice(self.owners)
            buf["note"].append((nid, cid, stamp(at), stamp(at + rng.uniform(0, 900)), author,
                                note_channel, direction, self.note_text()))  # fmt: skip

        # promises: about 3 per complaint
        k_promises = round(rng.gammavariate(1.5, 2.0))
        overdue_open: list[tuple[int, float]] = []
        for _ in range(k_promises):
            pid = self.next_id["promise"]
            self.next_id["promise"] += 1
            created = rng.uniform(opened, end)
            due = created + rng.choice((2 * HOUR, 4 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY))
            powner = owner if rng.random() < 0.85 else rng.choice(self.owners)
            status, kept_at, cancelled_at, closed_note = "open", None, None, None
            # about 10% are moved, some after they were due (broken)
            moves = []
            if rng.random() < 0.10:
                cur_due = due
                for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                    at = rng.uniform(created, cur_due + (DAY if rng.random() < 0.35 else 0))
                    if at >= end:
                        break
                    new_due = max(at, cur_due) + rng.choice((DAY, 2 * DAY, 3 * DAY))
                    moves.append((at, cur_due, new_due))
                    cur_due = new_due
                due = cur_due
            if resolved is not None:
                roll = rng.random()
                if roll < 0.07:
                    status, cancelled_at = (
                        "cancelled",
                        min(rng.uniform(created, due + DAY), resolved),
                    )
                    closed_note = rng.choice(CLOSED_NOTES)
                else:
                    status = "kept"
                    kept_at = (
                        rng.uniform(created, due) if roll < 0.8 else due + rng.uniform(60, 2 * DAY)
                    )
                    kept_at = min(max(kept_at, created + 60), resolved)
                    closed_note = rng.choice(CLOSED_NOTES) if rng.random() < 0.3 else None
            elif due < NOW_TS and rng.random() < 0.6:
                status, kept_at = "kept", min(due + rng.uniform(-DAY, DAY), NOW_TS - 60)
                kept_at = max(kept_at, created + 60)
            elif due < NOW_TS:
                overdue_open.append((pid, due))
            buf["promise"].append((pid, cid, rng.choice(PROMISES), powner, stamp(due), status,
                                   stamp(created), creator, None if kept_at is None else stamp(kept_at),
                                   closed_note, None if cancelled_at is None else stamp(cancelled_at)))  # fmt: skip
            psnap = {"id": pid, "complaint_id": cid, "text": buf["promise"][-1][2], "owner": powner,
                     "due_at": iso(moves[0][1] if moves else due), "status": "open",
                     "created_at": iso(created), "created_by": creator, "kept_at": None,
                     "closed_note": None, "cancelled_at": None}  # fmt: skip
            self.event(buf["event"], created, creator, "promise", "promise", pid, cid, None, psnap)
            for at, old, new in moves:
                rid = self.next_id["reschedule"]
                self.next_id["reschedule"] += 1
                buf["reschedule"].append((rid, pid, stamp(at), stamp(old), stamp(new),
                                          rng.choice(RESCHEDULE_REASONS), int(at > old), powner))  # fmt: skip

        # escalations: rules that fired on this complaint, most acknowledged
        fired: list[tuple[str, str, float]] = []
        for pid, due in overdue_open:
            if NOW_TS - due > DAY and rng.random() < 0.6:
                fired.append(("overdue-promise", f"promise {pid} due {stamp(due)[:16]}", due + DAY))
        if rng.random() < (0.05 if resolved is not None else 0.12):
            rule = rng.choice(RULES[1:])
            trigger = {"quiet-hot": f"quiet since {stamp(opened)[:16]}",
                       "slow-resolution": f"opened {stamp(opened)[:16]}",
                       "written-unanswered": "no written reply",
                       "rescheduled-twice": "promise rescheduled",
                       "repeat-customer": "repeat customer"}[rule]  # fmt: skip
            fired.append((rule, trigger, min(opened + rng.uniform(DAY, 6 * DAY), end)))
        if rng.random() < 0.01:
            fired.append(("manual", "", min(opened + rng.uniform(HOUR, 3 * DAY), end)))
        for rule, trigger, at in fired:
            at = min(max(at, opened + 60), NOW_TS - 60)
            eid = self.next_id["escalation"]
            self.next_id["escalation"] += 1
            acked = rng.random() < (0.97 if resolved is not None else 0.45)
            ack_at = min(at + rng.uniform(HOUR, 2 * DAY), NOW_TS - 30) if acked else None
            buf["escalation"].append((eid, cid, "manager", f"{rule} on complaint {cid}", rule,
                                      trigger or None, stamp(at), "cron" if rule != "manual" else owner,
                                      None if ack_at is None else stamp(ack_at),
                                      "manager" if acked else None))  # fmt: skip

        if resolved is not None:
            after = snap | {"status": "resolved", "resolved_at": iso(resolved), "outcome": outcome,
                            "compensation": compensation, "cause": cause, "prevention": prevention,
                            "confirmed": None if confirmed is None else bool(confirmed),
                            "satisfaction": satisfaction}  # fmt: skip
            self.event(buf["event"], resolved, owner, "resolve", "complaint", cid, cid, snap, after)


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for v in values:
        total += v
        out.append(total)
    return out


# -- the file ------------------------------------------------------------------------


def complog_command() -> list[str]:
    exe = Path(sys.executable).with_name("complog")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "complog"]


#: complaint columns by name (0005 dropped loss_cents and added the currency columns)
COMPLAINT_INSERT = (
    "INSERT INTO complaint (id, customer_id, summary, channel, category, heat, wants, loss_minor,"
    " written, owner, status, opened_at, recorded_at, created_by, resolved_at, outcome,"
    " compensation, confirmed, satisfaction, cause, prevention, external_id, loss_currency)"
    " VALUES (" + ",".join("?" * 23) + ")"
)


def init_logbook(path: Path) -> None:
    # a British shop: the logbook's currency (stored by init) is GBP, as its losses are
    env = dict(os.environ, COMPLOG_NOW=NOW_ISO, COMPLOG_USER="jo", LC_ALL="en_GB.UTF-8")
    env.pop("COMPLOG_DB", None)
    subprocess.run([*complog_command(), "--db", str(path), "init"], check=True, env=env,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def fingerprint(path: Path) -> dict[str, object]:
    """The schema as the file holds it: sqlite_master plus the pragmas stored in the file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        master = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        pragmas = {
            p: conn.execute(f"PRAGMA {p}").fetchone()[0]
            for p in (
                "journal_mode",
                "auto_vacuum",
                "page_size",
                "user_version",
                "application_id",
                "encoding",
            )  # fmt: skip
        }
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        conn.close()
    return {"master": [list(r) for r in master], "pragmas": pragmas, "revision": revision}


def schema_hash(fp: dict[str, object]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(fp, sort_keys=True).encode()).hexdigest()[:16]


_CURRENT_SCHEMA: str | None = None


def current_schema() -> str:
    """The hash of what `complog init` makes today (so a new migration invalidates the cache)."""
    global _CURRENT_SCHEMA
    if _CURRENT_SCHEMA is None:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "fresh.db"
            init_logbook(path)
            _CURRENT_SCHEMA = schema_hash(fingerprint(path))
    return _CURRENT_SCHEMA


def build(n: int, out: Path, seed: int = 7, check: bool = False, quiet: bool = False) -> dict:
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    init_logbook(tmp)
    reference = fingerprint(tmp)

    conn = sqlite3.connect(tmp, isolation_level=None)
    schema = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).fetchall()
    for kind, name, _sql in schema:
        conn.execute(f"DROP {kind.upper()} {name}")
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA foreign_keys=OFF")
    gen = Generator(n, seed)
    conn.execute("BEGIN")
    gen.build(conn)
    conn.execute("COMMIT")
    t_rows = time.perf_counter()
    say(f"  rows: {time.perf_counter() - t0:.1f}s")
    conn.execute("BEGIN")
    for kind, _name, sql in schema:
        if kind == "index":
            conn.execute(sql)
    # what the triggers of migration 0007 would have kept: each complaint's first reply
    first_reply = importlib.import_module("complog.migrations.versions.0007_first_reply")
    conn.execute(f"UPDATE complaint SET first_reply_at = {first_reply.first_reply('complaint.id')}")
    for kind, _name, sql in schema:
        if kind == "trigger":
            conn.execute(sql)
    t_index = time.perf_counter()
    for table in FTS_TABLES:
        conn.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
    conn.execute("COMMIT")
    t_fts = time.perf_counter()
    say(f"  indexes: {t_index - t_rows:.1f}s, FTS rebuild: {t_fts - t_index:.1f}s")
    meta = pick_arguments(conn, n)
    if check:
        say("  checking integrity and the FTS indexes ...")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for table in FTS_TABLES:
            conn.execute(
                f"INSERT INTO {table}_fts({table}_fts, rank) VALUES ('integrity-check', 1)"
            )
        meta["checked"] = True
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    os.chmod(tmp, 0o600)
    got = fingerprint(tmp)
    if got != reference:
        raise SystemExit(
            f"schema of {tmp} differs from a fresh `complog init`:\n{got}\n{reference}"
        )
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, out)
    meta |= {
        "n": n, "seed": seed, "now": NOW_ISO, "generator_version": GENERATOR_VERSION,
        "schema": schema_hash(reference), "revision": reference["revision"][0][0],
        "text_source": gen.source, "customers": gen.n_customer_rows, "owners": len(gen.owners),
        "rows": {"complaint": n, **gen.counts},
        "bytes": out.stat().st_size, "build_seconds": round(time.perf_counter() - t0, 1),
    }  # fmt: skip
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    say(f"  {out.name}: {meta['rows']}, {meta['bytes'] / 1e6:.0f} MB, {meta['build_seconds']}s")
    return meta


def pick_arguments(conn: sqlite3.Connection, n: int) -> dict:
    """Typical arguments for the benchmarked commands, comparable across sizes."""
    # show: the latest complaint with the average shape (10 notes, 3 promises)
    show_id = conn.execute(
        "SELECT c.id FROM complaint c"
        " WHERE (SELECT count(*) FROM note WHERE complaint_id = c.id) = 10"
        " AND (SELECT count(*) FROM promise WHERE complaint_id = c.id) = 3"
        " ORDER BY c.id DESC LIMIT 1"
    ).fetchone()[0]
    # customer/add: a typical repeat caller (5 complaints, closest to it otherwise)
    customer = conn.execute(
        "SELECT cu.name, count(*) AS k FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
        " GROUP BY cu.id ORDER BY abs(count(*) - 5), cu.id LIMIT 1"
    ).fetchone()
    notes = conn.execute("SELECT count(*) FROM note").fetchone()[0]
    conn.execute("CREATE VIRTUAL TABLE temp.note_vocab USING fts5vocab(main, 'note_fts', 'row')")
    conn.execute(
        "CREATE VIRTUAL TABLE temp.complaint_vocab USING fts5vocab(main, 'complaint_fts', 'row')"
    )
    words = conn.execute(
        "SELECT term, doc FROM temp.note_vocab WHERE length(term) >= 5 AND term GLOB '[a-z]*'"
        " AND term NOT GLOB '*[^a-z]*'"
    ).fetchall()
    common, common_docs = min(words, key=lambda w: (abs(w[1] / notes - 1 / 3), w[0]))
    in_complaints = dict(conn.execute(
        "SELECT term, doc FROM temp.complaint_vocab WHERE length(term) >= 6"
    ).fetchall())  # fmt: skip
    rare_pool = sorted(
        w for w, d in words if 2 <= d <= 4 and w not in in_complaints and len(w) >= 8
    )
    rare = rare_pool[len(rare_pool) // 2] if rare_pool else words[0][0]
    rare_docs = dict(words).get(rare, 0)
    conn.execute("DROP TABLE temp.note_vocab")
    conn.execute("DROP TABLE temp.complaint_vocab")
    open_promises, overdue = conn.execute(
        "SELECT count(*), sum(due_at < ?) FROM promise WHERE status = 'open'",
        (stamp(NOW_TS),),
    ).fetchone()
    open_complaints = conn.execute(
        "SELECT count(*) FROM complaint WHERE status = 'open'"
    ).fetchone()[0]
    unacked = conn.execute(
        "SELECT count(*) FROM escalation e JOIN complaint c ON c.id = e.complaint_id"
        " WHERE e.acknowledged_at IS NULL AND c.status = 'open'"
    ).fetchone()[0]
    return {
        "show_id": show_id,
        "customer": customer[0],
        "customer_complaints": customer[1],
        "rare_term": rare,
        "rare_term_notes": rare_docs,
        "common_term": common,
        "common_term_notes": common_docs,
        "common_term_fraction": round(common_docs / notes, 3),
        "open_complaints": open_complaints,
        "open_promises": open_promises,
        "overdue_promises": overdue,
        "unacknowledged_open_escalations": unacked,
    }


def logbook(
    n: int, seed: int = 7, force: bool = False, check: bool = False, quiet: bool = False
) -> tuple[Path, dict]:
    """The cached logbook of N complaints (built when missing or stale)."""
    path = CACHE / f"logbook-{n}.db"
    meta_path = path.with_suffix(".json")
    if not force and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if (meta.get("generator_version") == GENERATOR_VERSION and meta.get("seed") == seed
                and meta.get("schema") == current_schema()):  # fmt: skip
            return path, meta
    if not quiet:
        print(f"building a logbook of {n:,} complaints ...", file=sys.stderr, flush=True)
    return path, build(n, path, seed=seed, check=check, quiet=quiet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "sizes", nargs="+", type=int, help="numbers of complaints, e.g. 1000 100000"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--force", action="store_true", help="rebuild even when cached")
    parser.add_argument(
        "--check", action="store_true", help="run integrity and FTS integrity checks"
    )
    parser.add_argument("--out", type=Path, help="write here instead of the cache (one size only)")
    args = parser.parse_args()
    for n in args.sizes:
        if args.out:
            meta = build(n, args.out, seed=args.seed, check=args.check)
        else:
            _path, meta = logbook(n, seed=args.seed, force=args.force, check=args.check)
        print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
