"""Who is acting: the name recorded on every change, and what it rests on.

SQLite: the logbook is one person's file (0600, in a 0700 folder); whoever can
write it can write anything in it, so complog records the name it is given
(--user / COMPLOG_USER, else the login name) and no authenticated identity.

PostgreSQL: the server authenticated a role, and that role (session_user) is
recorded on every event. By default the actor is the role, or the display name an
admin mapped to it (`complog db role ROLE NAME`). Another name is refused (exit 4)
unless the role is a member of `complog_admin`, meant for imports and migrations;
the triggers of migration 0004 hold the same rules for any client that writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from complog.errors import Conflict

#: members of this PostgreSQL role may act under any name (and map names to roles)
ADMIN_ROLE = "complog_admin"


@dataclass(frozen=True)
class Identity:
    """A signed-in PostgreSQL role: its name, its mapped display name, admin or not."""

    role: str
    name: str | None
    admin: bool

    @property
    def recorded(self) -> str:
        """The actor recorded for this role when it names nobody else."""
        return self.name or self.role

    def actor_for(self, given: str | None) -> str:
        """The actor for a --user / COMPLOG_USER (None: not given)."""
        if given is None or given in (self.role, self.name):
            return self.recorded
        if self.admin:
            return given
        raise Conflict(
            f"you are signed in to the database as role {self.role!r}; only members of"
            f" {ADMIN_ROLE} may record changes as {given!r}",
            f"leave out --user / COMPLOG_USER (you are recorded as {self.recorded!r}),"
            f" or ask the database's owner: GRANT {ADMIN_ROLE} TO {self.role}",
        )
