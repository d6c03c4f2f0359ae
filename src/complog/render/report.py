"""The report on a terminal (Rich tables, bars, weekly sparklines on one scale per
chart) and as JSON (the typed report, plus the series behind every chart)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from complog.charts import Chart, report_charts
from complog.money import format_totals
from complog.render import output
from complog.render.columns import Column
from complog.render.columns import table as columns_table
from complog.render.text import clip, iso, safe
from complog.reporting import BreakdownRow, OwnerRow, Report

SPARKS = "▁▂▃▄▅▆▇█"
#: lists the terminal bounds, in plain and table format alike
FAQ_SHOWN = 6
REPEAT_SHOWN = 8
#: the widest group label a terminal chart shows (longer ones end in …)
LABEL_WIDTH = 24
#: the charts the terminal draws (the page draws them all)
TERMINAL_CHARTS = ("volume", "backlog", "service_levels", "satisfaction", "compensation_given",
                   "open_age", "owner_load", "channels", "causes", "categories")  # fmt: skip


def _jsonable(value: Any, tz: tzinfo) -> Any:
    """Datetimes, at any depth, as ISO-8601 in the logbook's zone."""
    if type(value) in (int, float, str, bool) or value is None:
        return value
    if isinstance(value, datetime):
        return iso(value, tz)
    if isinstance(value, list):
        if all(type(v) is float for v in value):
            return value
        return [_jsonable(v, tz) for v in value]
    if isinstance(value, dict):
        if _FLAT.issuperset(map(type, value.values())):
            return value  # no datetime inside (15,000 compensation entries in a large year)
        return {k: _jsonable(v, tz) for k, v in value.items()}
    return value


_FLAT = frozenset((int, float, str, bool, type(None)))


def report_json(report: Report, tz: tzinfo) -> dict[str, Any]:
    """SPEC's keys as released, then the added figures, then `charts`: the series
    behind every chart the page draws."""
    out: dict[str, Any] = _jsonable(report.as_dict(), tz)
    out["charts"] = [chart.as_dict() for chart in report_charts(report)]
    return out


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


def sparkline(values: Sequence[float | None], top: float | None = None, bottom: float = 0) -> str:
    """One character per value, scaled from `bottom` to `top`: pass the same `top` to
    every series drawn together so that they compare. None (nothing to measure that
    week) is a blank, not a zero."""
    if top is None:
        top = max([v for v in values if v is not None], default=0)
    span = top - bottom
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif span <= 0:
            out.append(SPARKS[0])
        else:
            level = round((min(max(v, bottom), top) - bottom) / span * (len(SPARKS) - 1))
            out.append(SPARKS[level])
    return "".join(out)


def bar(value: float, top: float, width: int = 20) -> str:
    if top <= 0:
        return ""
    filled = value / top * width
    return "█" * int(filled) + ("▌" if filled - int(filled) >= 0.5 else "")


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "rate":
        return percent(value)
    if unit == "score":
        return f"{value:.1f}"
    if unit in ("complaints", "hours"):
        return f"{value:g}"
    return f"{value:,.2f}"  # money, in major units of its currency


def _scale(chart: Chart) -> str:
    if chart.unit == "rate":
        return "0–100%"
    return f"{_number(chart.bottom, chart.unit)}–{_number(chart.top, chart.unit)}"


def weeks_note(r: Report) -> str:
    """Which weeks the trends show, and which partial ones they leave out."""
    full = r.full_weeks()
    partial = [w for w in r.weekly if w.partial]
    text = f"{full[0].week} … {full[-1].week}, {len(full)} full weeks" if full else "no full week"
    if partial:
        text += "; partial weeks left out: " + ", ".join(
            f"{w.week} ({w.days} of 7 days)" for w in partial
        )
    return text


def chart_lines(chart: Chart) -> list[str]:
    """A chart as short text lines: sparklines for weekly series (partial weeks left
    out), bars for ranked groups; every series of a chart on the chart's one scale."""
    safe_label = [clip(safe(label, one_line=True), LABEL_WIDTH) for label in chart.labels]
    if chart.kind == "columns":
        keep = [i for i in range(len(chart.labels)) if not (chart.partial and chart.partial[i])]
        lines = [f"{chart.title} (scale {_scale(chart)})"]
        width = max((len(s.name) for s in chart.series), default=0)
        for s in chart.series:
            values = [s.values[i] for i in keep]
            last = next((v for v in reversed(values) if v is not None), None)
            lines.append(
                f"  {s.name:<{width}}  {sparkline(values, chart.top, chart.bottom)}"
                f"  last {_number(last, chart.unit)}"
            )
        return lines
    lines = [chart.title]
    width = max([len(label) for label in safe_label] + [len(a) for a, _ in chart.apart] + [1])
    for i, label in enumerate(safe_label):
        if chart.limit_at is not None and i == chart.limit_at:
            lines.append(f"  {'past the limit':-^{width}}")
        first = chart.series[0].values[i] if chart.series else None
        figures = " · ".join(
            f"{_number(s.values[i], chart.unit)} {s.name}" if len(chart.series) > 1
            else _number(s.values[i], chart.unit)
            for s in chart.series
        )  # fmt: skip
        drawn = bar(first or 0, chart.top - chart.bottom, 20)
        lines.append(f"  {label:<{width}}  {drawn:<21} {figures}")
    if not chart.labels:
        lines.append("  none")
    if chart.more:
        lines.append(f"  … and {chart.more} more")
    for label, value in chart.apart:
        lines.append(f"  {label:<{width}}  {_number(value, chart.unit)} (apart: not recorded)")
    return lines


def bounded(rows: Sequence[str], shown: int, empty: str) -> list[str]:
    """The first `shown` rows and "… and N more", as the table shows them."""
    if not rows:
        return [f"  {empty}"]
    out = list(rows[:shown])
    if len(rows) > shown:
        out.append(f"  … and {len(rows) - shown} more")
    return out


def key_figures(r: Report) -> list[tuple[str, str]]:
    day = r.business_day_hours
    return [
        ("Opened / resolved / still open", f"{r.opened} / {r.resolved} / {r.open}"),
        ("First response, median (p90)", f"{hours(r.first_response_median_hours, day)} ({hours(r.first_response_p90_hours, day)})"),
        *([(f"Acknowledged within {r.acknowledge_within}", percent(r.acknowledged_within_rate))]
          if r.acknowledge_within else []),
        ("Resolution, median (p90)", f"{hours(r.resolution_median_hours, day)} ({hours(r.resolution_p90_hours, day)})"),
        (f"Resolved within {r.resolve_within}", percent(r.resolved_quickly_rate)),
        ("Promises kept on time", f"{percent(r.promise_keeping_rate)} ({r.promises_kept_on_time} of {r.promises_due} due)"),
        ("Reschedules", str(r.reschedules)),
        ("Escalated", percent(r.escalation_rate)),
        ("Customer confirmed", percent(r.confirmed_rate)),
        ("Satisfaction, mean", "–" if r.satisfaction_mean is None else f"{r.satisfaction_mean:.1f} / 5"),
        ("Compensation given", _compensation(r)),
        ("Customer losses on open complaints", format_totals(r.loss_open_minor) if r.loss_open_minor else "0"),
        (f"Open now, past {r.resolve_within}", f"{r.open_over_limit}"),
    ]  # fmt: skip


def _compensation(r: Report) -> str:
    """3 (value £120.00 + 5,00 €): how often, and how much per currency where an
    amount was written (never added up across currencies)."""
    text = str(r.compensation_given)
    if r.compensation_totals:
        text += f" (value {format_totals(r.compensation_totals)})"
    return text


def _period(r: Report, tz: tzinfo) -> str:
    since = r.since.astimezone(tz).strftime("%Y-%m-%d") if r.since else "the beginning"
    return f"{since} to {r.until.astimezone(tz).strftime('%Y-%m-%d %H:%M')}"


def _faq_rows(r: Report) -> list[str]:
    return [
        f"  {f.complaints}  {safe(f.category, one_line=True)} / {f.cause}" for f in r.faq_candidates
    ]


def _repeat_rows(r: Report) -> list[str]:
    return [f"  {c.complaints}  {safe(c.customer, one_line=True)}" for c in r.repeat_customers]


def terminal_charts(r: Report) -> list[Chart]:
    return [
        c for c in report_charts(r) if c.key in TERMINAL_CHARTS or c.key.startswith("compensation_")
    ]


def report(r: Report, fmt: str, tz: tzinfo, by: str) -> None:
    if fmt == "json":
        output.emit_json(report_json(r, tz))
        return
    breakdown = r.breakdown(by)
    if fmt == "plain":
        lines = [f"complog report, {_period(r, tz)}", ""]
        lines += [f"  {k}: {v}" for k, v in key_figures(r)]
        lines += ["", f"By {by}"]
        lines += [_breakdown_plain(row, r.business_day_hours) for row in breakdown] or ["  none"]
        lines += ["", f"Weekly trends: {weeks_note(r)}"]
        for chart in terminal_charts(r):
            lines += ["", *chart_lines(chart)]
        lines += ["", "FAQ candidates (category, cause)"]
        lines += bounded(_faq_rows(r), FAQ_SHOWN, "none yet")
        lines += ["", "Repeat customers"]
        lines += bounded(_repeat_rows(r), REPEAT_SHOWN, "none")
        output.lines(lines)
        return
    _report_rich(r, tz, by, breakdown)


def _breakdown_plain(row: BreakdownRow, day_hours: float) -> str:
    text = f"  {safe(row.label, one_line=True)}: opened {row.opened}, resolved {row.resolved}, median {hours(row.resolution_median_hours, day_hours)}"
    if isinstance(row, OwnerRow):
        text += f", promises kept {percent(row.promise_keeping_rate)} ({row.promises_kept_on_time}/{row.promises_due})"
    return text


def _kept(row: BreakdownRow) -> Any:
    from rich.text import Text

    assert isinstance(row, OwnerRow)
    kept = row.promise_keeping_rate
    style = "red" if kept is None or kept < 0.7 else "yellow" if kept < 0.9 else "green"
    return Text(f"{percent(kept)} ({row.promises_kept_on_time}/{row.promises_due})", style=style)


def _breakdown_columns(by: str, top: int, day_hours: float) -> list[Column[BreakdownRow]]:
    """The `By cause` (category, channel, owner) table; owners also show promises kept."""
    from rich.text import Text

    columns: list[Column[BreakdownRow]] = [
        Column(by.capitalize(), lambda row: Text(safe(row.label, one_line=True)),
               options={"overflow": "fold", "max_width": 24}),
        Column("Opened", lambda row: str(row.opened), options={"justify": "right"}),
        Column("Resolved", lambda row: str(row.resolved), options={"justify": "right"}),
        Column("Median", lambda row: hours(row.resolution_median_hours, day_hours),
               options={"justify": "right"}),
        Column("", lambda row: Text(bar(row.opened, top, 16), style="cyan"), options={"no_wrap": True}),
    ]  # fmt: skip
    if by == "owner":
        columns.append(Column("Kept", _kept, options={"justify": "right"}))
    return columns


def _report_rich(r: Report, tz: tzinfo, by: str, breakdown: Sequence[BreakdownRow]) -> None:
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

    top = max((row.opened for row in breakdown), default=0)
    columns = _breakdown_columns(by, top, r.business_day_hours)
    table = columns_table(f"By {by}", "bold", columns, breakdown)
    renderables.append(table)

    charts = Text()
    charts.append(f"Weekly trends: {weeks_note(r)}\n", style="dim")
    for chart in terminal_charts(r):
        title, *rest = chart_lines(chart)
        charts.append("\n" + title + "\n", style="bold")
        charts.append("\n".join(rest) + "\n")
    renderables.append(charts)
    faq = Text("FAQ candidates (category, cause)\n", style="bold")
    faq.append("\n".join(bounded(_faq_rows(r), FAQ_SHOWN, "none yet")), style="")
    renderables.append(faq)
    if r.repeat_customers:
        shown = r.repeat_customers[:REPEAT_SHOWN]
        repeat = ", ".join(f"{safe(c.customer, one_line=True)} ({c.complaints})" for c in shown)
        if len(r.repeat_customers) > len(shown):
            repeat += f" … and {len(r.repeat_customers) - len(shown)} more"
        renderables.append(Text("Repeat customers: " + repeat))
    output.show(*renderables)
