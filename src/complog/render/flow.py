"""Views of the case-workflow commands: undo, customer merge, check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from complog.render import output
from complog.render.text import iso, local, safe

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from complog.briefing import Briefing
    from complog.checklist import Checklist
    from complog.rows import ComplaintRow
    from complog.services.customers import Merged
    from complog.services.undo import Undone


def undone(result: Undone, fmt: str, *, dry_run: bool) -> None:
    if fmt == "json":
        output.emit_json(
            {
                "dry_run": dry_run,
                "description": result.description,
                "user": result.user,
                "action": result.action,
                "event_ids": list(result.event_ids),
                "complaint_id": result.complaint_id,
            }
        )
        return
    verb = "Would undo" if dry_run else "Undid"
    output.say(f"{verb}: {safe(result.description, one_line=True)}")


def merged(result: Merged, fmt: str, *, dry_run: bool) -> None:
    if fmt == "json":
        output.emit_json(
            {
                "dry_run": dry_run,
                "from": result.source,
                "into": result.target,
                "complaints": list(result.complaints),
                "taken": list(result.taken),
                "differing": list(result.differing),
            }
        )
        return
    count = len(result.complaints)
    source, target = safe(result.source, one_line=True), safe(result.target, one_line=True)
    verb = "Would merge" if dry_run else "Merged"
    line = f"{verb} {source!r} into {target!r}: {count} complaint{'s' if count != 1 else ''}"
    if result.taken:
        line += f"; {' and '.join(result.taken)} from {source!r}"
    output.say(line)
    for field in result.differing:
        output.note(
            f"  kept {target!r}'s {field}; {source!r}'s is in the history (complog history)"
        )


def checklist(c: ComplaintRow, result: Checklist, fmt: str, tz: tzinfo) -> None:
    from complog.checklist import label

    done = sum(step.done for step in result.steps)
    if fmt in ("json", "csv"):
        steps = [
            {"step": s.name, "done": s.done, "at": iso(s.at, tz), "detail": s.detail}
            for s in result.steps
        ]
        if fmt == "csv":
            output.emit_csv(steps, ["step", "done", "at", "detail"])
            return
        output.emit_json(
            {
                "complaint_id": c.id,
                "customer": c.customer,
                "summary": c.summary,
                "status": c.status,
                "complete": result.complete,
                "done": done,
                "total": len(result.steps),
                "steps": steps,
                "missing": list(result.missing),
            }
        )
        return
    output.say(
        f"Complaint {c.id} ({safe(c.customer, one_line=True)}): {safe(c.summary, one_line=True)}"
        f" - {done} of {len(result.steps)} steps"
    )
    for s in result.steps:
        mark = "[x]" if s.done else "[ ]"
        when = local(s.at, tz) if s.at else ""
        output.say(f"  {mark} {label(s.name):<29} {when:<16}  {safe(s.detail, one_line=True)}")


#: how many of the customer's other open complaints the briefing lists
SHOW_OPEN = 3


def briefing(b: Briefing, asked_for: str, now: datetime, tz: tzinfo, *, merge_hint: bool) -> None:
    """`add`'s word on the customer, on stderr: results stay on stdout."""
    from complog.names import did_you_mean
    from complog.render.text import friendly

    if b.name is not None:
        name = safe(b.name, one_line=True)
        others = b.open_complaints
        if others:
            output.warn(
                f"{name} already has {len(others)} open complaint{'s' if len(others) != 1 else ''}:"
            )
            for other in others[:SHOW_OPEN]:
                output.note(
                    f"  #{other.id} {safe(other.summary, one_line=True)}"
                    f" (opened {friendly(other.opened_at, now, tz)}, {safe(other.owner, one_line=True)})"
                )
            if len(others) > SHOW_OPEN:
                output.note(
                    f"  ... and {len(others) - SHOW_OPEN} more: complog list --customer {asked_for!r}"
                )
        if b.repeat:
            output.warn(
                f"repeat caller: {name} has opened {b.recent} complaints within {b.repeat_window}"
            )
        if b.last_contact is not None:
            note, about = b.last_contact
            how = "" if note.channel == "other" else f" by {note.channel}"
            who = {"in": " from them", "out": " from us"}.get(note.direction, "")
            output.note(
                f"  last contact {friendly(note.at, now, tz)}{how}{who} on #{about.id}"
                f" ({safe(note.author, one_line=True)}): {safe(note.text, one_line=True)[:120]}"
            )
    if b.near_names:
        output.warn(
            f"{safe(asked_for, one_line=True)!r} is a new customer; {did_you_mean(list(b.near_names))}"
        )
        if merge_hint:
            output.note(f"  if so: complog customer merge {asked_for!r} {b.near_names[0]!r}")
