"""`complog check ID`: a case against the ISO 10002 complaint-handling steps.

recorded -> acknowledged -> assessed -> investigated -> responded ->
decision communicated -> customer's acceptance logged -> closed. Each step
is read off what the logbook already holds; times are when things happened
(`--at`), not when they were typed in. Pure: facts in, steps out.

`resolve --strict` asks the same question of the complaint as the resolution
would leave it, and refuses while any step before "closed" is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from complog.rows import ComplaintDetail

STEPS = (
    "recorded",
    "acknowledged",
    "assessed",
    "investigated",
    "responded",
    "decision_communicated",
    "acceptance_logged",
    "closed",
)


@dataclass(frozen=True)
class CaseFacts:
    opened_at: datetime
    created_by: str
    heat: int | None
    category: str | None
    cause: str | None
    outcome: str | None
    confirmed: bool | None
    resolved_at: datetime | None
    closed: bool
    #: outbound notes (at, channel), oldest first
    outbound_notes: tuple[tuple[datetime, str], ...]
    #: kept promises (kept_at, promise id)
    kept_promises: tuple[tuple[datetime, int], ...]


@dataclass(frozen=True)
class Step:
    name: str
    done: bool
    at: datetime | None
    detail: str


@dataclass(frozen=True)
class Checklist:
    steps: tuple[Step, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps if not s.done)

    @property
    def complete(self) -> bool:
        return not self.missing


def label(name: str) -> str:
    return {"decision_communicated": "decision communicated",
            "acceptance_logged": "customer's acceptance logged"}.get(name, name)  # fmt: skip


def evaluate(f: CaseFacts) -> Checklist:
    contacts = sorted(
        [(at, f"outbound note by {channel}") for at, channel in f.outbound_notes]
        + [(at, f"promise {pid} kept") for at, pid in f.kept_promises]
    )
    assessed = f.heat is not None and bool(f.category)
    # Heat and category are set when the complaint is logged: that is when it was assessed.
    responses = [(at, what) for at, what in contacts if "note" in what and at >= f.opened_at]
    steps = [
        Step("recorded", True, f.opened_at, f"by {f.created_by}"),
        _first("acknowledged", contacts, "no outbound note or kept promise yet"),
        Step("assessed", assessed, f.opened_at if assessed else None,
             f"heat {f.heat}, category {f.category}" if assessed else "no category set"),
        Step("investigated", bool(f.cause), f.resolved_at if f.cause else None,
             f"cause: {f.cause}" if f.cause else "no cause recorded (resolve --cause)"),
        _first("responded", responses, "no outbound interaction after assessment"),
        Step("decision_communicated", bool(f.outcome), f.resolved_at if f.outcome else None,
             f.outcome or "no outcome recorded (resolve --outcome)"),
        Step("acceptance_logged", f.confirmed is True, f.resolved_at if f.confirmed else None,
             _acceptance(f.confirmed)),
        Step("closed", f.closed, f.resolved_at if f.closed else None,
             "resolved" if f.closed else "still open"),
    ]  # fmt: skip
    return Checklist(tuple(steps))


def _acceptance(confirmed: bool | None) -> str:
    if confirmed is None:
        return "not logged (resolve --confirmed)"
    return "the customer confirmed it" if confirmed else "the customer did not confirm it"


def _first(name: str, contacts: Iterable[tuple[datetime, str]], missing: str) -> Step:
    for at, what in contacts:
        return Step(name, True, at, what)
    return Step(name, False, None, missing)


def facts_from_detail(d: ComplaintDetail) -> CaseFacts:
    c = d.complaint
    return CaseFacts(
        opened_at=c.opened_at, created_by=c.created_by, heat=c.heat, category=c.category,
        cause=c.cause, outcome=c.outcome, confirmed=c.confirmed, resolved_at=c.resolved_at,
        closed=c.status == "resolved",
        outbound_notes=tuple((n.at, n.channel) for n in d.notes if n.direction == "out"),
        kept_promises=tuple((p.kept_at, p.id) for p in d.promises if p.kept_at is not None),
    )  # fmt: skip
