"""`report --html`: one self-contained page (inline CSS and SVG, no scripts, no network).

The charts are drawn here as plain SVG from `charts.Chart` values, the same data
the terminal and the JSON `charts` list show: one scale per chart (every series
drawn together shares its axis), partial weeks hatched and named, "(none)"
groups apart from the ranking. A print stylesheet lays the page out on A4.
"""

from __future__ import annotations

import html
from datetime import datetime, tzinfo
from typing import Any

from complog import __version__
from complog.charts import Chart, report_charts
from complog.render.report import hours, key_figures, percent, weeks_note
from complog.render.text import safe
from complog.reporting import OwnerRow, Report

#: rows of the page's ranked tables (FAQ candidates, repeat customers)
PAGE_ROWS = 20
COLOURS = ("#2680c2", "#3ebd93", "#f0b429", "#ef4e4e", "#9446ed", "#627d98")

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
header { background: #243b53; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: .8; }
main { padding: 24px 32px; max-width: 1200px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; margin-bottom: 24px; }
.card { background: #fff; border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #627d98; }
.card .value { font-size: 22px; font-weight: 600; margin-top: 4px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 16px; }
figure.chart { margin: 0; background: #fff; border-radius: 8px; padding: 10px 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); break-inside: avoid; }
figure.chart h3 { margin: 0 0 6px; font-size: 15px; }
figure.chart svg { width: 100%; height: auto; display: block; }
figure.chart figcaption { font-size: 12px; color: #627d98; margin-top: 4px; }
svg text { font: 11px system-ui, sans-serif; fill: #334e68; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
table { border-collapse: collapse; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
th, td { padding: 6px 12px; text-align: left; border-bottom: 1px solid #e4e7eb; }
th { background: #f0f4f8; font-size: 13px; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
footer { color: #829ab1; font-size: 12px; padding: 16px 32px 32px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 10pt; }
  header { background: none; color: #000; padding: 0 0 6px; border-bottom: 1px solid #000; }
  main { padding: 8px 0; max-width: none; }
  .cards { grid-template-columns: repeat(4, 1fr); gap: 6px; }
  .card, figure.chart, table { box-shadow: none; border: 1px solid #bcccdc; }
  .card .value { font-size: 14pt; }
  .charts { grid-template-columns: 1fr 1fr; gap: 8px; }
  figure.chart, table, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  footer { padding: 8px 0; }
}
"""

_W, _H = 560, 230  # the drawing's own units; CSS scales it to the column
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 10, 8, 46


def _e(value: Any) -> str:
    """Text on the page, escaped and inert: the page may go to a terminal (`--html -`),
    and a bidi override in a name would reorder the page's text around it."""
    return html.escape(safe(str(value)))


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "rate":
        return f"{value * 100:.0f}%"
    if unit == "score":
        return f"{value:.1f}"
    if unit == "complaints":
        return f"{value:g}"
    return f"{value:,.2f}"


def _ticks(chart: Chart) -> list[float]:
    """About five round ticks on the chart's one scale."""
    if chart.unit == "rate":
        return [0, 0.25, 0.5, 0.75, 1.0]
    span = chart.top - chart.bottom
    raw = span / 5 if span > 0 else 1
    step = next(s * 10**e for e in range(-2, 12) for s in (1, 2, 5) if s * 10**e >= raw)
    if chart.unit == "complaints":
        step = max(step, 1)
    ticks, t = [], chart.bottom
    while t <= chart.top + 1e-9:
        ticks.append(round(t, 6))
        t += step
    return ticks


def _columns(chart: Chart) -> tuple[str, int]:
    """Columns (grouped per label) or, for rates and scores over weeks, lines with dots."""
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    span = (chart.top - chart.bottom) or 1
    n = max(len(chart.labels), 1)
    slot = plot_w / n

    def y(v: float) -> float:
        return _TOP + plot_h - (min(max(v, chart.bottom), chart.top) - chart.bottom) / span * plot_h

    parts = []
    for t in _ticks(chart):
        parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e4e7eb"/>'
                     f'<text x="{_LEFT - 4}" y="{y(t) + 4:.1f}" text-anchor="end">{_e(_fmt(t, chart.unit))}</text>')  # fmt: skip
    for i, partial in enumerate(chart.partial):
        if partial:
            parts.append(f'<rect class="partial" x="{_LEFT + i * slot:.1f}" y="{_TOP}" width="{slot:.1f}" '
                         f'height="{plot_h}" fill="url(#hatch-{chart.key})"><title>partial week</title></rect>')  # fmt: skip
    lines = chart.unit in ("rate", "score")
    group = len(chart.series)
    for k, s in enumerate(chart.series):
        colour = COLOURS[k % len(COLOURS)]
        points = []
        for i, v in enumerate(s.values):
            if v is None:
                continue
            label = f"{chart.labels[i]} {s.name}: {_fmt(v, chart.unit)}"
            if lines:
                cx = _LEFT + (i + 0.5) * slot
                points.append(f"{cx:.1f},{y(v):.1f}")
                parts.append(f'<circle class="point" data-series="{_e(s.name)}" data-value="{v:g}" cx="{cx:.1f}" '
                             f'cy="{y(v):.1f}" r="3" fill="{colour}"><title>{_e(label)}</title></circle>')  # fmt: skip
            else:
                width = slot * 0.8 / group
                x = _LEFT + i * slot + slot * 0.1 + k * width
                parts.append(f'<rect class="bar" data-series="{_e(s.name)}" data-value="{v:g}" x="{x:.1f}" '
                             f'y="{y(v):.1f}" width="{max(width - 1, 1):.1f}" height="{y(chart.bottom) - y(v):.1f}" '
                             f'fill="{colour}"><title>{_e(label)}</title></rect>')  # fmt: skip
        if lines and len(points) > 1:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
            )
    every = max(1, -(-n // 14))  # at most ~14 labels under the axis
    for i, label in enumerate(chart.labels):
        if i % every:
            continue
        shown = label[5:] if len(label) == 10 and label[4] == "-" else label  # 2026-11-16 -> 11-16
        if chart.partial and chart.partial[i]:
            shown += "*"
        cx = _LEFT + (i + 0.5) * slot
        parts.append(f'<text x="{cx:.1f}" y="{_TOP + plot_h + 14}" text-anchor="end" '
                     f'transform="rotate(-35 {cx:.1f} {_TOP + plot_h + 14})">{_e(shown)}</text>')  # fmt: skip
    parts.append(
        f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(chart.bottom):.1f}" y2="{y(chart.bottom):.1f}" stroke="#9fb3c8"/>'
    )
    return "".join(parts), _H


def _bars(chart: Chart) -> tuple[str, int]:
    """One horizontal bar per group (one per series within it), the "(none)" group
    drawn apart below a rule, a dashed marker where the limit is passed."""
    rows: list[tuple[str, list[float | None]]] = [
        (label, [s.values[i] for s in chart.series]) for i, label in enumerate(chart.labels)
    ]
    apart: list[tuple[str, list[float | None]]] = [(label, [value]) for label, value in chart.apart]
    label_w, row_h = 150, 14 * max(len(chart.series), 1) + 8
    plot_w = _W - label_w - 60
    span = (chart.top - chart.bottom) or 1
    height = _TOP + row_h * (len(rows) + len(apart)) + (14 if apart else 0) + 10
    parts = []
    y0 = _TOP

    def draw(label: str, values: list[float | None], top: float, cls: str) -> None:
        parts.append(
            f'<text x="{label_w - 6}" y="{top + row_h / 2 + 4:.1f}" text-anchor="end">{_e(label[:28])}</text>'
        )
        for k, v in enumerate(values):
            width = 0 if v is None else (v - chart.bottom) / span * plot_w
            colour = "#9fb3c8" if cls == "apart" else COLOURS[k % len(COLOURS)]
            name = chart.series[k].name if k < len(chart.series) else ""
            by = top + 4 + k * 14
            parts.append(f'<rect class="{cls}" data-series="{_e(name)}" data-value="{"" if v is None else f"{v:g}"}" '
                         f'x="{label_w}" y="{by:.1f}" width="{max(width, 0):.1f}" height="12" fill="{colour}">'
                         f'<title>{_e(label)} {_e(name)}: {_e(_fmt(v, chart.unit))}</title></rect>'
                         f'<text x="{label_w + max(width, 0) + 4:.1f}" y="{by + 10:.1f}">{_e(_fmt(v, chart.unit))}</text>')  # fmt: skip

    for i, (label, values) in enumerate(rows):
        if chart.limit_at is not None and i == chart.limit_at:
            parts.append(f'<line class="limit" x1="4" x2="{_W - 4}" y1="{y0:.1f}" y2="{y0:.1f}" stroke="#ef4e4e" '
                         f'stroke-dasharray="4 3"/><text x="{_W - 6}" y="{y0 - 3:.1f}" text-anchor="end" '
                         f'style="fill:#ef4e4e">past the limit</text>')  # fmt: skip
        draw(label, values, y0, "bar")
        y0 += row_h
    if apart:
        parts.append(
            f'<line x1="4" x2="{_W - 4}" y1="{y0 + 6:.1f}" y2="{y0 + 6:.1f}" stroke="#bcccdc"/>'
        )
        y0 += 14
        for label, values in apart:
            draw(label, values, y0, "apart")
            y0 += row_h
    return "".join(parts), int(height)


def chart_svg(chart: Chart) -> str:
    """One chart as a figure: title, SVG, legend and what the reader should know."""
    if chart.kind == "bars":
        body, height = _bars(chart)
    else:
        body, height = _columns(chart)
    empty = chart.is_empty()
    if empty:
        body += f'<text x="{_W / 2}" y="{height / 2}" text-anchor="middle">nothing to show in this period</text>'
    hatch = (f'<defs><pattern id="hatch-{chart.key}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
             '<rect width="3" height="6" fill="#f0f4f8"/></pattern></defs>')  # fmt: skip
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" role="img" '
           f'aria-label="{_e(chart.title)}">{hatch}{body}</svg>')  # fmt: skip
    legend = ""
    if len(chart.series) > 1:
        legend = '<div class="legend">' + "".join(
            f'<span><i style="background:{COLOURS[k % len(COLOURS)]}"></i>{_e(s.name)}</span>'
            for k, s in enumerate(chart.series)
        ) + "</div>"  # fmt: skip
    notes = []
    if any(chart.partial):
        notes.append("* partial week (hatched): the period covers only part of it")
    if chart.more:
        notes.append(f"… and {chart.more} more")
    if chart.apart:
        notes.append("(none): not recorded, shown apart from the ranking")
    caption = f"<figcaption>{_e('; '.join(notes))}</figcaption>" if notes else ""
    return (f'<figure class="chart" data-chart="{_e(chart.key)}" data-empty="{str(empty).lower()}">'
            f"<h3>{_e(chart.title)}</h3>{svg}{legend}{caption}</figure>")  # fmt: skip


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{_e(v)}</td>' if i in numeric else f"<td>{_e(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body or '<tr><td>none</td></tr>'}</tbody></table>"


def _more(total: int) -> str:
    return f'<p class="more">… and {total - PAGE_ROWS} more</p>' if total > PAGE_ROWS else ""


def report_page(r: Report, tz: tzinfo, now: datetime) -> str:
    since = r.since.astimezone(tz).strftime("%d %b %Y") if r.since else "the beginning"
    until = r.until.astimezone(tz).strftime("%d %b %Y %H:%M")
    cards = "".join(
        f'<div class="card"><div class="label">{_e(k)}</div><div class="value">{_e(v)}</div></div>'
        for k, v in key_figures(r)
    )
    charts = "".join(chart_svg(chart) for chart in report_charts(r))
    owners = _table(
        ["Owner", "Opened", "Resolved", "Median resolution", "Promises due", "Kept on time", "Keeping rate"],
        [[o.label, o.opened, o.resolved, hours(o.resolution_median_hours, r.business_day_hours), o.promises_due,
          o.promises_kept_on_time, percent(o.promise_keeping_rate)] for o in r.by_owner if isinstance(o, OwnerRow)],
        {1, 2, 4, 5},
    )  # fmt: skip
    faq = _table(
        ["Category", "Cause", "Complaints"],
        [[f.category, f.cause, f.complaints] for f in r.faq_candidates[:PAGE_ROWS]],
        {2},
    ) + _more(len(r.faq_candidates))
    repeat = _table(
        ["Customer", "Complaints"],
        [[c.customer, c.complaints] for c in r.repeat_customers[:PAGE_ROWS]],
        {1},
    ) + _more(len(r.repeat_customers))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>complog report, {_e(since)} to {_e(until)}</title>
<style>{_CSS}</style></head>
<body>
<header><h1>Complaints report</h1><p>{_e(since)} to {_e(until)} ({_e(tz)}); durations in business hours</p></header>
<main>
<div class="cards">{cards}</div>
<p class="weeks">Weekly charts: {_e(weeks_note(r).replace("left out", "marked *"))}.</p>
<div class="charts">{charts}</div>
<h2>Promise keeping and resolution per owner</h2>{owners}
<h2>FAQ candidates: what keeps happening</h2>{faq}
<h2>Repeat customers</h2>{repeat}
</main>
<footer>Generated by complog {_e(__version__)} on {_e(now.astimezone(tz).strftime("%Y-%m-%d %H:%M"))}.</footer>
</body></html>
"""
