"""`complog migrate-to URL`: move a logbook, whole, into another (a team's PostgreSQL).

Complaints travel as their export objects through the importer (ids kept,
the target must be empty); the audit log, settings, customers without
complaints and the logbook's own id (calendar UIDs) are copied as rows, so
history and ids are intact on the other side. One transaction: all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, text
from sqlmodel import Session

from complog.errors import Conflict
from complog.identity import ADMIN_ROLE
from complog.importers.complog_format import from_export
from complog.models import Complaint, Customer, Event, Meta, RoleName, Setting
from complog.services.common import Actor
from complog.services.importing import Importer, existing_keys, fix_sequences, session_fetch

if TYPE_CHECKING:
    from complog.connect import Location
    from complog.queries import Reader
    from complog.rows import ComplaintDetail


@dataclass(frozen=True)
class Moved:
    complaints: int
    events: int
    settings: int


def migrate_into(
    session: Session,
    actor: Actor,
    complaints: Iterable[dict[str, Any]],
    events: Iterable[dict[str, Any]],
    settings: list[dict[str, Any]],
    lonely_customers: list[dict[str, Any]],
    logbook_id: str,
    source: str,
    high_water: dict[str, int],
    role_names: list[dict[str, Any]],
) -> Moved:
    for model in (Complaint, Customer, Event):
        if session.execute(select(func.count()).select_from(model)).scalar():
            raise Conflict(
                "the target logbook is not empty", "migrate-to fills a new, empty logbook only"
            )
    event_rows = list(events)
    if session.get_bind().dialect.name == "postgresql" and event_rows:
        # The audit log keeps everyone's names: only an admin records changes as others.
        if not session.execute(text("SELECT complog_is_admin()")).scalar():
            raise Conflict(
                f"migrate-to copies everyone's changes under their own names; the target's"
                f" role must be a member of {ADMIN_ROLE}",
                f"ask the database's owner: GRANT {ADMIN_ROLE} TO <the role in the URL>",
            )
    if event_rows:
        session.execute(insert(Event), event_rows)
    if settings:
        session.execute(insert(Setting), settings)
    if role_names:
        session.execute(insert(RoleName), role_names)
    meta = session.get(Meta, "logbook_id")
    if meta is not None:
        meta.value = logbook_id  # calendar UIDs stay the same after the move
        session.add(meta)
    dialect = session.get_bind().dialect.name
    importer = Importer(session, actor, existing_keys(session_fetch(session), dialect))
    for obj in complaints:
        importer.add(from_export(obj))
    importer.flush()
    if lonely_customers:  # after the complaints' customers, whose ids the importer keeps
        session.execute(insert(Customer), lonely_customers)
    # Numbers the old logbook handed out and then lost to undo or erase stay used.
    fix_sequences(session, at_least=high_water)
    result = importer.finish(source, action="migrate-to")
    return Moved(result.added, len(event_rows), len(settings))


def move_logbook(
    source: Reader,
    url: str,
    actor: Actor,
    shape: Callable[[ComplaintDetail], dict[str, Any]],
) -> tuple[Moved, Location]:
    """Move the logbook `source` reads into the empty one at `url`; return what
    moved and where. `shape` turns each complaint into its export object (the
    JSON shape of the spec, which the caller owns). The source is only read.

    Raises InvalidInput for a target that cannot be a logbook (this one itself,
    a protected file, a path the file system refuses) and Conflict for a target
    that is not empty.
    """
    import os
    from pathlib import Path

    from complog.connect import resolve_location
    from complog.errors import InvalidInput
    from complog.files import refuse_protected
    from complog.store import open_store

    if not source.exists:
        raise InvalidInput(f"there is no logbook at {source.location} to move")
    try:
        target = resolve_location(url)
        if str(target) == str(source.location):
            raise InvalidInput("the target is this logbook itself")
        if target.path is not None:
            refuse_protected(url, Path(os.path.realpath(target.path)), source.location.path)
        store = open_store(target)
    except (OSError, ValueError) as exc:  # a path the file system cannot take (too long, NUL)
        raise InvalidInput(
            f"cannot use {' '.join(url.split())}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    try:
        with store.transaction() as session:
            moved = migrate_into(
                session, actor, (shape(d) for d in source.iter_details()), source.raw_events(),
                source.raw_settings(), source.customers_without_complaints(), source.logbook_id(),
                str(source.location), source.high_water_marks(), source.role_names(),
            )  # fmt: skip
    finally:
        store.engine.dispose()
    return moved, target
