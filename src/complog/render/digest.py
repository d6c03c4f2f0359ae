"""The digest as plain text: short lines that read well in a mail client."""

from __future__ import annotations

from datetime import tzinfo
from itertools import groupby

from complog.digest import Digest
from complog.render import output
from complog.render.text import duration, friendly, local, safe


def digest_text(d: Digest, tz: tzinfo, resolve_within: str) -> list[str]:
    now = d.now
    lines = [f"complog digest for {now.astimezone(tz).strftime('%A %d %B %Y, %H:%M')} ({tz})", ""]
    overdue = sorted(
        (i for i in d.due.items if i.section == "overdue"),
        key=lambda i: (i.owner.lower(), -i.overdue_minutes),
    )
    lines.append(f"OVERDUE PROMISES ({len(overdue)})")
    for owner, items in groupby(overdue, key=lambda i: i.owner):
        lines.append(f"  {safe(owner, one_line=True)}:")
        lines += [
            f"    P{i.promise_id} #{i.complaint_id} {safe(i.customer, one_line=True)}: {safe(i.text, one_line=True)}"
            f" ({duration(i.overdue_minutes)} late, heat {i.heat})"
            for i in items
        ]
    if not overdue:
        lines.append("  none")
    today = [i for i in d.due.items if i.section == "today"]
    lines += ["", f"DUE TODAY ({len(today)})"]
    lines += [
        f"  P{i.promise_id} #{i.complaint_id} {safe(i.customer, one_line=True)}: {safe(i.text, one_line=True)}"
        f" ({safe(i.owner, one_line=True)}, {friendly(i.due_at, now, tz)})"
        for i in today
    ] or ["  none"]
    lines += [
        "",
        f"NEW ESCALATIONS since {local(d.escalations_since, tz)} ({len(d.new_escalations)})",
    ]
    lines += [
        f"  E{e.id} #{e.complaint_id} {safe(e.customer, one_line=True)} -> {safe(e.to, one_line=True)}"
        f" [{e.rule}] {safe(e.reason, one_line=True)}"
        + ("" if e.acknowledged_at is None else " (acknowledged)")
        for e in d.new_escalations
    ] or ["  none"]
    lines += ["", f"OPEN LONGER THAN {resolve_within} ({len(d.open_too_long)})"]
    lines += [
        f"  #{c.id} {safe(c.customer, one_line=True)}: {safe(c.summary, one_line=True)}"
        f" (open since {local(c.opened_at, tz)}, {safe(c.owner, one_line=True)})"
        for c in d.open_too_long
    ] or ["  none"]
    lines += week_over_week(d, tz, resolve_within)
    y = d.yesterday
    lines += [
        "",
        f"YESTERDAY ({d.yesterday_start.astimezone(tz).strftime('%a %d %b')}): opened {y['opened']},"
        f" resolved {y['resolved']}, promises kept {y['kept']}, broken {y['broken']}",
        f"Open complaints now: {d.open_count}",
    ]
    return lines


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def week_over_week(d: Digest, tz: tzinfo, resolve_within: str) -> list[str]:
    """The last seven days against the seven before: is the team getting better?"""
    this, last = d.this_week, d.last_week
    if this is None or last is None:
        return []
    lines = [
        "",
        "WEEK OVER WEEK (the last 7 days; the 7 before in brackets)",
        f"  opened {this.opened} ({last.opened}), resolved {this.resolved} ({last.resolved})",
        f"  resolved within {resolve_within}: {_rate(this.resolved_quickly_rate)}"
        f" ({_rate(last.resolved_quickly_rate)})",
        f"  promises kept on time: {_rate(this.promise_keeping_rate)}, {this.promises_kept_on_time}"
        f" of {this.promises_due} ({_rate(last.promise_keeping_rate)}, {last.promises_kept_on_time}"
        f" of {last.promises_due})",
    ]
    c = d.oldest_open
    if c is None:
        lines.append("  oldest open complaint: none")
    else:
        lines.append(
            f"  oldest open complaint: #{c.id} {safe(c.customer, one_line=True)}:"
            f" {safe(c.summary, one_line=True)} (open since {local(c.opened_at, tz)},"
            f" {safe(c.owner, one_line=True)})"
        )
    return lines


def digest(d: Digest, tz: tzinfo, resolve_within: str) -> None:
    output.lines(digest_text(d, tz, resolve_within))
