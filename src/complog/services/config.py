"""Settings stored in the logbook."""

from __future__ import annotations

from sqlmodel import Session, select

from complog.models import Setting
from complog.services.common import Actor, audit, snapshot
from complog.settings import canonical, check_consistent, check_key


def set_setting(session: Session, actor: Actor, key: str, value: str | None) -> str | None:
    """Store a validated value (None resets to the default); returns the stored text."""
    stored = {s.key: s.value for s in session.exec(select(Setting)).all()}
    row = session.get(Setting, key)
    before = snapshot(row)  # with updated_at/by, so undo can put the row back exactly
    if value is None:
        check_key(key)
        if row is not None:
            session.delete(row)
            audit(session, actor, "config", "setting", key, before=before, after=None)
        return None
    text = canonical(key, value)
    check_consistent({**stored, key: text})
    if row is None:
        row = Setting(key=key, value=text, updated_at=actor.now, updated_by=actor.user)
    else:
        row.value, row.updated_at, row.updated_by = text, actor.now, actor.user
    session.add(row)
    audit(session, actor, "config", "setting", key, before=before, after=snapshot(row))
    return text
