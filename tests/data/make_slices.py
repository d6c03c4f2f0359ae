"""Rebuild the data slices in this folder from the full samples (run by hand, not by pytest).

    python tests/data/make_slices.py /path/to/shared/data

Reads cfpb_sample.csv and twcs_sample.csv (see SOURCES.md for where those come
from) and writes cfpb_slice.csv, cfpb_old_layout.csv and twcs_slice.csv. Rows
are chosen by rule (below), never by hand-editing, and the current-layout
slices copy each chosen record's original bytes, so the quirks are kept.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
SLICE_ROWS = 250
SEED = 6

Row = dict[str, str]


def records(path: Path) -> tuple[str, list[tuple[Row, str]]]:
    """The header line and every (row, original text of that record) of a CSV file."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = lines[0]
    out, start = [], 1  # 0-based index of the first physical line of the next record
    for row in reader:
        end = reader.line_num  # 1-based number of the record's last physical line
        out.append((row, "".join(lines[start:end])))
        start = end
    return header, out


def cfpb_slice(rows: list[tuple[Row, str]]) -> list[tuple[Row, str]]:
    chosen: set[int] = set()

    def take(test: Callable[[Row], bool], limit: int | None = None) -> None:
        hits = [i for i, (row, _) in enumerate(rows) if test(row)]
        chosen.update(hits if limit is None else hits[:limit])

    response = "Company response to consumer"
    take(lambda r: r["Consumer disputed?"] in ("Yes", "No"))  # all 32: CFPB stopped asking in 2017
    take(lambda r: r[response] == "In progress", 12)
    take(lambda r: r[response] == "Untimely response", 12)
    take(lambda r: r[response] == "Closed with monetary relief", 20)
    take(lambda r: r[response] == "Closed with non-monetary relief", 15)
    take(lambda r: "\n" in r["Consumer complaint narrative"], 35)
    take(lambda r: "XX/XX/XXXX" in r["Consumer complaint narrative"], 10)
    longest = max(range(len(rows)), key=lambda i: len(rows[i][0]["Consumer complaint narrative"]))
    chosen.add(longest)
    take(lambda r: r["State"] == "", 15)
    take(lambda r: r["Submitted via"] == "Email")
    for via in ("Fax", "Postal mail"):
        take(lambda r, via=via: r["Submitted via"] == via, 8)
    for via in ("Phone", "Referral"):
        take(lambda r, via=via: r["Submitted via"] == via, 12)
    for tags in ("Older American, Servicemember", "Servicemember", "Older American"):
        take(lambda r, tags=tags: r["Tags"] == tags, 4)
    take(lambda r: r["Sub-product"] == "I do not know", 5)
    take(lambda r: r["Sub-issue"] == "", 8)
    for consent in ("Consent withdrawn", ""):
        take(lambda r, consent=consent: r["Consumer consent provided?"] == consent, 3)
    rest = [i for i in range(len(rows)) if i not in chosen]
    chosen.update(random.Random(SEED).sample(rest, SLICE_ROWS - len(chosen)))
    return [rows[i] for i in sorted(chosen)]


#: The older CFPB layout (2012-2016 exports): no narrative, public response, tags
#: or consent; Complaint ID first; "Company response"; dates as MM/DD/YYYY.
OLD_COLUMNS = [
    ("Complaint ID", "Complaint ID"), ("Product", "Product"), ("Sub-product", "Sub-product"),
    ("Issue", "Issue"), ("Sub-issue", "Sub-issue"), ("State", "State"), ("ZIP code", "ZIP code"),
    ("Submitted via", "Submitted via"), ("Date received", "Date received"),
    ("Date sent to company", "Date sent to company"), ("Company", "Company"),
    ("Company response", "Company response to consumer"), ("Timely response?", "Timely response?"),
    ("Consumer disputed?", "Consumer disputed?"),
]  # fmt: skip
OLD_IDS = ["1318032", "2432795", "1342794", "1881274"]  # disputed Yes/No, 'Closed' responses
NEL = "\u0085"


def us_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{month}/{day}/{year}"


def old_layout(rows: list[tuple[Row, str]]) -> str:
    by_id = {row["Complaint ID"]: row for row, _ in rows}
    picked = [by_id[i] for i in OLD_IDS]
    response = "Company response to consumer"
    for test in (
        lambda r: r[response] == "In progress",
        lambda r: r[response] == "Untimely response",
        lambda r: r["State"] == "" and r["Sub-product"] != "",
        lambda r: r["Company"] == "TRANSUNION INTERMEDIATE HOLDINGS, INC.",
        lambda r: r["Company"] == "Experian Information Solutions Inc.",
    ):
        picked.append(next(r for r, _ in rows if test(r) and r not in picked))
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)  # CRLF line ends, every field quoted
    writer.writerow([old for old, _ in OLD_COLUMNS])
    for row in picked:
        values = {old: row[new] for old, new in OLD_COLUMNS}
        values["Date received"] = us_date(values["Date received"])
        values["Date sent to company"] = us_date(values["Date sent to company"])
        if values["Company"] == "TRANSUNION INTERMEDIATE HOLDINGS, INC.":
            values["Company"] = f"TRANSUNION INTERMEDIATE HOLDINGS,{NEL}INC."
        elif values["Company"] == "Experian Information Solutions Inc.":
            values["Company"] = f"Experian Information Solutions Inc.{NEL}"
        writer.writerow([values[old] for old, _ in OLD_COLUMNS])
    return out.getvalue()


#: Threads (by first tweet id) copied whole, plus two company-started threads
#: and one reply to a tweet that is not in the sample.
TWCS_THREADS = ["8", "18", "611", "1424", "1695"]
TWCS_COMPANY_STARTED = ["1575", "3899"]
TWCS_ORPHAN = "222"


def twcs_slice(rows: list[tuple[Row, str]]) -> list[tuple[Row, str]]:
    by_id = {row["tweet_id"]: row for row, _ in rows}
    children: dict[str, set[str]] = {}
    for row in rows_only(rows):
        parent = row["in_response_to_tweet_id"].removesuffix(".0")
        if parent in by_id:
            children.setdefault(parent, set()).add(row["tweet_id"])
        for reply in filter(None, row["response_tweet_id"].split(",")):
            if reply in by_id:
                children.setdefault(row["tweet_id"], set()).add(reply)
    keep: set[str] = set()
    stack = [*TWCS_THREADS, *TWCS_COMPANY_STARTED, TWCS_ORPHAN]
    while stack:
        tweet = stack.pop()
        if tweet not in keep:
            keep.add(tweet)
            stack.extend(children.get(tweet, ()))
    return [(row, raw) for row, raw in rows if row["tweet_id"] in keep]


def rows_only(rows: list[tuple[Row, str]]) -> list[Row]:
    return [row for row, _ in rows]


def main() -> None:
    shared = Path(sys.argv[1])
    header, cfpb = records(shared / "cfpb_sample.csv")
    chosen = cfpb_slice(cfpb)
    (HERE / "cfpb_slice.csv").write_text(header + "".join(raw for _, raw in chosen), "utf-8")
    (HERE / "cfpb_old_layout.csv").write_text(old_layout(cfpb), "utf-8", newline="")
    header, tweets = records(shared / "twcs_sample.csv")
    chosen = twcs_slice(tweets)
    (HERE / "twcs_slice.csv").write_text(header + "".join(raw for _, raw in chosen), "utf-8")


if __name__ == "__main__":
    main()
