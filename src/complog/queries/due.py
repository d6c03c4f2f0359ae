"""The morning list: promises by section, unacknowledged escalations, waits on
the customer and money at risk, paged in SQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from complog.queries.base import stored_time
from complog.queries.complaints import ComplaintReads
from complog.rows import (
    DueItem,
    DueList,
    EscalationRow,
    MoneyAtRisk,
    WaitingItem,
)

if TYPE_CHECKING:
    # imported where used: `due`, `list` and `add` need none of them
    pass


_MIDNIGHT = datetime.min.time()


class DueReads(ComplaintReads):
    def due(
        self,
        now: datetime,
        *,
        days: int = 7,
        owner: str | None = None,
        limit: int | None = None,
        by_owner: bool = False,
    ) -> DueList:
        """Open promises due before the end of the N-th day from today, overdue first,
        and the unacknowledged escalations of open complaints.

        `limit`: at most that many promises per section (overdue, today, upcoming;
        per owner too when `by_owner`) and that many escalations, with the totals
        counted in SQL, so the morning list costs the same at any logbook size.
        """
        calendar = self.settings().calendar
        today = calendar.local_date(now)
        tomorrow_start = calendar.at(today + timedelta(days=1), _MIDNIGHT)
        horizon = calendar.at(today + timedelta(days=days + 1), _MIDNIGHT)
        params: dict[str, Any] = {
            "now": self._time(now),
            "tomorrow": self._time(tomorrow_start),
            "horizon": self._time(horizon),
        }
        owner_sql = ""
        if owner:
            owner_sql = " AND lower(p.owner) = lower(:owner)"
            params["owner"] = owner
        select = (
            "SELECT p.id, p.complaint_id, p.text, p.owner, p.due_at, c.heat, c.summary,"
            " cu.name AS customer"
            " FROM promise p JOIN complaint c ON c.id = p.complaint_id"
            " JOIN customer cu ON cu.id = c.customer_id"
            " WHERE p.status = 'open' AND {range}" + owner_sql + " ORDER BY p.due_at, p.id"
        )
        totals: dict[tuple[str | None, str], int] | None = None
        if limit is None or by_owner:
            rows = self._rows(select.format(range="p.due_at < :horizon"), params)
        else:
            # one LIMIT per section, each a range of the partial index on open promises
            params["limit"] = limit
            ranges = (
                "p.due_at < :now",
                "p.due_at >= :now AND p.due_at < :tomorrow",
                "p.due_at >= :tomorrow AND p.due_at < :horizon",
            )
            rows = self._rows(
                " UNION ALL ".join(
                    f"SELECT * FROM ({select.format(range=r)} LIMIT :limit) AS s{n}"
                    for n, r in enumerate(ranges)
                ),
                params,
            )
            totals = {
                (None, r["section"]): r["n"]
                for r in self._rows(
                    "SELECT CASE WHEN p.due_at < :now THEN 'overdue'"
                    " WHEN p.due_at < :tomorrow THEN 'today' ELSE 'upcoming' END AS section,"
                    " count(*) AS n FROM promise p"
                    f" WHERE p.status = 'open' AND p.due_at < :horizon{owner_sql}"
                    " GROUP BY 1",
                    params,
                )
            }
        items = []
        for r in rows:
            due_at = stored_time(r["due_at"])
            if due_at < now:
                section, late = "overdue", int((now - due_at).total_seconds() // 60)
            elif due_at < tomorrow_start:
                section, late = "today", 0
            else:
                section, late = "upcoming", 0
            items.append(
                DueItem(r["id"], r["complaint_id"], r["customer"], r["summary"], r["text"],
                        r["owner"], due_at, r["heat"], section, late)
            )  # fmt: skip
        if limit is not None and by_owner:
            items, totals = _page_by_owner(items, limit)
        escalations, escalations_total = self._due_escalations(owner, limit)
        waiting, waiting_total = self._waiting(owner, limit)
        return DueList(
            tuple(items), tuple(escalations), days, totals, escalations_total,
            tuple(waiting), waiting_total, self._money_at_risk(now, owner),
        )  # fmt: skip

    def _waiting(self, owner: str | None, limit: int | None) -> tuple[list[WaitingItem], int]:
        """Open complaints waiting on the customer (of `owner`), oldest wait first."""
        where = " WHERE w.ended_at IS NULL AND c.status = 'open'"
        params: dict[str, Any] = {}
        if owner:
            where += " AND lower(c.owner) = lower(:owner)"
            params["owner"] = owner
        joins = " FROM wait w JOIN complaint c ON c.id = w.complaint_id"
        sql = (
            "SELECT c.id, cu.name, c.summary, c.owner, w.started_at, w.reason" + joins
            + " JOIN customer cu ON cu.id = c.customer_id" + where + " ORDER BY w.started_at, c.id"
        )  # fmt: skip
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = [
            WaitingItem(r[0], r[1], r[2], r[3], stored_time(r[4]), r[5])
            for r in self.tuples(sql, params)
        ]
        total = len(rows)
        if limit is not None and total >= limit:
            total = int(self.tuples("SELECT count(*)" + joins + where, params)[0][0])
        return rows, total

    def _money_at_risk(self, now: datetime, owner: str | None) -> MoneyAtRisk:
        """Losses customers claimed on open complaints, and on those with a promise overdue."""
        params: dict[str, Any] = {"now": self._time(now)}
        mine = ""
        if owner:
            mine = " AND lower(c.owner) = lower(:owner)"
            params["owner"] = owner
        overdue = (  # `op`, not `p`: the due page's promise reads are `p`
            "EXISTS (SELECT 1 FROM promise op WHERE op.complaint_id = c.id"
            " AND op.status = 'open' AND op.due_at < :now)"
        )
        row = self.tuples(
            "SELECT count(*) AS n, coalesce(sum(c.loss_cents), 0) AS loss,"
            f" coalesce(sum(CASE WHEN {overdue} THEN 1 ELSE 0 END), 0) AS overdue_n,"
            f" coalesce(sum(CASE WHEN {overdue} THEN c.loss_cents ELSE 0 END), 0) AS overdue_loss"
            " FROM complaint c WHERE c.status = 'open' AND c.loss_cents IS NOT NULL" + mine,
            params,
        )[0]
        return MoneyAtRisk(int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    def _due_escalations(
        self, owner: str | None, limit: int | None
    ) -> tuple[list[EscalationRow], int | None]:
        """Unacknowledged escalations of open complaints, oldest first (to the owner,
        or on a complaint the owner owns); with `limit`, the first ones and the total."""
        if owner:
            key = owner.lower()
            owners = {
                r["id"]: str(r["owner"]).lower()
                for r in self._rows(
                    "SELECT DISTINCT c.id, c.owner FROM escalation e"
                    " JOIN complaint c ON c.id = e.complaint_id"
                    " WHERE e.acknowledged_at IS NULL AND c.status = 'open'"
                )
            }
            chosen = [
                e
                for e in self.escalations(unacknowledged=True, open_complaints=True)
                if key in (e.to.lower(), owners.get(e.complaint_id, ""))
            ]
            if limit is None:
                return chosen, None
            return chosen[:limit], len(chosen)
        if limit is None:
            return self.escalations(unacknowledged=True, open_complaints=True), None
        total = self._rows(
            "SELECT count(*) AS n FROM escalation e JOIN complaint c ON c.id = e.complaint_id"
            " WHERE e.acknowledged_at IS NULL AND c.status = 'open'"
        )[0]["n"]
        return self.escalations(unacknowledged=True, open_complaints=True, limit=limit), total


def _page_by_owner(
    items: list[DueItem], limit: int
) -> tuple[list[DueItem], dict[tuple[str | None, str], int]]:
    """The first `limit` items of each (owner, section), in order, and their totals."""
    totals: dict[tuple[str | None, str], int] = {}
    page = []
    for item in items:
        key = (item.owner, item.section)
        totals[key] = totals.get(key, 0) + 1
        if totals[key] <= limit:
            page.append(item)
    return page, totals
