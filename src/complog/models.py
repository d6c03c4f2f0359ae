"""The schema, in one place: every table, for the code that must know all of them.

Times are aware UTC (`UTCDateTime`); money is integer minor units plus an ISO 4217
code; enumerations are short text checked by the services. Only migrations create
these tables. The tables are defined in complog.tables, by what writes them, so a
command that writes a few maps only those; import this module wherever a table
missed would be a fault: the migrations, erase's scrub, import, migrate-to.
"""

from __future__ import annotations

from complog.tables.base import (
    NEVER_REUSED,
    LogbookTable,
    PartialIndex,
    add_partial_conditions,
    cascading_fk,
)
from complog.tables.complaints import Complaint, Customer, Event, Promise
from complog.tables.logbook import Meta, RoleName, Setting
from complog.tables.workflow import Escalation, Note, PastResolution, Reschedule, Wait

__all__ = [
    "NEVER_REUSED",
    "Complaint",
    "Customer",
    "Escalation",
    "Event",
    "LogbookTable",
    "Meta",
    "Note",
    "PartialIndex",
    "PastResolution",
    "Promise",
    "Reschedule",
    "RoleName",
    "Setting",
    "Wait",
    "add_partial_conditions",
    "cascading_fk",
]
