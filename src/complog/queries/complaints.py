"""Complaints and what hangs off them: notes, promises, escalations, events,
waits, past resolutions, and the whole detail `show` prints."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from complog.errors import NotFound
from complog.names import pick_customer, same_key_params, same_key_sql
from complog.queries.base import ReaderBase
from complog.rows import (
    ComplaintDetail,
    ComplaintFilter,
    ComplaintRow,
    CustomerRow,
    EscalationRow,
    EventRow,
    NoteRow,
    PastResolutionRow,
    PromiseRow,
    RescheduleRow,
    WaitRow,
)

if TYPE_CHECKING:
    # imported where used: `due`, `list` and `add` need none of them
    pass


_COMPLAINT_COLUMNS = """
    c.id, cu.name AS customer, c.customer_id, c.summary, c.status, c.channel, c.category,
    c.heat, c.wants, c.loss_minor, c.loss_currency, c.written, c.owner, c.opened_at, c.recorded_at,
    c.resolved_at,
    (SELECT count(*) FROM promise p WHERE p.complaint_id = c.id AND p.status = 'open')
        AS open_promises,
    c.outcome, c.confirmed, c.satisfaction, c.compensation, c.compensation_minor,
    c.compensation_currency, c.cause, c.prevention,
    c.external_id, c.created_by,
    (SELECT w.started_at FROM wait w WHERE w.complaint_id = c.id AND w.ended_at IS NULL)
        AS waiting_since
"""


class ComplaintReads(ReaderBase):
    def complaint(self, complaint_id: int) -> ComplaintRow:
        rows = self._rows(
            f"SELECT {_COMPLAINT_COLUMNS} FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
            " WHERE c.id = :id",
            {"id": complaint_id},
        )
        if not rows:
            raise NotFound(f"no complaint {complaint_id}", "complog list --status all shows them")
        return ComplaintRow.from_row(rows[0])

    def complaints(self, flt: ComplaintFilter) -> list[ComplaintRow]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if flt.status != "all":
            where.append("c.status = :status")
            params["status"] = flt.status
        if flt.customer:
            candidates = self._rows(
                f"SELECT id, name, name_key FROM customer WHERE {same_key_sql(self.dialect)}",
                same_key_params(flt.customer),
            )
            chosen = pick_customer(
                flt.customer,
                [(int(r["id"]), str(r["name"]), str(r["name_key"])) for r in candidates],
            )
            where.append("c.customer_id = :customer")
            params["customer"] = -1 if chosen is None else chosen
        if flt.owner:
            where.append("c.owner = :owner")
            params["owner"] = flt.owner
        if flt.category:
            where.append("lower(c.category) = lower(:category)")
            params["category"] = flt.category
        if flt.since:
            where.append("c.opened_at >= :since")
            params["since"] = self._time(flt.since)
        if flt.until:
            where.append("c.opened_at < :until")
            params["until"] = self._time(flt.until)
        sql = f"SELECT {_COMPLAINT_COLUMNS} FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY c.opened_at DESC, c.id DESC"
        if flt.limit:
            sql += f" LIMIT {int(flt.limit)}"
        return [ComplaintRow.from_row(r) for r in self._rows(sql, params)]

    def customer(self, customer_id: int) -> CustomerRow:
        rows = self._rows("SELECT * FROM customer WHERE id = :id", {"id": customer_id})
        if not rows:
            raise NotFound(f"no customer {customer_id}")
        return CustomerRow.from_row(rows[0])

    def notes(self, complaint_id: int) -> list[NoteRow]:
        rows = self._rows(
            "SELECT * FROM note WHERE complaint_id = :id ORDER BY at, id", {"id": complaint_id}
        )
        return [NoteRow.from_row(r) for r in rows]

    def promises(self, complaint_id: int) -> list[PromiseRow]:
        rows = self._rows(
            "SELECT * FROM promise WHERE complaint_id = :id ORDER BY created_at, id",
            {"id": complaint_id},
        )
        return [self._promise(r) for r in rows]

    def promise(self, promise_id: int) -> PromiseRow:
        rows = self._rows("SELECT * FROM promise WHERE id = :id", {"id": promise_id})
        if not rows:
            raise NotFound(
                f"no promise {promise_id}", "complog show ID lists a complaint's promises"
            )
        return self._promise(rows[0])

    def _promise(self, r: Any) -> PromiseRow:
        history = self._rows(
            "SELECT * FROM reschedule WHERE promise_id = :id ORDER BY at, id", {"id": r["id"]}
        )
        return PromiseRow.from_row(r, reschedules=tuple(RescheduleRow.from_row(h) for h in history))

    def escalations(
        self,
        *,
        complaint_id: int | None = None,
        unacknowledged: bool = False,
        open_complaints: bool = False,
        to: str | None = None,
        escalation_id: int | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[EscalationRow]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if escalation_id is not None:
            where.append("e.id = :eid")
            params["eid"] = escalation_id
        if since is not None:
            where.append("e.at >= :since")
            params["since"] = self._time(since)
        if complaint_id is not None:
            where.append("e.complaint_id = :cid")
            params["cid"] = complaint_id
        if unacknowledged:
            where.append("e.acknowledged_at IS NULL")
        if open_complaints:
            where.append("c.status = 'open'")
        if to:
            where.append("lower(e.to_whom) = lower(:to)")
            params["to"] = to
        sql = (
            "SELECT e.*, cu.name AS customer FROM escalation e"
            " JOIN complaint c ON c.id = e.complaint_id JOIN customer cu ON cu.id = c.customer_id"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY e.at, e.id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [EscalationRow.from_row(r) for r in self._rows(sql, params)]

    def events(self, complaint_id: int | None = None, limit: int | None = None) -> list[EventRow]:
        sql = "SELECT * FROM event"
        params: dict[str, Any] = {}
        if complaint_id is not None:
            sql += " WHERE complaint_id = :cid"
            params["cid"] = complaint_id
        sql += " ORDER BY id"
        if limit:
            sql = f"SELECT * FROM ({sql} DESC LIMIT {int(limit)}) AS latest ORDER BY id"
        return [EventRow.from_row(r) for r in self._rows(sql, params)]

    def past_resolutions(self, complaint_id: int) -> list[PastResolutionRow]:
        sql = "SELECT * FROM past_resolution WHERE complaint_id = :cid ORDER BY id"
        return [PastResolutionRow.from_row(r) for r in self._rows(sql, {"cid": complaint_id})]

    def waits(self, complaint_id: int) -> list[WaitRow]:
        sql = "SELECT * FROM wait WHERE complaint_id = :cid ORDER BY started_at, id"
        return [WaitRow.from_row(r) for r in self._rows(sql, {"cid": complaint_id})]

    def latest_notes(self, complaint_id: int, count: int) -> tuple[list[NoteRow], int]:
        """The latest `count` notes, oldest first, and how many notes there are."""
        total = self._rows(
            "SELECT count(*) AS n FROM note WHERE complaint_id = :id", {"id": complaint_id}
        )[0]["n"]
        rows = self._rows(
            "SELECT * FROM (SELECT * FROM note WHERE complaint_id = :id"
            " ORDER BY at DESC, id DESC LIMIT :n) AS latest ORDER BY at, id",
            {"id": complaint_id, "n": count},
        )
        return [NoteRow.from_row(r) for r in rows], int(total)

    def iter_notes(self, complaint_id: int) -> Iterator[NoteRow]:
        """Every note in time order, one at a time (`show --format json` streams them)."""
        for r in self.rows_streamed(
            "SELECT * FROM note WHERE complaint_id = :id ORDER BY at, id", {"id": complaint_id}
        ):
            yield NoteRow.from_row(r)

    def detail(self, complaint_id: int, latest_notes: int | None = None) -> ComplaintDetail:
        """Everything about a complaint; with `latest_notes`, only that many of the
        latest notes are read (and the timeline holds only those)."""
        from complog.timeline import build_timeline

        complaint = self.complaint(complaint_id)
        left_out = 0
        if latest_notes is None:
            notes = tuple(self.notes(complaint_id))
        else:
            some, total = self.latest_notes(complaint_id, latest_notes)
            notes, left_out = tuple(some), total - len(some)
        promises = tuple(self.promises(complaint_id))
        escalations = tuple(self.escalations(complaint_id=complaint_id))
        past = tuple(self.past_resolutions(complaint_id))
        waits = tuple(self.waits(complaint_id))
        return ComplaintDetail(
            complaint=complaint,
            customer=self.customer(complaint.customer_id),
            notes=notes,
            promises=promises,
            escalations=escalations,
            past_resolutions=past,
            waits=waits,
            timeline=build_timeline(complaint, notes, promises, escalations, past, waits),
            notes_left_out=left_out,
        )

    def iter_details(self) -> Iterator[ComplaintDetail]:
        """Every complaint, oldest id first, one at a time (exports stream)."""
        last = 0
        while True:
            ids = [
                r["id"]
                for r in self._rows(
                    "SELECT id FROM complaint WHERE id > :last ORDER BY id LIMIT 500",
                    {"last": last},
                )
            ]
            if not ids:
                return
            for complaint_id in ids:
                yield self.detail(complaint_id)
            last = ids[-1]

    def other_open_complaints(self, customer_id: int, exclude: int) -> list[ComplaintRow]:
        rows = self._rows(
            f"SELECT {_COMPLAINT_COLUMNS} FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
            " WHERE c.customer_id = :cid AND c.status = 'open' AND c.id != :ex ORDER BY c.opened_at",
            {"cid": customer_id, "ex": exclude},
        )
        return [ComplaintRow.from_row(r) for r in rows]

    def escalation(self, escalation_id: int) -> EscalationRow:
        found = self.escalations(escalation_id=escalation_id)
        if not found:
            raise NotFound(f"no escalation {escalation_id}", "complog escalations lists them")
        return found[0]

    def open_promises(self, owner: str | None = None) -> list[tuple[PromiseRow, ComplaintRow]]:
        """Every open promise with its complaint (for the calendar feed)."""
        params: dict[str, Any] = {}
        sql = "SELECT * FROM promise WHERE status = 'open'"
        if owner:
            sql += " AND lower(owner) = lower(:owner)"
            params["owner"] = owner
        rows = [self._promise(r) for r in self._rows(sql + " ORDER BY due_at, id", params)]
        complaints = {c: self.complaint(c) for c in {p.complaint_id for p in rows}}
        return [(p, complaints[p.complaint_id]) for p in rows]
