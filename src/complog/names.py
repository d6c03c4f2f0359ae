"""Customer names: when two spellings are the same customer, and which are close.

Pure: the read path (`customer NAME`, `add`'s hint) and the write path
(`customer merge`) both ask, so neither imports the other.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence

from complog.vocabulary import customer_key

#: when two spellings are one customer: complog.vocabulary.customer_key
name_key = customer_key


def same_key_sql(dialect: str) -> str:
    """SQL for the customers a name can mean: its key, and the customers migration 0005
    set apart under it (key + newline + id; no typed name makes a newline). The ids sort
    between "\n" and ":" byte by byte, so the unique index answers both as ranges
    (PostgreSQL compares byte by byte only under COLLATE "C")."""
    column = 'name_key COLLATE "C"' if dialect == "postgresql" else "name_key"
    return f"(name_key = :key OR ({column} > :keynl AND {column} < :keyend))"


def same_key_params(name: str) -> dict[str, object]:
    key = name_key(name)
    return {"key": key, "keynl": key + "\n", "keyend": key + "\n:"}


def pick_customer(name: str, candidates: Sequence[tuple[int, str, str]]) -> int | None:
    """Which of the customers sharing `name`'s key (id, name, key) `name` means: the
    one spelled exactly so, else the one holding the key itself (the older)."""
    if not candidates:
        return None
    typed = unicodedata.normalize("NFC", name).strip()
    for customer_id, spelled, _ in candidates:
        if spelled == typed:
            return customer_id
    exact = [c for c in candidates if "\n" not in c[2]]
    return (exact or sorted(candidates))[0][0]


def merge_hint(chosen: str, candidates: Sequence[tuple[int, str, str]]) -> str | None:
    """When other customers share a key with `chosen` (kept apart by migration 0005,
    which made full-width and plain spellings one key): the merge that joins them."""
    others = [spelled for _, spelled, _ in candidates if spelled != chosen]
    if not others:
        return None
    return "; ".join(
        f"{other!r} is the same name (a customer kept apart by the 0005 upgrade):"
        f" complog customer merge {other!r} {chosen!r}"
        for other in others
    )


def _squeezed(name: str) -> str:
    """Letters and digits only: `A.C.M.E News-agency` and `Acme Newsagency` agree."""
    return "".join(ch for ch in name_key(name) if ch.isalnum())


def near_names(name: str, names: Sequence[str], *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to `n` of `names` that look like a misspelling of `name`, closest first.

    Names with the same key as `name` are the same customer, not near ones.
    """
    key = name_key(name)
    others = [candidate for candidate in names if name_key(candidate) != key]
    close = difflib.get_close_matches(name.strip(), others, n=n, cutoff=cutoff)
    if not close:
        lowered = {name_key(c): c for c in others}
        close = [
            lowered[k] for k in difflib.get_close_matches(key, list(lowered), n=n, cutoff=cutoff)
        ]
    squeezed = _squeezed(name)
    for candidate in others:
        if len(close) >= n:
            break
        if squeezed and _squeezed(candidate) == squeezed and candidate not in close:
            close.append(candidate)
    return close


def did_you_mean(close: Sequence[str]) -> str | None:
    return "did you mean " + " or ".join(repr(c) for c in close) + "?" if close else None
