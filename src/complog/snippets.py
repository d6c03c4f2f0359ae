"""Search snippets on PostgreSQL, made the way SQLite's FTS5 snippet() makes them.

A hit shows a window of at most 16 words from the column that matched best,
with every match marked. SQLite computes it inside FTS5; PostgreSQL's
ts_headline picks other windows and reads all columns as one. So for a team
logbook the same algorithm runs here, over the row's columns, and the same
query shows the same snippet on both databases (a test compares the two on
SQLite). The scoring follows fts5_aux.c: a window scores 1000 for each
distinct phrase it holds and 1 for each repeat; one starting a sentence
gets 100 more (120 at the very start); windows are centred on their matches.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from complog.search import (
    Boolean,
    Node,
    combine,
    phrases,
    table_columns,
    tokenize,
)
from complog.searchindex import SEARCH_COLUMNS


@dataclass(frozen=True)
class _Instance:
    phrase: int  # index into the query's phrases
    column: int
    offset: int  # token position in the column
    size: int  # tokens in the phrase


def snippet(
    table: str,
    texts: Sequence[str | None],
    tree: Node,
    *,
    mark: tuple[str, str],
    ellipsis: str = "…",
    size: int = 16,
) -> str:
    """The best window of `size` tokens over the row's `texts` (its search columns, in
    order), each match of the query `tree` wrapped in `mark`; `ellipsis` where text is cut."""
    columns = [text or "" for text in texts]
    tokens = [list(tokenize(text)) for text in columns]
    instances = sorted(
        _instances(table, tokens, tree), key=lambda i: (i.column, i.offset, i.phrase)
    )
    best_column, best_start, best_score = 0, 0, 0
    for column, words in enumerate(tokens):
        found = [i for i in instances if i.column == column]
        offsets = [i.offset for i in found]
        starts = _sentence_starts(columns[column], words)
        for instance in found:
            score, start = _score(found, offsets, instance.offset, size, len(words))
            if score > best_score:
                best_column, best_start, best_score = column, start, score
            if len(words) > size:
                sentence = starts[bisect_right(starts, instance.offset) - 1]
                if sentence < instance.offset:
                    score, _ = _score(found, offsets, sentence, size, len(words))
                    score += 120 if sentence == 0 else 100
                    if score > best_score:
                        best_column, best_start, best_score = column, sentence, score
    spans = _coalesced(i for i in instances if i.column == best_column)
    return _highlight(
        columns[best_column], tokens[best_column], spans, best_start, size, mark, ellipsis
    )


def _instances(table: str, tokens: list[list[tuple[str, int, int]]], tree: Node) -> list[_Instance]:
    """The matches FTS5 would report for this row: only those of phrases whose part of
    the query matched (a phrase in an OR branch that failed as a whole marks nothing)."""
    names = SEARCH_COLUMNS[table]
    numbers = {id(phrase): n for n, phrase in enumerate(phrases(tree))}

    def found(node: Node) -> list[_Instance] | None:  # None: this part does not match
        if isinstance(node, Boolean):
            return combine(  # x NOT y, where y matched too: no match, nothing marked
                node.op, found(node.left), found(node.right),
                lambda left, right: None if node.op == "NOT" else left + right,
            )  # fmt: skip
        wanted = node.tokens
        hits = []
        for column in table_columns(node, table) if wanted else ():
            words = [word for word, _, _ in tokens[names.index(column)]]
            for offset in range(len(words) - len(wanted) + 1):
                if all(
                    words[offset + k].startswith(token) if prefix else words[offset + k] == token
                    for k, (token, prefix) in enumerate(wanted)
                ):
                    hits.append(
                        _Instance(numbers[id(node)], names.index(column), offset, len(wanted))
                    )
        return hits or None

    return found(tree) or []


def _sentence_starts(text: str, words: list[tuple[str, int, int]]) -> list[int]:
    """Token positions that begin a sentence: the first, and any after '.' or ':' and space."""
    starts = []
    for position, (_, start, _) in enumerate(words):
        if position == 0:
            starts.append(0)
            continue
        before = text[:start].rstrip(" \t\n\r")
        if len(before) < start and before[-1:] in (".", ":"):
            starts.append(position)
    return starts


def _score(
    found: list[_Instance], offsets: list[int], start: int, size: int, column_size: int
) -> tuple[int, int]:
    """(score of the window of `size` tokens at `start`, where to start it to centre its
    matches); `found` are one column's matches in order, `offsets` their positions."""
    seen: set[int] = set()
    score, first, last = 0, -1, 0
    for i in found[bisect_left(offsets, start) : bisect_left(offsets, start + size)]:
        score += 1 if i.phrase in seen else 1000
        seen.add(i.phrase)
        if first < 0:
            first = i.offset
        last = i.offset + i.size
    adjusted = first - int((size - (last - first)) / 2)  # C division: toward zero
    if adjusted + size > column_size:
        adjusted = column_size - size
    return score, max(adjusted, 0)


def _coalesced(instances: Iterable[_Instance]) -> list[tuple[int, int]]:
    """Overlapping matches as one span of token positions (first, last)."""
    spans: list[tuple[int, int]] = []
    for i in instances:
        end = i.offset + i.size - 1
        if spans and i.offset <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((i.offset, end))
    return spans


def _highlight(
    text: str,
    words: list[tuple[str, int, int]],
    spans: list[tuple[int, int]],
    first: int,
    size: int,
    mark: tuple[str, str],
    ellipsis: str,
) -> str:
    """The tokens first..first+size-1 of `text` with `spans` marked, as FTS5 writes it."""
    opening, closing = mark
    last = first + size - 1
    out = [ellipsis] if first > 0 else []
    spans = [span for span in spans if span[0] >= first] + [(-1, -1)]
    copied, is_open, k = 0, False, 0
    for position, (_, start, end) in enumerate(words):
        if position < first or position > last:
            continue
        if first and position == first:
            copied = start
        span_start, span_end = spans[k]
        if is_open and (position <= span_start or span_start < 0) and start > copied:
            out.append(closing)
            is_open = False
        if position == span_start and not is_open:
            out += [text[copied:start], opening]
            copied, is_open = start, True
        if position == span_end:
            if not is_open:
                out.append(opening)
                is_open = True
            out.append(text[copied:end])
            copied = end
            k += 1
            span_start = spans[k][0]
        if position == last:
            if is_open:
                if span_start >= 0 and position >= span_start:
                    out.append(text[copied:end])
                    copied = end
                out.append(closing)
                is_open = False
            out.append(text[copied:end])
            copied = end
    if is_open:
        out.append(closing)
    out.append(text[copied:] if last >= len(words) - 1 else ellipsis)
    return "".join(out)
