"""complog's own formats: JSON/JSONL objects shaped as `show --format json`, and CSV.

CSV holds one row per complaint (the columns below); it carries no notes,
promises or escalations, so only JSON/JSONL round-trip losslessly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complog.importers.records import ComplaintIn

CSV_COLUMNS = [
    "id", "external_id", "customer", "phone", "email", "summary", "status", "channel", "category",
    "heat", "wants", "loss", "written", "owner", "opened_at", "resolved_at", "outcome", "confirmed",
    "satisfaction", "compensation", "cause", "prevention", "open_promises", "notes", "promises",
    "broken_promises", "escalations", "loss_currency",
]  # fmt: skip


def from_export(obj: Any) -> ComplaintIn:
    """An object of `export --format json` (or `show --format json`) -> ComplaintIn."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object for each complaint")
    data = dict(obj)
    detail = data.get("customer_detail") or {"name": data.get("customer")}
    data["customer"] = detail
    return ComplaintIn.model_validate(data)


def _bool(text: str) -> bool | None:
    value = text.strip().lower()
    if value in ("", "null", "none"):
        return None
    if value in ("true", "yes", "1", "y"):
        return True
    if value in ("false", "no", "0", "n"):
        return False
    raise ValueError(f"expected true or false, not {text!r}")


def _none(text: str | None) -> str | None:
    return text if text not in (None, "") else None


def from_csv_row(row: dict[str, str]) -> ComplaintIn:
    missing = [c for c in ("customer", "summary", "opened_at") if c not in row]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    status = row.get("status") or "open"
    resolution = None
    if status == "resolved":
        resolution = {
            "outcome": row.get("outcome") or "resolved",
            "confirmed": _bool(row.get("confirmed", "")),
            "satisfaction": _none(row.get("satisfaction")),
            "compensation": _none(row.get("compensation")),
            "cause": _none(row.get("cause")),
            "prevention": _none(row.get("prevention")),
            "resolved_at": _none(row.get("resolved_at")),
        }
    return ComplaintIn.model_validate({
        "id": _none(row.get("id")),
        "external_id": _none(row.get("external_id")),
        "customer": {"name": row["customer"], "phone": _none(row.get("phone")), "email": _none(row.get("email"))},
        "summary": row["summary"],
        "status": status,
        "channel": row.get("channel") or "other",
        "category": _none(row.get("category")),
        "heat": row.get("heat") or 3,
        "wants": _none(row.get("wants")),
        "loss": _none(row.get("loss")),
        "loss_currency": _none(row.get("loss_currency")),
        "written": bool(_bool(row.get("written", ""))),
        "owner": row.get("owner") or "import",
        "opened_at": _aware_text(row["opened_at"]),
        "resolved_at": _aware_text(row.get("resolved_at") or ""),
        "resolution": resolution,
    })  # fmt: skip


def _aware_text(text: str) -> str | None:
    """CSV timestamps must carry their offset; a bare date-time is refused, not guessed."""
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset")
    return text
