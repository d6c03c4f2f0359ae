"""Full-text search on both databases: FTS5 in SQLite, GIN text search in
PostgreSQL, one query language (complog.search) for both."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from complog.connect import (
    translate_error,
)
from complog.queries.complaints import ComplaintReads
from complog.rows import (
    SearchHit,
    SearchSyntaxError,
)

if TYPE_CHECKING:
    # imported where used: `due`, `list` and `add` need none of them
    from complog.search import Node


class SearchReads(ComplaintReads):
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
        from complog.search import PgQuery
        from complog.searchindex import SEARCH_COLUMNS
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
