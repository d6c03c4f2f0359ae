"""What every service needs: the actor, text validation, lookups and audit."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from complog.errors import InvalidInput, NotFound
from complog.tables.complaints import Complaint, Customer, Event, Promise
from complog.vocabulary import CAUSES as CAUSES  # re-exported for the services
from complog.vocabulary import CHANNELS as CHANNELS
from complog.vocabulary import DIRECTIONS as DIRECTIONS
from complog.vocabulary import WRITTEN_CHANNELS as WRITTEN_CHANNELS
from complog.vocabulary import customer_key

SHORT_TEXT = 2_000
LONG_TEXT = 200_000

M = TypeVar("M", bound=SQLModel)
#: where a session keeps the events its services wrote (Store.committed collects them)
EVENTS_KEY = "complog_events"


@dataclass(frozen=True)
class Actor:
    """Who is acting, and the one `now` of this command."""

    user: str
    now: datetime
    #: the authenticated database role (PostgreSQL's session_user); None on SQLite
    role: str | None = None


def clean_text(
    value: str | None, field: str, *, limit: int = SHORT_TEXT, required: bool = True
) -> str | None:
    """Trimmed, NFC-normalised text; empty, NUL-bearing or oversized text is refused."""
    if value is None:
        if required:
            raise InvalidInput(f"{field} is required")
        return None
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        if required:
            raise InvalidInput(f"{field} must not be empty")
        return None
    if "\x00" in text:
        raise InvalidInput(f"{field} contains a NUL byte", "remove it and try again")
    if len(text) > limit:
        raise InvalidInput(f"{field} is too long ({len(text):,} characters; at most {limit:,})")
    return text


def optional_name(value: str | None, field: str) -> str | None:
    """An optional name (owner, --to): absent is fine, given-but-empty is a mistake."""
    if value is None:
        return None
    text = clean_text(value, field, limit=200, required=False)
    if text is None:
        raise InvalidInput(f"{field} must not be empty", f"leave out {field} to use the default")
    return text


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(value: str | None) -> str | None:
    text = clean_text(value, "email", limit=200, required=False)
    if text is not None and not _EMAIL.match(text):
        raise InvalidInput(f"{text!r} does not look like an email address", "e.g. name@example.com")
    return text


name_key = customer_key


def logbook_currency(session: Session) -> str:
    """The logbook's `currency` setting (amounts written without one are in it)."""
    from complog.settings import SPECS
    from complog.tables.logbook import Setting

    row = session.get(Setting, "currency")
    try:
        return str(
            SPECS["currency"].parse(row.value if row is not None else SPECS["currency"].default())
        )
    except ValueError:
        return str(SPECS["currency"].default())


def check_choice(value: str, choices: tuple[str, ...], field: str) -> str:
    lowered = value.strip().lower()
    if lowered not in choices:
        raise InvalidInput(f"invalid {field} {value!r}", f"choose one of: {', '.join(choices)}")
    return lowered


def check_not_future(at: datetime, now: datetime, field: str = "--at") -> datetime:
    if at > now:
        raise InvalidInput(f"{field} is in the future", "record things after they happen")
    return at


def happened_at(at: datetime | None, actor: Actor, *, not_before: datetime, what: str) -> datetime:
    """When something happened: now, or an explicit --at that is neither in the future
    nor before `what` (the thing it is about) began at `not_before`."""
    if at is None:
        return actor.now
    when = check_not_future(at, actor.now)
    if when < not_before:
        raise InvalidInput(f"--at is before {what}")
    return when


def get_complaint(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"no complaint {complaint_id}", "complog list --status all shows them")
    return complaint


def get_promise(session: Session, promise_id: int) -> Promise:
    promise = session.get(Promise, promise_id)
    if promise is None:
        raise NotFound(f"no promise {promise_id}", "complog show ID lists a complaint's promises")
    return promise


def get_customer_by_name(session: Session, name: str) -> Customer | None:
    """The customer `name` means (complog.names.pick_customer: the exact spelling among
    customers kept apart under one key by the 0005 upgrade, else the key's holder)."""
    from sqlalchemy import text

    from complog.names import pick_customer, same_key_params, same_key_sql

    dialect = session.get_bind().dialect.name
    rows = session.execute(
        text(f"SELECT id, name, name_key FROM customer WHERE {same_key_sql(dialect)} ORDER BY id"),
        same_key_params(name),
    ).all()
    chosen = pick_customer(name, [(int(r[0]), str(r[1]), str(r[2])) for r in rows])
    return None if chosen is None else session.get(Customer, chosen)


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    """A JSON-safe copy of a row for the audit log (without the columns the database
    derives: they change under the event, by the database's own rules)."""
    if row is None:
        return None
    data: dict[str, Any] = {}
    for key, value in row.model_dump(exclude=set(getattr(row, "derived", ()))).items():
        data[key] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    return data


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | str | None,
    *,
    complaint_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one event; the audit log is never updated, only added to.

    The session remembers its events, so hooks can be told about them once committed.
    """
    event = Event(
        at=actor.now,
        actor=actor.user,
        role=actor.role,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        complaint_id=complaint_id,
        before=None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True),
        after=None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True),
    )
    session.add(event)
    session.info.setdefault(EVENTS_KEY, []).append(event)


def insert(session: Session, row: M) -> M:
    """Add a row and flush, so its id is known inside the transaction."""
    session.add(row)
    session.flush()
    return row
