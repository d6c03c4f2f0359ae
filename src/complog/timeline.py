"""A complaint's timeline: every note, promise, reschedule, escalation and
resolution in the order it happened."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from complog.connect import decode_time
from complog.rows import ComplaintRow, EscalationRow, EventRow, NoteRow, PromiseRow, TimelineEntry


def build_timeline(
    complaint: ComplaintRow,
    notes: Sequence[NoteRow],
    promises: Sequence[PromiseRow],
    escalations: Sequence[EscalationRow],
    events: Sequence[EventRow],
) -> tuple[TimelineEntry, ...]:
    """Everything that happened to a complaint, oldest first."""

    def entries() -> Iterator[TimelineEntry]:
        yield TimelineEntry(complaint.opened_at, "opened", complaint.summary,
                            {"channel": complaint.channel, "heat": complaint.heat})  # fmt: skip
        for n in notes:
            yield TimelineEntry(n.at, "note", n.text,
                                {"note_id": n.id, "author": n.author, "channel": n.channel,
                                 "direction": n.direction})  # fmt: skip
        for p in promises:
            promised_due = p.reschedules[0].old_due_at if p.reschedules else p.due_at
            yield TimelineEntry(p.created_at, "promise", p.text,
                                {"promise_id": p.id, "owner": p.owner, "due_at": promised_due})  # fmt: skip
            for r in p.reschedules:
                yield TimelineEntry(r.at, "reschedule", r.reason,
                                    {"promise_id": p.id, "old_due_at": r.old_due_at,
                                     "new_due_at": r.new_due_at, "late": r.late, "by": r.actor})  # fmt: skip
            if p.kept_at is not None:
                yield TimelineEntry(p.kept_at, "kept", p.closed_note or p.text,
                                    {"promise_id": p.id, "late": p.kept_at > p.due_at})  # fmt: skip
            if p.cancelled_at is not None:
                yield TimelineEntry(p.cancelled_at, "cancelled", p.closed_note or "",
                                    {"promise_id": p.id})  # fmt: skip
        for e in escalations:
            yield TimelineEntry(e.at, "escalation", e.reason,
                                {"escalation_id": e.id, "to": e.to, "rule": e.rule, "by": e.by})  # fmt: skip
            if e.acknowledged_at is not None:
                yield TimelineEntry(e.acknowledged_at, "acknowledged", f"escalation to {e.to}",
                                    {"escalation_id": e.id, "by": e.acknowledged_by})  # fmt: skip
        # Past resolutions (later reopened) and reopenings come from the audit log,
        # in the order they were recorded; the current resolution from the row itself.
        # Changes taken back by `complog undo` are still in the log but did not happen.
        undone = {
            i for ev in events if ev.action == "undo" for i in (ev.after or {}).get("undid", [])
        }
        history = [
            ev for ev in events if ev.action in ("resolve", "reopen") and ev.id not in undone
        ]
        if complaint.status == "resolved" and history and history[-1].action == "resolve":
            history = history[:-1]
        for ev in history:
            after = ev.after or {}
            if ev.action == "resolve":
                resolved_at = decode_time(after.get("resolved_at")) or ev.at
                yield TimelineEntry(resolved_at, "resolved", str(after.get("outcome") or ""),
                                    {"by": ev.user, "cause": after.get("cause"),
                                     "confirmed": after.get("confirmed"), "seq": ev.id})  # fmt: skip
            else:
                yield TimelineEntry(
                    ev.at, "reopened", str(after.get("reason") or ""), {"by": ev.user, "seq": ev.id}
                )
        if complaint.status == "resolved" and complaint.resolved_at is not None:
            yield TimelineEntry(complaint.resolved_at, "resolved", complaint.outcome or "",
                                {"cause": complaint.cause, "confirmed": complaint.confirmed})  # fmt: skip

    order = {"opened": 0, "note": 1, "promise": 2, "reschedule": 3, "kept": 4, "cancelled": 4,
             "escalation": 5, "acknowledged": 6, "resolved": 7, "reopened": 7}  # fmt: skip
    last = float("inf")  # the current resolution sorts after any same-instant history
    return tuple(
        sorted(entries(), key=lambda e: (e.at, order.get(e.kind, 9), e.data.get("seq", last)))
    )
