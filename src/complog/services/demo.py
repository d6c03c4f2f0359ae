"""`complog demo`'s sample logbook: realistic stories in a temporary file.

The stories are the ones the field teaches: a repeat caller whose problem was
their own mistake, a "one-day install" promise broken twice, a boiling-hot
customer nobody called back, a written complaint still waiting for a written
reply. Times are set relative to now so the tour always looks current.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from complog.connect import Location
from complog.errors import InvalidInput

if TYPE_CHECKING:
    from complog.rules import Firing


def seed(location: Location, now: datetime) -> None:
    """Write the sample stories through the real services, each at its own moment."""
    from complog.services.common import Actor
    from complog.services.complaints import Resolution, add_note, resolve_complaint
    from complog.services.intake import NewComplaint, log_complaint
    from complog.services.promises import keep_promise, make_promise, reschedule_promise
    from complog.store import open_store

    store = open_store(location)

    def ago(**delta: float) -> datetime:
        return now - timedelta(**delta)

    def at(moment: datetime, who: str = "jo") -> Actor:
        return Actor(user=who, now=moment)

    # 1. The repeat caller whose problem was their own mistake (third call this month).
    for days, summary in (
        (24, "Card reader rejects every card"),
        (12, "Card reader offline again"),
    ):
        with store.transaction() as s:
            logged = log_complaint(s, at(ago(days=days)), NewComplaint(
                customer="Corner Café", summary=summary, category="card reader", heat=3,
                phone="01632 960 123", owner="sam"))  # fmt: skip
            add_note(s, at(ago(days=days, hours=-1), "sam"), logged.complaint_id,
                     "Talked them through it: the router had been unplugged to charge a phone.",
                     direction="out")  # fmt: skip
            resolve_complaint(s, at(ago(days=days, hours=-2), "sam"), logged.complaint_id, Resolution(
                outcome="Router plugged back in; reader works", confirmed=True, satisfaction=4,
                cause="customer", prevention="Label the router plug 'do not unplug'"))  # fmt: skip
    with store.transaction() as s:
        logged = log_complaint(s, at(ago(hours=3)), NewComplaint(
            customer="corner café", summary="Card reader dead during the lunch rush", category="card reader",
            heat=3, owner="sam", promise="Call back after checking the router logs",
            due=now + timedelta(hours=2)))  # fmt: skip

    # 2. The "one-day install" promised, then moved twice after it was already late.
    with store.transaction() as s:
        install = log_complaint(s, at(ago(days=9), "priya"), NewComplaint(
            customer="Hillside Dental", summary="New till system still not installed", category="installation",
            heat=4, wants="Install done as sold: in one day", loss="480", owner="priya",
            promise="One-day install by our engineer", due=ago(days=8)))  # fmt: skip
    assert install.promise_id is not None
    with store.transaction() as s:
        reschedule_promise(s, at(ago(days=6), "priya"), install.promise_id, ago(days=3),
                           "Engineer off sick")  # fmt: skip
    with store.transaction() as s:
        reschedule_promise(s, at(ago(days=2), "priya"), install.promise_id, now + timedelta(days=1),
                           "Parts stuck with the courier")  # fmt: skip
        add_note(s, at(ago(days=2), "priya"), install.complaint_id,
                 "Practice manager: 'this is the third date you have given us'.", direction="in")  # fmt: skip

    # 3. The boiling-hot customer nobody called back (five days: past any weekend).
    with store.transaction() as s:
        log_complaint(s, at(ago(days=5, hours=1), "alex"), NewComplaint(
            customer="Greenway Grocers", summary="Fridge alarm ignored, lost a day of dairy stock",
            category="refrigeration", heat=5, wants="Refund of the lost stock", loss="1250.00",
            owner="alex", promise="Call back within the hour", due=ago(days=5)))  # fmt: skip

    # 4. A written complaint still waiting for a written reply.
    with store.transaction() as s:
        letter = log_complaint(s, at(ago(days=6)), NewComplaint(
            customer="Mr D. Okafor", summary="Charged twice for the annual service plan", channel="letter",
            category="billing", heat=2, wants="Refund of the duplicate charge", loss="89.99",
            written=True, owner="sam"))  # fmt: skip
        add_note(s, at(ago(days=5), "sam"), letter.complaint_id,
                 "Phoned to say we are looking into it; he wants it in writing.", direction="out",
                 channel="phone")  # fmt: skip
        make_promise(s, at(ago(days=5), "sam"), letter.complaint_id, "Written reply with refund confirmation",
                     now + timedelta(days=2), "sam")  # fmt: skip

    # 5. A happy ending, kept on time.
    with store.transaction() as s:
        quick = log_complaint(s, at(ago(days=5)), NewComplaint(
            customer="Acme Newsagency", summary="Till crashes at close", category="software", heat=4,
            owner="jo", promise="Call back with fix", due=ago(days=4)))  # fmt: skip
        assert quick.promise_id is not None
        keep_promise(
            s,
            at(ago(days=4, hours=2)),
            quick.promise_id,
            note="Sent the patch; till closes cleanly",
        )
        resolve_complaint(s, at(ago(days=4, hours=1)), quick.complaint_id, Resolution(
            outcome="Patched the till software", confirmed=True, satisfaction=5, cause="ours",
            prevention="Add close-of-day to the release checklist"))  # fmt: skip
    store.engine.dispose()


@dataclass(frozen=True)
class Sample:
    """A sample logbook, written and escalated as cron would have done."""

    location: Location
    path: Path
    #: what `escalate --auto` did on it: (firing, escalation id)
    escalations: list[tuple[Firing, int]]


def make_sample(now: datetime, keep: str | None) -> Sample:
    """Write the sample logbook (to `keep`, a new file, or a temporary folder) and
    apply the escalation rules to it as the morning cron job would."""
    from complog.services.common import Actor
    from complog.services.escalations import auto_escalate
    from complog.store import open_store

    if keep:
        path = Path(keep).expanduser()
        if path.exists():
            raise InvalidInput(f"{path} already exists", "choose a new file for --keep")
    else:
        path = Path(tempfile.mkdtemp(prefix="complog-demo-")) / "demo.db"
    location = Location(path=path)
    seed(location, now)
    store = open_store(location)
    with store.transaction() as session:
        created = auto_escalate(session, Actor(user="cron", now=now), location)
    store.engine.dispose()
    return Sample(location, path, created)
