"""About the logbook itself rather than its complaints: settings, facts such as its
stable id, and the names PostgreSQL roles are recorded under."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field

from complog.dbtypes import UTCDateTime
from complog.tables.base import LogbookTable


class RoleName(LogbookTable, table=True):
    """PostgreSQL: the name recorded as the actor of a database role (`complog db role`);
    a role without one is recorded under the role's own name. Unused on SQLite."""

    __tablename__ = "role_name"

    role: str = Field(sa_type=Text, primary_key=True)
    name: str = Field(sa_type=Text, unique=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by: str = Field(sa_type=Text)


class Setting(LogbookTable, table=True):
    __tablename__ = "setting"

    key: str = Field(sa_type=Text, primary_key=True)
    value: str = Field(sa_type=Text)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by: str = Field(sa_type=Text)


class Meta(LogbookTable, table=True):
    """Facts about the logbook itself, such as its stable id (calendar UIDs use it)."""

    __tablename__ = "meta"

    key: str = Field(sa_type=Text, primary_key=True)
    value: str = Field(sa_type=Text)
