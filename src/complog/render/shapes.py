"""The JSON shapes of SPEC.md, one function each. Keys here are a contract."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Any

from complog.render.text import iso
from complog.rows import (
    ComplaintDetail,
    ComplaintRow,
    DueItem,
    EscalationRow,
    EventRow,
    NoteRow,
    PromiseRow,
    TimelineEntry,
)
from complog.storedtime import decode_time

COMPLAINT_COLUMNS = ["id", "customer", "summary", "status", "channel", "category", "heat", "wants",
                     "loss", "written", "owner", "opened_at", "resolved_at", "open_promises"]  # fmt: skip


def complaint_json(c: ComplaintRow, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": c.id,
        "customer": c.customer,
        "summary": c.summary,
        "status": c.status,
        "channel": c.channel,
        "category": c.category,
        "heat": c.heat,
        "wants": c.wants,
        "loss": c.loss,
        "written": c.written,
        "owner": c.owner,
        "opened_at": iso(c.opened_at, tz),
        "resolved_at": iso(c.resolved_at, tz),
        "open_promises": c.open_promises,
        "recorded_at": iso(c.recorded_at, tz),
        "created_by": c.created_by,
        "external_id": c.external_id,
        "waiting_since": iso(c.waiting_since, tz),
    }


def promise_json(p: PromiseRow, now: datetime, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": p.id,
        "complaint_id": p.complaint_id,
        "text": p.text,
        "owner": p.owner,
        "due_at": iso(p.due_at, tz),
        "status": p.status,
        "kept_at": iso(p.kept_at, tz),
        "cancelled_at": iso(p.cancelled_at, tz),
        "note": p.closed_note,
        "broken": p.broken(now),
        "created_at": iso(p.created_at, tz),
        "created_by": p.created_by,
        "reschedules": [
            {
                "at": iso(r.at, tz),
                "old_due_at": iso(r.old_due_at, tz),
                "new_due_at": iso(r.new_due_at, tz),
                "reason": r.reason,
                "late": r.late,
                "by": r.actor,
            }
            for r in p.reschedules
        ],
    }


def escalation_json(e: EscalationRow, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": e.id,
        "complaint_id": e.complaint_id,
        "customer": e.customer,
        "to": e.to,
        "reason": e.reason,
        "rule": e.rule,
        "trigger": e.trigger,
        "at": iso(e.at, tz),
        "by": e.by,
        "acknowledged_at": iso(e.acknowledged_at, tz),
        "acknowledged_by": e.acknowledged_by,
    }


def _plain(value: Any, tz: tzinfo) -> Any:
    if isinstance(value, datetime):
        return iso(value, tz)
    return value


def timeline_json(t: TimelineEntry, tz: tzinfo) -> dict[str, Any]:
    return {"at": iso(t.at, tz), "kind": t.kind, "text": t.text} | {
        k: _plain(v, tz) for k, v in t.data.items()
    }


def note_json(n: NoteRow, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": n.id,
        "at": iso(n.at, tz),
        "recorded_at": iso(n.recorded_at, tz),
        "author": n.author,
        "channel": n.channel,
        "direction": n.direction,
        "text": n.text,
    }


def resolution_json(c: ComplaintRow, tz: tzinfo) -> dict[str, Any] | None:
    """A resolved complaint's resolution; None while it is open."""
    if c.status != "resolved":
        return None
    return {
        "outcome": c.outcome,
        "confirmed": c.confirmed,
        "satisfaction": c.satisfaction,
        "compensation": c.compensation,
        "cause": c.cause,
        "prevention": c.prevention,
        "resolved_at": iso(c.resolved_at, tz),
    }


def show_json(d: ComplaintDetail, now: datetime, tz: tzinfo) -> dict[str, Any]:
    c = d.complaint
    return complaint_json(c, tz) | {
        "customer_detail": {
            "id": d.customer.id,
            "name": d.customer.name,
            "phone": d.customer.phone,
            "email": d.customer.email,
            "notes": d.customer.notes,
            "created_at": iso(d.customer.created_at, tz),
            "erased_at": iso(d.customer.erased_at, tz),
        },
        "notes": [note_json(n, tz) for n in d.notes],
        "promises": [promise_json(p, now, tz) for p in d.promises],
        "escalations": [escalation_json(e, tz) for e in d.escalations],
        "resolution": resolution_json(c, tz),
        "past_resolutions": [
            {
                "outcome": r.outcome,
                "confirmed": r.confirmed,
                "satisfaction": r.satisfaction,
                "compensation": r.compensation,
                "cause": r.cause,
                "prevention": r.prevention,
                "resolved_at": iso(r.resolved_at, tz),
                "reopened_at": iso(r.reopened_at, tz),
                "reopened_by": r.reopened_by,
                "reopen_reason": r.reopen_reason,
            }
            for r in d.past_resolutions
        ],
        "waits": [
            {
                "started_at": iso(w.started_at, tz),
                "started_by": w.started_by,
                "reason": w.reason,
                "ended_at": iso(w.ended_at, tz),
                "ended_by": w.ended_by,
            }
            for w in d.waits
        ],
        "timeline": [timeline_json(t, tz) for t in d.timeline],
    }


def due_json(i: DueItem, tz: tzinfo) -> dict[str, Any]:
    return {
        "promise_id": i.promise_id,
        "complaint_id": i.complaint_id,
        "customer": i.customer,
        "summary": i.summary,
        "text": i.text,
        "owner": i.owner,
        "due_at": iso(i.due_at, tz),
        "section": i.section,
        "overdue_minutes": i.overdue_minutes,
        "heat": i.heat,
    }


_STORED_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2})?$")


def _snapshot_json(data: dict[str, Any] | None, tz: tzinfo) -> dict[str, Any] | None:
    """Audit snapshots with their timestamps as ISO-8601 with offset, whatever their age."""
    if data is None:
        return None
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str) and _STORED_TIME.match(value):
            out[key] = iso(decode_time(value), tz)
        elif isinstance(value, dict):
            out[key] = _snapshot_json(value, tz)
        else:
            out[key] = value
    return out


def event_json(e: EventRow, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": iso(e.at, tz),
        "user": e.user,
        "action": e.action,
        "entity": e.entity,
        "entity_id": int(e.entity_id) if e.entity_id and e.entity_id.isdigit() else e.entity_id,
        "complaint_id": e.complaint_id,
        "before": _snapshot_json(e.before, tz),
        "after": _snapshot_json(e.after, tz),
        "role": e.role,
    }


def who(e: EventRow) -> str:
    """The actor, and the signed-in database role when it is another name."""
    return e.user if e.role in (None, e.user) else f"{e.user} (role {e.role})"
