"""Whole-logbook copies for `migrate-to`: raw rows, settings, id high-water marks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from complog.queries.base import ReaderBase, stored_time
from complog.storedtime import decode_time

if TYPE_CHECKING:
    # imported where used: `due`, `list` and `add` need none of them
    pass


#: every table with an id; none is ever handed out twice (migration 0004)
ID_TABLES = ("customer", "complaint", "note", "promise", "reschedule", "escalation",
             "past_resolution", "wait", "event")  # fmt: skip


def high_water_sql(table: str, dialect: str) -> str:
    """The largest id `table` ever handed out: its sequence (PostgreSQL) or
    sqlite_sequence (AUTOINCREMENT), and never less than the largest id it holds."""
    if dialect == "postgresql":
        used = f"(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {table}_id_seq)"
        return f"SELECT GREATEST({used}, (SELECT coalesce(max(id), 0) FROM {table}))"
    used = f"(SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = '{table}')"
    return f"SELECT max({used}, (SELECT coalesce(max(id), 0) FROM {table}))"


class DumpReads(ReaderBase):
    def high_water_marks(self) -> dict[str, int]:
        """Each table's largest id ever handed out (what migrate-to carries over)."""
        return {t: int(self.tuples(high_water_sql(t, self.dialect))[0][0] or 0) for t in ID_TABLES}

    def raw_events(self) -> list[dict[str, Any]]:
        """The audit log as rows, times decoded, JSON left as stored."""
        return [
            {"id": r["id"], "at": stored_time(r["at"]), "actor": r["actor"], "action": r["action"], "entity": r["entity"],
             "entity_id": r["entity_id"], "complaint_id": r["complaint_id"], "before": r["before"], "after": r["after"],
             "role": r["role"]}
            for r in self._rows("SELECT * FROM event ORDER BY id")
        ]  # fmt: skip

    def role_names(self) -> list[dict[str, Any]]:
        """PostgreSQL roles and the names recorded for them (`complog db role`)."""
        return [
            {"role": r["role"], "name": r["name"], "updated_at": stored_time(r["updated_at"]),
             "updated_by": r["updated_by"]}
            for r in self._rows("SELECT * FROM role_name ORDER BY role")
        ]  # fmt: skip

    def raw_settings(self) -> list[dict[str, Any]]:
        return [
            {
                "key": r["key"],
                "value": r["value"],
                "updated_at": stored_time(r["updated_at"]),
                "updated_by": r["updated_by"],
            }
            for r in self._rows("SELECT * FROM setting ORDER BY key")
        ]

    def customers_without_complaints(self) -> list[dict[str, Any]]:
        return [
            {"id": r["id"], "name": r["name"], "name_key": r["name_key"], "phone": r["phone"], "email": r["email"],
             "notes": r["notes"], "created_at": stored_time(r["created_at"]), "erased_at": decode_time(r["erased_at"])}
            for r in self._rows(
                "SELECT * FROM customer cu WHERE NOT EXISTS (SELECT 1 FROM complaint c WHERE c.customer_id = cu.id)"
            )
        ]  # fmt: skip

    def logbook_id(self) -> str:
        rows = self._rows("SELECT value FROM meta WHERE key = 'logbook_id'")
        return str(rows[0]["value"]) if rows else "complog"

    def counts(self) -> dict[str, int]:
        row = self._rows(
            "SELECT (SELECT count(*) FROM complaint) AS complaints,"
            " (SELECT count(*) FROM complaint WHERE status = 'open') AS open,"
            " (SELECT count(*) FROM promise WHERE status = 'open') AS open_promises,"
            " (SELECT count(*) FROM customer) AS customers"
        )[0]
        return {k: row[k] for k in row.keys()}
