"""The read path: SQL in, frozen dataclasses out, over the plain DB-API driver.

This module never imports SQLAlchemy, SQLModel or the models, so read-only
commands (`due`, `list`, `show`) start fast. The schema is still defined once,
in models.py: `open_reader` compares the stored Alembic revision with
SCHEMA_HEAD and hands over to store.py (which migrates) only on a mismatch.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from complog.businesstime import Pause
from complog.connect import (
    SCHEMA_HEAD,
    Location,
    PgConnection,
    check_logbook_file,
    connect_sqlite,
    decode_time,
    encode_time,
    is_writable,
    read_revision,
    translate_error,
)
from complog.errors import NotFound, StorageError
from complog.names import did_you_mean, name_key, near_names
from complog.rows import (
    ComplaintDetail,
    ComplaintFilter,
    ComplaintRow,
    CustomerHistory,
    CustomerRow,
    CustomerSummary,
    DueItem,
    DueList,
    EscalationRow,
    EventRow,
    MoneyAtRisk,
    NoteRow,
    PastResolutionRow,
    PromiseRow,
    RescheduleRow,
    SearchHit,
    SearchSyntaxError,
    WaitingItem,
    WaitRow,
)
from complog.settings import Settings, load_settings

if TYPE_CHECKING:
    # imported where used: `due`, `list` and `add` need none of them
    from complog.identity import Identity
    from complog.kpis import ComplaintFigures, PromiseFigures
    from complog.rules import ComplaintFacts
    from complog.search import Node

_COMPLAINT_COLUMNS = """
    c.id, cu.name AS customer, c.customer_id, c.summary, c.status, c.channel, c.category,
    c.heat, c.wants, c.loss_cents, c.written, c.owner, c.opened_at, c.recorded_at,
    c.resolved_at,
    (SELECT count(*) FROM promise p WHERE p.complaint_id = c.id AND p.status = 'open')
        AS open_promises,
    c.outcome, c.confirmed, c.satisfaction, c.compensation, c.cause, c.prevention,
    c.external_id, c.created_by,
    (SELECT w.started_at FROM wait w WHERE w.complaint_id = c.id AND w.ended_at IS NULL)
        AS waiting_since
"""


def _complaint(row: Any) -> ComplaintRow:
    return ComplaintRow(
        id=row["id"], customer=row["customer"], customer_id=row["customer_id"],
        summary=row["summary"], status=row["status"], channel=row["channel"],
        category=row["category"], heat=row["heat"], wants=row["wants"],
        loss_cents=row["loss_cents"], written=bool(row["written"]), owner=row["owner"],
        opened_at=_t(row["opened_at"]), recorded_at=_t(row["recorded_at"]),
        resolved_at=decode_time(row["resolved_at"]), open_promises=row["open_promises"],
        outcome=row["outcome"],
        confirmed=None if row["confirmed"] is None else bool(row["confirmed"]),
        satisfaction=row["satisfaction"], compensation=row["compensation"],
        cause=row["cause"], prevention=row["prevention"], external_id=row["external_id"],
        created_by=row["created_by"], waiting_since=decode_time(row["waiting_since"]),
    )  # fmt: skip


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _t(value: Any) -> datetime:
    decoded = decode_time(value)
    assert decoded is not None
    return decoded


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


class Reader:
    """A read-only view of the logbook over one DB-API connection."""

    def __init__(self, location: Location, conn: Any, cleanup: Path | None = None) -> None:
        """`conn`: a sqlite3.Connection, or connect.PgConnection for PostgreSQL."""
        self.location = location
        self.conn = conn
        self._cleanup = cleanup
        self.dialect = getattr(conn, "dialect", "sqlite")
        self._driver_errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
        if self.dialect == "sqlite":
            conn.row_factory = sqlite3.Row
        else:
            import psycopg

            self._driver_errors = (sqlite3.Error, psycopg.Error)
        self._settings: Settings | None = None

    def close(self) -> None:
        self.conn.close()
        if self._cleanup is not None:
            import shutil

            shutil.rmtree(self._cleanup, ignore_errors=True)
            self._cleanup = None

    @property
    def exists(self) -> bool:
        """False when answering for a logbook that has not been created yet."""
        return self._cleanup is None

    def _rows(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> list[Any]:
        try:
            return list(self.conn.execute(sql, params).fetchall())
        except self._driver_errors as exc:
            raise translate_error(exc, self.location) from None

    def tuples(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, in column order, on either driver: cheaper than rows by
        name for big reads, and read by position (so unnamed columns are all there)."""
        try:
            if isinstance(self.conn, PgConnection):
                return self.conn.tuples(sql, params or {})
            cursor = self.conn.cursor()
            cursor.row_factory = None
            return list(cursor.execute(sql, params or {}).fetchall())
        except self._driver_errors as exc:
            raise translate_error(exc, self.location) from None

    def _time(self, value: datetime) -> str | datetime:
        """Times as the database compares them: fixed-width UTC text in SQLite."""
        return encode_time(value) if self.dialect == "sqlite" else value

    # -- settings ------------------------------------------------------------

    def identity(self) -> Identity | None:
        """PostgreSQL: the signed-in role, the name mapped to it, whether it is an admin."""
        if self.dialect == "sqlite":
            return None
        from complog.identity import Identity

        row = self._rows(
            "SELECT session_user AS role, (SELECT name FROM role_name WHERE role = session_user)"
            " AS name, complog_is_admin() AS admin"
        )[0]
        return Identity(str(row["role"]), row["name"], bool(row["admin"]))

    def high_water_marks(self) -> dict[str, int]:
        """Each table's largest id ever handed out (what migrate-to carries over)."""
        return {t: int(self.tuples(high_water_sql(t, self.dialect))[0][0] or 0) for t in ID_TABLES}

    def stored_settings(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self._rows("SELECT key, value FROM setting")}

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.stored_settings())
        return self._settings

    # -- complaints ------------------------------------------------------------

    def complaint(self, complaint_id: int) -> ComplaintRow:
        rows = self._rows(
            f"SELECT {_COMPLAINT_COLUMNS} FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
            " WHERE c.id = :id",
            {"id": complaint_id},
        )
        if not rows:
            raise NotFound(f"no complaint {complaint_id}", "complog list --status all shows them")
        return _complaint(rows[0])

    def complaints(self, flt: ComplaintFilter) -> list[ComplaintRow]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if flt.status != "all":
            where.append("c.status = :status")
            params["status"] = flt.status
        if flt.customer:
            where.append("cu.name_key = :customer")
            params["customer"] = name_key(flt.customer)
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
        return [_complaint(r) for r in self._rows(sql, params)]

    def customer(self, customer_id: int) -> CustomerRow:
        rows = self._rows("SELECT * FROM customer WHERE id = :id", {"id": customer_id})
        if not rows:
            raise NotFound(f"no customer {customer_id}")
        r = rows[0]
        return CustomerRow(
            r["id"], r["name"], r["phone"], r["email"], r["notes"], _t(r["created_at"]),
            decode_time(r["erased_at"]),
        )  # fmt: skip

    def notes(self, complaint_id: int) -> list[NoteRow]:
        rows = self._rows(
            "SELECT * FROM note WHERE complaint_id = :id ORDER BY at, id", {"id": complaint_id}
        )
        return [
            NoteRow(r["id"], r["complaint_id"], _t(r["at"]), _t(r["recorded_at"]), r["author"],
                    r["channel"], r["direction"], r["text"])
            for r in rows
        ]  # fmt: skip

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
        return PromiseRow(
            id=r["id"], complaint_id=r["complaint_id"], text=r["text"], owner=r["owner"],
            due_at=_t(r["due_at"]), status=r["status"], created_at=_t(r["created_at"]),
            created_by=r["created_by"], kept_at=decode_time(r["kept_at"]),
            cancelled_at=decode_time(r["cancelled_at"]), closed_note=r["closed_note"],
            reschedules=tuple(
                RescheduleRow(_t(h["at"]), _t(h["old_due_at"]), _t(h["new_due_at"]), h["reason"],
                              bool(h["late"]), h["actor"])
                for h in history
            ),
        )  # fmt: skip

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
        return [
            EscalationRow(r["id"], r["complaint_id"], r["customer"], r["to_whom"], r["reason"],
                          r["rule"], r["trigger"], _t(r["at"]), r["actor"],
                          decode_time(r["acknowledged_at"]), r["acknowledged_by"])
            for r in self._rows(sql, params)
        ]  # fmt: skip

    def events(self, complaint_id: int | None = None, limit: int | None = None) -> list[EventRow]:
        sql = "SELECT * FROM event"
        params: dict[str, Any] = {}
        if complaint_id is not None:
            sql += " WHERE complaint_id = :cid"
            params["cid"] = complaint_id
        sql += " ORDER BY id"
        if limit:
            sql = f"SELECT * FROM ({sql} DESC LIMIT {int(limit)}) AS latest ORDER BY id"
        return [
            EventRow(r["id"], _t(r["at"]), r["actor"], r["action"], r["entity"], r["entity_id"],
                     r["complaint_id"], _json(r["before"]), _json(r["after"]), r["role"])
            for r in self._rows(sql, params)
        ]  # fmt: skip

    def past_resolutions(self, complaint_id: int) -> list[PastResolutionRow]:
        sql = "SELECT * FROM past_resolution WHERE complaint_id = :cid ORDER BY id"
        return [
            PastResolutionRow(_t(r["resolved_at"]), r["outcome"], _bool(r["confirmed"]),
                              r["satisfaction"], r["compensation"], r["cause"], r["prevention"],
                              _t(r["reopened_at"]), r["reopened_by"], r["reopen_reason"])
            for r in self._rows(sql, {"cid": complaint_id})
        ]  # fmt: skip

    def waits(self, complaint_id: int) -> list[WaitRow]:
        sql = "SELECT * FROM wait WHERE complaint_id = :cid ORDER BY started_at, id"
        return [
            WaitRow(r["id"], _t(r["started_at"]), r["started_by"], r["reason"],
                    decode_time(r["ended_at"]), r["ended_by"])
            for r in self._rows(sql, {"cid": complaint_id})
        ]  # fmt: skip

    def detail(self, complaint_id: int) -> ComplaintDetail:
        from complog.timeline import build_timeline

        complaint = self.complaint(complaint_id)
        notes = tuple(self.notes(complaint_id))
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

    # -- the morning list ------------------------------------------------------

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
            due_at = _t(r["due_at"])
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
            WaitingItem(r[0], r[1], r[2], r[3], _t(r[4]), r[5]) for r in self.tuples(sql, params)
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

    def other_open_complaints(self, customer_id: int, exclude: int) -> list[ComplaintRow]:
        rows = self._rows(
            f"SELECT {_COMPLAINT_COLUMNS} FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
            " WHERE c.customer_id = :cid AND c.status = 'open' AND c.id != :ex ORDER BY c.opened_at",
            {"cid": customer_id, "ex": exclude},
        )
        return [_complaint(r) for r in rows]

    # -- customers ---------------------------------------------------------------

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
        names = [r["name"] for r in self._rows("SELECT name FROM customer WHERE erased_at IS NULL")]
        return near_names(name, names, cutoff=cutoff)

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
            CustomerSummary(r["name"], r["complaints"], r["open"], _t(r["last_at"]))
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
        r = rows[0]
        note = NoteRow(r["id"], r["complaint_id"], _t(r["at"]), _t(r["recorded_at"]), r["author"],
                       r["channel"], r["direction"], r["text"])  # fmt: skip
        return note, self.complaint(note.complaint_id)

    def opened_times(self, customer_id: int) -> list[datetime]:
        """When the customer opened each of their complaints (the repeat-customer rule's facts)."""
        rows = self._rows(
            "SELECT opened_at FROM complaint WHERE customer_id = :cid", {"cid": customer_id}
        )
        return [_t(r["opened_at"]) for r in rows]

    # -- search -------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]:
        """Full-text search over complaints, notes and promises; one hit per complaint.

        The query is parsed once (complog.search), so both databases accept and
        refuse the same queries; SearchSyntaxError says what is wrong. A column
        filter (`summary:till`) only finds rows of the tables with that column.
        """
        from complog.search import parse

        tree = parse(query)
        if self.dialect != "sqlite":
            return self._search_postgres(tree, limit)
        from complog.search import to_fts5

        best: dict[int, tuple[float, str, str]] = {}
        owners = {
            "complaint": "f.rowid",
            "note": "(SELECT complaint_id FROM note WHERE id = f.rowid)",
            "promise": "(SELECT complaint_id FROM promise WHERE id = f.rowid)",
            "reschedule": "(SELECT p.complaint_id FROM reschedule r JOIN promise p ON p.id = r.promise_id WHERE r.id = f.rowid)",
        }

        def fetch(sql: str, params: dict[str, Any]) -> list[Any]:
            return list(self.conn.execute(sql, params).fetchall())

        for table, owner in owners.items():
            fts_query = to_fts5(tree, table)
            if fts_query is None:
                continue  # nothing in this table can match (a column it lacks)
            sql = (
                f"SELECT {owner} AS complaint_id, bm25({table}_fts) AS rank,"
                f" snippet({table}_fts, -1, char(2), char(3), '…', 16) AS snippet"
                f" FROM {table}_fts f WHERE {table}_fts MATCH :q ORDER BY rank LIMIT :limit"
            )
            try:
                rows = enough_rows(fetch, sql, {"q": fts_query}, limit, "complaint_id")
            except sqlite3.DatabaseError as exc:
                if "syntax error" in str(exc) or "parser stack overflow" in str(exc):
                    raise SearchSyntaxError(str(exc)) from None  # what the parser let through
                raise translate_error(exc, self.location) from None
            for r in rows:
                if r["complaint_id"] not in best or r["rank"] < best[r["complaint_id"]][0]:
                    best[r["complaint_id"]] = (r["rank"], r["snippet"] or "", table)
        ranked = sorted(best.items(), key=lambda item: (item[1][0], -item[0]))[:limit]
        return [
            SearchHit(self.complaint(cid), snippet, kind, rank)
            for cid, (rank, snippet, kind) in ranked
        ]

    def _search_postgres(self, tree: Node, limit: int) -> list[SearchHit]:
        """PostgreSQL's own text search over the GIN-indexed documents, ranked by
        ts_rank; the snippet is cut from the row as FTS5 would cut it."""
        from complog.search import SEARCH_COLUMNS, PgQuery
        from complog.snippets import snippet

        best: dict[int, tuple[float, list[str | None], str]] = {}
        owners = {
            "complaint": "t.id",
            "note": "t.complaint_id",
            "promise": "t.complaint_id",
            "reschedule": "(SELECT p.complaint_id FROM promise p WHERE p.id = t.promise_id)",
        }
        for table, columns in SEARCH_COLUMNS.items():
            query = PgQuery(table)
            condition = query.compile(tree)
            if condition is None:
                continue
            sql = (
                f"SELECT {owners[table]}, ts_rank({query.document}, {condition.needed}),"
                f" {', '.join('t.' + c for c in columns)}"
                f" FROM {table} t WHERE {query.where(condition)}"
                " ORDER BY 2 DESC, t.id LIMIT :limit"
            )
            rows = enough_rows(self.tuples, sql, query.params, limit, 0)
            for complaint_id, score, *texts in rows:
                rank = -float(score)  # lower is better, as bm25 in SQLite
                if complaint_id not in best or rank < best[complaint_id][0]:
                    best[complaint_id] = (rank, texts, table)
        ranked = sorted(best.items(), key=lambda item: (item[1][0], -item[0]))[:limit]
        return [
            SearchHit(
                self.complaint(cid),
                snippet(table, texts, tree, mark=("\x02", "\x03")),
                table,
                rank,
            )
            for cid, (rank, texts, table) in ranked
        ]

    # -- escalation rules ----------------------------------------------------------

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
                PromiseFacts(r["id"], r["text"], r["owner"], _t(r["due_at"]), r["reschedules"])
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
                (_t(r["started_at"]), decode_time(r["ended_at"]))
            )
        opened: dict[int, list[datetime]] = {}
        for r in self._rows(
            "SELECT customer_id, opened_at FROM complaint WHERE customer_id IN"
            " (SELECT customer_id FROM complaint WHERE status = 'open') ORDER BY opened_at"
        ):
            opened.setdefault(r["customer_id"], []).append(_t(r["opened_at"]))
        return [
            ComplaintFacts(
                id=r["id"],
                customer_id=r["customer_id"],
                customer=r["customer"],
                heat=r["heat"],
                written=bool(r["written"]),
                opened_at=_t(r["opened_at"]),
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

    def report_figures(
        self, since: datetime | None, until: datetime
    ) -> tuple[list[ComplaintFigures], list[PromiseFigures], int]:
        """Rows for the KPIs: complaints opened or resolved in the period, promises
        due in it (or broken in it by a late reschedule), and the reschedule count."""
        from complog.kpis import ComplaintFigures, PromiseFigures

        def complaint_figures(r: tuple[Any, ...]) -> ComplaintFigures:
            """A row of the complaint query below, in its column order."""
            return ComplaintFigures(
                id=r[0], customer=r[1], owner=r[2], category=r[3], cause=r[4], channel=r[5],
                opened_at=_t(r[6]), resolved_at=decode_time(r[7]),
                first_response_at=decode_time(r[8]),
                confirmed=None if r[9] is None else bool(r[9]), satisfaction=r[10],
                compensation=r[11], loss_cents=r[12], escalated=bool(r[13]),
            )  # fmt: skip

        params: dict[str, Any] = {
            "until": self._time(until),
            "since": self._time(since or BEGINNING),
        }
        decode = decode_time
        complaints = [
            complaint_figures(r)
            for r in self.tuples(
                "SELECT c.id, cu.name AS customer, c.owner, c.category, c.cause, c.channel,"
                " c.opened_at, c.resolved_at,"
                " (SELECT min(t) FROM ("
                "   SELECT min(n.at) AS t FROM note n WHERE n.complaint_id = c.id AND n.direction = 'out'"
                "   UNION ALL SELECT min(p.kept_at) FROM promise p WHERE p.complaint_id = c.id) AS responses)"
                " AS first_response_at,"
                " c.confirmed, c.satisfaction, c.compensation, c.loss_cents,"
                " EXISTS (SELECT 1 FROM escalation e WHERE e.complaint_id = c.id) AS escalated"
                " FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
                " WHERE c.opened_at < :until AND (c.opened_at >= :since OR c.resolved_at >= :since)",
                params,
            )
        ]
        # The due time a promise had when it was first rescheduled late: one pass over
        # the late reschedules, joined, instead of a subquery per promise.
        promises = [
            PromiseFigures(r[0], r[1], _t(r[2]), r[3], decode(r[4]), decode(r[5]), decode(r[6]))
            for r in self.tuples(
                "SELECT p.id, p.owner, p.due_at, p.status, p.kept_at, p.cancelled_at,"
                " f.old_due_at AS first_late_due_at"
                " FROM promise p LEFT JOIN ("
                "   SELECT r.promise_id, r.old_due_at,"
                "   row_number() OVER (PARTITION BY r.promise_id ORDER BY r.at, r.id) AS n"
                "   FROM reschedule r WHERE r.late) AS f ON f.promise_id = p.id AND f.n = 1"
                " WHERE coalesce(f.old_due_at, p.due_at) >= :since"
                " AND coalesce(f.old_due_at, p.due_at) < :until",
                params,
            )
        ]
        reschedules = self._rows(
            "SELECT count(*) AS n FROM reschedule WHERE at >= :since AND at < :until", params
        )[0]["n"]
        return complaints, promises, int(reschedules)

    def waits_by_complaint(self, since: datetime | None, until: datetime) -> dict[int, list[Pause]]:
        """Waits on the customer that began before `until` and ended (if at all) after
        `since`: what the report's resolution clock leaves out."""
        out: dict[int, list[Pause]] = {}
        for r in self.tuples(
            "SELECT complaint_id, started_at, ended_at FROM wait WHERE started_at < :until"
            " AND (ended_at IS NULL OR ended_at >= :since) ORDER BY started_at",
            {"until": self._time(until), "since": self._time(since or BEGINNING)},
        ):
            out.setdefault(r[0], []).append((_t(r[1]), decode_time(r[2])))
        return out

    def period_counts(self, start: datetime, end: datetime) -> dict[str, int]:
        """Opened, resolved, kept and broken promises within [start, end)."""
        p = {"start": self._time(start), "end": self._time(end)}
        row = self._rows(
            "SELECT"
            " (SELECT count(*) FROM complaint WHERE opened_at >= :start AND opened_at < :end) AS opened,"
            " (SELECT count(*) FROM complaint WHERE resolved_at >= :start AND resolved_at < :end) AS resolved,"
            " (SELECT count(*) FROM promise WHERE kept_at >= :start AND kept_at < :end) AS kept,"
            " (SELECT count(*) FROM promise WHERE due_at >= :start AND due_at < :end"
            "   AND NOT (status = 'kept' AND kept_at <= due_at)"
            "   AND NOT (status = 'cancelled' AND cancelled_at <= due_at))"
            " + (SELECT count(*) FROM reschedule WHERE late AND old_due_at >= :start AND old_due_at < :end)"
            "   AS broken",
            p,
        )[0]
        return {k: int(row[k]) for k in row.keys()}

    # -- whole-logbook copies (migrate-to) ---------------------------------------------

    def raw_events(self) -> list[dict[str, Any]]:
        """The audit log as rows, times decoded, JSON left as stored."""
        return [
            {"id": r["id"], "at": _t(r["at"]), "actor": r["actor"], "action": r["action"], "entity": r["entity"],
             "entity_id": r["entity_id"], "complaint_id": r["complaint_id"], "before": r["before"], "after": r["after"],
             "role": r["role"]}
            for r in self._rows("SELECT * FROM event ORDER BY id")
        ]  # fmt: skip

    def role_names(self) -> list[dict[str, Any]]:
        """PostgreSQL roles and the names recorded for them (`complog db role`)."""
        return [
            {"role": r["role"], "name": r["name"], "updated_at": _t(r["updated_at"]),
             "updated_by": r["updated_by"]}
            for r in self._rows("SELECT * FROM role_name ORDER BY role")
        ]  # fmt: skip

    def raw_settings(self) -> list[dict[str, Any]]:
        return [
            {
                "key": r["key"],
                "value": r["value"],
                "updated_at": _t(r["updated_at"]),
                "updated_by": r["updated_by"],
            }
            for r in self._rows("SELECT * FROM setting ORDER BY key")
        ]

    def customers_without_complaints(self) -> list[dict[str, Any]]:
        return [
            {"id": r["id"], "name": r["name"], "name_key": r["name_key"], "phone": r["phone"], "email": r["email"],
             "notes": r["notes"], "created_at": _t(r["created_at"]), "erased_at": decode_time(r["erased_at"])}
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


_MIDNIGHT = datetime.min.time()


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


def enough_rows(
    fetch: Callable[[str, dict[str, Any]], Sequence[Any]],
    sql: str,
    params: dict[str, Any],
    limit: int,
    complaint: str | int,
) -> Sequence[Any]:
    """The best rows of one table, enough to name `limit` complaints (or all of them):
    one complaint's many matching notes must not crowd the others out of --limit.
    `sql` ends in LIMIT :limit; `complaint` is the column holding the complaint's id."""
    size = limit
    while True:
        rows = fetch(sql, {**params, "limit": size})
        if len(rows) < size or len({row[complaint] for row in rows}) >= limit:
            return rows
        size *= 4


#: "since the beginning" as a time both databases can compare with
BEGINNING = datetime(1900, 1, 1, tzinfo=UTC)


def _json(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)


def _empty_reader(location: Location) -> Reader:
    """Reading a logbook that does not exist yet: answer from an empty one in a
    temporary folder, so reads never create files (only the first write does)."""
    import tempfile

    from complog.store import open_store

    folder = tempfile.mkdtemp(prefix="complog-empty-")
    empty = Path(folder) / "empty.db"
    open_store(Location(path=empty)).engine.dispose()
    return Reader(location, connect_sqlite(empty, readonly=True), cleanup=Path(folder))


def _open_postgres_reader(location: Location) -> Reader:
    """A team logbook: migrate on first use (the database was made for complog)."""
    import psycopg

    from complog.connect import connect_postgres

    conn = connect_postgres(location)
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()["version_num"]
    except psycopg.errors.UndefinedTable:
        revision = None  # a new, empty database: the first open creates the schema
    except psycopg.Error as exc:
        conn.close()
        raise translate_error(exc, location) from None
    if revision != SCHEMA_HEAD:
        from complog.store import open_store

        open_store(location).engine.dispose()
    return Reader(location, conn)


def open_reader(location: Location) -> Reader:
    """Open the logbook for reading, creating or migrating it first when needed."""
    if location.path is None:
        return _open_postgres_reader(location)
    path = location.path
    if not check_logbook_file(path):
        return _empty_reader(location)
    readonly = not is_writable(path)
    # Read-only even when we could write: a reader then never checkpoints the
    # WAL into the main file, so reading commands leave the file byte-identical.
    conn = connect_sqlite(path, readonly=True)
    try:
        revision = read_revision(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise translate_error(exc, location) from None
    if revision != SCHEMA_HEAD:
        conn.close()
        if readonly:
            raise StorageError(
                f"the logbook {location} needs a schema upgrade but is read-only",
                "open it once with write access to upgrade it",
            )
        from complog.store import open_store

        open_store(location)  # migrates (after a backup) or refuses a newer logbook
        conn = connect_sqlite(path, readonly=True)
    return Reader(location, conn)
