"""Views of the case-workflow commands: undo, customer merge, check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from complog.render import output
from complog.render.text import safe

if TYPE_CHECKING:
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
