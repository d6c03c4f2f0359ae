"""The report's charts as data: what each chart draws, on which scale.

One `Chart` is drawn three ways (terminal sparklines and bars, HTML SVG, the
JSON `charts` list) from the same values, so a test can check a chart through
its data. Rules that keep the charts honest live here, once:

* one scale per chart: every series drawn together shares `top` (opened and
  resolved on one axis, not each stretched to its own maximum);
* a week the period covers only in part is flagged in `partial` (the terminal
  leaves it out and says so, the page marks it);
* a "(none)" group (no category, no cause recorded) is kept `apart` instead of
  ranked among the real ones;
* rates are drawn on 0-100%, scores on their own 1-5 range, money per currency.

Pure: a `reporting.Report` in, `Chart`s out.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from complog.reporting import BreakdownRow, Report, Week

#: how many groups a ranked chart (causes, categories, owners) shows
TOP = 8
_NONE = "(none)"

# exponents of the currencies the logbook may meet; others have two
_EXPONENT = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3}


def major(minor: int, currency: str) -> float:
    return minor / float(10 ** _EXPONENT.get(currency, 2))


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    #: "columns": one column per label (time runs left to right); "bars": one
    #: horizontal bar per label (ranked groups)
    kind: str
    unit: str  # complaints, rate, score, hours, or an ISO 4217 currency code
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    #: the one scale: every series is drawn from `bottom` to `top`
    bottom: float
    top: float
    partial: tuple[bool, ...] = ()
    #: groups shown apart from the ranking: ("(none)", 12)
    apart: tuple[tuple[str, float], ...] = ()
    #: groups left out of the ranking (shown as "… and N more")
    more: int = 0
    #: the index of the first label past a limit (resolve_within), for a marker
    limit_at: int | None = None
    note: str = ""

    def is_empty(self) -> bool:
        return not any(v for s in self.series for v in s.values if v)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "unit": self.unit,
            "labels": list(self.labels),
            "series": [{"name": s.name, "values": list(s.values)} for s in self.series],
            "scale": [self.bottom, self.top],
            "partial": list(self.partial),
            "apart": [{"label": label, "value": value} for label, value in self.apart],
            "more": self.more,
            "limit_at": self.limit_at,
            "note": self.note,
        }


def _top(*series: tuple[float | None, ...], floor: float = 1) -> float:
    """The largest value of every series drawn together (at least `floor`)."""
    return max([v for values in series for v in values if v is not None] + [floor])


def _weekly(
    key: str, title: str, weeks: tuple[Week, ...], unit: str, **series: tuple[float | None, ...]
) -> Chart:
    if unit == "rate":
        bottom, top = 0.0, 1.0
    elif unit == "score":
        bottom, top = 0.0, 5.0
    else:
        bottom, top = 0.0, _top(*series.values())
    return Chart(
        key=key, title=title, kind="columns", unit=unit,
        labels=tuple(w.week for w in weeks),
        series=tuple(Series(name.replace("_", " "), values) for name, values in series.items()),
        bottom=bottom, top=top, partial=tuple(w.partial for w in weeks),
    )  # fmt: skip


def _ranked(key: str, title: str, rows: tuple[BreakdownRow, ...]) -> Chart:
    ranked = [r for r in rows if r.label != _NONE and r.opened]
    apart = tuple((r.label, float(r.opened)) for r in rows if r.label == _NONE and r.opened)
    shown = ranked[:TOP]
    values = tuple(float(r.opened) for r in shown)
    return Chart(
        key=key, title=title, kind="bars", unit="complaints",
        labels=tuple(r.label for r in shown), series=(Series("opened", values),),
        bottom=0.0, top=_top(values, tuple(v for _, v in apart)), apart=apart,
        more=len(ranked) - len(shown),
    )  # fmt: skip


def resolution_buckets(day: float) -> list[tuple[str, float, float]]:
    """Resolution-time buckets in business hours, by the logbook's working day."""
    return [
        (f"< {day / 2:g}h", 0, day / 2),
        (f"{day / 2:g}–{day:g}h", day / 2, day),
        ("1–2 days", day, 2 * day),
        ("2–5 days", 2 * day, 5 * day),
        ("5–10 days", 5 * day, 10 * day),
        ("> 10 days", 10 * day, float("inf")),
    ]


def report_charts(r: Report) -> list[Chart]:
    """Every chart of the report, in the order the page shows them."""
    weeks = r.weekly
    bounds = resolution_buckets(r.business_day_hours)
    hours = r.resolution_hours  # sorted: each bucket is two bisections, not a pass
    buckets = tuple(float(bisect_left(hours, hi) - bisect_left(hours, lo)) for _, lo, hi in bounds)
    charts = [
        _weekly("volume", "Opened and resolved per week", weeks, "complaints",
                opened=tuple(float(w.opened) for w in weeks),
                resolved=tuple(float(w.resolved) for w in weeks)),
        _weekly("backlog", "Open complaints at the end of each week", weeks, "complaints",
                open=tuple(float(w.backlog) for w in weeks)),
        _weekly("service_levels", "Service levels per week", weeks, "rate",
                acknowledged_in_time=tuple(w.acknowledged_in_time_rate for w in weeks),
                resolved_in_time=tuple(w.resolved_in_time_rate for w in weeks),
                promises_kept=tuple(w.promise_keeping_rate for w in weeks)),
        Chart(
            key="open_age", title=f"Age of open complaints (resolve within {r.resolve_within})",
            kind="bars", unit="complaints", labels=tuple(b.bucket for b in r.open_age),
            series=(Series("open", tuple(float(b.complaints) for b in r.open_age)),),
            bottom=0.0, top=_top(tuple(float(b.complaints) for b in r.open_age)),
            limit_at=next((i for i, b in enumerate(r.open_age) if b.over_limit), None),
        ),
        _owner_load(r),
        Chart(
            key="resolution_time", title="Time to resolution (business hours)", kind="columns",
            unit="complaints", labels=tuple(label for label, _, _ in bounds),
            series=(Series("complaints", buckets),), bottom=0.0, top=_top(buckets),
        ),
        _keeping(r),
        _ranked("causes", "Top causes (complaints opened)", r.by_cause),
        _ranked("categories", "Top categories (complaints opened)", r.by_category),
        _ranked("channels", "Complaints by channel (opened)", r.by_channel),
        _weekly("satisfaction", "Mean satisfaction (1–5) of complaints resolved per week",
                weeks, "score", satisfaction=tuple(w.satisfaction_mean for w in weeks)),
        _weekly("compensation_given", "Compensation given per week", weeks, "complaints",
                given=tuple(float(w.compensation_given) for w in weeks)),
    ]  # fmt: skip
    currencies = sorted({c for w in weeks for c in w.compensation})
    for currency in currencies:
        charts.append(
            _weekly(f"compensation_{currency}", f"Compensation value per week ({currency})",
                    weeks, currency, **{currency: tuple(major(w.compensation.get(currency, 0),
                                                              currency) for w in weeks)})
        )  # fmt: skip
    return charts


def _owner_load(r: Report) -> Chart:
    shown = r.owner_load[:TOP]
    open_ = tuple(float(o.open) for o in shown)
    over = tuple(float(o.over_limit) for o in shown)
    return Chart(
        key="owner_load", title=f"Open complaints per owner (and past {r.resolve_within})",
        kind="bars", unit="complaints", labels=tuple(o.owner for o in shown),
        series=(Series("open", open_), Series(f"past {r.resolve_within}", over)),
        bottom=0.0, top=_top(open_, over), more=len(r.owner_load) - len(shown),
    )  # fmt: skip


def _keeping(r: Report) -> Chart:
    owners = [o for o in r.by_owner if o.promises_due]
    shown = owners[:TOP]
    return Chart(
        key="promise_keeping", title="Promises kept on time, per owner", kind="bars",
        unit="rate", labels=tuple(o.label for o in shown),
        series=(Series("kept on time", tuple(o.promise_keeping_rate for o in shown)),),
        bottom=0.0, top=1.0, more=len(owners) - len(shown),
    )  # fmt: skip
