"""What the full-text indexes hold: the columns of each table and PostgreSQL's document.

Migration 0002 indexed exactly these (FTS5 tables in SQLite; GIN over
pg_search_document in PostgreSQL), and queries must read them the same way for the
indexes to answer: they must not change without a new migration. Apart from the
query language (search.py) so that dbtypes, which migrations import, does not load
the parser on every write.
"""

from __future__ import annotations

#: table -> the columns search reads, in FTS5 column order (migration 0002)
SEARCH_COLUMNS = {
    "complaint": ("summary", "wants", "outcome", "compensation", "prevention", "category"),
    "note": ("text",),
    "promise": ("text", "closed_note"),
    "reschedule": ("reason",),
}


def pg_search_text(table: str) -> str:
    # || and coalesce are IMMUTABLE, as index expressions must be (concat_ws is not)
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in SEARCH_COLUMNS[table])


def pg_search_document(table: str) -> str:
    """What migration 0002 indexes (GIN) on PostgreSQL: queries use it verbatim."""
    return f"to_tsvector('simple', {pg_search_text(table)})"
