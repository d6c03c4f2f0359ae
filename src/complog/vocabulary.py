"""The words of the domain, once: channels, directions, causes, statuses, which
channels are written, and when two customer names are the same customer.

Pure and stdlib-only: the services, the importers, the command layer's enums and
the read path all import these, so a new channel or cause is added here and
nowhere else (tests/unit/test_vocabulary.py fails on a copy anywhere in src/).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum


class Channel(StrEnum):
    """How a complaint or an interaction reached us (SPEC: add --channel)."""

    phone = "phone"
    email = "email"
    letter = "letter"
    visit = "visit"
    web = "web"
    social = "social"
    other = "other"


class Cause(StrEnum):
    """Who caused the problem (resolve --cause)."""

    ours = "ours"
    customer = "customer"
    third_party = "third-party"
    unknown = "unknown"


class Direction(StrEnum):
    """Which way an interaction went (note --in / --out / --internal)."""

    in_ = "in"
    out = "out"
    internal = "internal"


class ComplaintStatus(StrEnum):
    open = "open"
    resolved = "resolved"


class StatusFilter(StrEnum):
    """`list --status`: a complaint status, or all of them."""

    open = "open"
    resolved = "resolved"
    all = "all"


class PromiseStatus(StrEnum):
    open = "open"
    kept = "kept"
    cancelled = "cancelled"


CHANNELS = tuple(c.value for c in Channel)
#: channels that leave a written record: a written complaint wants a reply in one of
#: them (the written-unanswered rule)
WRITTEN_CHANNELS = (Channel.email.value, Channel.letter.value)
#: channels whose complaints are written whatever --written says (SPEC: written
#: complaints get written replies, and a letter is one)
ALWAYS_WRITTEN = (Channel.letter.value,)
DIRECTIONS = tuple(d.value for d in Direction)
CAUSES = tuple(c.value for c in Cause)
COMPLAINT_STATUSES = tuple(s.value for s in ComplaintStatus)
PROMISE_STATUSES = tuple(s.value for s in PromiseStatus)


def is_written(channel: str, written: bool) -> bool:
    """The one rule for the written flag, for add, edit and imports alike."""
    return written or channel in ALWAYS_WRITTEN


def customer_key(name: str) -> str:
    """Customers are the same when their names match ignoring case, spacing and
    compatibility forms: NFKC, so full-width ＡＣＭＥ, ﬁ ligatures and the like meet
    their plain spelling; casefold, so Straße and STRASSE do; whitespace collapsed.

    Stored in customer.name_key (unique); migration 0005 recomputed the keys with it.
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
