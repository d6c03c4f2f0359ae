"""The search query language, read once and spoken to both databases.

`complog search` takes FTS5's syntax ("exact phrase", AND, OR, NOT, prefix*,
column:word, {col col}:word, -col:word, parentheses, phrase + phrase). SQLite
could parse it itself, but PostgreSQL cannot, and a team logbook must refuse
the same queries and give the same hits (wherever the two databases split
text into the same words: docs/team.md lists where they do not). So the query is parsed here into a
small tree, then written out twice: as FTS5 text for one SQLite table
(`to_fts5`), or as a tsquery condition for one PostgreSQL table (`PgQuery`).

Three leniencies over FTS5, so people can type (or paste) what they mean:
words need no quoting (O'Brien, one-day, a@b.com are phrases of their
tokens), parenthesised groups may stand next to words (`router (modem OR
fuser)`), and a `)` that closes nothing is punctuation (`router :)`).
Precedence is FTS5's: juxtaposed words bind tightest, then NOT, AND, OR.

Tokens follow SQLite's `unicode61 remove_diacritics 2` tokenizer (letters,
digits, private-use and combining marks make words; case and accents fold),
so snippets built here match FTS5's (see complog.snippets).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import reduce
from typing import TypeVar

from complog.rows import SearchSyntaxError
from complog.searchindex import SEARCH_COLUMNS, pg_search_document

ALL_COLUMNS = tuple(dict.fromkeys(c for columns in SEARCH_COLUMNS.values() for c in columns))
OPERATORS = ("AND", "OR", "NOT")
#: bounds that keep walks over the tree far from Python's recursion limit, FTS5's
#: parser within its 256 levels, and PostgreSQL within max_stack_depth (which a
#: 14,000-word phrase exceeds)
MAX_DEPTH, MAX_PHRASES, MAX_WORDS = 32, 200, 1000
_SPECIAL = '()"{}+*'
T = TypeVar("T")


# -- tokens, as FTS5's unicode61 tokenizer reads text ---------------------------------------


def _is_token_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN" or category in ("Co", "Mn")


def fold(token: str) -> str:
    """Lower case without accents: 'Café' and 'cafe' are one word, as in FTS5."""
    decomposed = unicodedata.normalize("NFD", token)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def tokenize(text: str) -> Iterator[tuple[str, int, int]]:
    """(folded token, start, end) for each word of `text`, end exclusive. A run of
    accents alone folds to nothing and, as in FTS5, is no word at all."""
    start = None
    for i, char in enumerate([*text, " "]):
        if _is_token_char(char):
            if start is None:
                start = i
        elif start is not None:
            if folded := fold(text[start:i]):
                yield folded, start, i
            start = None


# -- the tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One quoted string or bare word of a phrase; `prefix` if it ended in *."""

    text: str
    prefix: bool

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(token for token, _, _ in tokenize(self.text))


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other in one column (`columns`; None is any)."""

    parts: tuple[Part, ...]
    columns: frozenset[str] | None

    @property
    def tokens(self) -> tuple[tuple[str, bool], ...]:
        """(token, is a prefix) in order; only a part's last token can be a prefix."""
        out: list[tuple[str, bool]] = []
        for part in self.parts:
            words = part.tokens
            out += [(word, part.prefix and i == len(words) - 1) for i, word in enumerate(words)]
        return tuple(out)


@dataclass(frozen=True)
class Boolean:
    op: str  # AND, OR or NOT (left but not right)
    left: Node
    right: Node


Node = Phrase | Boolean


def phrases(node: Node) -> Iterator[Phrase]:
    """The phrases left to right, as FTS5 numbers them."""
    if isinstance(node, Phrase):
        yield node
        return
    yield from phrases(node.left)
    yield from phrases(node.right)


# -- parsing ----------------------------------------------------------------------------------


def parse(query: str) -> Node:
    """The query as a tree; SearchSyntaxError says what is wrong with it.

    Text is stored NFC-normalised, so the query is too (a pasted macOS "café" has
    a separate accent), and invisible format characters (BOM, zero-width space,
    direction marks) separate words, as FTS5 reads them."""
    query = "".join(
        " " if unicodedata.category(c) == "Cf" else c for c in unicodedata.normalize("NFC", query)
    )
    parser = _Parser(list(_lex(query)))
    node = parser.any_of()
    if parser.peek() is not None:
        raise SearchSyntaxError(f"unexpected {parser.peek()}")
    return node


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # word, string, op, or one of ( ) { } + * : -
    text: str

    def __str__(self) -> str:
        return f'"{self.text}"' if self.kind == "string" else self.text


def _lex(query: str) -> Iterator[_Lexeme]:
    i, n = 0, len(query)
    previous = None
    while i < n:
        char = query[i]
        if char == ":" and (
            query[i - 1 : i] == "}"  # {summary wants}:router
            or (
                previous is not None
                and previous.kind == "word"
                and previous.text.lower() in ALL_COLUMNS
            )
        ):  # summary : router
            previous = _Lexeme(":", ":")
            yield previous
            i += 1
            continue
        if char.isspace():
            i += 1
            continue
        if char == '"':
            text, i = _quoted(query, i + 1)
            lexemes = [_Lexeme("string", text)]
        elif char == "-" and query[i + 1 : i + 2] == "{":
            lexemes = [_Lexeme("-", "-")]  # every column but these
            i += 1
        elif char in _SPECIAL:
            lexemes = [_Lexeme(char, char)]
            i += 1
        else:
            end = i
            while end < n and not query[end].isspace() and query[end] not in _SPECIAL:
                end += 1
            lexemes = list(_word(query[i:end]))
            i = end
        yield from lexemes
        previous = lexemes[-1]


def _quoted(query: str, i: int) -> tuple[str, int]:
    """The text of a double-quoted string starting after its quote ("" is a quote)."""
    out = []
    while i < len(query):
        if query[i] == '"':
            if query[i + 1 : i + 2] == '"':
                out.append('"')
                i += 2
                continue
            return "".join(out), i + 1
        out.append(query[i])
        i += 1
    raise SearchSyntaxError("unterminated string")


def _word(word: str) -> Iterator[_Lexeme]:
    """A bare word, an operator, or a column filter: `summary:`, `-summary:`, `summary:till`."""
    if word in OPERATORS:
        yield _Lexeme("op", word)
        return
    name, colon, rest = word.partition(":")
    negated = name.startswith("-")
    name = name.removeprefix("-")
    if colon and name and name.replace("_", "a").isascii() and name.replace("_", "a").isalpha():
        if negated:
            yield _Lexeme("-", "-")
        yield _Lexeme("word", name)
        yield _Lexeme(":", ":")
        if rest:
            yield from _word(rest)
        return
    yield _Lexeme("word", word)


class _Parser:
    """Recursive descent, one method per precedence level, loosest first."""

    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.at = 0
        self.depth = 0  # parentheses open
        self.phrases = 0
        self.words = 0

    def peek(self, ahead: int = 0) -> _Lexeme | None:
        i = self.at + ahead
        return self.lexemes[i] if i < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.peek()
        if lexeme is None:
            raise SearchSyntaxError("the query ends too early")
        self.at += 1
        return lexeme

    def _is_op(self, op: str) -> bool:
        lexeme = self.peek()
        return lexeme is not None and lexeme.kind == "op" and lexeme.text == op

    def _binary(self, op: str, operand: Callable[[], Node]) -> Node:
        node = operand()
        while self._is_op(op):
            self.take()
            node = Boolean(op, node, operand())
        return node

    def any_of(self) -> Node:
        return self._binary("OR", self.all_of)

    def all_of(self) -> Node:
        return self._binary("AND", self.but_not)

    def but_not(self) -> Node:
        return self._binary("NOT", self.together)

    def together(self) -> Node:
        """Items side by side, an implicit AND. As in FTS5, one with no words in it
        (`printer - toner`, `x "..."`) is left out rather than matching nothing."""
        items = [self.item(None)]
        while (lexeme := self.peek()) is not None and lexeme.kind != "op":
            if lexeme.kind == ")" and self.depth:
                break
            items.append(self.item(None))
        kept = [i for i in items if not (isinstance(i, Phrase) and not i.tokens)] or items[:1]
        return reduce(lambda left, right: Boolean("AND", left, right), kept)

    def item(self, columns: frozenset[str] | None) -> Node:
        lexeme = self.peek()
        if lexeme is None:
            raise SearchSyntaxError("the query ends too early")
        if lexeme.kind in ("-", "{") or (lexeme.kind == "word" and self._next_is(":")):
            columns = _narrow(columns, self.column_filter())
            lexeme = self.peek()
            if lexeme is None:
                raise SearchSyntaxError("a column filter needs something to find")
        if lexeme.kind == "(":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise SearchSyntaxError(f"more than {MAX_DEPTH} parentheses inside each other")
            node = _restrict(self.any_of(), columns)
            if not self._next_is(")", ahead=0):
                raise SearchSyntaxError("a parenthesis is not closed")
            self.take()
            self.depth -= 1
            return node
        if lexeme.kind == ")" and not self.depth:
            self.take()  # pasted text: `'); DROP TABLE`, `router :)`, a stray ) is punctuation
            return Phrase((Part(")", prefix=False),), columns)
        if lexeme.kind in ("word", "string"):
            self.phrases += 1
            if self.phrases > MAX_PHRASES:
                raise SearchSyntaxError(f"more than {MAX_PHRASES} words or phrases")
            phrase = Phrase(self.parts(), columns)
            self.words += len(phrase.tokens)
            if self.words > MAX_WORDS:
                raise SearchSyntaxError(f"more than {MAX_WORDS} words")
            return phrase
        raise SearchSyntaxError(f"unexpected {lexeme}")

    def _next_is(self, kind: str, ahead: int = 1) -> bool:
        lexeme = self.peek(ahead)
        return lexeme is not None and lexeme.kind == kind

    def column_filter(self) -> tuple[frozenset[str], bool]:
        """`name:`, `{a b}:` or either with a leading - (every column but those)."""
        negated = self._next_is("-", ahead=0)
        if negated:
            self.take()
        names = []
        if self._next_is("{", ahead=0):
            self.take()
            while (lexeme := self.take()).kind != "}":
                if lexeme.kind != "word":
                    raise SearchSyntaxError(f"unexpected {lexeme} in a column list")
                names.append(lexeme.text)
            if not names:
                raise SearchSyntaxError("an empty column list {}")
        else:
            names.append(self.take().text)
        if not self._next_is(":", ahead=0):
            raise SearchSyntaxError("a column list must be followed by ':'")
        self.take()
        wanted = frozenset(_column(name) for name in names)
        return wanted, negated

    def parts(self) -> tuple[Part, ...]:
        """A phrase: a word or quoted string, prefix*, and more joined with +."""
        parts = [self.part()]
        while self._next_is("+", ahead=0):
            self.take()
            lexeme = self.peek()
            if lexeme is None or lexeme.kind not in ("word", "string"):
                raise SearchSyntaxError("'+' must join two phrases")
            parts.append(self.part())
        return tuple(parts)

    def part(self) -> Part:
        text = self.take().text
        prefix = self._next_is("*", ahead=0)
        if prefix:
            self.take()
        return Part(text, prefix)


def _column(name: str) -> str:
    if name.lower() not in ALL_COLUMNS:
        raise SearchSyntaxError(f"no such column: {name}; columns are {', '.join(ALL_COLUMNS)}")
    return name.lower()


def _narrow(outer: frozenset[str] | None, spec: tuple[frozenset[str], bool]) -> frozenset[str]:
    """Nested filters intersect, as in FTS5: `summary:(wants:x)` searches no column."""
    names, negated = spec
    chosen = frozenset(ALL_COLUMNS) - names if negated else names
    return chosen if outer is None else outer & chosen


def _restrict(node: Node, columns: frozenset[str] | None) -> Node:
    if columns is None:
        return node
    if isinstance(node, Phrase):
        inner = columns if node.columns is None else node.columns & columns
        return Phrase(node.parts, inner)
    return Boolean(node.op, _restrict(node.left, columns), _restrict(node.right, columns))


# -- writing it out -------------------------------------------------------------------------


def table_columns(phrase: Phrase, table: str) -> tuple[str, ...]:
    """The columns of `table` the phrase may match in, in table order."""
    return tuple(c for c in SEARCH_COLUMNS[table] if phrase.columns is None or c in phrase.columns)


def _finds_nothing(phrase: Phrase, table: str) -> bool:
    return not phrase.tokens or not table_columns(phrase, table)


def combine(op: str, left: T | None, right: T | None, both: Callable[[T, T], T | None]) -> T | None:
    """One boolean of two sides, where None stands for a side that matches nothing:
    AND with it is nothing, OR with it is the other side, x NOT it is x. `both`
    writes the operator out when both sides can match."""
    if left is None:
        return right if op == "OR" else None
    if right is None:
        return None if op == "AND" else left
    return both(left, right)


def to_fts5(node: Node, table: str) -> str | None:
    """FTS5 MATCH text for one table, or None when nothing in it can match."""
    if isinstance(node, Phrase):
        if _finds_nothing(node, table):
            return None
        text = " + ".join(
            '"' + part.text.replace('"', '""') + '"' + ("*" if part.prefix else "")
            for part in node.parts
            if part.tokens
        )
        columns = table_columns(node, table)
        if columns == SEARCH_COLUMNS[table]:
            return text
        return "{" + " ".join(columns) + "} : " + text
    left, right = to_fts5(node.left, table), to_fts5(node.right, table)
    # Parentheses only where precedence needs them: FTS5's parser overflows its
    # stack at about 100 nested ones, and chains (a OR b OR c) need none.
    if (
        left is not None
        and isinstance(node.left, Boolean)
        and _BINDING[node.left.op] < _BINDING[node.op]
    ):
        left = f"({left})"
    if (
        right is not None
        and isinstance(node.right, Boolean)
        and _BINDING[node.right.op] <= _BINDING[node.op]
    ):
        right = f"({right})"
    return combine(node.op, left, right, lambda a, b: f"{a} {node.op} {b}")


#: how tightly each operator binds in FTS5
_BINDING = {"OR": 1, "AND": 2, "NOT": 3}


@dataclass(frozen=True)
class PgCondition:
    """A tsquery every matching row's document satisfies (`needed`, which the GIN
    index answers), and the exact condition when `document @@ needed` is not it."""

    needed: str
    exact: str | None


class PgQuery:
    """One table's WHERE condition and rank query, with its parameters."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.params: dict[str, str] = {}
        self.document = pg_search_document(table)

    def compile(self, node: Node) -> PgCondition | None:
        if isinstance(node, Phrase):
            return self._phrase(node)
        left, right = self.compile(node.left), self.compile(node.right)
        return combine(node.op, left, right, lambda a, b: self._both(node.op, a, b))

    def _both(self, op: str, left: PgCondition, right: PgCondition) -> PgCondition:
        if left.exact is None and right.exact is None:  # the index's answer is exact
            tsquery = {"AND": "&& ", "OR": "|| ", "NOT": "&& !!"}[op]
            return PgCondition(f"({left.needed} {tsquery}{right.needed})", None)
        if op == "NOT":
            return PgCondition(left.needed, f"({self.exact(left)} AND NOT {self.exact(right)})")
        needed = f"({left.needed} {'&&' if op == 'AND' else '||'} {right.needed})"
        return PgCondition(needed, f"({self.exact(left)} {op} {self.exact(right)})")

    def exact(self, condition: PgCondition) -> str:
        return condition.exact or f"{self.document} @@ {condition.needed}"

    def _phrase(self, phrase: Phrase) -> PgCondition | None:
        if _finds_nothing(phrase, self.table):
            return None
        query = reduce(
            lambda a, b: f"tsquery_phrase({a}, {b})",
            [self._part(part) for part in phrase.parts if part.tokens],
        )
        columns = table_columns(phrase, self.table)
        if columns == SEARCH_COLUMNS[self.table] and len(phrase.tokens) == 1:
            return PgCondition(query, None)
        # a phrase must not run from one column into the next, as in FTS5
        per_column = " OR ".join(
            f"to_tsvector('simple', coalesce({c}, '')) @@ {query}" for c in columns
        )
        return PgCondition(query, f"({per_column})")

    def _part(self, part: Part) -> str:
        name = f"p{len(self.params)}"
        if not part.prefix:
            self.params[name] = part.text
            return f"phraseto_tsquery('simple', :{name})"
        # PostgreSQL folds case itself, and keeps accents: give it the words as typed
        *words, last = [part.text[start:end] for _, start, end in tokenize(part.text)]
        self.params[name] = "'" + last.replace("\\", "\\\\").replace("'", "''") + "':*"
        prefix = f"to_tsquery('simple', :{name})"
        if not words:
            return prefix
        self.params[name + "w"] = " ".join(words)
        return f"tsquery_phrase(phraseto_tsquery('simple', :{name}w), {prefix})"

    def where(self, condition: PgCondition) -> str:
        where = f"{self.document} @@ {condition.needed}"
        return where if condition.exact is None else f"{where} AND {condition.exact}"
