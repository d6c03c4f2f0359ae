"""Views of `complog db`: the schema's status, an upgrade, the role names."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from complog.render import output
from complog.render.text import iso, safe

if TYPE_CHECKING:
    from complog.identity import Identity
    from complog.store import SchemaStatus

#: what to do next, for each state of the schema
_NEXT = {
    "current": "nothing: the schema is up to date",
    "missing": "complog init creates the logbook (any command that writes does too)",
    "empty": "complog init creates the schema (any command that writes does too)",
}


def _next_step(status: SchemaStatus) -> str:
    if status.state == "behind":
        if status.server:
            return "complog db upgrade, as the database's owner (--sql prints the SQL first)"
        return "complog db upgrade, or any command that opens it (after a backup copy)"
    if status.state == "newer":
        release = f"complog {status.requires} or later" if status.requires else "a newer complog"
        return f"install {release}: this logbook was written by it"
    return _NEXT[status.state]


def status(result: SchemaStatus, fmt: str) -> None:
    if fmt == "json":
        output.emit_json(
            {
                "logbook": result.location,
                "state": result.state,
                "revision": result.revision,
                "client_revision": result.head,
                "client_version": result.version,
                "pending": list(result.pending),
                "requires": result.requires,
                "next": _next_step(result),
            }
        )
        return
    pending = ", ".join(result.pending) if result.pending else "none"
    output.lines(
        [
            f"logbook:       {safe(result.location, one_line=True)}",
            f"schema:        {result.revision or '(none yet)'}",
            f"this complog:  {result.version} (schema {result.head})",
            f"pending:       {pending}",
            f"next:          {_next_step(result)}",
        ]
    )


def upgraded(location: str, revisions: tuple[str, str] | None, backup: str | None) -> None:
    if revisions is None:
        output.say(f"The logbook {safe(location, one_line=True)} is up to date")
        return
    output.say(f"Upgraded {safe(location, one_line=True)} from {revisions[0]} to {revisions[1]}")
    if backup:
        output.note(f"complog: the logbook as it was is in {safe(backup, one_line=True)}")


def roles(rows: list[dict[str, Any]], me: Identity, fmt: str, tz: tzinfo) -> None:
    shaped = [
        {
            "role": r["role"],
            "name": r["name"],
            "updated_at": iso(r["updated_at"], tz),
            "updated_by": r["updated_by"],
        }
        for r in rows
    ]
    if fmt == "json":
        output.emit_json(shaped)
        return
    if fmt == "csv":
        output.emit_csv(shaped, ["role", "name", "updated_at", "updated_by"])
        return
    output.lines(
        f"{safe(r['role'], one_line=True)}\t{safe(r['name'], one_line=True)}" for r in shaped
    )
    admin = " (a member of complog_admin)" if me.admin else ""
    output.note(
        f"complog: you are role {safe(me.role, one_line=True)}, recorded as"
        f" {safe(me.recorded, one_line=True)}{admin}"
    )
