"""The views of the core commands, one function per listing, each in four formats."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, tzinfo
from itertools import groupby
from typing import TYPE_CHECKING, Any

from complog.money import Money
from complog.render import output, shapes
from complog.render.columns import Column, fit
from complog.render.columns import table as columns_table
from complog.render.listing import Listing, table_or_stacked
from complog.render.listing import show as show_listing
from complog.render.text import (
    HEAT_STYLES,
    clip,
    duration,
    friendly,
    heat_bar,
    local,
    one_line,
    safe,
)
from complog.rows import (
    ComplaintDetail,
    ComplaintRow,
    DueItem,
    DueList,
    EscalationRow,
    EventRow,
    MoneyAtRisk,
    NoteRow,
    PromiseRow,
    TimelineEntry,
    WaitingItem,
)

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

    from complog.doctor import Check

SECTION_TITLES = {"overdue": "Overdue", "today": "Today", "upcoming": "Next {days} days"}
SECTION_STYLES = {"overdue": "bold red", "today": "bold yellow", "upcoming": "bold cyan"}


def _heat(heat: int) -> Text:
    from rich.text import Text

    return Text(heat_bar(heat), style=HEAT_STYLES.get(heat, ""))


def _table(title: str | None = None, style: str = "") -> Table:
    from rich import box
    from rich.table import Table

    return Table(
        title=title, title_style=style, title_justify="left", box=box.SIMPLE_HEAD,
        pad_edge=False, expand=False, show_edge=False,
    )  # fmt: skip


# -- due -------------------------------------------------------------------------


def due(dl: DueList, fmt: str, now: datetime, tz: tzinfo, *, by_owner: bool = False) -> None:
    items = sorted(dl.items, key=lambda i: i.owner.lower()) if by_owner else list(dl.items)
    if fmt == "json":
        output.emit_json([shapes.due_json(i, tz) for i in items])
        return
    if fmt == "csv":
        rows = [shapes.due_json(i, tz) for i in items]
        output.emit_csv(rows, list(shapes.due_json(items[0], tz)) if items else _DUE_COLUMNS)
        return
    groups: list[tuple[str | None, list[DueItem]]]
    if by_owner:
        groups = [(o, list(g)) for o, g in groupby(items, key=lambda i: i.owner)]
    else:
        groups = [(None, items)]
    if fmt == "plain":
        output.lines(_due_plain(groups, dl, now, tz))
    else:
        _due_table(groups, dl, now, tz)


_DUE_COLUMNS = ["promise_id", "complaint_id", "customer", "summary", "text", "owner", "due_at",
                "section", "overdue_minutes", "heat"]  # fmt: skip


def _sections(items: Sequence[DueItem]) -> list[tuple[str, list[DueItem]]]:
    """Each section in due order: overdue comes most late first (the page the
    query cut is a prefix of this order)."""
    out = []
    for key in ("overdue", "today", "upcoming"):
        chosen = sorted((i for i in items if i.section == key), key=_due_order)
        out.append((key, chosen))
    return out


def _due_order(i: DueItem) -> tuple[datetime, int]:
    return (i.due_at, i.promise_id)


def _section_title(key: str, days: int, count: int) -> str:
    return f"{SECTION_TITLES[key].format(days=days)} ({count})"


def _more(total: int, shown: int) -> str | None:
    """The line under a cut section."""
    return f"… and {total - shown} more: complog due --all" if total > shown else None


def _due_plain(
    groups: list[tuple[str | None, list[DueItem]]], dl: DueList, now: datetime, tz: tzinfo
) -> list[str]:
    out: list[str] = []
    if not dl.items:
        out.append(f"Nothing due in the next {dl.days} days.")
    for owner, items in groups:
        if owner is not None:
            out.append(f"== {safe(owner, one_line=True)} ==")
        for key, chosen in _sections(items):
            if not chosen:
                continue
            total = dl.section_total(owner, key, len(chosen))
            out.append(_section_title(key, dl.days, total))
            for i in chosen:
                late = f"  {duration(i.overdue_minutes)} late" if key == "overdue" else ""
                out.append(
                    f"  P{i.promise_id}  #{i.complaint_id} {safe(i.customer, one_line=True)}"
                    f"  heat {i.heat}  {safe(i.text, one_line=True)}  ({safe(i.owner, one_line=True)})"
                    f"  due {friendly(i.due_at, now, tz)}{late}"
                )
            if more := _more(total, len(chosen)):
                out.append(f"  {more}")
    if dl.escalations:
        out.append(f"Escalations awaiting acknowledgement ({dl.escalation_count})")
        out.extend("  " + _escalation_line(e, now, tz) for e in dl.escalations)
        if more := _more(dl.escalation_count, len(dl.escalations)):
            out.append(f"  {more}")
    if dl.waiting:
        out.append(f"Waiting on the customer ({dl.waiting_total})")
        out.extend("  " + _waiting_line(w, now, tz) for w in dl.waiting)
        if more := _more(dl.waiting_total, len(dl.waiting)):
            out.append(f"  {more}")
    return out


def _waiting_line(w: WaitingItem, now: datetime, tz: tzinfo) -> str:
    return (
        f"#{w.complaint_id} {safe(w.customer, one_line=True)}  {safe(w.reason, one_line=True)}"
        f"  ({safe(w.owner, one_line=True)})  since {friendly(w.since, now, tz)}"
    )


def _at_risk(risk: MoneyAtRisk | None) -> str | None:
    """One line on the money customers say is at stake, when any was recorded."""
    if risk is None or not risk.open_complaints:
        return None
    from complog.money import format_totals

    line = (
        f"At stake: {format_totals(risk.open_loss)} claimed on {risk.open_complaints}"
        f" open complaint{'s' if risk.open_complaints != 1 else ''}"
    )
    if risk.overdue_complaints:
        line += (
            f", {format_totals(risk.overdue_loss)} of it on {risk.overdue_complaints}"
            " with a promise overdue"
        )
    return line


def _escalation_line(e: EscalationRow, now: datetime, tz: tzinfo) -> str:
    return (
        f"E{e.id}  #{e.complaint_id} {safe(e.customer, one_line=True)}  to {safe(e.to, one_line=True)}"
        f"  [{e.rule}] {safe(e.reason, one_line=True)}  {friendly(e.at, now, tz)}"
    )


def _due_columns(key: str, now: datetime, tz: tzinfo) -> list[Column[DueItem]]:
    """The columns of a due section, declared once; on a narrow terminal Heat goes
    first, then Owner, then P#: customer, promise, due and lateness stay."""
    from rich.text import Text

    def what(i: DueItem) -> Text:
        cell = Text(f"#{i.complaint_id} {safe(i.customer, one_line=True)}", style="bold")
        cell.append("\n" + safe(i.text, one_line=True), style="")
        return cell

    late: list[Column[DueItem]] = [
        Column("Late", lambda i: duration(i.overdue_minutes),
               options={"style": "bold red", "no_wrap": True, "justify": "right"}),
    ] if key == "overdue" else []  # fmt: skip
    return [
        Column("P#", lambda i: str(i.promise_id), priority=1,
               options={"justify": "right", "style": "dim", "no_wrap": True}),
        Column("Due", lambda i: friendly(i.due_at, now, tz), options={"no_wrap": True}),
        *late,
        Column("Heat", lambda i: _heat(i.heat), priority=3, options={"no_wrap": True}),
        Column("Customer · promise", what, flexible=True,
               options={"ratio": 1, "min_width": 16, "overflow": "fold"}),
        Column("Owner", lambda i: Text(safe(i.owner, one_line=True)), priority=2,
               options={"max_width": 12, "overflow": "ellipsis", "no_wrap": True}),
    ]  # fmt: skip


def _due_stacked(key: str, items: Sequence[DueItem], now: datetime, tz: tzinfo) -> list[Any]:
    """A due section too narrow for any table: one block per promise, the promise
    and its due time indented under the customer (wrapped lines too)."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    blocks: list[Any] = []
    for i in items:
        head = Text(f"P{i.promise_id} ", style="dim")
        head.append(f"#{i.complaint_id} {safe(i.customer, one_line=True)}", style="bold")
        body = Text(safe(i.text, one_line=True))
        body.append(f"\ndue {friendly(i.due_at, now, tz)}")
        if key == "overdue":
            body.append(f" · {duration(i.overdue_minutes)} late", style="bold red")
        body.append(f" · {safe(i.owner, one_line=True)}")
        blocks.append(Group(head, Padding(body, (0, 0, 0, 2), expand=False)))
    return blocks


def _escalation_columns(now: datetime, tz: tzinfo) -> list[Column[EscalationRow]]:
    from rich.text import Text

    def why(e: EscalationRow) -> Text:
        cell = Text(f"#{e.complaint_id} {safe(e.customer, one_line=True)}", style="bold")
        cell.append(f"\n[{e.rule}] {safe(e.reason, one_line=True)}", style="")
        return cell

    return [
        Column("E#", lambda e: str(e.id), priority=1,
               options={"justify": "right", "style": "dim", "no_wrap": True}),
        Column("When", lambda e: friendly(e.at, now, tz), priority=3, options={"no_wrap": True}),
        Column("Customer · why", why, flexible=True, options={"ratio": 1, "overflow": "fold"}),
        Column("To", lambda e: Text(safe(e.to, one_line=True)), priority=2,
               options={"max_width": 12, "overflow": "ellipsis", "no_wrap": True}),
    ]  # fmt: skip


def _waiting_columns(now: datetime, tz: tzinfo) -> list[Column[WaitingItem]]:
    from rich.text import Text

    def what(w: WaitingItem) -> Text:
        cell = Text(safe(w.customer, one_line=True), style="bold")
        cell.append("\n" + safe(w.reason, one_line=True), style="")
        return cell

    return [
        Column("#", lambda w: str(w.complaint_id), priority=1,
               options={"justify": "right", "style": "dim", "no_wrap": True}),
        Column("Since", lambda w: friendly(w.since, now, tz), priority=3, options={"no_wrap": True}),
        Column("Customer · waiting for", what, flexible=True, options={"ratio": 1, "overflow": "fold"}),
        Column("Owner", lambda w: Text(safe(w.owner, one_line=True)), priority=2,
               options={"max_width": 12, "overflow": "ellipsis", "no_wrap": True}),
    ]  # fmt: skip


def _due_layout(
    groups: list[tuple[str | None, list[DueItem]]], width: int, now: datetime, tz: tzinfo
) -> set[str] | None:
    """The due columns every section leaves out to fit `width` (one choice for all
    sections, so they read alike), or None when some section must be stacked."""
    dropped: set[str] = set()
    for _, items in groups:
        for key, chosen in _sections(items):
            if not chosen:
                continue
            columns = _due_columns(key, now, tz)
            fitted = fit(columns, chosen, width)
            if fitted is None:
                return None
            dropped |= {c.header for c in columns} - {c.header for c in fitted}
    return dropped


def _due_table(
    groups: list[tuple[str | None, list[DueItem]]], dl: DueList, now: datetime, tz: tzinfo
) -> None:
    from rich.text import Text

    console = output.stdout_console()
    if not dl.items:
        console.print(Text(f"Nothing due in the next {dl.days} days.", style="green"))
    dropped = _due_layout(groups, console.width, now, tz)
    for owner, items in groups:
        if owner is not None:
            console.print(Text(safe(owner, one_line=True), style="bold underline"))
        for key, chosen in _sections(items):
            if not chosen:
                continue
            total = dl.section_total(owner, key, len(chosen))
            columns = None
            if dropped is not None:
                columns = [c for c in _due_columns(key, now, tz) if c.header not in dropped]
            table_or_stacked(
                console, columns, chosen,
                lambda key=key, chosen=chosen: _due_stacked(key, chosen, now, tz),  # type: ignore[misc]
                _section_title(key, dl.days, total), SECTION_STYLES[key],
            )  # fmt: skip
            if more := _more(total, len(chosen)):
                console.print(Text(more, style="dim"))
    if dl.escalations:
        table_or_stacked(
            console, fit(_escalation_columns(now, tz), dl.escalations, console.width),
            dl.escalations, lambda: [Text(_escalation_line(e, now, tz)) for e in dl.escalations],
            f"Escalations awaiting acknowledgement ({dl.escalation_count})", "bold magenta",
        )  # fmt: skip
        if more := _more(dl.escalation_count, len(dl.escalations)):
            console.print(Text(more, style="dim"))
    if dl.waiting:
        table_or_stacked(
            console, fit(_waiting_columns(now, tz), dl.waiting, console.width), dl.waiting,
            lambda: [Text(_waiting_line(w, now, tz)) for w in dl.waiting],
            f"Waiting on the customer ({dl.waiting_total})", "bold blue",
        )  # fmt: skip
        if more := _more(dl.waiting_total, len(dl.waiting)):
            console.print(Text(more, style="dim"))
    if risk := _at_risk(dl.at_risk):
        console.print(Text(risk, style="yellow"))


# -- complaints ------------------------------------------------------------------

_COMPLAINT_COLUMNS = shapes.COMPLAINT_COLUMNS


def _complaint_listing(mixed: bool, now: datetime, tz: tzinfo) -> Listing[ComplaintRow]:
    """`list`; `mixed`: open and resolved complaints together, so each says which."""
    from rich.text import Text

    def what(c: ComplaintRow) -> Text:
        cell = Text(safe(c.customer, one_line=True), style="bold")
        if mixed:
            cell.append(f"  {c.status}", style="green" if c.status == "resolved" else "yellow")
        cell.append("\n" + safe(c.summary, one_line=True), style="")
        return cell

    return Listing(
        json=lambda c: shapes.complaint_json(c, tz),
        csv=_COMPLAINT_COLUMNS,
        plain=[
            lambda c: str(c.id), lambda c: c.status, lambda c: c.customer, lambda c: c.summary,
            lambda c: f"heat {c.heat}", lambda c: c.owner, lambda c: local(c.opened_at, tz),
            lambda c: f"{c.open_promises} open promise{'s' if c.open_promises != 1 else ''}",
        ],
        columns=[
            Column("#", lambda c: str(c.id), options={"justify": "right", "style": "dim", "no_wrap": True}),
            Column("Opened", lambda c: friendly(c.opened_at, now, tz), priority=2, options={"no_wrap": True}),
            Column("Heat", lambda c: _heat(c.heat), priority=4, options={"no_wrap": True}),
            Column("Customer · summary", what, flexible=True,
                   options={"ratio": 1, "min_width": 16, "overflow": "fold"}),
            Column("Owner", lambda c: Text(safe(c.owner, one_line=True)), priority=3,
                   options={"max_width": 12, "overflow": "ellipsis", "no_wrap": True}),
            Column("Open P", lambda c: str(c.open_promises) if c.open_promises else "", priority=1,
                   options={"justify": "right", "no_wrap": True}),
        ],
        empty="No complaints match.",
    )  # fmt: skip


def complaints(rows: Sequence[ComplaintRow], fmt: str, now: datetime, tz: tzinfo) -> None:
    show_listing(_complaint_listing(len({c.status for c in rows}) > 1, now, tz), rows, fmt)


def _complaint_facts(c: ComplaintRow, d: ComplaintDetail, tz: tzinfo) -> list[tuple[str, str]]:
    facts = [
        (
            "Customer",
            d.customer.name + "".join(f"  {v}" for v in (d.customer.phone, d.customer.email) if v),
        ),
        ("Status", c.status + (f" since {local(c.resolved_at, tz)}" if c.resolved_at else "")),
        (
            "Opened",
            f"{local(c.opened_at, tz)} by {c.channel}" + ("  (written)" if c.written else ""),
        ),
        ("Heat", f"{c.heat}/5"),
        ("Owner", c.owner),
    ]
    optional = [("Category", c.category), ("Wants", c.wants),
                ("Loss", _money(c.loss_money)),
                ("Outcome", c.outcome),
                ("Confirmed", None if c.confirmed is None else ("yes" if c.confirmed else "no")),
                ("Satisfaction", None if c.satisfaction is None else f"{c.satisfaction}/5"),
                ("Compensation", c.compensation), ("Cause", c.cause), ("Prevention", c.prevention)]  # fmt: skip
    facts.extend((k, v) for k, v in optional if v)
    if c.waiting_since is not None:
        facts.append(("Waiting", f"on the customer since {local(c.waiting_since, tz)}"))
    return [(k, safe(v)) for k, v in facts]


def _timeline_text(kind: str, text: str, data: dict[str, Any], now: datetime, tz: tzinfo) -> str:
    text = safe(text)
    if kind == "note":
        arrow = {"in": "←", "out": "→", "internal": "·"}[data["direction"]]
        return f"{arrow} {data['channel']} ({safe(data['author'], one_line=True)}): {text}"
    if kind == "promise":
        return f"P{data['promise_id']} promised by {safe(data['owner'], one_line=True)}, due {friendly(data['due_at'], now, tz)}: {text}"
    if kind == "reschedule":
        late = " (already late: broken)" if data["late"] else ""
        return (f"P{data['promise_id']} moved {friendly(data['old_due_at'], now, tz)} → "
                f"{friendly(data['new_due_at'], now, tz)}{late}: {text}")  # fmt: skip
    if kind == "kept":
        return f"P{data['promise_id']} kept{' late' if data['late'] else ''}: {text}"
    if kind == "cancelled":
        return f"P{data['promise_id']} cancelled: {text}"
    if kind == "escalation":
        return f"E{data['escalation_id']} escalated to {safe(data['to'])} [{data['rule']}]: {text}"
    if kind == "acknowledged":
        return f"E{data['escalation_id']} acknowledged by {safe(data['by'])}"
    if kind == "waiting":
        return f"waiting on the customer: {text}"
    if kind == "resumed":
        return "clocks running again"
    if kind == "reopened":
        return f"reopened by {safe(data['by'], one_line=True)}: {text}"
    return text


#: timeline entries `show` prints on a terminal or in plain text unless --all
SHOW_LATEST = 50


def show_streamed(
    d: ComplaintDetail,
    notes: Callable[[], Iterator[NoteRow]],
    fmt: str,
    now: datetime,
    tz: tzinfo,
) -> None:
    """`show --format json|csv` from a detail read without its notes: `notes()` reads
    them, once for the JSON's `notes` and once merged into its `timeline`, each
    written as it is read."""
    from complog.timeline import with_notes

    if fmt == "csv":
        rows = (shapes.timeline_json(t, tz) for t in with_notes(d.timeline, notes()))
        output.emit_csv(rows, ["at", "kind", "text"])
        return
    output.emit_json_streamed(
        shapes.show_json(d, now, tz),
        {
            "notes": (shapes.note_json(n, tz) for n in notes()),
            "timeline": (shapes.timeline_json(t, tz) for t in with_notes(d.timeline, notes())),
        },
    )


def show(
    d: ComplaintDetail, fmt: str, now: datetime, tz: tzinfo, latest: int | None = None
) -> None:
    """`latest`: print only the latest entries of the timeline, and how many came
    before (the notes left unread count among them)."""
    c = d.complaint
    timeline = d.timeline
    earlier = d.notes_left_out
    if latest is not None and len(timeline) > latest:
        earlier += len(timeline) - latest
        timeline = timeline[-latest:]
    more = f"… {earlier:,} earlier: use --all" if earlier else ""
    if fmt == "json":
        output.emit_json(shapes.show_json(d, now, tz))
        return
    if fmt == "csv":
        rows = [shapes.timeline_json(t, tz) for t in d.timeline]
        output.emit_csv(rows, ["at", "kind", "text"])
        return
    facts = _complaint_facts(c, d, tz)
    open_promises = [p for p in d.promises if p.status == "open"]
    if fmt == "plain":
        out = [f"Complaint #{c.id}: {safe(c.summary, one_line=True)}"]
        out += [f"  {k}: {one_line(v)}" for k, v in facts]
        if open_promises:
            out.append("Open promises")
            out += [f"  P{p.id} due {friendly(p.due_at, now, tz)} ({safe(p.owner, one_line=True)}): {safe(p.text, one_line=True)}"
                    + ("  BROKEN" if p.broken(now) else "") for p in open_promises]  # fmt: skip
        out.append("Timeline")
        out += [f"  {more}"] if more else []
        out += [f"  {local(t.at, tz)}  {t.kind:<12} {one_line(_timeline_text(t.kind, t.text, t.data, now, tz))}"
                for t in timeline]  # fmt: skip
        output.lines(out)
        return
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in facts:
        grid.add_row(key, Text(value))
    title = Text(f"#{c.id} {safe(c.summary, one_line=True)}", style="bold")
    border = "green" if c.status == "resolved" else HEAT_STYLES.get(c.heat, "white").split()[-1]
    renderables: list[Any] = [Panel(grid, title=title, title_align="left", border_style=border)]
    if open_promises:
        renderables.append(
            columns_table("Open promises", "bold", _open_promise_columns(now, tz), open_promises)
        )
    heading = "Timeline" + (f" ({more})" if more else "")
    renderables.append(columns_table(heading, "bold", _timeline_columns(now, tz), timeline))
    output.show(*renderables)


def _open_promise_columns(now: datetime, tz: tzinfo) -> list[Column[PromiseRow]]:
    from rich.text import Text

    def due(p: PromiseRow) -> Text:
        broken = p.broken(now)
        text = Text(friendly(p.due_at, now, tz), style="red" if broken else "")
        if broken:
            text.append(" BROKEN", style="bold red")
        return text

    return [
        Column("P#", lambda p: str(p.id), options={"justify": "right", "style": "dim", "no_wrap": True}),
        Column("Due", due, options={"no_wrap": True}),
        Column("Owner", lambda p: Text(safe(p.owner)),
               options={"max_width": 10, "overflow": "ellipsis", "no_wrap": True}),
        Column("Promise", lambda p: Text(safe(p.text)), options={"overflow": "fold"}),
    ]  # fmt: skip


_TIMELINE_STYLES = {"opened": "bold", "escalation": "magenta", "resolved": "green", "kept": "green",
                    "reschedule": "yellow", "cancelled": "dim", "reopened": "bold yellow"}  # fmt: skip


def _timeline_columns(now: datetime, tz: tzinfo) -> list[Column[TimelineEntry]]:
    from rich.text import Text

    return [
        Column("When", lambda t: local(t.at, tz), options={"no_wrap": True, "style": "dim"}),
        Column("What", lambda t: Text(t.kind, style=_TIMELINE_STYLES.get(t.kind, "")),
               options={"no_wrap": True}),
        Column("", lambda t: Text(_timeline_text(t.kind, t.text, t.data, now, tz)),
               options={"overflow": "fold"}),
    ]  # fmt: skip


# -- audit -------------------------------------------------------------------------


def _history_listing(tz: tzinfo) -> Listing[EventRow]:
    from rich.text import Text

    def entity(e: EventRow) -> str:
        return f"{e.entity} {e.entity_id or ''}".strip()

    def complaint(e: EventRow) -> str:
        return f"#{e.complaint_id}" if e.complaint_id else ""

    return Listing(
        json=lambda e: shapes.event_json(e, tz),
        csv=["id", "at", "user", "action", "entity", "entity_id", "complaint_id", "before", "after",
             "role"],
        plain=[lambda e: str(e.id), lambda e: local(e.at, tz), shapes.who, lambda e: e.action,
               entity, complaint],
        columns=[
            Column("#", lambda e: str(e.id), options={"no_wrap": True}),
            Column("When", lambda e: local(e.at, tz), options={"no_wrap": True}),
            Column("User", lambda e: Text(safe(shapes.who(e), one_line=True)), priority=1,
                   options={"no_wrap": True}),
            Column("Action", lambda e: e.action, options={"no_wrap": True}),
            Column("Entity", entity, flexible=True, options={"no_wrap": False}),
            Column("Complaint", complaint, priority=2, options={"no_wrap": True}),
        ],
    )  # fmt: skip


def history(events: Sequence[EventRow], fmt: str, tz: tzinfo) -> None:
    show_listing(_history_listing(tz), events, fmt)


def _settings_listing(stored: set[str], helps: dict[str, str]) -> Listing[tuple[str, str]]:
    def value(kv: tuple[str, str]) -> Text:
        from rich.text import Text

        return Text(safe(kv[1]) + ("" if kv[0] in stored else " (default)"))

    return Listing(
        json=lambda kv: {"key": kv[0], "value": kv[1], "default": kv[0] not in stored},
        csv=["key", "value", "default"],
        plain=[lambda kv: f"{kv[0]} = {kv[1]}"],
        columns=[
            Column("Setting", lambda kv: kv[0], options={"no_wrap": True, "style": "bold"}),
            Column("Value", value, options={"no_wrap": True}),
            Column("", lambda kv: helps.get(kv[0], ""), options={"style": "dim", "overflow": "fold"}),
        ],
        document=dict,
    )  # fmt: skip


def settings(values: dict[str, str], stored: set[str], helps: dict[str, str], fmt: str) -> None:
    show_listing(_settings_listing(stored, helps), list(values.items()), fmt)


def _where_listing(config_file: str) -> Listing[Mapping[str, str]]:
    return Listing(
        json=dict,
        csv=["setting", "value", "source"],
        plain=[lambda r: f"{r['setting']} = {r['value']}", lambda r: f"({r['source']})"],
        columns=[
            Column("Setting", lambda r: r["setting"], options={"no_wrap": True, "style": "bold"}),
            Column("Value", lambda r: safe(r["value"]), options={"overflow": "fold"}),
            Column("From", lambda r: safe(r["source"]), options={"style": "dim", "overflow": "fold"}),
        ],
        document=lambda rows: {"config_file": config_file, "settings": list(rows)},
    )  # fmt: skip


def where(rows: Sequence[Mapping[str, str]], config_file: str, fmt: str) -> None:
    """`complog config --where`: each personal setting, its value and where it came from."""
    show_listing(_where_listing(config_file), rows, fmt)
    if fmt not in ("json", "csv", "plain"):
        output.say(f"config file: {safe(config_file, one_line=True)}")


def clipped(text: str, width: int = 60) -> str:
    return clip(safe(text, one_line=True), width)


def doctor(checks: Sequence[Check], fmt: str) -> None:
    """`complog doctor`: one line per check, failures with what to do."""
    rows = [{"check": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix} for c in checks]
    if fmt == "json":
        output.emit_json(rows)
    elif fmt == "csv":
        output.emit_csv(rows, ["check", "ok", "detail", "fix"])
    elif fmt == "plain":
        output.lines(
            f"{'ok' if c.ok else 'FAIL'}\t{c.name}\t{safe(c.detail, one_line=True)}"
            + (f"\t{safe(c.fix, one_line=True)}" if c.fix else "")
            for c in checks
        )
    else:
        from rich.text import Text

        table = _table()
        table.add_column("", no_wrap=True)
        table.add_column("Check", no_wrap=True, style="bold")
        table.add_column("Finding", overflow="fold")
        for c in checks:
            mark = Text("ok", style="green") if c.ok else Text("FAIL", style="bold red")
            finding = Text(safe(c.detail, one_line=True))
            if c.fix:
                finding.append(f"\n→ {safe(c.fix, one_line=True)}", style="dim")
            table.add_row(mark, c.name, finding)
        output.show(table)


def _money(value: Money | None) -> str | None:
    from complog.money import format_money

    return None if value is None else format_money(value)
