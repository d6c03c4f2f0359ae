"""`complog search`: FTS5 over complaints (summary, wants, resolution), notes and
promises; ranking, snippets, FTS syntax, words FTS cannot take bare, errors, and
an index that follows every edit."""

from __future__ import annotations

import sqlite3

import pytest

from tests.cli.helpers import assert_clean_error

COMPLAINT_KEYS = {
    "id", "customer", "summary", "status", "channel", "category", "heat", "wants", "loss",
    "written", "owner", "opened_at", "resolved_at", "open_promises",
}  # fmt: skip


def ids(run, query: str, *extra: str) -> list[int]:
    return [hit["id"] for hit in run("search", query, "--format", "json", *extra).json]


@pytest.fixture
def book(run):
    """1 Acme: router x3 in the summary, wants a modem
    2 Bravo: one 'router' in a long summary; resolved (fuser / quarterly servicing / free visit)
    3 Cora: 'promised one day'; promise 'Send the engineer Tuesday'; note 'router reset remotely'
    4 Dora: 'day one of the install'; inbound note about Mr O'Brien and the printing queue
    """
    run("add", "Acme", "Router router router dropped", "--wants", "a replacement modem")
    run(
        "add",
        "Bravo",
        "Printer jams and the office router is somewhere in this long sentence with many other words",
    )
    run("add", "Cora", "Install took a week, promised one-day install", "--promise", "Send the engineer Tuesday",
        "--due", "tomorrow 10am")  # fmt: skip
    run("add", "Dora", "Day one of the install was fine")
    run("note", "4", "Spoke to Mr O'Brien about the printing queue", "--in")
    run("note", "3", "Router reset remotely", "--out")
    run("resolve", "2", "--outcome", "Replaced the fuser unit", "--prevention", "Quarterly servicing",
        "--compensation", "free visit", "--confirmed")  # fmt: skip
    return run


# -- each kind of record ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "complaint", "match"),
    [
        ("dropped", 1, "complaint"),  # summary
        ("modem", 1, "complaint"),  # wants
        ("fuser", 2, "complaint"),  # resolution outcome
        ("quarterly", 2, "complaint"),  # resolution prevention
        ("remotely", 3, "note"),  # note text
        ("engineer", 3, "promise"),  # promise text
    ],
)
def test_search_finds_text_in_each_kind_of_record(book, query, complaint, match):
    hits = book("search", query, "--format", "json").json
    assert [(h["id"], h["match"]) for h in hits] == [(complaint, match)]


def test_search_finds_the_note_written_when_a_promise_is_kept_or_cancelled(book):
    book("kept", "1", "--note", "Engineer fitted a bracket")
    assert ids(book, "bracket") == [3]
    book("add", "Eve", "Kettle leaks", "--promise", "Phone back", "--due", "tomorrow")
    book("cancel", "2", "--reason", "customer withdrew the request")
    assert ids(book, "withdrew") == [5]


def test_search_results_are_complaint_objects_with_a_marked_snippet(book):
    hits = book("search", "modem", "--format", "json").json
    assert len(hits) == 1
    hit = hits[0]
    assert COMPLAINT_KEYS <= set(hit), COMPLAINT_KEYS - set(hit)
    assert (hit["id"], hit["customer"], hit["status"]) == (1, "Acme", "open")
    assert hit["summary"] == "Router router router dropped"
    assert hit["wants"] == "a replacement modem"
    assert hit["snippet"] == "a replacement «modem»"


def test_snippet_marks_every_match(book):
    [hit] = book("search", "dropped OR router", "--format", "json").json[:1]
    assert hit["id"] == 1
    assert hit["snippet"] == "«Router» «router» «router» «dropped»"


def test_search_plain_output_is_one_tab_separated_line_per_complaint(book):
    out = book("search", "fuser").stdout
    assert out == "#2\tresolved\tBravo\tcomplaint\tReplaced the «fuser» unit\n"


def test_search_ranks_the_more_relevant_complaint_first(book):
    # 1 says router three times in four words; 2 once in a long sentence; 3 in a note
    assert ids(book, "summary:router") == [1, 2]
    assert ids(book, "router")[0] == 1
    assert sorted(ids(book, "router")) == [1, 2, 3]


def test_search_limit(book):
    assert ids(book, "router", "--limit", "1") == [1]


# -- FTS syntax ------------------------------------------------------------------------------


def test_quoted_phrase_matches_words_in_that_order_only(book):
    assert ids(book, '"one day"') == [3]  # "day one" (4) is not the phrase
    assert sorted(ids(book, "one day")) == [3, 4]  # both words, any order


def test_or_not_and_prefix_operators(book):
    assert sorted(ids(book, "modem OR fuser")) == [1, 2]
    assert 2 not in ids(book, "router NOT printer")
    assert sorted(ids(book, "router NOT printer")) == [1, 3]
    # print* finds "Printer" (2, summary) and "printing" (4, note)
    assert sorted(ids(book, "print*")) == [2, 4]
    assert ids(book, "(router OR modem) AND dropped") == [1]


def test_column_filter_only_searches_that_column(book):
    assert ids(book, "wants:modem") == [1]
    assert ids(book, "summary:modem") == []  # modem is only in 1's wants
    assert 3 not in ids(book, "summary:router")  # 3 mentions the router in a note only


def test_apostrophes_and_hyphens_need_no_quoting(book):
    hits = book("search", "O'Brien", "--format", "json").json
    assert [(h["id"], h["match"]) for h in hits] == [(4, "note")]
    assert hits[0]["snippet"] == "Spoke to Mr «O'Brien» about the printing queue"
    hits = book("search", "one-day", "--format", "json").json
    assert [h["id"] for h in hits] == [3]
    assert hits[0]["snippet"] == "Install took a week, promised «one-day» install"
    assert ids(book, "someone@example.com") == []  # an e-mail address is not a syntax error


def test_a_column_only_some_tables_have_still_finds_the_others(book):
    # summary is a complaint's; text is a note's or a promise's: each table keeps its part
    assert sorted(ids(book, "summary:router OR text:router")) == [1, 2, 3]
    assert ids(book, "text:engineer") == [3]  # the promise's text
    assert ids(book, "{summary wants}:modem") == [1]
    assert ids(book, "modem -wants:modem") == []  # modem, but not in wants: nowhere


def test_groups_and_joined_phrases(book):
    assert ids(book, "dropped (modem OR fuser)") == [1]
    assert ids(book, "one + day") == [3]  # a phrase, as "one day"
    assert ids(book, '"one da"*') == [3]


def test_a_long_text_shows_the_window_around_the_match_with_ellipses(run):
    words = " ".join(f"word{i}" for i in range(40))
    run("add", "Echo", f"{words} router {words}. The modem is fine")
    [hit] = run("search", "router", "--format", "json").json
    assert (
        hit["snippet"]
        == "…word33 word34 word35 word36 word37 word38 word39 «router» word0 word1 word2 word3 word4 word5 word6 word7…"
    )
    [hit] = run("search", "modem", "--format", "json").json
    assert hit["snippet"] == "…The «modem» is fine"  # a window may start a sentence


@pytest.mark.parametrize(
    ("query", "why"),
    [("AND", "unexpected AND"), ('"unterminated', "unterminated string"), ("router AND", "ends too early"),
     ("NOT", "unexpected NOT"), ("(router", "parenthesis is not closed"), ("()", "unexpected )"),
     ("sumary:router", "no such column: sumary; columns are summary, wants")],
)  # fmt: skip
def test_search_syntax_error_says_why_and_exits_2_on_both_databases(book, query, why):
    ran = book("search", query, exit=2)
    assert_clean_error(ran, 2, "cannot understand the search")
    assert why in ran.stderr


@pytest.mark.parametrize("join", [" ", " OR ", " AND "])
def test_the_longest_query_allowed_works_on_both_databases(book, join):
    assert sorted(ids(book, join.join(["router"] * 200))) == [1, 2, 3]
    assert ids(book, "(" * 32 + "modem" + ")" * 32) == [1]


def test_limit_counts_complaints_not_matching_rows(run):
    run("add", "Acme", "Till dead")
    for text in ("zebra zebra", "zebra zebra zebra", "zebra zebra"):
        run("note", "1", text)
    run("add", "Bravo", "Printer")
    run("note", "2", "a long note in which the word zebra appears only once among many others")
    assert sorted(ids(run, "zebra", "--limit", "2")) == [1, 2]


def test_queries_are_normalised_as_stored_text_is(book):
    run = book
    run("add", "Echo", "Ordered a café latte")
    assert ids(run, "cafe\u0301") == [5]  # é as e + combining accent, as pasted from macOS
    assert ids(run, "\ufeffmodem\u200b") == [1]  # a byte-order mark and a zero-width space
    assert ids(run, "\u0301* OR modem") == [1]  # an accent alone is no word, no prefix of all


def test_a_query_starting_with_a_dash_goes_after_two_dashes(book):
    hits = book("search", "--format", "json", "--", "-summary:modem router").json
    assert [h["id"] for h in hits] == [1]


def test_an_unknown_column_says_how_to_search_for_the_words(book):
    ran = book("search", "http://example.com", exit=2)
    assert_clean_error(ran, 2, "no such column: http")
    assert 'put it in double quotes ("http://x.com")' in ran.stderr
    assert ids(book, '"http://example.com"') == []


def test_words_with_nothing_to_find_between_them_are_left_out(book):
    assert ids(book, "printer - servicing") == [2]  # "-" has no word in it


def test_a_huge_query_is_refused_in_a_short_message(run):
    ran = run("search", "(" * 5000 + "router" + ")" * 5000, exit=2)
    assert_clean_error(ran, 2, "(more than 32 parentheses inside each other)")
    assert len(ran.stderr) < 300
    ran = run("search", " OR ".join(["router"] * 5000), exit=2)
    assert_clean_error(ran, 2, "(more than 200 words or phrases)")


@pytest.mark.parametrize("query", ["AND", '"unterminated', "router AND", "NOT", "(router"])
def test_search_syntax_error_exits_2_with_a_hint(book, query):
    ran = book("search", query, exit=2)
    assert_clean_error(ran, 2, "cannot understand the search")
    assert 'put phrases in double quotes ("one day")' in ran.stderr


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_search_exits_2(run, query):
    assert_clean_error(run("search", query, exit=2), 2, "the search query is empty")


def test_no_match_is_an_empty_list_not_an_error(book):
    assert book("search", "zeppelin", "--format", "json").json == []
    assert book("search", "zeppelin").stdout == ""


def test_search_on_an_empty_logbook(run):
    assert run("search", "router", "--format", "json").json == []


# -- the index follows the data ------------------------------------------------------------


def fts_integrity(db) -> None:
    """FTS5's own check that each index matches its content table exactly. (PostgreSQL's
    GIN indexes are over the rows' own columns: there is no second copy to drift.)"""
    if isinstance(db, str) and db.startswith("postgresql"):
        return
    conn = sqlite3.connect(db)
    try:
        for table in ("complaint_fts", "note_fts", "promise_fts"):
            conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


def test_resolution_text_is_found_after_resolve_and_gone_after_reopen(book, logbook):
    book("resolve", "1", "--outcome", "Swapped the splitter", "--prevention", "Label the cables")
    assert ids(book, "splitter") == [1]
    assert ids(book, "cables") == [1]
    fts_integrity(logbook)
    book("reopen", "1", "--reason", "dropped again")
    assert ids(book, "splitter") == []  # the resolution is cleared on reopen
    assert ids(book, "dropped") == [1]  # the summary is still there, once
    fts_integrity(logbook)
    book("resolve", "1", "--outcome", "Replaced the line card")
    assert ids(book, "card") == [1]
    assert ids(book, "splitter") == []
    fts_integrity(logbook)


def test_rescheduled_promise_is_still_found_once(book, logbook):
    book("reschedule", "1", "--due", "fri 10am", "--reason", "engineer off sick")
    hits = book("search", "engineer", "--format", "json").json
    assert [(h["id"], h["match"]) for h in hits] == [(3, "promise")]
    fts_integrity(logbook)


def test_reschedule_reason_is_searchable(book):
    book("reschedule", "1", "--due", "fri 10am", "--reason", "parts delayed by supplier")
    assert ids(book, "supplier") == [3]


def test_erased_customer_text_is_no_longer_found(book, logbook):
    assert ids(book, "O'Brien") == [4]
    assert ids(book, "fine") == [4]
    book("erase", "Dora", "--yes")
    assert ids(book, "O'Brien") == []
    assert ids(book, "fine") == []
    assert ids(book, "modem") == [1]  # the others are untouched
    fts_integrity(logbook)
