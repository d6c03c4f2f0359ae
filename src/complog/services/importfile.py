"""`complog import FILE`: check every record, then write the good ones in one transaction.

Two passes over the input keep memory bounded however large it is: the first
finds bad rows (and, unless skip_bad, stops with nothing written), the second
writes the good ones. Standard input and pipes are copied once to a private
file first (importers/sources.py), so both passes see every record. A mapped
sheet is checked and written in one pass instead (`import_in_one_pass`).

Nothing here prints or knows the terminal: each procedure returns `Imported`,
bad records that refuse an import come as `BadRecords` (which carries the ones
to list), and a progress bar is whatever `progress` the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from complog.errors import InvalidInput
from complog.importers.read import Item, describe, guess_format, read_records
from complog.importers.sources import open_input

if TYPE_CHECKING:
    from complog.importers.records import ComplaintIn
    from complog.queries import Reader
    from complog.services.common import Actor
    from complog.services.importing import Importer, ImportResult
    from complog.settings import Settings
    from complog.store import Store

T = TypeVar("T")

#: how many bad records an import lists (memory stays bounded; the rest are counted)
SHOW_BAD = 10
#: how many would-be complaints a mapped dry run shows
PREVIEW = 5


class Progress(Protocol):
    """Shows how far a pass has come (the CLI's progress bar); yields every item, in order."""

    def __call__(
        self, items: Iterable[T], description: str, total: int | None = None
    ) -> Iterator[T]: ...


def no_progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """The default `progress`: the items, unshown."""
    return iter(items)


class Logbook(Protocol):
    """The logbook an import goes into, each part opened on first use (the CLI's
    AppContext): a dry run reads it and never opens the write path, so it never
    creates the file, and who is acting is asked only when a record needs it."""

    def reader(self) -> Reader: ...

    def store(self) -> Store: ...

    def settings(self) -> Settings: ...

    def actor(self) -> Actor: ...


@dataclass(frozen=True)
class BadRecord:
    #: where it is in the input: "line 3", "row 4", "object 2 (line 7)"
    position: str
    problem: str


@dataclass(frozen=True)
class Preview:
    """A complaint a dry run of a mapped import would add, and where it comes from."""

    position: str
    record: ComplaintIn


@dataclass(frozen=True)
class Imported:
    """What an import added (or, with dry_run, would add) from the input called `name`."""

    name: str
    dry_run: bool
    added: int
    unchanged: int
    #: every bad record, skipped (skip_bad) or, for a dry run, counted
    bad_count: int
    #: the first SHOW_BAD of them
    bad: tuple[BadRecord, ...]
    added_ids: tuple[int, ...] = ()
    #: complaints whose id this logbook had already used: (id in the file, id given)
    renumbered: tuple[tuple[int, int], ...] = ()
    #: notes, promises and escalations that got another id than the file's
    renumbered_parts: int = 0
    #: what the reader of the input has to say (threads it left out, ...)
    notes: tuple[str, ...] = ()
    #: a mapped dry run: the first PREVIEW complaints it would add
    previews: tuple[Preview, ...] = ()


class BadRecords(InvalidInput):
    """Bad records refused the import: nothing was written. Carries the first SHOW_BAD
    to list before the error."""

    def __init__(self, name: str, bad: list[BadRecord], count: int) -> None:
        more = f" (and {count - SHOW_BAD} more)" if count > SHOW_BAD else ""
        super().__init__(
            f"{count} bad record{'s' if count != 1 else ''} in {name}{more}; nothing was imported",
            "fix them, or add --skip-bad to import the rest",
        )
        self.name = name
        self.bad = tuple(bad)
        self.count = count


def import_file(
    logbook: Logbook,
    file: str,
    fmt: str | None,
    *,
    dry_run: bool,
    skip_bad: bool,
    progress: Progress = no_progress,
) -> Imported:
    """`import FILE [--format F]`: complog's own formats, CFPB or Twitter exports."""
    source = open_input(file)
    try:
        if (
            fmt is None
            and source.path is not None
            and source.path.suffix.lower() in (".xlsx", ".xlsm")
        ):
            raise InvalidInput(
                f"{source.name} is an Excel workbook: complog imports it through a column map",
                f"start with: complog import {file} --inspect --write-map MAP.toml",
            )
        kind = fmt or guess_format(source)
        return import_records(
            logbook, source.name, f"{source.name} ({kind})",
            lambda notes: read_records(source, kind, logbook.actor().user, notes),
            dry_run=dry_run, skip_bad=skip_bad, progress=progress,
        )  # fmt: skip
    except UnicodeDecodeError as exc:
        # A binary file, or text in another encoding: a usage error, not a crash.
        raise InvalidInput(
            f"{source.name} is not UTF-8 text (byte {exc.start}); nothing was imported",
            "save it as UTF-8 (in Excel: CSV UTF-8) and import it again",
        ) from None
    finally:
        source.close()


def import_records(
    logbook: Logbook,
    name: str,
    label: str,
    records: Callable[[list[str] | None], Iterator[Item]],
    *,
    dry_run: bool,
    skip_bad: bool,
    progress: Progress = no_progress,
) -> Imported:
    """Check every record, then write the good ones in one transaction (or, with
    dry_run, count what would be written). `records(notes)` makes the checking pass
    over the input from its start, `records(None)` the writing pass."""
    from complog.services.importing import Importer, existing_keys, largest_ids, session_fetch

    total, bad_count = 0, 0
    bad: list[BadRecord] = []
    notes: list[str] = []
    largest: dict[str, int] = {}  # new numbers go above the file's own
    for position, item in progress(records(notes), "Checking"):
        total += 1
        if isinstance(item, ValueError):
            bad_count += 1
            if len(bad) < SHOW_BAD:
                bad.append(BadRecord(position, describe(item)))
        else:
            largest_ids(item, largest)
    if bad_count and not skip_bad:
        raise BadRecords(name, bad, bad_count)
    # The second pass meets the same bad records and leaves them out.
    good = (
        (position, item) for position, item in records(None) if not isinstance(item, ValueError)
    )
    if dry_run:
        reader = logbook.reader()
        planner = Importer(
            None, logbook.actor(), existing_keys(reader.tuples, reader.dialect), largest
        )
        for _, record in good:
            planner.add(record)
        return _imported(name, planner.result, bad_count, bad, notes, dry_run=True)
    with logbook.store().transaction() as session:
        dialect = session.get_bind().dialect.name
        importer = Importer(
            session, logbook.actor(), existing_keys(session_fetch(session), dialect), largest
        )
        for _, record in progress(good, "Importing", total - bad_count):
            importer.add(record)
        result = importer.finish(label)
    return _imported(name, result, bad_count, bad, notes, dry_run=False)


def import_in_one_pass(
    logbook: Logbook,
    name: str,
    label: str,
    records: Iterator[Item],
    *,
    total: int | None,
    dry_run: bool,
    skip_bad: bool,
    progress: Progress = no_progress,
) -> Imported:
    """Check and write in one pass, inside the one transaction: each good record is
    queued (and written in batches) as it is checked, and a bad one, unless
    skip_bad, ends in BadRecords inside the transaction, which rolls everything
    back. Converting a spreadsheet row costs more than writing it, so reading it
    once instead of twice is most of a mapped import's time; the price is that
    the write lock is held while checking. A dry run keeps the first complaints
    it would add, to show."""
    from complog.services.importing import Importer, existing_keys, session_fetch

    bad: list[BadRecord] = []
    bad_count = 0
    previews: list[Preview] = []

    def feed(importer: Importer) -> None:
        nonlocal bad_count
        for position, item in progress(records, "Checking" if dry_run else "Importing", total):
            if isinstance(item, ValueError):
                bad_count += 1
                if len(bad) < SHOW_BAD:
                    bad.append(BadRecord(position, describe(item)))
            elif bad_count and not skip_bad:
                continue  # all of it will be refused: only look for more bad rows
            elif importer.add(item) and dry_run and len(previews) < PREVIEW:
                previews.append(Preview(position, item))
        if bad_count and not skip_bad:
            raise BadRecords(name, bad, bad_count)

    if dry_run:
        reader = logbook.reader()
        planner = Importer(None, logbook.actor(), existing_keys(reader.tuples, reader.dialect))
        feed(planner)
        return _imported(name, planner.result, bad_count, bad, previews=previews, dry_run=True)
    with logbook.store().transaction() as session:
        dialect = session.get_bind().dialect.name
        importer = Importer(
            session, logbook.actor(), existing_keys(session_fetch(session), dialect)
        )
        feed(importer)
        result = importer.finish(label)
    return _imported(name, result, bad_count, bad, dry_run=False)


def _imported(
    name: str,
    result: ImportResult,
    bad_count: int,
    bad: list[BadRecord],
    notes: list[str] | None = None,
    previews: list[Preview] | None = None,
    *,
    dry_run: bool,
) -> Imported:
    return Imported(
        name=name, dry_run=dry_run, added=result.added, unchanged=result.unchanged,
        bad_count=bad_count, bad=tuple(bad), added_ids=tuple(result.added_ids),
        renumbered=tuple(result.renumbered), renumbered_parts=result.renumbered_parts,
        notes=tuple(notes or ()), previews=tuple(previews or ()),
    )  # fmt: skip
