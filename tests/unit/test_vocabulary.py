"""One home per word (issue 19, item 3): channels, directions, causes, statuses, the
written channels and the customer-name key are defined in complog/vocabulary.py only.

The scan reads every module of src/complog as Python (ast): a tuple, list, set or
enum body that spells two or more words of one vocabulary is a copy, and so is any
other code that casefolds (the customer key). Released migrations are frozen
history and keep their own copies on purpose.
"""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

import pytest

from complog import vocabulary
from complog.names import name_key, near_names
from complog.services.common import name_key as service_key

SRC = Path(__file__).parents[2] / "src" / "complog"
HOME = SRC / "vocabulary.py"
FROZEN = SRC / "migrations" / "versions"

#: each vocabulary, and how many of its words make a copy: a few channel names also
#: name contact fields or CSV columns (phone, email), so channels need three; the
#: written channels and the complaint statuses are copies when spelled exactly
VOCABULARIES = {
    "channels": (set(vocabulary.CHANNELS), 3),
    "directions": (set(vocabulary.DIRECTIONS), 2),
    "causes": (set(vocabulary.CAUSES), 2),
    "promise statuses": (set(vocabulary.PROMISE_STATUSES) - {"open"}, 2),
    "written channels": (set(vocabulary.WRITTEN_CHANNELS), 0),
    "complaint statuses": (set(vocabulary.COMPLAINT_STATUSES), 0),
}


def _modules() -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.py")) if p != HOME and FROZEN not in p.parents]


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return {
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        }
    if isinstance(node, ast.ClassDef):
        return {
            s.value.value
            for s in node.body
            if isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant)
            and isinstance(s.value.value, str)
        }  # fmt: skip
    return set()


def _keys_a_name(function: ast.AST) -> bool:
    """Unicode-normalises and casefolds in one function: a customer-name key (headers
    and words matched by casefold alone are not)."""
    names = {n.attr for n in ast.walk(function) if isinstance(n, ast.Attribute)}
    return {"casefold", "normalize"} <= names


def copies_in(source: str) -> list[str]:
    """What `source` spells of a vocabulary (line: which), or uses to key a name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        words = _strings(node)
        for name, (vocab, enough) in VOCABULARIES.items():
            if (len(words & vocab) >= enough) if enough else words == vocab:
                found.append(f"line {node.lineno}: {name} {sorted(words & vocab)}")  # type: ignore[attr-defined]
        if isinstance(node, ast.FunctionDef | ast.Lambda) and _keys_a_name(node):
            found.append(f"line {node.lineno}: a customer-name key (normalize + casefold)")
    return found


def test_no_module_but_vocabulary_defines_the_domains_words():
    offenders = {
        str(path.relative_to(SRC)): found
        for path in _modules()
        if (found := copies_in(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        'CHANNELS = ("phone", "email", "letter")',
        'STATUSES = ("open", "resolved")',
        'WRITTEN_CHANNELS = ("email", "letter")',
        'ok = ["ours", "customer"]',
        "class Channel(StrEnum):\n    phone = 'phone'\n    email = 'email'\n    web = 'web'",
        'WRITTEN = {"email", "letter"}',
        "def key(n):\n    return unicodedata.normalize('NFC', n).casefold()",
        'if v not in ("in", "out", "internal"): pass',
    ],
)
def test_the_scan_finds_a_copy(source):
    """The scan would have caught the copies the old code had (issue 19, item 3)."""
    assert copies_in(source)


def test_the_scan_lets_ordinary_code_through():
    ordinary = 'CONTACT = ("phone", "email")\nsql = "status IN (\'email\', \'letter\')"'
    ordinary += "\ndef header(h):\n    return h.casefold()"
    assert copies_in(ordinary) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ＡＣＭＥ", "ACME"),  # full-width (issue 19, item 5)
        ("Acme  Newsagency ", "acme newsagency"),
        (unicodedata.normalize("NFD", "Café"), "CAFÉ"),
        ("Straße", "STRASSE"),
        ("ﬁne foods", "Fine Foods"),  # a ligature is its letters
    ],
)
def test_one_customer_key_for_every_layer(a, b):
    assert vocabulary.customer_key(a) == vocabulary.customer_key(b)
    assert name_key(a) == service_key(a) == vocabulary.customer_key(a)


def test_same_key_names_are_not_near_names():
    assert near_names("ＡＣＭＥ", ["ACME", "Acne"]) == ["Acne"]


def test_the_cli_choices_are_the_vocabularys():
    from complog.cli.options import Cause, Channel, Status

    assert tuple(Channel) == vocabulary.CHANNELS
    assert tuple(Cause) == vocabulary.CAUSES
    assert [s.value for s in Status] == [*vocabulary.COMPLAINT_STATUSES, "all"]
