"""Writing imported complaints: one transaction, ids kept where free, idempotent.

A complaint is already present when its external_id is known, or (for
complog's own exports, which have none) when a complaint with the same id,
opening time and customer exists. Everything else is added, keeping its ids
when they are free so an export imported into an empty logbook exports back
identically. Rows go in with executemany batches: one ORM object per row
would make 100,000 complaints take minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session

from complog.connect import decode_time, encode_time
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
from complog.services.common import Actor, audit, name_key

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


class _Ids:
    """Hands out ids: the preferred one when free, else the next unused.

    `known` holds every existing id when `complete`; otherwise only ids above
    `floor` (the largest existing id) are known to be free.
    """

    def __init__(self, floor: int, known: set[int], complete: bool) -> None:
        self.floor, self.used, self.complete = floor, set(known), complete
        self.next = max([floor, *known]) + 1

    def take(self, preferred: int | None) -> int:
        free = preferred is not None and preferred > 0 and preferred not in self.used
        if free and preferred is not None and (self.complete or preferred > self.floor):
            self.used.add(preferred)
            self.next = max(self.next, preferred + 1)
            return preferred
        while self.next in self.used:
            self.next += 1
        self.used.add(self.next)
        return self.next

    def release(self, value: int) -> None:
        self.used.discard(value)


def _signature(
    complaint_id: int | None, opened_at: datetime, customer: str
) -> tuple[int | None, str, str]:
    return complaint_id, encode_time(opened_at), name_key(customer)


class Importer:
    """Plans and (unless planning only) writes an import inside one session."""

    def __init__(self, session: Session | None, actor: Actor, existing: dict[str, Any]) -> None:
        self.session = session
        self.actor = actor
        self.external_ids: set[str] = existing["external_ids"]
        self.signatures: set[tuple[int | None, str, str]] = existing["signatures"]
        self.customers: dict[str, int] = existing["customers"]
        self.ids = {
            table: _Ids(
                floor,
                existing["complaint_ids"] if table == "complaint" else set(),
                table == "complaint",
            )
            for table, floor in existing["max_ids"].items()
        }
        self.pending: dict[str, list[dict[str, Any]]] = {table: [] for table, _ in _INSERTED}
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
        if external_id is None and record.id is not None and complaint_id != record.id:
            # Its id is taken by another complaint: remember where it came from,
            # so importing the same file again recognises it.
            external_id = f"import:{signature[2]}:{signature[1]}:{record.id}"
            if external_id in self.external_ids:
                self.ids["complaint"].release(complaint_id)
                return self._unchanged()
        if external_id is not None:
            self.external_ids.add(external_id)
        self.signatures.add(_signature(complaint_id, record.opened_at, record.customer.name))
        customer_id = self._customer(record)
        now = self.actor.now
        resolution = record.resolution
        self.pending["complaint"].append({
            "id": complaint_id, "customer_id": customer_id, "summary": record.summary, "channel": record.channel,
            "category": record.category, "heat": record.heat, "wants": record.wants, "loss_cents": record.loss_cents,
            "written": record.written, "owner": record.owner, "status": record.status, "opened_at": record.opened_at,
            "recorded_at": record.recorded_at or now, "created_by": record.created_by or self.actor.user,
            "resolved_at": (resolution.resolved_at if resolution and resolution.resolved_at else record.resolved_at)
            if record.status == "resolved" else None,
            "outcome": resolution.outcome if resolution else None,
            "compensation": resolution.compensation if resolution else None,
            "confirmed": resolution.confirmed if resolution else None,
            "satisfaction": resolution.satisfaction if resolution else None,
            "cause": resolution.cause if resolution else None,
            "prevention": resolution.prevention if resolution else None,
            "external_id": external_id,
        })  # fmt: skip
        for n in record.notes:
            self.pending["note"].append({
                "id": self.ids["note"].take(n.id), "complaint_id": complaint_id, "at": n.at,
                "recorded_at": n.recorded_at or now, "author": n.author, "channel": n.channel,
                "direction": n.direction, "text": n.text,
            })  # fmt: skip
        for p in record.promises:
            promise_id = self.ids["promise"].take(p.id)
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
                "id": self.ids["escalation"].take(e.id), "complaint_id": complaint_id, "to_whom": e.to,
                "reason": e.reason, "rule": e.rule, "trigger": e.trigger, "at": e.at, "actor": e.by,
                "acknowledged_at": e.acknowledged_at, "acknowledged_by": e.acknowledged_by,
            })  # fmt: skip
        for past in record.past_resolutions:
            self.pending["past_resolution"].append({
                "complaint_id": complaint_id, "resolved_at": past.resolved_at, "outcome": past.outcome,
                "confirmed": past.confirmed, "satisfaction": past.satisfaction, "compensation": past.compensation,
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
                self.session.execute(insert(model), rows)
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


def fix_sequences(session: Session) -> None:
    """PostgreSQL: rows went in with their own ids; move each id sequence past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("customer", "complaint", "note", "promise", "reschedule", "escalation", "event"):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"
            )
        )


def existing_keys(fetch: Callable[[str], Sequence[Sequence[Any]]]) -> dict[str, Any]:
    """What the logbook already holds, for idempotency and id allocation.

    `fetch(sql)` runs plain SQL, so the dry run (read path) and the real import
    (inside the write transaction) share this code.
    """
    rows = fetch(
        "SELECT c.id, c.opened_at, c.external_id, cu.name FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
    )
    max_ids = {
        table: int(fetch(f"SELECT coalesce(max(id), 0) FROM {table}")[0][0])
        for table in ("customer", "complaint", "note", "promise", "escalation")
    }
    return {
        "external_ids": {r[2] for r in rows if r[2] is not None},
        "signatures": {_signature(int(r[0]), _time(r[1]), str(r[3])) for r in rows},
        "complaint_ids": {int(r[0]) for r in rows},
        "customers": {str(r[1]): int(r[0]) for r in fetch("SELECT id, name_key FROM customer")},
        "max_ids": max_ids,
    }


def _time(value: Any) -> datetime:
    decoded = decode_time(value)
    assert decoded is not None
    return decoded


def session_fetch(session: Session) -> Callable[[str], Sequence[Sequence[Any]]]:
    return lambda sql: session.execute(text(sql)).all()
