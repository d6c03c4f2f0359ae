"""A complaint's timeline: every note, promise, reschedule, escalation and
resolution in the order it happened."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from math import inf

from complog.rows import (
    ComplaintRow,
    EscalationRow,
    NoteRow,
    PastResolutionRow,
    PromiseRow,
    TimelineEntry,
    WaitRow,
)


def build_timeline(
    complaint: ComplaintRow,
    notes: Sequence[NoteRow],
    promises: Sequence[PromiseRow],
    escalations: Sequence[EscalationRow],
    past_resolutions: Sequence[PastResolutionRow] = (),
    waits: Sequence[WaitRow] = (),
) -> tuple[TimelineEntry, ...]:
    """Everything that happened to a complaint, oldest first."""

    def entries() -> Iterator[tuple[TimelineEntry, float]]:
        yield TimelineEntry(complaint.opened_at, "opened", complaint.summary,
                            {"channel": complaint.channel, "heat": complaint.heat}), 0  # fmt: skip
        for n in notes:
            yield note_entry(n), 0
        for p in promises:
            promised_due = p.reschedules[0].old_due_at if p.reschedules else p.due_at
            yield TimelineEntry(p.created_at, "promise", p.text,
                                {"promise_id": p.id, "owner": p.owner, "due_at": promised_due}), 0  # fmt: skip
            for r in p.reschedules:
                yield TimelineEntry(r.at, "reschedule", r.reason,
                                    {"promise_id": p.id, "old_due_at": r.old_due_at,
                                     "new_due_at": r.new_due_at, "late": r.late, "by": r.actor}), 0  # fmt: skip
            if p.kept_at is not None:
                yield TimelineEntry(p.kept_at, "kept", p.closed_note or p.text,
                                    {"promise_id": p.id, "late": p.kept_at > p.due_at}), 0  # fmt: skip
            if p.cancelled_at is not None:
                yield TimelineEntry(p.cancelled_at, "cancelled", p.closed_note or "",
                                    {"promise_id": p.id}), 0  # fmt: skip
        for e in escalations:
            yield TimelineEntry(e.at, "escalation", e.reason,
                                {"escalation_id": e.id, "to": e.to, "rule": e.rule, "by": e.by}), 0  # fmt: skip
            if e.acknowledged_at is not None:
                yield TimelineEntry(e.acknowledged_at, "acknowledged", f"escalation to {e.to}",
                                    {"escalation_id": e.id, "by": e.acknowledged_by}), 0  # fmt: skip
        for w in waits:
            yield TimelineEntry(w.started_at, "waiting", w.reason, {"by": w.started_by}), 0
            if w.ended_at is not None:
                yield TimelineEntry(w.ended_at, "resumed", "", {"by": w.ended_by}), 0
        # Resolutions that were reopened, in the order they happened; the current
        # resolution (from the complaint row) after them all.
        for seq, past in enumerate(past_resolutions):
            yield TimelineEntry(past.resolved_at, "resolved", past.outcome or "",
                                {"cause": past.cause, "confirmed": past.confirmed}), 2 * seq  # fmt: skip
            yield TimelineEntry(past.reopened_at, "reopened", past.reopen_reason,
                                {"by": past.reopened_by}), 2 * seq + 1  # fmt: skip
        if complaint.status == "resolved" and complaint.resolved_at is not None:
            yield TimelineEntry(complaint.resolved_at, "resolved", complaint.outcome or "",
                                {"cause": complaint.cause, "confirmed": complaint.confirmed}), inf  # fmt: skip

    order = ORDER
    ranked = sorted(entries(), key=lambda pair: (pair[0].at, order.get(pair[0].kind, 9), pair[1]))
    return tuple(entry for entry, _ in ranked)


#: what comes first among entries at the same instant
ORDER = {"opened": 0, "note": 1, "promise": 2, "reschedule": 3, "kept": 4, "cancelled": 4,
         "escalation": 5, "acknowledged": 6, "waiting": 7, "resumed": 7, "resolved": 8,
         "reopened": 8}  # fmt: skip


def note_entry(n: NoteRow) -> TimelineEntry:
    return TimelineEntry(n.at, "note", n.text,
                         {"note_id": n.id, "author": n.author, "channel": n.channel,
                          "direction": n.direction})  # fmt: skip


def with_notes(
    others: Iterable[TimelineEntry], notes: Iterable[NoteRow]
) -> Iterator[TimelineEntry]:
    """The timeline of `build_timeline(..., notes=())` with the notes (a stream in
    (at, id) order) merged in, one entry at a time: a complaint with 100,000 notes is
    written without holding them. Only notes rank 1, so (at, rank) orders the merge
    exactly as `build_timeline` sorts."""
    return heapq.merge(
        others, (note_entry(n) for n in notes), key=lambda t: (t.at, ORDER.get(t.kind, 9))
    )
