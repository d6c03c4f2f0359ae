"""`report --html`: one self-contained page (inline CSS and SVG, no scripts, no network).

Charts are drawn by pygal (imported only here, ~95 ms) as SVG; its inline
tooltip script is removed so the page runs nothing and loads nothing.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, tzinfo
from typing import Any

from complog import __version__
from complog.render.report import hours, key_figures, percent

_SCRIPT = re.compile(r"<script\b.*?</script>|<!--.*?-->", re.S)

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
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
.chart { background: #fff; border-radius: 8px; padding: 8px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.chart svg { width: 100%; height: auto; }
h2 { font-size: 17px; margin: 28px 0 10px; }
table { border-collapse: collapse; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
th, td { padding: 6px 12px; text-align: left; border-bottom: 1px solid #e4e7eb; }
th { background: #f0f4f8; font-size: 13px; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
footer { color: #829ab1; font-size: 12px; padding: 16px 32px 32px; }
"""


def _buckets(day: float) -> list[tuple[str, float, float]]:
    """Resolution-time buckets in business hours, by the logbook's working day."""
    return [
        (f"< {day / 2:g}h", 0, day / 2),
        (f"{day / 2:g}–{day:g}h", day / 2, day),
        ("1–2 days", day, 2 * day),
        ("2–5 days", 2 * day, 5 * day),
        ("5–10 days", 5 * day, 10 * day),
        ("> 10 days", 10 * day, float("inf")),
    ]


def _e(value: Any) -> str:
    return html.escape(str(value))


def _count_axis(values: list[int]) -> dict[str, Any]:
    """Whole-number ticks for counts (pygal would otherwise label 0.2, 0.4, ...)."""
    top = max([v for v in values if v is not None] or [0])
    step = max(1, -(-top // 8))
    return {"y_labels": list(range(0, top + step, step)), "range": (0, max(top, 1))}


def _chart(chart: Any) -> str:
    return _SCRIPT.sub("", str(chart.render(is_unicode=True)))  # scripts and credit comments


def _charts(r: dict[str, Any]) -> list[str]:
    import pygal
    from pygal.style import Style

    style = Style(
        background="#ffffff", plot_background="#ffffff", foreground="#334e68", foreground_strong="#102a43",
        foreground_subtle="#9fb3c8", colors=("#2680c2", "#3ebd93", "#f0b429", "#ef4e4e", "#9446ed", "#627d98"),
        font_family="system-ui, sans-serif", title_font_size=16, label_font_size=12, major_label_font_size=12,
    )  # fmt: skip
    common: dict[str, Any] = {"style": style, "js": [], "disable_xml_declaration": True, "width": 640, "height": 340,
                              "show_y_guides": True, "print_values": False, "legend_at_bottom": True}  # fmt: skip
    out = []

    values = r["resolution_hours"]
    bounds = _buckets(r["business_day_hours"])
    buckets = [sum(1 for v in values if lo <= v < hi) for _, lo, hi in bounds]
    dist = pygal.Bar(
        title="Time to resolution (business hours)",
        show_legend=False,
        **common,
        **_count_axis(buckets),
    )
    dist.x_labels = [label for label, _, _ in bounds]
    dist.add("complaints", buckets)
    out.append(_chart(dist))

    counts = [w["opened"] for w in r["weekly"]] + [w["resolved"] for w in r["weekly"]]
    weekly = pygal.Bar(
        title="Opened vs resolved per week", x_label_rotation=40, **common, **_count_axis(counts)
    )
    weekly.x_labels = [w["week"][5:] for w in r["weekly"]]
    weekly.add("opened", [w["opened"] for w in r["weekly"]])
    weekly.add("resolved", [w["resolved"] for w in r["weekly"]])
    out.append(_chart(weekly))

    owners = [o for o in r["by_owner"] if o["promises_due"]]
    keeping = pygal.HorizontalBar(
        title="Promises kept on time, per owner (%)", show_legend=False, range=(0, 100), **common
    )
    keeping.x_labels = [str(o["owner"]) for o in owners]
    keeping.add("kept on time", [round((o["promise_keeping_rate"] or 0) * 100) for o in owners])
    out.append(_chart(keeping))

    top_causes, top_categories = r["by_cause"][:6], r["by_category"][:6]
    counts = [c["opened"] for c in top_causes + top_categories]
    causes = pygal.HorizontalBar(
        title="Top causes and categories (complaints opened)", **common, **_count_axis(counts)
    )
    causes.y_labels = None  # horizontal: the count axis is x
    causes.x_labels = [f"cause: {c['cause']}" for c in top_causes] + [
        f"category: {c['category']}" for c in top_categories
    ]
    causes.add("cause", [c["opened"] for c in top_causes] + [None] * len(top_categories))
    causes.add("category", [None] * len(top_causes) + [c["opened"] for c in top_categories])
    out.append(_chart(causes))
    return out


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


def report_page(r: dict[str, Any], tz: tzinfo, now: datetime) -> str:
    since = r["since"].astimezone(tz).strftime("%d %b %Y") if r["since"] else "the beginning"
    until = r["until"].astimezone(tz).strftime("%d %b %Y %H:%M")
    cards = "".join(
        f'<div class="card"><div class="label">{_e(k)}</div><div class="value">{_e(v)}</div></div>'
        for k, v in key_figures(r)
    )
    charts = "".join(f'<div class="chart">{svg}</div>' for svg in _charts(r))
    owners = _table(
        ["Owner", "Opened", "Resolved", "Median resolution", "Promises due", "Kept on time", "Keeping rate"],
        [[o["owner"], o["opened"], o["resolved"], hours(o["resolution_median_hours"], r["business_day_hours"]), o["promises_due"],
          o["promises_kept_on_time"], percent(o["promise_keeping_rate"])] for o in r["by_owner"]],
        {1, 2, 4, 5},
    )  # fmt: skip
    faq = _table(
        ["Category", "Cause", "Complaints"],
        [[f["category"], f["cause"], f["complaints"]] for f in r["faq_candidates"]],
        {2},
    )
    repeat = _table(
        ["Customer", "Complaints"],
        [[c["customer"], c["complaints"]] for c in r["repeat_customers"][:20]],
        {1},
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>complog report, {_e(since)} to {_e(until)}</title>
<style>{_CSS}</style></head>
<body>
<header><h1>Complaints report</h1><p>{_e(since)} to {_e(until)} ({_e(tz)}); durations in business hours</p></header>
<main>
<div class="cards">{cards}</div>
<div class="charts">{charts}</div>
<h2>Promise keeping and resolution per owner</h2>{owners}
<h2>FAQ candidates: what keeps happening</h2>{faq}
<h2>Repeat customers</h2>{repeat}
</main>
<footer>Generated by complog {_e(__version__)} on {_e(now.astimezone(tz).strftime("%Y-%m-%d %H:%M"))}.</footer>
</body></html>
"""
