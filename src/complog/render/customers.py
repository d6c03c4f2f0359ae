"""Views of customers: one customer's history, the top callers, search hits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from complog.money import (
    Money,
    format_major_totals,
    is_free_visit,
    major,
    major_totals,
    single_total,
    totals,
)
from complog.render import output, shapes
from complog.render.columns import Column
from complog.render.listing import Listing
from complog.render.listing import show as show_listing
from complog.render.text import friendly, iso, local, safe
from complog.rows import ComplaintDetail, CustomerHistory, CustomerSummary, SearchHit


def history_json(h: CustomerHistory, now: datetime, tz: tzinfo) -> dict[str, Any]:
    """Everything held about one customer: also their data export (right of access)."""
    c = h.customer
    promises = h.promises()
    given = totals(value for d in h.complaints for _, value, _ in _compensations(d))
    lost = totals(d.complaint.loss_money for d in h.complaints)
    return {
        "customer": c.name,
        "customer_detail": {
            "id": c.id, "name": c.name, "phone": c.phone, "email": c.email, "notes": c.notes,
            "created_at": iso(c.created_at, tz),
        },
        "complaints_count": len(h.complaints),
        "open": sum(1 for d in h.complaints if d.complaint.status == "open"),
        "promises_kept": sum(1 for p in promises if p.status == "kept" and not p.broken(now)),
        "promises_broken": sum(1 for p in promises if p.broken(now)),
        "escalations": sum(len(d.escalations) for d in h.complaints),
        "compensation": [
            {"complaint_id": d.complaint.id, "compensation": text, "value": _value(value),
             "currency": value.currency if value else None, "reopened": reopened}
            for d in h.complaints for text, value, reopened in _compensations(d) if text
        ],
        # per currency, never added across currencies; the single-figure keys are
        # null when amounts are in more than one currency
        "compensation_value": single_total(given),
        "compensation_value_by_currency": major_totals(given),
        "loss_total": single_total(lost),
        "loss_total_by_currency": major_totals(lost),
        "free_visits": free_visits(h),
        "causes": dict(Counter(d.complaint.cause for d in h.complaints if d.complaint.cause)),
        "complaints": [shapes.show_json(d, now, tz) for d in h.complaints],
    }  # fmt: skip


def _compensations(d: ComplaintDetail) -> list[tuple[str | None, Money | None, bool]]:
    """Everything given on a complaint over its life: before reopens, then now."""
    given = [(r.compensation, r.compensation_money, True) for r in d.past_resolutions]
    return [*given, (d.complaint.compensation, d.complaint.compensation_money, False)]


def _value(money: Money | None) -> float | None:
    return None if money is None else major(money)


def free_visits(h: CustomerHistory) -> int:
    """Compensation is free text; visits given free are the entries that say so."""
    return sum(1 for d in h.complaints for text, _, _ in _compensations(d) if is_free_visit(text))


def history(h: CustomerHistory, fmt: str, now: datetime, tz: tzinfo) -> None:
    data = history_json(h, now, tz)
    if fmt == "json":
        output.emit_json(data)
        return
    if fmt == "csv":
        output.emit_csv(
            [shapes.complaint_json(d.complaint, tz) for d in h.complaints],
            list(shapes.complaint_json(h.complaints[0].complaint, tz)) if h.complaints else ["id"],
        )
        return
    c = h.customer
    contact = "  ".join(v for v in (c.phone, c.email) if v)
    causes = ", ".join(f"{k} {v}" for k, v in data["causes"].items()) or "none recorded"
    head = [
        f"{safe(c.name, one_line=True)}" + (f"  {safe(contact, one_line=True)}" if contact else ""),
        f"{data['complaints_count']} complaints ({data['open']} open); promises kept {data['promises_kept']},"
        f" broken {data['promises_broken']}; escalations {data['escalations']}",
        f"Causes: {causes}; compensation given {len(data['compensation'])}"
        + (
            f" ({format_major_totals(data['compensation_value_by_currency'])})"
            if data["compensation_value_by_currency"]
            else ""
        )
        + f", free visits {data['free_visits']}"
        + (
            f"; losses claimed {format_major_totals(data['loss_total_by_currency'])}"
            if data["loss_total_by_currency"]
            else ""
        ),
    ]
    notes = h.notes()[-8:]
    if fmt == "plain":
        lines = head + ["", "Complaints"]
        lines += [
            f"  #{d.complaint.id} {d.complaint.status:<8} {local(d.complaint.opened_at, tz)}  {safe(d.complaint.summary, one_line=True)}"
            + (f"  -> {safe(d.complaint.outcome, one_line=True)}" if d.complaint.outcome else "")
            for d in h.complaints
        ]
        lines += ["", "Latest interactions"]
        lines += [
            f"  {local(n.at, tz)}  #{n.complaint_id} {n.direction:<8} {n.channel:<6} {safe(n.text, one_line=True)}"
            for n in notes
        ] or ["  none"]
        output.lines(lines)
        return
    from rich import box
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title="Complaints",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for name, kw in (("#", {"justify": "right", "style": "dim"}), ("Status", {}), ("Opened", {"no_wrap": True}),
                     ("Summary", {"overflow": "fold"}), ("Outcome", {"overflow": "fold"})):  # fmt: skip
        table.add_column(name, **kw)
    for d in h.complaints:
        x = d.complaint
        table.add_row(str(x.id), Text(x.status, style="green" if x.status == "resolved" else "yellow"),
                      friendly(x.opened_at, now, tz), Text(safe(x.summary, one_line=True)),
                      Text(safe(x.outcome or "", one_line=True) + (f" ({x.cause})" if x.cause else "")))  # fmt: skip
    contacts = Table(
        title="Latest interactions",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for name in ("When", "#", "Dir", "Text"):
        contacts.add_column(
            name, overflow="fold" if name == "Text" else "ellipsis", no_wrap=name != "Text"
        )
    for n in reversed(notes):
        contacts.add_row(
            friendly(n.at, now, tz),
            str(n.complaint_id),
            f"{n.direction} {n.channel}",
            Text(safe(n.text, one_line=True)),
        )
    output.show(
        Panel(
            "\n".join(safe(x) for x in head[1:]),
            title=Text(head[0], style="bold"),
            title_align="left",
        ),
        table,
        contacts,
    )


def _customers_listing(
    rows: Sequence[CustomerSummary], now: datetime, tz: tzinfo
) -> Listing[CustomerSummary]:
    from rich.text import Text

    top = max((r.complaints for r in rows), default=1)
    return Listing(
        json=lambda r: {"customer": r.customer, "complaints": r.complaints, "open": r.open,
                        "last_at": iso(r.last_at, tz)},
        csv=["customer", "complaints", "open", "last_at"],
        plain=[lambda r: str(r.complaints), lambda r: str(r.open), lambda r: local(r.last_at, tz),
               lambda r: r.customer],
        columns=[
            Column("Customer", lambda r: Text(safe(r.customer, one_line=True)), options={"overflow": "fold"}),
            Column("Complaints", lambda r: f"{r.complaints} {'█' * max(1, round(10 * r.complaints / top))}",
                   options={"justify": "right"}),
            Column("Open", lambda r: str(r.open or ""), options={"justify": "right"}),
            Column("Last", lambda r: friendly(r.last_at, now, tz), options={"no_wrap": True}),
        ],
        empty="No customers yet.",
    )  # fmt: skip


def customers(rows: Sequence[CustomerSummary], fmt: str, now: datetime, tz: tzinfo) -> None:
    show_listing(_customers_listing(rows, now, tz), rows, fmt)


def _snippet_plain(snippet: str) -> str:
    return "".join(
        safe(part, one_line=True) if i % 2 == 0 else f"«{safe(part, one_line=True)}»"
        for i, part in enumerate(_split_marks(snippet))
    )


def _split_marks(snippet: str) -> list[str]:
    """Alternate plain / highlighted pieces of an FTS snippet (\\x02 ... \\x03)."""
    pieces: list[str] = []
    rest = snippet
    while "\x02" in rest:
        before, _, after = rest.partition("\x02")
        match, _, rest = after.partition("\x03")
        pieces += [before, match]
    pieces.append(rest)
    return pieces


def _match(h: SearchHit) -> Any:
    from rich.text import Text

    text = Text()
    for i, part in enumerate(_split_marks(h.snippet)):
        text.append(safe(part, one_line=True), style="bold yellow" if i % 2 else "")
    return text


def _search_listing(tz: tzinfo) -> Listing[SearchHit]:
    from rich.text import Text

    return Listing(
        json=lambda h: shapes.complaint_json(h.complaint, tz)
        | {"snippet": _snippet_plain(h.snippet), "match": h.kind},
        csv=[*shapes.COMPLAINT_COLUMNS, "snippet", "match"],
        plain=[lambda h: f"#{h.complaint.id}", lambda h: h.complaint.status,
               lambda h: h.complaint.customer, lambda h: h.kind, lambda h: _snippet_plain(h.snippet)],
        columns=[
            Column("#", lambda h: str(h.complaint.id), options={"justify": "right", "style": "dim", "no_wrap": True}),
            Column("Customer", lambda h: Text(safe(h.complaint.customer, one_line=True)),
                   options={"max_width": 22, "overflow": "fold"}),
            Column("In", lambda h: h.kind, options={"no_wrap": True}),
            Column("Match", _match, options={"overflow": "fold"}),
        ],
        empty="No matches.",
    )  # fmt: skip


def search(hits: Sequence[SearchHit], fmt: str, now: datetime, tz: tzinfo) -> None:
    show_listing(_search_listing(tz), hits, fmt)
