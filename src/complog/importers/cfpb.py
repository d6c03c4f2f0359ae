"""The US CFPB consumer-complaint CSV export, current and older layouts.

Mapping (for a company importing its own CFPB complaints; see docs/import.md):
- customer: CFPB publishes no names, so a stable pseudonym "CFPB consumer
  <Complaint ID>"; state and ZIP go to the customer's notes.
- summary: Issue, with Sub-issue after a colon; category: Product, with
  Sub-product after " / "; owner: the Company.
- channel and written: from "Submitted via" (web, postal mail and fax are
  written complaints).
- opened_at: Date received (12:00 UTC: CFPB gives dates, not times).
- notes: the narrative as the first inbound note; "sent to company" as an
  internal note on that date, with tags, consent, timely response and
  consumer disputed kept in its text.
- status: "Closed ..." responses resolve the complaint on the date it was sent
  to the company (CFPB publishes no closing date); "In progress" and
  "Untimely response" stay open. outcome: the company's response (and public
  response); confirmed: not disputed -> true, disputed -> false, N/A -> null;
  compensation: "monetary relief" when closed with monetary relief.
- external_id: "cfpb:<Complaint ID>", so re-importing adds nothing.
Layouts are recognised by header names, never by column positions.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from complog.importers.records import ComplaintIn

#: canonical field -> header names seen in CFPB exports over the years
HEADERS = {
    "received": ("date received",),
    "product": ("product",),
    "sub_product": ("sub-product", "subproduct"),
    "issue": ("issue",),
    "sub_issue": ("sub-issue", "subissue"),
    "narrative": ("consumer complaint narrative", "consumer complaint", "complaint what happened"),
    "public_response": ("company public response",),
    "company": ("company",),
    "state": ("state",),
    "zip": ("zip code", "zip", "zipcode"),
    "tags": ("tags",),
    "consent": ("consumer consent provided?", "consumer consent provided"),
    "via": ("submitted via",),
    "sent": ("date sent to company",),
    "response": ("company response to consumer", "company response"),
    "timely": ("timely response?", "timely response"),
    "disputed": ("consumer disputed?", "consumer disputed"),
    "complaint_id": ("complaint id",),
}
REQUIRED = ("received", "product", "issue", "company", "complaint_id")

CHANNEL = {"web": "web", "referral": "other", "phone": "phone", "postal mail": "letter", "fax": "letter",
           "email": "email", "web referral": "web"}  # fmt: skip
WRITTEN = {"web", "postal mail", "fax", "email", "web referral"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85]")


def header_map(fieldnames: list[str]) -> dict[str, str]:
    """Canonical field -> the header used by this file; raises on a layout we cannot read."""
    normalised = {" ".join(name.strip().lower().split()): name for name in fieldnames}
    found = {}
    for field, names in HEADERS.items():
        for name in names:
            if name in normalised:
                found[field] = normalised[name]
                break
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise ValueError(
            "not a CFPB complaint export: no column for "
            + ", ".join(HEADERS[m][0] for m in missing)
        )
    return found


def _clean(text: str | None) -> str:
    return _CONTROL.sub(" ", text or "").strip()


def parse_date(text: str) -> date:
    text = text.strip()
    for form in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return (
                datetime.strptime(text[:19] if "T" in text else text, form)
                .replace(tzinfo=UTC)
                .date()
            )
        except ValueError:
            continue
    raise ValueError(f"unreadable date {text!r}")


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def from_row(row: dict[str, str], columns: dict[str, str], importer: str) -> ComplaintIn:
    def get(field: str) -> str:
        return _clean(row.get(columns[field], "")) if field in columns else ""

    complaint_id = get("complaint_id")
    if not complaint_id:
        raise ValueError("no Complaint ID")
    received = _noon(parse_date(get("received")))
    sent_text = get("sent")
    sent = _noon(parse_date(sent_text)) if sent_text else received
    via = get("via").lower()
    channel = CHANNEL.get(via, "other")
    issue, sub_issue = get("issue"), get("sub_issue")
    product, sub_product = get("product"), get("sub_product")
    response, public = get("response"), get("public_response")
    disputed = get("disputed").lower()
    notes: list[dict[str, Any]] = []
    narrative = get("narrative")
    if narrative:
        notes.append(
            {
                "at": received,
                "author": "consumer",
                "channel": channel,
                "direction": "in",
                "text": narrative,
            }
        )
    facts = [f"Sent to {get('company')} by the CFPB."]
    for label, field in (("Tags", "tags"), ("Consumer consent", "consent"), ("Timely response", "timely"),
                         ("Consumer disputed", "disputed"), ("State", "state"), ("ZIP", "zip")):  # fmt: skip
        if get(field):
            facts.append(f"{label}: {get(field)}.")
    notes.append(
        {
            "at": max(sent, received),
            "author": importer,
            "channel": "other",
            "direction": "internal",
            "text": " ".join(facts),
        }
    )
    resolved = response.lower().startswith("closed")
    resolution = None
    if resolved:
        outcome = response + (f". Public response: {public}" if public else "")
        resolution = {
            "outcome": outcome,
            "confirmed": {"no": True, "yes": False}.get(disputed),
            "compensation": "monetary relief"
            if "monetary relief" in response.lower() and "non-monetary" not in response.lower()
            else None,
            "cause": "unknown",
            "resolved_at": max(sent, received),
        }
    location = ", ".join(v for v in (get("state"), get("zip")) if v)
    return ComplaintIn.model_validate({
        "external_id": f"cfpb:{complaint_id}",
        "customer": {"name": f"CFPB consumer {complaint_id}", "notes": f"Location: {location}" if location else None},
        "summary": f"{issue}: {sub_issue}" if sub_issue else issue,
        "status": "resolved" if resolved else "open",
        "channel": channel,
        "category": f"{product} / {sub_product}" if sub_product and sub_product.lower() != "i do not know" else product,
        "heat": 3,
        "written": via in WRITTEN,
        "owner": get("company") or importer,
        "opened_at": received,
        "recorded_at": received,
        "created_by": importer,
        "resolved_at": max(sent, received) if resolved else None,
        "resolution": resolution,
        "notes": notes,
    })  # fmt: skip
