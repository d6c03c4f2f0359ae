"""Money at risk and money given: amounts read from complaints.

`--loss` is stored in cents. Compensation is free text ("£50 voucher", "free
visit", "refund of $12.50"); its value is the first amount written with a
currency (£50, $12.50, €5, 30 EUR), and text without one (a free visit,
"3 free visits") counts as given but not valued.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?![\d])"
_AMOUNT = re.compile(rf"[£$€¥₹]\s?{_NUMBER}|(?<![\d.,]){_NUMBER}\s?(?:[A-Z]{{3}}\b|[£$€¥₹])")


def amount_in(text: str | None) -> int | None:
    """The first amount in `text`, in cents; None when it names no amount."""
    if not text:
        return None
    match = _AMOUNT.search(text)
    if match is None:
        return None
    groups = match.groups()
    number, cents = (groups[0], groups[1]) if groups[0] is not None else (groups[2], groups[3])
    whole = int(number.replace(",", ""))
    fraction = (cents or "0").ljust(2, "0")
    return whole * 100 + int(fraction)


def total_cents(amounts: Iterable[int | None]) -> int:
    return sum(a for a in amounts if a is not None)


def is_free_visit(compensation: str | None) -> bool:
    """Visits given free are the compensation entries that say so."""
    return bool(compensation) and "visit" in str(compensation).lower()
