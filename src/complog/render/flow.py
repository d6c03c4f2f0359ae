"""Views of the case-workflow commands: undo, customer merge, check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from complog.render import output
from complog.render.text import iso, local, safe

if TYPE_CHECKING:
    from datetime import tzinfo

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
