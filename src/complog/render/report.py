"""The report on a terminal (Rich tables, bars, a weekly sparkline) and as JSON."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from complog.money import format_major_totals
from complog.render import output
from complog.render.text import iso, safe

SPARKS = "▁▂▃▄▅▆▇█"


def report_json(report: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    return {k: (iso(v, tz) if isinstance(v, datetime) else v) for k, v in report.items()}


def hours(value: float | None, day_hours: float) -> str:
    """Business hours as minutes, hours, or (from six working days) working days of
    the logbook's own length (day_end - day_start)."""
    if value is None:
        return "–"
    if value < 1:
        return f"{value * 60:.0f}m"
    if value < 6 * day_hours:
        return f"{value:.1f}h"
    return f"{value / day_hours:.1f} bd"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top == 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(len(SPARKS) - 1, round(v / top * (len(SPARKS) - 1)))] for v in values)


def bar(value: float, top: float, width: int = 20) -> str:
    if top <= 0:
        return ""
    filled = value / top * width
    return "█" * int(filled) + ("▌" if filled - int(filled) >= 0.5 else "")


def key_figures(r: dict[str, Any]) -> list[tuple[str, str]]:
    day = r["business_day_hours"]
    return [
        ("Opened / resolved / still open", f"{r['opened']} / {r['resolved']} / {r['open']}"),
        ("First response, median (p90)", f"{hours(r['first_response_median_hours'], day)} ({hours(r['first_response_p90_hours'], day)})"),
        *([(f"Acknowledged within {r['acknowledge_within']}", percent(r["acknowledged_within_rate"]))]
          if r.get("acknowledge_within") else []),
        ("Resolution, median (p90)", f"{hours(r['resolution_median_hours'], day)} ({hours(r['resolution_p90_hours'], day)})"),
        (f"Resolved within {r['resolve_within']}", percent(r["resolved_quickly_rate"])),
        ("Promises kept on time", f"{percent(r['promise_keeping_rate'])} ({r['promises_kept_on_time']} of {r['promises_due']} due)"),
        ("Reschedules", str(r["reschedules"])),
        ("Escalated", percent(r["escalation_rate"])),
        ("Customer confirmed", percent(r["confirmed_rate"])),
        ("Satisfaction, mean", "–" if r["satisfaction_mean"] is None else f"{r['satisfaction_mean']:.1f} / 5"),
        ("Compensation given", _compensation(r)),
        ("Customer losses on open complaints", format_major_totals(r["loss_open_by_currency"])),
    ]  # fmt: skip


def _compensation(r: dict[str, Any]) -> str:
    """3 (value £120.00 + 5,00 €): how often, and how much where an amount was written.
    By cause: `compensation_by_cause` in the JSON."""
    text = str(r["compensation_given"])
    if r.get("compensation_value_by_currency"):
        text += f" (value {format_major_totals(r['compensation_value_by_currency'])})"
    return text


def _period(r: dict[str, Any], tz: tzinfo) -> str:
    since = r["since"].astimezone(tz).strftime("%Y-%m-%d") if r["since"] else "the beginning"
    return f"{since} to {r['until'].astimezone(tz).strftime('%Y-%m-%d %H:%M')}"


def report(r: dict[str, Any], fmt: str, tz: tzinfo, by: str) -> None:
    if fmt == "json":
        output.emit_json(report_json(r, tz))
        return
    breakdown = r[f"by_{by}"]
    if fmt == "plain":
        lines = [f"complog report, {_period(r, tz)}", ""]
        lines += [f"  {k}: {v}" for k, v in key_figures(r)]
        lines += ["", f"By {by}"]
        lines += [_breakdown_plain(row, by, r["business_day_hours"]) for row in breakdown] or [
            "  none"
        ]
        lines += ["", "Opened vs resolved per week (oldest first)"]
        lines += [
            f"  opened   {sparkline([w['opened'] for w in r['weekly']])}",
            f"  resolved {sparkline([w['resolved'] for w in r['weekly']])}",
        ]
        lines += ["", "FAQ candidates (category, cause)"]
        lines += [
            f"  {f['complaints']}  {safe(f['category'], one_line=True)} / {f['cause']}"
            for f in r["faq_candidates"]
        ] or ["  none yet"]
        lines += ["", "Repeat customers"]
        lines += [
            f"  {c['complaints']}  {safe(c['customer'], one_line=True)}"
            for c in r["repeat_customers"][:10]
        ] or ["  none"]
        output.lines(lines)
        return
    _report_rich(r, tz, by, breakdown)


def _breakdown_plain(row: dict[str, Any], by: str, day_hours: float) -> str:
    text = f"  {safe(str(row[by]), one_line=True)}: opened {row['opened']}, resolved {row['resolved']}, median {hours(row['resolution_median_hours'], day_hours)}"
    if by == "owner":
        text += f", promises kept {percent(row['promise_keeping_rate'])} ({row['promises_kept_on_time']}/{row['promises_due']})"
    return text


def _report_rich(r: dict[str, Any], tz: tzinfo, by: str, breakdown: list[dict[str, Any]]) -> None:
    from rich import box
    from rich.columns import Columns
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    figures = Table.grid(padding=(0, 2))
    figures.add_column(style="bold")
    figures.add_column(justify="right")
    for label, value in key_figures(r):
        figures.add_row(label, value)
    renderables: list[Any] = [
        Panel(
            figures,
            title=Text(f"complog report, {_period(r, tz)}", style="bold"),
            title_align="left",
            expand=False,
        )
    ]

    table = Table(
        title=f"By {by}",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column(by.capitalize(), overflow="fold", max_width=24)
    table.add_column("Opened", justify="right")
    table.add_column("Resolved", justify="right")
    table.add_column("Median", justify="right")
    table.add_column("", no_wrap=True)
    if by == "owner":
        table.add_column("Kept", justify="right")
    top = max((row["opened"] for row in breakdown), default=0)
    for row in breakdown:
        cells: list[Any] = [Text(safe(str(row[by]), one_line=True)), str(row["opened"]), str(row["resolved"]),
                            hours(row["resolution_median_hours"], r["business_day_hours"]), Text(bar(row["opened"], top, 16), style="cyan")]  # fmt: skip
        if by == "owner":
            kept = row["promise_keeping_rate"]
            style = (
                "green"
                if kept is not None and kept >= 0.9
                else "yellow"
                if kept is not None and kept >= 0.7
                else "red"
            )
            cells.append(
                Text(
                    f"{percent(kept)} ({row['promises_kept_on_time']}/{row['promises_due']})",
                    style=style,
                )
            )
        table.add_row(*cells)
    renderables.append(table)

    weekly = r["weekly"]
    trend = Table.grid(padding=(0, 1))
    trend.add_column(style="bold")
    trend.add_column()
    trend.add_row("opened", Text(sparkline([w["opened"] for w in weekly]), style="yellow"))
    trend.add_row("resolved", Text(sparkline([w["resolved"] for w in weekly]), style="green"))
    if weekly:
        trend.add_row("", Text(f"{weekly[0]['week']} … {weekly[-1]['week']} (weeks)", style="dim"))
    faq = Table(
        title="FAQ candidates",
        title_justify="left",
        title_style="bold",
        box=None,
        show_header=False,
        pad_edge=False,
    )
    faq.add_column(justify="right")
    faq.add_column(overflow="fold")
    for f in r["faq_candidates"][:6]:
        faq.add_row(
            str(f["complaints"]), Text(f"{safe(f['category'], one_line=True)} / {f['cause']}")
        )
    if not r["faq_candidates"]:
        faq.add_row("", Text("none yet", style="dim"))
    renderables.append(
        Columns(
            [Panel(trend, title="Opened vs resolved per week", title_align="left"), faq],
            padding=(0, 4),
        )
    )
    if r["repeat_customers"]:
        repeat = ", ".join(
            f"{safe(c['customer'], one_line=True)} ({c['complaints']})"
            for c in r["repeat_customers"][:8]
        )
        renderables.append(Text("Repeat customers: " + repeat))
    output.show(*renderables)
