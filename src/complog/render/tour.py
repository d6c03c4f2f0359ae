"""`complog demo`'s tour of the sample logbook: what cron and a morning look like."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from complog.render import output, views

if TYPE_CHECKING:
    from complog.queries import Reader
    from complog.services.demo import Sample


def tour(sample: Sample, reader: Reader, now: datetime) -> None:
    from complog.render import escalations as escalation_view
    from complog.rows import ComplaintFilter

    settings = reader.settings()
    path = sample.path
    output.note(f"A sample logbook was written to {path} (your own logbook was not touched).")

    output.say("\n$ complog escalate --auto      # what cron runs every morning")
    escalation_view.auto_result(sample.escalations, "plain", now, settings.tz, dry_run=False)

    output.say("\n$ complog due")
    views.due(reader.due(now), output.default_format(None), now, settings.tz)

    open_rows = reader.complaints(ComplaintFilter(status="open"))
    all_rows = reader.complaints(ComplaintFilter(status="all"))
    broken = sum(1 for c in all_rows for p in reader.promises(c.id) if p.broken(now))
    output.say(
        f"{len(all_rows)} complaints, {len(open_rows)} open; "
        f"{sum(c.open_promises for c in open_rows)} open promises, {broken} broken so far; "
        f"{len(sample.escalations)} escalations."
    )
    output.say("\nExplore the sample logbook:")
    output.say(f"  complog --db {path} show 4      # the install promised in one day")
    output.say(f"  complog --db {path} digest      # the morning mail")
    output.say(f"  complog --db {path} list --status all")
