"""Writing imported complaints: one transaction, ids kept where never used, idempotent.

A complaint is already present when its external_id is known, or (for
complog's own exports, which have none) when a complaint with the same id,
opening time and customer exists. Everything else is added. A complaint, note,
promise or escalation keeps the id the file gives it when this logbook has never
handed that id out (it is above the table's high-water mark), so an export
imported into a new logbook exports back identically; otherwise it gets a new
id, and the result says which complaints were renumbered. An id that was used
and then undone or erased is never given to something else. Rows go in with
executemany batches: one ORM object per row would make 100,000 complaints take
minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session

from complog.importers.records import ComplaintIn
from complog.models import (
    Complaint,
    Customer,
    Escalation,
    Note,
    PastResolution,
    Promise,
    Reschedule,
    Wait,
)
from complog.queries import ID_TABLES, high_water_sql
from complog.services.common import Actor, audit, name_key
from complog.storedtime import decode_time, encode_time

BATCH = 2_000
#: the tables an import fills, parents first (rows are inserted in batches, in this order)
_INSERTED = (("customer", Customer), ("complaint", Complaint), ("note", Note), ("promise", Promise),
             ("reschedule", Reschedule), ("escalation", Escalation),
             ("past_resolution", PastResolution), ("wait", Wait))  # fmt: skip


@dataclass
class ImportResult:
    added: int = 0
    unchanged: int = 0
    added_ids: list[int] = field(default_factory=list)
    #: complaints whose id was already used here: (id in the file, id given)
    renumbered: list[tuple[int, int]] = field(default_factory=list)
    #: notes, promises and escalations that got another id than the file's
    renumbered_parts: int = 0


#: Ids up to here are kept as given; above, renumbered. Ids must leave room to grow:
#: PostgreSQL's are 32-bit, and an id near the top would leave no number for the next
#: complaint (every later add would fail).
MAX_KEPT_ID = 1_000_000_000


class _Ids:
    """Hands out ids: the one the file gives when this logbook never used it, else the
    next never used. `high` is the table's high-water mark: every id up to it was
    handed out once (it may have been undone or erased since), none above it. New
    numbers start above `reserved`, the largest id the file itself gives, so one
    renumbered complaint does not push every later one off its id."""

    def __init__(self, high: int, reserved: int = 0) -> None:
        self.high = high
        self.next = max(high, reserved) + 1
        self.taken: set[int] = set()

    def take(self, preferred: int | None) -> int:
        if (
            preferred is not None
            and self.high < preferred <= MAX_KEPT_ID
            and preferred not in self.taken
        ):
            self.taken.add(preferred)
            return preferred
        while self.next in self.taken:
            self.next += 1
        self.taken.add(self.next)
        return self.next

    def release(self, value: int) -> None:
        self.taken.discard(value)


def largest_ids(record: ComplaintIn, into: dict[str, int]) -> None:
    """Note in `into` the largest id per table a record gives (the checking pass)."""
    for table, ids in (
        ("complaint", [record.id]),
        ("customer", [record.customer.id]),
        ("note", [n.id for n in record.notes]),
        ("promise", [p.id for p in record.promises]),
        ("escalation", [e.id for e in record.escalations]),
    ):
        for value in ids:
            if value is not None and into.get(table, 0) < value <= MAX_KEPT_ID:
                into[table] = value


def _signature(
    complaint_id: int | None, opened_at: datetime, customer: str
) -> tuple[int | None, str, str]:
    return complaint_id, encode_time(opened_at), name_key(customer)


class Importer:
    """Plans and (unless planning only) writes an import inside one session."""

    def __init__(
        self,
        session: Session | None,
        actor: Actor,
        existing: dict[str, Any],
        reserved: dict[str, int] | None = None,
    ) -> None:
        self.session = session
        self.actor = actor
        self.external_ids: set[str] = existing["external_ids"]
        self.signatures: set[tuple[int | None, str, str]] = existing["signatures"]
        self.customers: dict[str, int] = existing["customers"]
        self.currency: str = existing["currency"]
        self.ids = {
            table: _Ids(high, (reserved or {}).get(table, 0))
            for table, high in existing["high_water"].items()
        }
        self.pending: dict[str, list[dict[str, Any]]] = {table: [] for table, _ in _INSERTED}
        if session is not None and session.get_bind().dialect.name == "sqlite":
            # 64 MB of page cache for this connection (NullPool: it closes after the
            # command) instead of SQLite's 2 MB: a large import updates the search
            # indexes and the external_id index all over (issue 23: -8% CPU at 20,000
            # rows, more as the indexes outgrow the default cache).
            session.execute(text("PRAGMA cache_size = -65536"))
        self.result = ImportResult()

    def add(self, record: ComplaintIn) -> bool:
        """Queue one complaint; False when it is already in the logbook."""
        external_id = record.external_id
        signature = _signature(record.id, record.opened_at, record.customer.name)
        if external_id is not None and external_id in self.external_ids:
            return self._unchanged()
        if external_id is None and signature in self.signatures:
            return self._unchanged()
        complaint_id = self.ids["complaint"].take(record.id)
        if record.id is not None and complaint_id != record.id:
            self.result.renumbered.append((record.id, complaint_id))
        if external_id is None and record.id is not None and complaint_id != record.id:
            # Its id is taken by another complaint: remember where it came from,
            # so importing the same file again recognises it.
            external_id = f"import:{signature[2]}:{signature[1]}:{record.id}"
            if external_id in self.external_ids:
                self.ids["complaint"].release(complaint_id)
                self.result.renumbered.pop()
                return self._unchanged()
        if external_id is not None:
            self.external_ids.add(external_id)
        self.signatures.add(_signature(complaint_id, record.opened_at, record.customer.name))
        customer_id = self._customer(record)
        now = self.actor.now
        resolution = record.resolution
        self.pending["complaint"].append({
            "id": complaint_id, "customer_id": customer_id, "summary": record.summary, "channel": record.channel,
            "category": record.category, "heat": record.heat, "wants": record.wants,
            **_loss(record, self.currency),
            "written": record.written, "owner": record.owner, "status": record.status, "opened_at": record.opened_at,
            "recorded_at": record.recorded_at or now, "created_by": record.created_by or self.actor.user,
            "resolved_at": (resolution.resolved_at if resolution and resolution.resolved_at else record.resolved_at)
            if record.status == "resolved" else None,
            "outcome": resolution.outcome if resolution else None,
            "compensation": resolution.compensation if resolution else None,
            **_compensation_value(resolution.compensation if resolution else None, self.currency),
            "confirmed": resolution.confirmed if resolution else None,
            "satisfaction": resolution.satisfaction if resolution else None,
            "cause": resolution.cause if resolution else None,
            "prevention": resolution.prevention if resolution else None,
            "external_id": external_id,
        })  # fmt: skip
        for n in record.notes:
            self.pending["note"].append({
                "id": self._part_id("note", n.id), "complaint_id": complaint_id, "at": n.at,
                "recorded_at": n.recorded_at or now, "author": n.author, "channel": n.channel,
                "direction": n.direction, "text": n.text,
            })  # fmt: skip
        for p in record.promises:
            promise_id = self._part_id("promise", p.id)
            self.pending["promise"].append({
                "id": promise_id, "complaint_id": complaint_id, "text": p.text, "owner": p.owner,
                "due_at": p.due_at, "status": p.status, "created_at": p.created_at, "created_by": p.created_by,
                "kept_at": p.kept_at, "closed_note": p.note, "cancelled_at": p.cancelled_at,
            })  # fmt: skip
            for r in p.reschedules:
                self.pending["reschedule"].append({
                    "promise_id": promise_id, "at": r.at, "old_due_at": r.old_due_at, "new_due_at": r.new_due_at,
                    "reason": r.reason, "late": r.late, "actor": r.by,
                })  # fmt: skip
        for e in record.escalations:
            self.pending["escalation"].append({
                "id": self._part_id("escalation", e.id), "complaint_id": complaint_id, "to_whom": e.to,
                "reason": e.reason, "rule": e.rule, "trigger": e.trigger, "at": e.at, "actor": e.by,
                "acknowledged_at": e.acknowledged_at, "acknowledged_by": e.acknowledged_by,
            })  # fmt: skip
        for past in record.past_resolutions:
            self.pending["past_resolution"].append({
                "complaint_id": complaint_id, "resolved_at": past.resolved_at, "outcome": past.outcome,
                "confirmed": past.confirmed, "satisfaction": past.satisfaction, "compensation": past.compensation,
                **_compensation_value(past.compensation, self.currency),
                "cause": past.cause, "prevention": past.prevention, "reopened_at": past.reopened_at,
                "reopened_by": past.reopened_by, "reopen_reason": past.reopen_reason,
            })  # fmt: skip
        for w in record.waits:
            self.pending["wait"].append({
                "complaint_id": complaint_id, "started_at": w.started_at, "started_by": w.started_by,
                "reason": w.reason, "ended_at": w.ended_at, "ended_by": w.ended_by,
            })  # fmt: skip
        self.result.added += 1
        self.result.added_ids.append(complaint_id)
        if len(self.pending["complaint"]) >= BATCH:
            self.flush()
        return True

    def _part_id(self, table: str, preferred: int | None) -> int:
        given = self.ids[table].take(preferred)
        if preferred is not None and given != preferred:
            self.result.renumbered_parts += 1
        return given

    def _unchanged(self) -> bool:
        self.result.unchanged += 1
        return False

    def _customer(self, record: ComplaintIn) -> int:
        c = record.customer
        # An erased customer is nobody to match by name (erasure gives each its own key).
        key = name_key(c.name) if c.erased_at is None else f"ERASED:{c.name}"
        if key in self.customers:
            return self.customers[key]
        customer_id = self.ids["customer"].take(c.id)
        self.customers[key] = customer_id
        self.pending["customer"].append({
            "id": customer_id, "name": c.name, "phone": c.phone, "email": c.email, "notes": c.notes,
            "name_key": key if c.erased_at is None else f"ERASED:{customer_id}",
            "created_at": c.created_at or record.opened_at, "erased_at": c.erased_at,
        })  # fmt: skip
        return customer_id

    def flush(self) -> None:
        if self.session is None:
            for rows in self.pending.values():
                rows.clear()
            return
        for table, model in _INSERTED:
            rows = self.pending[table]
            if rows:
                # Core, not the ORM's bulk insert: the ORM leaves a None out of a row's
                # parameters, so rows with None in different places could not share
                # one executemany (issue 23: a varied sheet went in as 14,000
                # statements for 20,000 complaints), and its bookkeeping per row cost
                # 12% of a mapped import's CPU. Every row here names every column.
                self.session.connection().execute(insert(model.metadata.tables[table]), rows)
                rows.clear()

    def finish(self, source: str, action: str = "import") -> ImportResult:
        self.flush()
        if self.session is not None:
            fix_sequences(self.session)
        if self.session is not None and self.result.added:
            audit(
                self.session, self.actor, action, "file", source,
                after={"source": source, "added": self.result.added, "unchanged": self.result.unchanged,
                       "first_id": min(self.result.added_ids), "last_id": max(self.result.added_ids)},
            )  # fmt: skip
        return self.result


def fix_sequences(session: Session, at_least: dict[str, int] | None = None) -> None:
    """Rows went in with their own ids: move each high-water mark past them (and to
    `at_least`, the marks of the logbook migrate-to copies from), never back."""
    dialect = session.get_bind().dialect.name
    for table in ID_TABLES:
        high = max(int(session.execute(text(high_water_sql(table, dialect))).scalar() or 0),
                   (at_least or {}).get(table, 0))  # fmt: skip
        if dialect == "postgresql":
            session.execute(text(f"SELECT setval('{table}_id_seq', {high + 1}, false)"))
        elif high:
            # AUTOINCREMENT moved sqlite_sequence past inserted ids itself; a mark
            # carried over from another logbook may be higher still.
            session.execute(text(f"DELETE FROM sqlite_sequence WHERE name = '{table}'"))
            session.execute(
                text(f"INSERT INTO sqlite_sequence (name, seq) VALUES ('{table}', {high})")
            )


def _loss(record: ComplaintIn, logbook: str) -> dict[str, Any]:
    """An imported loss (major units, in `loss_currency` or else the logbook's)."""
    money = record.loss_money(logbook)
    return {"loss_minor": money.minor if money else None,
            "loss_currency": money.currency if money else None}  # fmt: skip


def _compensation_value(text_: str | None, logbook: str) -> dict[str, Any]:
    """An imported compensation's value, read from its text as `resolve` reads it; an
    amount that would need a guess (`$5` in a GBP logbook) is kept as text, unvalued."""
    from complog.money import MoneyError, value_in_text

    try:
        money = value_in_text(text_, logbook)
    except MoneyError:
        money = None
    return {"compensation_minor": money.minor if money else None,
            "compensation_currency": money.currency if money else None}  # fmt: skip


def existing_keys(fetch: Callable[[str], Sequence[Sequence[Any]]], dialect: str) -> dict[str, Any]:
    """What the logbook already holds, for idempotency and id allocation.

    `fetch(sql)` runs plain SQL, so the dry run (read path) and the real import
    (inside the write transaction) share this code.
    """
    rows = fetch(
        "SELECT c.id, c.opened_at, c.external_id, cu.name FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
    )
    high_water = {
        table: int(fetch(high_water_sql(table, dialect))[0][0] or 0)
        for table in ("customer", "complaint", "note", "promise", "escalation")
    }
    return {
        "external_ids": {r[2] for r in rows if r[2] is not None},
        "signatures": {_signature(int(r[0]), _time(r[1]), str(r[3])) for r in rows},
        "customers": {str(r[1]): int(r[0]) for r in fetch("SELECT id, name_key FROM customer")},
        "high_water": high_water,
        # amounts imported without a currency are in the logbook's
        "currency": stored_currency(fetch),
    }


def stored_currency(fetch: Callable[[str], Sequence[Sequence[Any]]]) -> str:
    """The logbook's `currency` setting (its default when unset)."""
    return _logbook_currency(fetch("SELECT value FROM setting WHERE key = 'currency'"))


def _logbook_currency(rows: Sequence[Sequence[Any]]) -> str:
    from complog.settings import SPECS

    spec = SPECS["currency"]
    try:
        return str(spec.parse(str(rows[0][0]) if rows else spec.default()))
    except ValueError:
        return str(spec.parse(spec.default()))


def _time(value: Any) -> datetime:
    decoded = decode_time(value)
    assert decoded is not None
    return decoded


def session_fetch(session: Session) -> Callable[[str], Sequence[Sequence[Any]]]:
    return lambda sql: session.execute(text(sql)).all()
