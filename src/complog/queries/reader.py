"""The reader every command gets: each concern's reads on one connection."""

from __future__ import annotations

from complog.queries.customers import CustomerReads
from complog.queries.due import DueReads
from complog.queries.dumps import DumpReads
from complog.queries.report import ReportReads
from complog.queries.rule_facts import RuleFactReads
from complog.queries.search import SearchReads


class Reader(DueReads, CustomerReads, SearchReads, RuleFactReads, ReportReads, DumpReads):
    """A read-only view of the logbook over one DB-API connection."""
