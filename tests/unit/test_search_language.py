"""complog.search and complog.snippets: one query language, two databases.

The parser is checked against FTS5's own verdicts, and the snippets built in
Python (PostgreSQL's) against FTS5's snippet() over the same rows: SQLite is
the reference both back ends must agree with.
"""

from __future__ import annotations

import random
import sqlite3

import pytest

from complog.rows import SearchSyntaxError
from complog.search import SEARCH_COLUMNS, Boolean, Phrase, parse, phrases, to_fts5, tokenize
from complog.snippets import snippet

COMPLAINT = SEARCH_COLUMNS["complaint"]


def words(node: object) -> object:
    """A tree as nested tuples of words, to compare shapes at a glance."""
    if isinstance(node, Phrase):
        return " ".join(token for token, _ in node.tokens)
    assert isinstance(node, Boolean)
    return (node.op, words(node.left), words(node.right))


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("router", "router"),
        ("router modem", ("AND", "router", "modem")),
        # FTS5's precedence: side by side binds tightest, then NOT, AND, OR
        ("a NOT b c", ("NOT", "a", ("AND", "b", "c"))),
        ("a OR b AND c", ("OR", "a", ("AND", "b", "c"))),
        ("a AND b NOT c", ("AND", "a", ("NOT", "b", "c"))),
        ("(a OR b) AND c", ("AND", ("OR", "a", "b"), "c")),
        ('"one day" install', ("AND", "one day", "install")),
        ("one + day", "one day"),
        # words need no quotes; operators only in capitals
        ("O'Brien", "o brien"),
        ("one-day", "one day"),
        ("someone@example.com", "someone example com"),
        ("12:30", "12 30"),
        ("router and modem", ("AND", ("AND", "router", "and"), "modem")),
        # a group may stand next to a word (FTS5 itself refuses this)
        ("router (modem OR fuser)", ("AND", "router", ("OR", "modem", "fuser"))),
        ("Café Ünïcode", ("AND", "cafe", "unicode")),
        # side by side, a part with no words is left out, as FTS5 does
        ("printer - toner", ("AND", "printer", "toner")),
        ('x "..." y', ("AND", "x", "y")),
        ('"..."', ""),
        ("x AND -", ("AND", "x", "")),  # an explicit AND keeps it: nothing matches
        # a ) that closes nothing is punctuation (pasted text), unlike FTS5
        ("router)", "router"),
        ("'); DROP TABLE x;--", ("AND", ("AND", "drop", "table"), "x")),
        ("(a OR b) c)", ("AND", ("OR", "a", "b"), "c")),
    ],
)
def test_parse_shapes(query, tree):
    assert words(parse(query)) == tree


@pytest.mark.parametrize(
    ("query", "columns"),
    [
        ("summary:router", {"summary"}),
        ("SUMMARY:router", {"summary"}),
        ("summary: router", {"summary"}),
        ("summary : router", {"summary"}),
        ("{summary wants}:router", {"summary", "wants"}),
        ("-summary:router", set(SEARCH_COLUMNS["complaint"][1:]) | {"text", "closed_note", "reason"}),
        ("-{summary wants}:router", {"outcome", "compensation", "prevention", "category", "text", "closed_note", "reason"}),
        ("summary:(wants:router)", set()),  # nested filters intersect
    ],
)  # fmt: skip
def test_column_filters(query, columns):
    [phrase] = phrases(parse(query))
    assert phrase.columns == frozenset(columns)


def test_a_column_filter_reaches_every_phrase_of_its_group():
    tree = parse("summary:(router OR modem) fuser")
    assert [p.columns for p in phrases(tree)] == [frozenset({"summary"})] * 2 + [None]


def test_prefix_marks_only_the_last_token_of_its_part():
    [phrase] = phrases(parse('"one da"* + in*'))
    assert phrase.tokens == (("one", False), ("da", True), ("in", True))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("AND", "unexpected AND"),
        ("NOT", "unexpected NOT"),
        ("router AND", "the query ends too early"),
        ("router OR", "the query ends too early"),
        ('"unterminated', "unterminated string"),
        ("(router", "a parenthesis is not closed"),
        ("()", "unexpected )"),
        ("*", "unexpected *"),
        ("x +", "'+' must join two phrases"),
        ("summary:", "a column filter needs something to find"),
        ("{summary wants", "the query ends too early"),
        ("sumary:router", "no such column: sumary; columns are summary, wants,"),
        ("{}:router", "an empty column list {}"),
        ('"' + "a " * 1001 + '"', "more than 1000 words"),
        ("(" * 5000 + "x" + ")" * 5000, "more than 32 parentheses inside each other"),
        (" OR ".join(["x"] * 10_000), "more than 200 words or phrases"),
    ],
    ids=lambda value: value[:40],  # two of the queries are 20,000 characters long
)
def test_syntax_errors_say_what_is_wrong(query, message):
    with pytest.raises(SearchSyntaxError) as raised:
        parse(query)
    assert str(raised.value).startswith(message)


# -- agreement with SQLite's FTS5 ---------------------------------------------------------


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        f"CREATE VIRTUAL TABLE complaint_fts USING fts5({', '.join(COMPLAINT)},"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    return conn


@pytest.mark.parametrize(
    "query",
    ["router", '"one day"', "a NOT b c", "x AND y OR z", "print*", "summary:router", "{summary wants}:x",
     "-summary:x", "a + b", '"say ""hi"""', "(a OR b) AND c", "x AND \"\"", "x OR \"...\""],
)  # fmt: skip
def test_what_the_parser_writes_for_sqlite_is_valid_fts5(fts, query):
    text = to_fts5(parse(query), "complaint")
    if text is not None:
        fts.execute("SELECT rowid FROM complaint_fts WHERE complaint_fts MATCH ?", (text,))


@pytest.mark.parametrize(
    "query",
    [" ".join(["router"] * 200), " OR ".join(["router"] * 200), " AND ".join(["router"] * 200),
     " NOT ".join(["router"] * 200), " OR ".join(["a b"] * 100), "(" * 32 + "router" + ")" * 32,
     " ".join(f"summary:w{i}" for i in range(200))],
    ids=["side-by-side", "or", "and", "not", "or-of-ands", "nested", "filtered"],
)  # fmt: skip
def test_the_largest_queries_allowed_are_still_valid_fts5(fts, query):
    """FTS5's parser overflows at about 100 nested parentheses: chains must be written flat."""
    text = to_fts5(parse(query), "complaint")
    assert text is not None
    fts.execute("SELECT rowid FROM complaint_fts WHERE complaint_fts MATCH ?", (text,))


@pytest.mark.parametrize(
    ("query", "fts5"),
    [("a NOT b c", '"a" NOT ("b" AND "c")'), ("a b NOT c", '("a" AND "b") NOT "c"'),
     ("a NOT b AND c", '"a" NOT "b" AND "c"'), ("a OR b c OR d", '"a" OR "b" AND "c" OR "d"'), ("a AND b NOT c", '"a" AND "b" NOT "c"'),
     ("(a OR b) c", '("a" OR "b") AND "c"'), ("wants:a OR text:b", '{wants} : "a"')],
)  # fmt: skip
def test_fts5_text_has_parentheses_only_where_precedence_needs_them(query, fts5):
    assert to_fts5(parse(query), "complaint") == fts5


def test_the_search_document_is_what_migration_0002_indexed():
    """PostgreSQL uses the GIN indexes only for this exact expression: changing it
    needs a new migration that rebuilds them."""
    from complog.search import pg_search_document

    assert pg_search_document("note") == "to_tsvector('simple', coalesce(text, ''))"
    assert pg_search_document("complaint") == (
        "to_tsvector('simple', coalesce(summary, '') || ' ' || coalesce(wants, '') || ' ' || "
        "coalesce(outcome, '') || ' ' || coalesce(compensation, '') || ' ' || "
        "coalesce(prevention, '') || ' ' || coalesce(category, ''))"
    )
    assert SEARCH_COLUMNS["promise"] == ("text", "closed_note")
    assert SEARCH_COLUMNS["reschedule"] == ("reason",)


def test_tokens_are_fts5_unicode61_tokens(fts):
    text = "Café\u0301 \u0301 Ünïcode foo_bar x²y ÆSIR ǅ İstanbul 3.14 a\u200db O'Brien one-day ①"
    fts.execute("CREATE VIRTUAL TABLE v USING fts5vocab(complaint_fts, 'instance')")
    fts.execute("INSERT INTO complaint_fts(rowid, summary) VALUES (1, ?)", (text,))
    expected = [term for (term,) in fts.execute("SELECT term FROM v ORDER BY offset")]
    fts.execute("DELETE FROM complaint_fts")
    assert [token for token, _, _ in tokenize(text)] == expected


VOCABULARY = ["router", "modem", "fuser", "printer", "printing", "queue", "day", "one", "install",
              "engineer", "O'Brien", "one-day", "Café", "the", "a", "was", "late"]  # fmt: skip
PUNCTUATION = [" ", " ", " ", " ", ", ", ". ", ": ", " - ", ".", "\n"]


def random_text(rng: random.Random) -> str | None:
    if rng.random() < 0.15:
        return None
    n = rng.choice([0, 1, 3, 8, 15, 16, 17, 30, 60])
    out = []
    for _ in range(n):
        out += [rng.choice(VOCABULARY), rng.choice(PUNCTUATION)]
    return "".join(out).strip()


def random_query(rng: random.Random) -> str:
    def leaf() -> str:
        word = rng.choice(VOCABULARY[:10])
        kind = rng.random()
        if kind < 0.15:
            return word[:3] + "*"
        if kind < 0.3:
            return f'"{word} {rng.choice(VOCABULARY[:10])}"'
        if kind < 0.45:
            return f"{rng.choice(COMPLAINT[:3])}:{word}"
        return word

    query = leaf()
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        query = f"{query} {rng.choice(['OR', 'AND', ''])} {leaf()}".replace("  ", " ")
    return query


def test_snippets_made_in_python_match_fts5_snippets(fts):
    """PostgreSQL's snippets are cut in Python: 300 random rows x queries, each hit's
    snippet must be FTS5's own, character for character (windows, ellipses, marks)."""
    rng = random.Random(20261123)
    compared = 0
    for _ in range(300):
        fts.execute("DELETE FROM complaint_fts")
        for rowid in range(1, 4):
            row = [random_text(rng) for _ in COMPLAINT]
            fts.execute(f"INSERT INTO complaint_fts(rowid, {', '.join(COMPLAINT)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (rowid, *row))  # fmt: skip
        query = random_query(rng)
        tree = parse(query)
        text = to_fts5(tree, "complaint")
        if text is None:
            continue
        hits = fts.execute(
            f"SELECT snippet(complaint_fts, -1, '[', ']', '…', 16), {', '.join(COMPLAINT)}"
            " FROM complaint_fts WHERE complaint_fts MATCH ?",
            (text,),
        ).fetchall()
        for expected, *texts in hits:
            made = snippet("complaint", texts, tree, mark=("[", "]"))
            assert made == (expected or ""), (query, texts)
            compared += 1
    assert compared > 200  # the comparison is not vacuous
