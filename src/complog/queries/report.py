"""The rows behind `report` and `digest`: KPI figures, waits, period counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from complog.businesstime import Pause
from complog.money import Money
from complog.queries.base import BEGINNING, ReaderBase, stored_time
from complog.storedtime import decode_time

if TYPE_CHECKING:
    # imported where used: `due`, `list` and `add` need none of them
    from complog.kpis import ComplaintFigures, DuePromises


class ReportReads(ReaderBase):
    def report_figures(
        self, since: datetime | None, until: datetime, now: datetime
    ) -> tuple[list[ComplaintFigures], DuePromises, int]:
        """Rows for the KPIs: complaints opened or resolved in the period, promises
        due in it by `now` (or broken in it by a late reschedule), and the
        reschedule count.

        The promises are counted by the database when `kpis.build_report` asks, per
        owner, week and kept-on-time flag: a large year has 300,000."""
        from complog.kpis import ComplaintFigures

        # a row's values are Any, and a NOT NULL column's decodes to a datetime
        decode: Callable[[Any], Any] = decode_time
        # A NamedTuple's own __new__ is a Python function with keyword handling;
        # tuple.__new__ with every field in order makes the same tuple in a third
        # less time, for 400,000 rows.
        new = tuple.__new__

        def complaint_figures(r: tuple[Any, ...]) -> ComplaintFigures:
            """A row of the complaint query below, in its column order."""
            return new(ComplaintFigures, (  # every field, in declaration order:
                r[0], customers[r[1]], one(r[2], r[2]),  # id, customer, owner
                one(r[3], r[3]), one(r[4], r[4]), one(r[5], r[5]),  # category, cause, channel
                decode(r[6]), decode(r[7]), decode(r[8]),  # opened, resolved, first reply
                None if r[9] is None else bool(r[9]), r[10],  # confirmed, satisfaction
                r[11], _money(r[14], r[15]), r[0] in escalated,  # compensation, loss, escalated
                r[12], r[13],  # compensation_minor, compensation_currency
            ))  # fmt: skip

        # One string object per distinct owner, status, category...: a year of a large
        # logbook repeats 50 owners 400,000 times, and each copy costs ~55 bytes.
        seen: dict[Any, Any] = {}
        one = seen.setdefault  # one(x) -> the first string equal to x

        params: dict[str, Any] = {
            "until": self._time(until),
            "since": self._time(since or BEGINNING),
        }
        # Customers' names and the escalated complaints looked up in Python: a join and
        # a subquery per complaint cost more (~35 ms each for 100,000 complaints) than
        # reading the 4,000 customers and the 6,600 escalations once. A name is then
        # one string object per customer, however many complaints it has.
        customers = _Names(self, self.stream("SELECT id, name FROM customer"))
        escalated = {r[0] for r in self.stream("SELECT DISTINCT complaint_id FROM escalation")}
        complaints = [
            complaint_figures(r)
            for r in self.stream(
                "SELECT c.id, c.customer_id, c.owner, c.category, c.cause, c.channel,"
                # the first reply (the earliest note out or kept promise) as the
                # database keeps it (migration 0007): reading it from the notes and
                # promises took 0.3 s for 100,000 complaints
                " c.opened_at, c.resolved_at, c.first_reply_at,"
                " c.confirmed, c.satisfaction, c.compensation, c.compensation_minor,"
                " c.compensation_currency, c.loss_minor, c.loss_currency"
                " FROM complaint c"
                " WHERE c.opened_at < :until"
                # opened or resolved in the period, or still open when it began
                # (the backlog and the open complaints' age count those)
                " AND (c.opened_at >= :since OR c.resolved_at >= :since OR c.resolved_at IS NULL)"
                # in id order on both back ends (the report's lists follow it; PostgreSQL's
                # hash join had none), and SQLite then scans by rowid: 0.39 s, not 0.6 s
                " ORDER BY c.id",
                params,
            )
            # as the inner join did (a foreign key: always there, but a customer added
            # since the names were read is looked up, not dropped)
            if customers[r[1]] is not None
        ]
        promises = _DueInSQL(
            self, params | {"now": self._time(now), "horizon": self._time(min(until, now))}
        )
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
            out.setdefault(r[0], []).append((stored_time(r[1]), decode_time(r[2])))
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


class _Names(dict[Any, str | None]):
    """Customers' names by id, read at once; a customer added since (by an `add` that
    commits between two of the report's reads) is read when a complaint names it."""

    def __init__(self, reader: ReaderBase, rows: Iterable[tuple[Any, ...]]) -> None:
        super().__init__(rows)
        self._reader = reader

    def __missing__(self, key: Any) -> str | None:
        found = self._reader.tuples("SELECT name FROM customer WHERE id = :id", {"id": key})
        name = self[key] = found[0][0] if found else None
        return name


#: The promises due in [since, horizon) (horizon: the earlier of the period's end and
#: now), one row each: owner, week (`{week}`: see _week_number), kept on time. These
#: are the rules of `kpis.due_promises` (`PromiseFigures.broken` and `counts_as_due`) in
#: SQL, on the stored times (text that sorts as time in SQLite, timestamps in
#: PostgreSQL), so the 300,000 promises of a large year reach Python as three small
#: values, none decoded; tests/store/test_report_promises.py checks the two agree on
#: both back ends.
_DUE_PROMISES = (
    "SELECT owner, {week} AS week, status = 'kept' AND broken = 0 AS kept_on_time FROM ("
    "  SELECT p.owner, p.status, coalesce(f.old_due_at, p.due_at) AS due,"
    "  CASE"  # PromiseFigures.broken
    "    WHEN f.old_due_at IS NOT NULL THEN 1"
    "    WHEN p.status = 'kept' AND p.kept_at IS NOT NULL"
    "      THEN CASE WHEN p.kept_at > p.due_at THEN 1 ELSE 0 END"
    "    WHEN p.status = 'cancelled' AND p.cancelled_at IS NOT NULL"
    "      THEN CASE WHEN p.cancelled_at > p.due_at THEN 1 ELSE 0 END"
    "    WHEN p.due_at < :now THEN 1 ELSE 0"
    "  END AS broken"
    # the due time a promise had when it was first rescheduled late: one pass over
    # the late reschedules, joined, instead of a subquery per promise
    "  FROM promise p LEFT JOIN ("
    "    SELECT r.promise_id, r.old_due_at,"
    "    row_number() OVER (PARTITION BY r.promise_id ORDER BY r.at, r.id) AS n"
    "    FROM reschedule r WHERE r.late) AS f ON f.promise_id = p.id AND f.n = 1"
    ") AS d"
    # PromiseFigures.counts_as_due: due by now, and not cancelled before its due time
    " WHERE due >= :since AND due < :horizon AND NOT (status = 'cancelled' AND broken = 0)"
)


class _DueInSQL:
    """`kpis.DuePromises` counted by the database: the rows of _DUE_PROMISES, counted
    by a `Counter` as the cursor yields them (a C loop; a GROUP BY in SQLite sorts
    300,000 rows, which costs more)."""

    def __init__(self, reader: ReaderBase, params: dict[str, Any]) -> None:
        self._reader, self._params = reader, params

    def counts(self, week_starts: Sequence[datetime]) -> Counter[tuple[str, int, Any]]:
        stored = {f"w{i}": self._reader._time(start) for i, start in enumerate(week_starts)}
        sql = _DUE_PROMISES.format(week=_week_number(0, len(week_starts)))
        return Counter(self._reader.stream(sql, self._params | stored))


def _week_number(low: int, high: int) -> str:
    """SQL for `bisect_right(week_starts, due)`, known to lie in [low, high]: a tree of
    CASEs comparing `due` with the parameters :w0, :w1... (the stored week starts),
    so each promise is compared with log2(weeks) starts, not all of them."""
    if low == high:
        return str(low)
    mid = (low + high + 1) // 2  # due >= start mid-1: at least mid starts at or before it
    return (
        f"CASE WHEN due >= :w{mid - 1} THEN {_week_number(mid, high)}"
        f" ELSE {_week_number(low, mid - 1)} END"
    )


def _money(minor: int | None, currency: str | None) -> Money | None:
    return None if minor is None or currency is None else Money(int(minor), str(currency))
