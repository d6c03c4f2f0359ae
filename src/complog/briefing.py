"""Know the customer before answering: what `add` says about who is calling.

Their other open complaints, whether they are a repeat caller (by the same
window the repeat-customer rule uses: rules.opened_within_window), their last
contact, and, for a name the logbook has not seen, the existing customers it
may be a misspelling of. Read-only; `add` reads it inside its own transaction,
so it opens no second connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from complog.queries import Reader
    from complog.rows import ComplaintRow, NoteRow

#: stricter than `customer NAME`'s suggestions: this hint comes unasked, on every new customer
NEAR_MATCH_CUTOFF = 0.8


@dataclass(frozen=True)
class Briefing:
    #: the customer's name as stored; None when no customer has this name yet
    name: str | None
    open_complaints: tuple[ComplaintRow, ...] = ()
    #: complaints opened within the repeat window, and whether that makes a repeat caller
    recent: int = 0
    repeat: bool = False
    repeat_window: str = ""
    last_contact: tuple[NoteRow, ComplaintRow] | None = None
    #: existing customers this new name may be a misspelling of
    near_names: tuple[str, ...] = ()
    #: the names to look for near matches among, read but not yet compared (`compare`)
    candidates: tuple[str, ...] = ()

    def compare(self, customer: str) -> Briefing:
        """The near matches among the candidates: comparing every name costs seconds on
        a big logbook, so `add` does it after its commit, never holding the write lock."""
        from dataclasses import replace

        from complog.names import near_names

        if not self.candidates:
            return self
        close = near_names(customer, self.candidates, cutoff=NEAR_MATCH_CUTOFF)
        return replace(self, near_names=tuple(close), candidates=())


def brief(
    reader: Reader, customer: str, now: datetime, *, exclude: int = 0, new_customer: bool = False
) -> Briefing:
    """What the logbook knows of `customer` (`exclude`: the complaint just logged).
    `new_customer`: the name was created just now, so near spellings are looked for
    too; their candidates are read here and compared by `Briefing.compare`."""
    from complog.rules import is_repeat, opened_within_window

    customer_id = reader.customer_id(customer)
    if customer_id is None:
        return Briefing(None, candidates=tuple(reader.customer_names()))
    settings = reader.settings()
    recent = opened_within_window(reader.opened_times(customer_id), now, settings)
    return Briefing(
        name=reader.customer(customer_id).name,
        open_complaints=tuple(reader.other_open_complaints(customer_id, exclude)),
        recent=recent,
        repeat=is_repeat(recent, settings),
        repeat_window=str(settings.repeat_window),
        last_contact=reader.last_contact(customer_id),
        candidates=tuple(reader.customer_names()) if new_customer else (),
    )
