"""Views of escalations: the listing, a new one, and what --auto did."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from itertools import groupby
from typing import Any

from complog.render import output, shapes
from complog.render.columns import Column
from complog.render.listing import Listing, show
from complog.render.text import friendly, safe
from complog.rows import EscalationRow
from complog.rules import Firing

_COLUMNS = ["id", "complaint_id", "customer", "to", "reason", "rule", "at", "by", "acknowledged_at"]


def _listing(now: datetime, tz: tzinfo) -> Listing[EscalationRow]:
    from rich.text import Text

    def ack(e: EscalationRow) -> Text:
        if e.acknowledged_at:
            return Text("✓ " + safe(e.acknowledged_by or ""), style="green")
        return Text("open", style="bold magenta")

    return Listing(
        json=lambda e: shapes.escalation_json(e, tz),
        csv=_COLUMNS,
        plain=[
            lambda e: f"E{e.id}", lambda e: f"#{e.complaint_id}", lambda e: e.customer,
            lambda e: e.to, lambda e: e.rule, lambda e: e.reason,
            lambda e: friendly(e.at, now, tz),
            lambda e: f"acknowledged by {e.acknowledged_by}" if e.acknowledged_at else "open",
        ],
        columns=[
            Column("E#", lambda e: str(e.id), options={"justify": "right", "style": "dim", "no_wrap": True}),
            Column("Customer", lambda e: Text(f"#{e.complaint_id} {safe(e.customer, one_line=True)}"),
                   flexible=True, least=12, options={"max_width": 22, "overflow": "fold"}),
            Column("To", lambda e: Text(safe(e.to, one_line=True)), priority=2,
                   options={"max_width": 12, "no_wrap": True, "overflow": "ellipsis"}),
            Column("Why", lambda e: Text(f"[{e.rule}] {safe(e.reason, one_line=True)}"), flexible=True,
                   options={"overflow": "fold"}),
            Column("When", lambda e: friendly(e.at, now, tz), priority=3, options={"no_wrap": True}),
            Column("Ack", ack, priority=1, options={"no_wrap": True}),
        ],
        empty="No escalations.",
    )  # fmt: skip


def listing(rows: Sequence[EscalationRow], fmt: str, now: datetime, tz: tzinfo) -> None:
    show(_listing(now, tz), rows, fmt)


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
