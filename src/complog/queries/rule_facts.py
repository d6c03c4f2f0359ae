"""The facts the escalation rules judge, for every open complaint at once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from complog.queries.base import ReaderBase, stored_time
from complog.storedtime import decode_time

if TYPE_CHECKING:
    # imported where used: `due`, `list` and `add` need none of them
    from complog.rules import ComplaintFacts


class RuleFactReads(ReaderBase):
    def rule_facts(self) -> list[ComplaintFacts]:
        """The facts the escalation rules need, for every open complaint."""
        from complog.rules import ComplaintFacts, PromiseFacts

        complaints = self._rows(
            "SELECT c.id, c.customer_id, cu.name AS customer, c.heat, c.written, c.opened_at"
            " FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
            " WHERE c.status = 'open' ORDER BY c.id"
        )
        if not complaints:
            return []
        last_contact = {
            r["complaint_id"]: r["at"]
            for r in self._rows(
                "SELECT complaint_id, max(at) AS at FROM ("
                " SELECT n.complaint_id, n.at FROM note n JOIN complaint c ON c.id = n.complaint_id"
                "  WHERE c.status = 'open' AND n.direction IN ('in', 'out')"
                " UNION ALL"
                " SELECT p.complaint_id, p.kept_at FROM promise p JOIN complaint c ON c.id = p.complaint_id"
                "  WHERE c.status = 'open' AND p.kept_at IS NOT NULL"
                ") AS contacts GROUP BY complaint_id"
            )
        }
        written_reply = {
            r["complaint_id"]: r["at"]
            for r in self._rows(
                "SELECT n.complaint_id, min(n.at) AS at FROM note n JOIN complaint c ON c.id = n.complaint_id"
                " WHERE c.status = 'open' AND n.direction = 'out' AND n.channel IN ('email', 'letter')"
                " GROUP BY n.complaint_id"
            )
        }
        promises: dict[int, list[PromiseFacts]] = {}
        for r in self._rows(
            "SELECT p.id, p.complaint_id, p.text, p.owner, p.due_at,"
            " (SELECT count(*) FROM reschedule r WHERE r.promise_id = p.id) AS reschedules"
            " FROM promise p WHERE p.status = 'open' ORDER BY p.due_at, p.id"
        ):
            promises.setdefault(r["complaint_id"], []).append(
                PromiseFacts(
                    r["id"], r["text"], r["owner"], stored_time(r["due_at"]), r["reschedules"]
                )
            )
        acknowledged = {
            r["complaint_id"]: r["at"]
            for r in self._rows(
                "SELECT complaint_id, min(at) AS at FROM ("
                " SELECT n.complaint_id, n.at FROM note n JOIN complaint c ON c.id = n.complaint_id"
                "  WHERE c.status = 'open' AND n.direction = 'out'"
                " UNION ALL"
                " SELECT p.complaint_id, p.kept_at FROM promise p JOIN complaint c ON c.id = p.complaint_id"
                "  WHERE c.status = 'open' AND p.kept_at IS NOT NULL"
                ") AS responses GROUP BY complaint_id"
            )
        }
        waits: dict[int, list[tuple[datetime, datetime | None]]] = {}
        for r in self._rows(
            "SELECT w.complaint_id, w.started_at, w.ended_at FROM wait w"
            " JOIN complaint c ON c.id = w.complaint_id WHERE c.status = 'open'"
            " ORDER BY w.started_at"
        ):
            waits.setdefault(r["complaint_id"], []).append(
                (stored_time(r["started_at"]), decode_time(r["ended_at"]))
            )
        opened: dict[int, list[datetime]] = {}
        for r in self._rows(
            "SELECT customer_id, opened_at FROM complaint WHERE customer_id IN"
            " (SELECT customer_id FROM complaint WHERE status = 'open') ORDER BY opened_at"
        ):
            opened.setdefault(r["customer_id"], []).append(stored_time(r["opened_at"]))
        return [
            ComplaintFacts(
                id=r["id"],
                customer_id=r["customer_id"],
                customer=r["customer"],
                heat=r["heat"],
                written=bool(r["written"]),
                opened_at=stored_time(r["opened_at"]),
                last_interaction_at=decode_time(last_contact.get(r["id"])),
                written_reply_at=decode_time(written_reply.get(r["id"])),
                open_promises=tuple(promises.get(r["id"], ())),
                customer_opened=tuple(opened.get(r["customer_id"], ())),
                acknowledged_at=decode_time(acknowledged.get(r["id"])),
                waits=tuple(waits.get(r["id"], ())),
            )  # fmt: skip
            for r in complaints
        ]

    def escalation_keys(self) -> set[tuple[int, str, str]]:
        return {
            (r["complaint_id"], r["rule"], r["trigger"])
            for r in self._rows(
                "SELECT complaint_id, rule, trigger FROM escalation WHERE trigger IS NOT NULL"
            )
        }
