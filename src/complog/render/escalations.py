"""Views of escalations: the listing, a new one, and what --auto did."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from itertools import groupby
from typing import Any

from complog.render import output, shapes
from complog.render.text import friendly, safe
from complog.rows import EscalationRow
from complog.rules import Firing

_COLUMNS = ["id", "complaint_id", "customer", "to", "reason", "rule", "at", "by", "acknowledged_at"]


def listing(rows: Sequence[EscalationRow], fmt: str, now: datetime, tz: tzinfo) -> None:
    data = [shapes.escalation_json(e, tz) for e in rows]
    if fmt == "json":
        output.emit_json(data)
    elif fmt == "csv":
        output.emit_csv(data, _COLUMNS)
    elif fmt == "plain":
        output.lines(
            "\t".join([f"E{e.id}", f"#{e.complaint_id}", safe(e.customer, one_line=True), safe(e.to, one_line=True),
                       e.rule, safe(e.reason, one_line=True), friendly(e.at, now, tz),
                       f"acknowledged by {safe(e.acknowledged_by, one_line=True)}" if e.acknowledged_at else "open"])
            for e in rows
        )  # fmt: skip
    else:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        if not rows:
            output.show(Text("No escalations.", style="dim"))
            return
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        table.add_column("E#", justify="right", style="dim", no_wrap=True)
        table.add_column("Customer", max_width=22, overflow="fold")
        table.add_column("To", max_width=12, no_wrap=True, overflow="ellipsis")
        table.add_column("Why", overflow="fold")
        table.add_column("When", no_wrap=True)
        table.add_column("Ack", no_wrap=True)
        for e in rows:
            table.add_row(
                str(e.id), Text(f"#{e.complaint_id} {safe(e.customer, one_line=True)}"), Text(safe(e.to, one_line=True)),
                Text(f"[{e.rule}] {safe(e.reason, one_line=True)}"), friendly(e.at, now, tz),
                Text("✓ " + safe(e.acknowledged_by or ""), style="green") if e.acknowledged_at else Text("open", style="bold magenta"),
            )  # fmt: skip
        output.show(table)


def escalated_one(e: EscalationRow, fmt: str, now: datetime, tz: tzinfo) -> None:
    if fmt == "json":
        output.emit_json(shapes.escalation_json(e, tz))
    elif fmt == "csv":
        output.emit_csv([shapes.escalation_json(e, tz)], _COLUMNS)
    else:
        output.say(
            f"Escalated complaint {e.complaint_id} to {safe(e.to, one_line=True)} (escalation {e.id})"
        )


def _firing_json(f: Firing, new_id: int | None, now: datetime, tz: tzinfo) -> dict[str, Any]:
    return {"id": new_id, "complaint_id": f.complaint_id, "customer": f.customer, "to": f.to,
            "reason": f.reason, "rule": f.rule, "trigger": f.trigger,
            "at": now.astimezone(tz).isoformat(), "by": None, "acknowledged_at": None}  # fmt: skip


def auto_result(
    created: Sequence[tuple[Firing, int | None]],
    fmt: str,
    now: datetime,
    tz: tzinfo,
    *,
    dry_run: bool,
) -> None:
    """What `escalate --auto` escalated, grouped by who it goes to."""
    if fmt == "json":
        output.emit_json([_firing_json(f, i, now, tz) for f, i in created])
        return
    if fmt == "csv":
        output.emit_csv([_firing_json(f, i, now, tz) for f, i in created], _COLUMNS)
        return
    verb = "Would escalate" if dry_run else "Escalated"
    if not created:
        output.say("Nothing to escalate." if not dry_run else "Nothing would be escalated.")
        return
    lines = [f"{verb} {len(created)}:"]
    for to, group in groupby(
        sorted(created, key=lambda c: (c[0].to, c[0].complaint_id)), key=lambda c: c[0].to
    ):
        lines.append(f"  to {safe(to, one_line=True)}:")
        for f, new_id in group:
            label = f"E{new_id}" if new_id is not None else "-"
            lines.append(
                f"    {label}  #{f.complaint_id} {safe(f.customer, one_line=True)}  [{f.rule}] {safe(f.reason, one_line=True)}"
            )
    output.lines(lines)
