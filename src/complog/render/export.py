"""`complog export`: every complaint as JSON Lines, one JSON array, or CSV — streamed.

Timestamps are written in UTC so an export reads the same whatever the
`tz` setting of the logbook it came from or goes to.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

from complog.files import Target, opened
from complog.importers.complog_format import CSV_COLUMNS
from complog.queries import Reader
from complog.render.shapes import show_json
from complog.rows import ComplaintDetail


@contextmanager
def _target(out: Target | None) -> Iterator[IO[str]]:
    if out is None:
        yield sys.stdout
        return
    with opened(out) as fh:
        yield fh


def _csv_row(d: ComplaintDetail, now: datetime) -> dict[str, Any]:
    data = show_json(d, now, UTC)
    c, resolution = d.complaint, data["resolution"] or {}
    return data | {
        "phone": d.customer.phone, "email": d.customer.email,
        "outcome": resolution.get("outcome"), "confirmed": resolution.get("confirmed"),
        "satisfaction": resolution.get("satisfaction"), "compensation": resolution.get("compensation"),
        "cause": resolution.get("cause"), "prevention": resolution.get("prevention"),
        "notes": len(d.notes), "promises": len(d.promises),
        "broken_promises": sum(1 for p in d.promises if p.broken(now)),
        "escalations": len(d.escalations), "open_promises": c.open_promises,
    }  # fmt: skip


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def export_all(reader: Reader, fmt: str, out: Target | None, now: datetime) -> int:
    count = 0
    with _target(out) as fh:
        if fmt == "csv":
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
        elif fmt == "json":
            fh.write("[")
        for detail in reader.iter_details():
            if fmt == "csv":
                row = _csv_row(detail, now)
                writer.writerow([_cell(row.get(col)) for col in CSV_COLUMNS])
            elif fmt == "json":
                fh.write(
                    ("\n" if count == 0 else ",\n")
                    + json.dumps(show_json(detail, now, UTC), ensure_ascii=False)
                )
            else:
                fh.write(json.dumps(show_json(detail, now, UTC), ensure_ascii=False) + "\n")
            count += 1
        if fmt == "json":
            fh.write("\n]\n" if count else "]\n")
    return count
