"""Words of the domain whose rules every layer must apply alike. Pure: imported by
the services, the importers and the command layer without pulling in the ORM.
"""

from __future__ import annotations

#: channels whose complaints are written whatever --written says (SPEC: written
#: complaints get written replies, and a letter is one)
ALWAYS_WRITTEN = ("letter",)


def is_written(channel: str, written: bool) -> bool:
    """The one rule for the written flag, for add, edit and imports alike."""
    return written or channel in ALWAYS_WRITTEN
