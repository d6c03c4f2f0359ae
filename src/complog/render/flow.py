"""Views of the case-workflow commands: undo, customer merge, check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from complog.render import output
from complog.render.text import safe

if TYPE_CHECKING:
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
