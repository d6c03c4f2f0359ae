"""Customers: by name (with near spellings), their history and last contact."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from complog.errors import NotFound
from complog.names import did_you_mean, name_key, near_names
from complog.queries.base import stored_time
from complog.queries.complaints import ComplaintReads
from complog.rows import (
    ComplaintRow,
    CustomerHistory,
    CustomerRow,
    CustomerSummary,
    NoteRow,
)

if TYPE_CHECKING:
    # imported where used: `due`, `list` and `add` need none of them
    pass


class CustomerReads(ComplaintReads):
    def customer_id(self, name: str) -> int | None:
        rows = self._rows("SELECT id FROM customer WHERE name_key = :key", {"key": name_key(name)})
        return int(rows[0]["id"]) if rows else None

    def find_customer(self, name: str) -> CustomerRow:
        """By name, ignoring case and spacing; NotFound suggests near spellings."""
        rows = self._rows("SELECT id FROM customer WHERE name_key = :key", {"key": name_key(name)})
        if rows:
            return self.customer(rows[0]["id"])
        hint = did_you_mean(self.near_customers(name)) or "complog customers lists them"
        raise NotFound(f"no customer named {name.strip()!r}", hint)

    def near_customers(self, name: str, *, cutoff: float = 0.6) -> list[str]:
        """Other customers whose names look like a misspelling of `name`."""
        return near_names(name, self.customer_names(), cutoff=cutoff)

    def customer_names(self) -> list[str]:
        """Every customer's name but the erased ones (the candidates for near matches)."""
        return [r["name"] for r in self._rows("SELECT name FROM customer WHERE erased_at IS NULL")]

    def customer_history(self, name: str) -> CustomerHistory:
        customer = self.find_customer(name)
        ids = [r["id"] for r in self._rows(
            "SELECT id FROM complaint WHERE customer_id = :cid ORDER BY opened_at DESC, id DESC", {"cid": customer.id}
        )]  # fmt: skip
        return CustomerHistory(customer, tuple(self.detail(i) for i in ids))

    def customers(
        self, *, top: int | None = None, since: datetime | None = None
    ) -> list[CustomerSummary]:
        params: dict[str, Any] = {}
        since_sql = ""
        if since is not None:
            since_sql = " AND c.opened_at >= :since"
            params["since"] = self._time(since)
        sql = (
            "SELECT cu.name, count(*) AS complaints,"
            " sum(CASE WHEN c.status = 'open' THEN 1 ELSE 0 END) AS open, max(c.opened_at) AS last_at"
            f" FROM complaint c JOIN customer cu ON cu.id = c.customer_id WHERE 1 = 1{since_sql}"
            " GROUP BY cu.id, cu.name ORDER BY complaints DESC, last_at DESC, cu.name"
        )
        if top:
            sql += f" LIMIT {int(top)}"
        return [
            CustomerSummary(r["name"], r["complaints"], r["open"], stored_time(r["last_at"]))
            for r in self._rows(sql, params)
        ]

    def last_contact(self, customer_id: int) -> tuple[NoteRow, ComplaintRow] | None:
        """The customer's latest interaction (in or out), across all their complaints."""
        rows = self._rows(
            "SELECT n.* FROM note n JOIN complaint c ON c.id = n.complaint_id"
            " WHERE c.customer_id = :cid AND n.direction IN ('in', 'out') ORDER BY n.at DESC, n.id DESC LIMIT 1",
            {"cid": customer_id},
        )
        if not rows:
            return None
        note = NoteRow.from_row(rows[0])
        return note, self.complaint(note.complaint_id)

    def opened_times(self, customer_id: int) -> list[datetime]:
        """When the customer opened each of their complaints (the repeat-customer rule's facts)."""
        rows = self._rows(
            "SELECT opened_at FROM complaint WHERE customer_id = :cid", {"cid": customer_id}
        )
        return [stored_time(r["opened_at"]) for r in rows]
