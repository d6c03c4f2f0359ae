"""The only reader of the clock.

Everything else receives `now` as a parameter; COMPLOG_NOW replaces the clock
for tests and replays, so nothing needs to mock `datetime`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from complog.errors import InvalidInput


def now() -> datetime:
    """The current instant as an aware UTC datetime (COMPLOG_NOW if set)."""
    fixed = os.environ.get("COMPLOG_NOW", "").strip()
    if not fixed:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"COMPLOG_NOW={fixed!r} is not an ISO-8601 timestamp",
            "use a form like 2026-11-23T09:30:00+00:00",
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(
            f"COMPLOG_NOW={fixed!r} has no UTC offset",
            "use a form like 2026-11-23T09:30:00+00:00",
        )
    if not 1900 <= parsed.year <= 2199:
        raise InvalidInput(f"COMPLOG_NOW={fixed!r} is out of range", "use a year from 1900 to 2199")
    return parsed.astimezone(UTC)
