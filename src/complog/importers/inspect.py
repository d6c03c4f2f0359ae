"""`complog import FILE --inspect`: what is in a spreadsheet, and a map to start from.

One pass over the rows, with bounded memory: per column, how many cells are
filled, the first few values, up to DISTINCT different values (enough to list a
status or channel column's words), and what its dates say about day/month order.
The suggested map guesses only names (a column called "Opened" probably holds
opened_at) and common words ("Closed" -> resolved); everything it cannot tell is
left as a comment for a person to decide, and nothing is imported from it until
they run --map.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from complog.errors import InvalidInput
from complog.importers.columnmap import FIELDS, VALUE_TARGETS, ColumnMap
from complog.importers.datecolumns import DAY_FIRST, MONTH_FIRST, DateEvidence, Zone, read_date
from complog.importers.sheets import Cell, Row, column_letter, header_key

SAMPLES = 3
DISTINCT = 20

#: complog field -> patterns of column names that probably hold it, most likely first
_NAMES: dict[str, tuple[str, ...]] = {
    "external_id": (r"(ticket|case|complaint|reference|ref)\s*(id|no\.?|nr\.?|number|#)?", r"id", r"#", r"nr\.?", r"no\.?"),
    "customer": (r"customer( name)?", r"client( name)?", r"name", r"kunde", r"client", r"cliente", r"klant", r"contact"),
    "phone": (r"(tele)?phone( number)?", r"tel\.?", r"mobile", r"telefon", r"téléphone", r"teléfono"),
    "email": (r"e-?mail( address)?", r"courriel", r"correo"),
    "summary": (r"summary", r"subject", r"issue", r"problem", r"title", r"complaint", r"what happened", r"details?", r"betreff", r"sujet", r"asunto", r"description"),
    "opened_at": (r"(date )?(opened|received|created|logged|reported)( (at|on|date))?", r"date", r"datum", r"fecha", r"eingang"),
    "channel": (r"channel", r"source", r"via", r"medium", r"kanal", r"canal", r"submitted via"),
    "heat": (r"heat", r"priority", r"severity", r"urgency", r"priorität", r"priorité", r"prioridad"),
    "category": (r"category", r"type", r"product", r"kategorie", r"catégorie", r"categoría"),
    "owner": (r"owner", r"agent", r"assign(ed|ee)( to)?", r"handled by", r"handler", r"bearbeiter", r"responsable"),
    "status": (r"status", r"state", r"stage", r"statut", r"estado"),
    "resolved_at": (r"(date )?(resolved|closed|solved|completed)( (at|on|date))?", r"erledigt am"),
    "outcome": (r"outcome", r"resolution", r"result", r"lösung", r"résolution"),
    "cause": (r"(root )?cause", r"ursache"),
    "satisfaction": (r"satisfaction", r"csat", r"rating", r"zufriedenheit"),
    "loss": (r"loss", r"amount", r"claim(ed)?( amount)?", r"schaden"),
    "compensation": (r"compensation", r"goodwill", r"refund", r"credit", r"entschädigung"),
    "currency": (r"currency", r"ccy", r"währung", r"devise", r"moneda"),
    "wants": (r"wants", r"request(ed)?", r"expectation"),
}  # fmt: skip
_NOTE_NAMES = (r"notes?", r"comments?", r"remarks?", r"reply", r"response", r"message", r"log", r"said", r"notiz", r"bemerkung", r"commentaire", r"nota", r"antwort", r"answer")  # fmt: skip
_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "status": {
        "resolved": ("closed", "resolved", "done", "solved", "complete", "completed", "fixed", "erledigt", "geschlossen", "gelöst", "abgeschlossen", "fermé", "résolu", "clos", "cerrado", "resuelto", "gesloten", "opgelost", "afgehandeld"),
        "open": ("open", "new", "pending", "in progress", "waiting", "on hold", "offen", "neu", "in bearbeitung", "ouvert", "nouveau", "en cours", "abierto", "pendiente", "nieuw"),
    },
    "channel": {
        "phone": ("phone", "telephone", "call", "tel", "telefon", "téléphone", "teléfono", "hotline"),
        "email": ("email", "e-mail", "mail"),
        "letter": ("letter", "post", "postal mail", "mail (postal)", "fax", "brief", "courrier", "carta"),
        "visit": ("visit", "in person", "store", "shop", "walk-in", "counter", "besuch", "filiale"),
        "web": ("web", "website", "online", "form", "web form", "webform", "portal", "chat", "live chat", "webchat", "web chat"),
        "social": ("social", "twitter", "x", "facebook", "instagram", "social media"),
        "other": ("other", "sonstige", "autre"),
    },
    "heat": {
        "1": ("very low", "calm"), "2": ("low", "niedrig", "faible", "baja"),
        "3": ("medium", "normal", "mittel", "moyenne", "media"),
        "4": ("high", "hoch", "haute", "alta"), "5": ("urgent", "critical", "very high", "dringend", "kritisch", "urgente"),
    },
    "cause": {
        "ours": ("ours", "us", "internal", "our fault"), "customer": ("customer", "user error"),
        "third-party": ("third party", "supplier", "carrier", "courier", "vendor"), "unknown": ("unknown", "n/a"),
    },
}  # fmt: skip


@dataclass
class ColumnProfile:
    name: str
    index: int
    filled: int = 0
    samples: list[str] = field(default_factory=list)
    distinct: set[str] = field(default_factory=set)
    many: bool = False
    numbers: int = 0
    dates: int = 0
    evidence: DateEvidence | None = None

    def looks_like(self) -> str:
        if not self.filled:
            return "empty"
        if self.dates == self.filled:
            assert self.evidence is not None
            try:
                order = self.evidence.order()
            except InvalidInput:
                return "dates (day/month order unclear)"
            return {DAY_FIRST: "dates, day first", MONTH_FIRST: "dates, month first"}.get(
                order or "", "dates"
            )
        if self.numbers == self.filled:
            return "numbers"
        return "text" if self.many else f"text, {len(self.distinct)} different"


def profile(header: list[str], rows: Iterable[Row], zone: Zone) -> tuple[list[ColumnProfile], int]:
    columns = [ColumnProfile(name, i, evidence=DateEvidence(name)) for i, name in enumerate(header)]
    count = 0
    for row in rows:
        count += 1
        for column in columns:
            value = row.cells[column.name]
            text = value.strip() if isinstance(value, str) else value.isoformat()
            if not text:
                continue
            column.filled += 1
            if len(column.samples) < SAMPLES and text not in column.samples:
                column.samples.append(text)
            if not column.many:
                column.distinct.add(text)
                if len(column.distinct) > DISTINCT:
                    column.many, column.distinct = True, set()
            if re.fullmatch(r"[-+]?\d+([.,]\d+)?", text):
                column.numbers += 1
            if _is_date(value, zone):
                column.dates += 1
                if isinstance(value, str) and column.evidence is not None:
                    column.evidence.observe(value, f"row {row.number}")
    return columns, count


def _is_date(value: Cell, zone: Zone) -> bool:
    if not isinstance(value, str):
        return True
    if not re.search(r"\d{4}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}", value):
        return False
    for order in (DAY_FIRST, MONTH_FIRST):
        try:
            read_date(value, order, None, zone)
            return True
        except ValueError:
            continue
    return False


def _match_key(name: str) -> str:
    """A column name as the patterns see it: units in brackets and punctuation gone."""
    key = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", header_key(name))
    return " ".join(re.sub(r"[^\w#/.-]+", " ", key).split())


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    key = _match_key(name)
    return any(re.fullmatch(p, key) for p in patterns)


def suggest_fields(columns: list[ColumnProfile]) -> tuple[dict[str, str], list[str]]:
    """complog field -> column, and the note columns, guessed from the names only."""
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for field_name, patterns in _NAMES.items():
        for pattern in patterns:
            found = next((c.name for c in columns if c.name not in used and c.filled
                          and _matches(c.name, (pattern,))), None)  # fmt: skip
            if found is not None:
                chosen[field_name] = found
                used.add(found)
                break
    notes = [c.name for c in columns if c.name not in used and c.filled and _matches_note(c.name)]
    return chosen, notes


def _matches_note(name: str) -> bool:
    key = _match_key(name)
    return any(re.search(rf"\b{p}\b", key) for p in _NOTE_NAMES)


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def suggested_map(
    columns: list[ColumnProfile],
    source_name: str,
    sheet: str | None,
    given: ColumnMap | None = None,
) -> str:
    chosen, notes = suggest_fields(columns)
    by_name = {c.name: c for c in columns}
    out = [
        "# A column map for `complog import FILE --map THIS.toml`, suggested by --inspect.",
        "# Check every line: the columns were guessed from their names. docs/import.md explains it.",
        "",
        "[source]",
        f'# external ids are "{source_name}:<id>": keep this name for every import of this data',
        f"name = {toml_string(source_name)}",
    ]
    if sheet is not None:
        out.append(f"sheet = {toml_string(sheet)}")
    if given is not None and given.header_row != 1:
        out.append(f"header_row = {given.header_row}")
    if given is not None and given.encoding is not None:
        out.append(f"encoding = {toml_string(given.encoding)}")
    if given is not None and given.decimal != ".":
        out.append(f"decimal = {toml_string(given.decimal)}")
    out += ["", "[columns]"]
    for field_name, what in FIELDS.items():
        if field_name in chosen:
            out.append(f"{field_name} = {toml_string(chosen[field_name])}  # {what}")
        else:
            out.append(f'# {field_name} = "..."  # {what}')
    if "external_id" not in chosen:
        out.append("# Without external_id, a row is known by a hash of its cells: re-importing the")
        out.append("# same rows adds nothing, but a row edited since is imported again as new.")
    unused = [
        c.name
        for c in columns
        if c.filled and c.name not in chosen.values() and c.name not in notes
    ]
    if unused:
        out.append("# Not used: " + ", ".join(toml_string(n) for n in unused))
    for name in notes:
        key = header_key(name)
        direction = (
            "out" if re.search(r"repl|respon|answer|antwort", key)
            else "in" if re.search(r"customer|client|kunde|said", key)
            else "internal"
        )  # fmt: skip
        out += ["", "[[notes]]", f"column = {toml_string(name)}",
                f"direction = \"{direction}\"  # in (from the customer), out (to them) or internal"]  # fmt: skip
    dates = []
    decided: dict[str, str | None] = {}
    undecided = []
    for field_name in ("opened_at", "resolved_at", "promise_due"):
        column = by_name.get(chosen.get(field_name, ""))
        if column is not None and column.evidence is not None:
            try:
                decided[column.name] = column.evidence.order()
            except InvalidInput as exc:
                undecided.append((column.name, exc.message))
    orders = {o for o in decided.values() if o}
    for name, why in undecided:
        dates.append(f"# {why}")
        if len(orders) == 1:
            order = "day-first" if orders == {DAY_FIRST} else "month-first"
            dates.append(f'{toml_string(name)} = "{order}"  # as the other date columns: check it')
        else:
            dates.append(f'# {toml_string(name)} = "day-first"  # or "month-first": choose one')
    if dates:
        out += ["", "[dates]", *dates]
    for field_name in ("status", "channel", "heat", "cause"):
        column = by_name.get(chosen.get(field_name, ""))
        if column is None or column.many or not column.distinct:
            continue
        lines = _value_lines(field_name, sorted(column.distinct))
        if lines:
            out += ["", f"[values.{field_name}]", *lines]
    return "\n".join(out) + "\n"


def _value_lines(field_name: str, words: list[str]) -> list[str]:
    known = _WORDS.get(field_name, {})
    lines = []
    for word in words:
        key = " ".join(word.split()).casefold()
        if key in VALUE_TARGETS[field_name]:
            continue  # complog's own word
        target = next((t for t, ws in known.items() if key in ws), None)
        if target is not None:
            lines.append(f"{toml_string(word)} = {toml_string(target)}")
        else:
            choices = " or ".join(VALUE_TARGETS[field_name])
            lines.append(f'# {toml_string(word)} = "..."  # {choices}')
    return lines


def describe_columns(columns: list[ColumnProfile], rows: int, name: str) -> list[str]:
    """The column listing --inspect prints."""
    chosen, notes = suggest_fields(columns)
    field_of = {column: f for f, column in chosen.items()}
    width = min(max([len(c.name) for c in columns] + [6]), 30)
    out = [f"{name}: {len(columns)} columns, {rows:,} rows", ""]
    out.append(
        f"{'col':<4} {'column':<{width}} {'filled':>7}  {'looks like':<32} {'suggested':<14} sample"
    )
    for c in columns:
        suggestion = field_of.get(c.name) or ("a note" if c.name in notes else "")
        samples = (" ".join(s.split()) for s in c.samples)  # one line per column
        sample = ", ".join(s if len(s) <= 30 else s[:29] + "…" for s in samples)
        name = " ".join(c.name.split())
        shown_name = name if len(name) <= width else name[: width - 1] + "…"
        out.append(f"{column_letter(c.index):<4} {shown_name:<{width}} {c.filled:>7,}  "
                   f"{c.looks_like():<32} {suggestion:<14} {sample}")  # fmt: skip
    return out
