"""Open promises as an iCalendar feed (RFC 5545) through the icalendar library.

UIDs are stable (promise id + the logbook's own id), and SEQUENCE counts the
reschedules, so calendar apps move an event instead of adding a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from complog import __version__
from complog.rows import ComplaintRow, PromiseRow


def promise_uid(promise_id: int, logbook_id: str) -> str:
    return f"promise-{promise_id}-{logbook_id}@complog"


def promises_calendar(
    items: Sequence[tuple[PromiseRow, ComplaintRow]],
    logbook_id: str,
    now: datetime,
    alarm_minutes: int,
) -> bytes:
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", f"-//complog//complog {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "complog promises")
    for promise, complaint in items:
        event = Event()
        event.add("uid", promise_uid(promise.id, logbook_id))
        event.add("dtstamp", now)
        event.add("dtstart", promise.due_at)
        event.add("duration", timedelta(minutes=15))
        event.add("summary", f"{promise.text} — {complaint.customer} (#{complaint.id})")
        event.add(
            "description",
            f"Promise P{promise.id} to {complaint.customer}, owner {promise.owner}.\n"
            f"Complaint #{complaint.id} (heat {complaint.heat}/5): {complaint.summary}\n"
            f"complog show {complaint.id}",
        )
        event.add("sequence", len(promise.reschedules))
        modified = max([promise.created_at, *(r.at for r in promise.reschedules)])
        event.add("last-modified", modified)
        event.add("categories", ["complog"])
        if alarm_minutes > 0:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Due: {promise.text} ({complaint.customer})")
            alarm.add("trigger", timedelta(minutes=-alarm_minutes))
            event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
