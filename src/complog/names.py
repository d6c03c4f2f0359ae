"""Customer names: when two spellings are the same customer, and which are close.

Pure: the read path (`customer NAME`, `add`'s hint) and the write path
(`customer merge`) both ask, so neither imports the other.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence


def name_key(name: str) -> str:
    """Customers are the same when their names match ignoring case and spacing."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


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
