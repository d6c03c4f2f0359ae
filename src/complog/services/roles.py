"""PostgreSQL: which name is recorded for a database role (`complog db role`).

Only members of complog_admin map names (the triggers of migration 0004 refuse
everyone else, whatever client they use); the change is audited like any other.
"""

from __future__ import annotations

from sqlmodel import Session, select

from complog.errors import Conflict, InvalidInput
from complog.identity import ADMIN_ROLE, Identity
from complog.models import RoleName
from complog.services.common import Actor, audit, clean_text, snapshot


def set_role_name(
    session: Session, actor: Actor, identity: Identity, role: str, name: str | None
) -> RoleName | None:
    """Record `name` for `role` from now on (None: its own name again)."""
    if not identity.admin:
        raise Conflict(
            f"only members of {ADMIN_ROLE} map database roles to names; you are {identity.role!r}",
            f"ask the database's owner: GRANT {ADMIN_ROLE} TO {identity.role}",
        )
    role_text = clean_text(role, "ROLE", limit=63)
    assert role_text is not None
    new_name = None if name is None else clean_text(name, "NAME", limit=200)
    row = session.get(RoleName, role_text)
    if row is None and new_name is None:
        raise InvalidInput(f"role {role_text!r} has no name to clear", "complog db role lists them")
    before = snapshot(row)
    if new_name is None:
        assert row is not None
        session.delete(row)
        audit(session, actor, "role", "role_name", role_text, before=before, after=None)
        return None
    taken = session.exec(
        select(RoleName).where(RoleName.name == new_name, RoleName.role != role_text)
    ).first()
    if taken is not None:
        raise Conflict(
            f"{new_name!r} is already the name of role {taken.role!r}",
            "each name stands for one role: choose another",
        )
    if row is None:
        row = RoleName(role=role_text, name=new_name, updated_at=actor.now, updated_by=actor.user)
    else:
        row.name, row.updated_at, row.updated_by = new_name, actor.now, actor.user
    session.add(row)
    audit(session, actor, "role", "role_name", role_text, before=before, after=snapshot(row))
    return row
