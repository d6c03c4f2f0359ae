"""What `complog import` says: the counts on stdout, bad rows, renumbered ids and notes on
stderr, the would-be complaints of a dry run, and `--inspect`'s columns and map."""

from __future__ import annotations

from typing import TYPE_CHECKING

from complog.render import output
from complog.render.text import one_record, safe

if TYPE_CHECKING:
    from complog.importers.records import ComplaintIn
    from complog.services.importfile import BadRecords, Imported
    from complog.services.importsheet import Inspection

#: how many renumbered complaints are listed by number (as many as bad records)
SHOW_RENUMBERED = 10
#: why an import does not keep an id the file gives
RENUMBERED_WHY = "a number this logbook has already used, or above 1,000,000,000, is never kept"
HASHED = (
    "note: the map names no external_id column, so rows are known by a hash of"
    " their cells: re-importing them adds nothing, but an edited row comes in as new"
)


def imported(result: Imported) -> None:
    """The counts, then what got a new number, what was skipped and the reader's notes."""
    plural = "s" if result.added != 1 else ""
    if result.dry_run:
        output.lines(f"  {p.position}: {preview_line(p.record)}" for p in result.previews)
        output.say(f"Would import {result.added} complaint{plural} from {one_record(result.name)}"
                   f" ({result.unchanged} already present, {result.bad_count} bad); nothing was changed")  # fmt: skip
        _renumbered(result, get="would get")
    else:
        output.say(f"Imported {result.added} complaint{plural} from {one_record(result.name)}"
                   f" ({result.unchanged} already present, {result.bad_count} skipped as bad)")  # fmt: skip
        _renumbered(result, get="got")
        for bad in result.bad:
            output.note(f"  skipped {bad.position}: {bad.problem}")
        if result.bad_count > len(result.bad):
            output.note(f"  … and {result.bad_count - len(result.bad)} more")
    for line in result.notes:
        output.note(line)


def refused(error: BadRecords) -> None:
    """The bad records that refused an import, before the error itself."""
    for bad in error.bad:
        output.note(f"  {one_record(error.name)} {bad.position}: {bad.problem}")


def hashed() -> None:
    """Said before a mapped import whose map names no id column."""
    output.note(HASHED)


def preview_line(record: ComplaintIn) -> str:
    """One would-be complaint, as a dry run shows it."""
    parts = [record.status, record.channel, f"heat {record.heat}",
             f"opened {record.opened_at:%Y-%m-%d %H:%M} UTC", f"owner {record.owner}"]  # fmt: skip
    if record.category:
        parts.append(f"category {record.category}")
    if record.notes:
        parts.append(f"{len(record.notes)} note{'s' if len(record.notes) != 1 else ''}")
    if record.promises:
        parts.append(f"promise due {record.promises[0].due_at:%Y-%m-%d %H:%M} UTC")
    summary = record.summary if len(record.summary) <= 60 else record.summary[:59] + "…"
    return safe(f"{record.customer.name}: {summary} ({', '.join(parts)})", one_line=True)


def _renumbered(result: Imported, *, get: str) -> None:
    """Ids are kept unless this logbook already handed them out (numbers are never
    reused); say which complaints got another number, so a quoted "#5" can be found."""
    moved = result.renumbered
    if moved:
        shown = ", ".join(f"{old} -> {new}" for old, new in moved[:SHOW_RENUMBERED])
        more = f" (and {len(moved) - SHOW_RENUMBERED} more)" if len(moved) > SHOW_RENUMBERED else ""
        output.note(
            f"{len(moved)} complaint{'s' if len(moved) != 1 else ''} {get} a new number"
            f" ({RENUMBERED_WHY}): {shown}{more}"
        )
    if result.renumbered_parts:
        n = result.renumbered_parts
        output.note(f"{n} note{'s' if n != 1 else ''}, promise{'s' if n != 1 else ''} or"
                    f" escalation{'s' if n != 1 else ''} {get} a new id ({RENUMBERED_WHY})")  # fmt: skip


def inspection(found: Inspection, *, map_printed: bool) -> None:
    """--inspect's column listing, the workbook's sheets and (unless it goes to a file) the map."""
    output.lines(safe(line) for line in found.columns)
    if len(found.sheets) > 1:
        output.say(
            "sheets: "
            + ", ".join(safe(repr(n)) for n in found.sheets)
            + " (choose with [source] sheet)"
        )
    if map_printed:
        output.say("")
        output.say(
            "Suggested map (save it with --write-map MAP.toml, check it, then import with --map):"
        )
        output.say("")
        output.lines(found.suggested_map.splitlines())


def map_written(file: str, write_map: str) -> None:
    output.say(f"Wrote a suggested map to {safe(write_map, one_line=True)}: check it, then"
               f" complog import {safe(file, one_line=True)} --map {safe(write_map, one_line=True)} --dry-run")  # fmt: skip
