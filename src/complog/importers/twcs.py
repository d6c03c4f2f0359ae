"""Customer support threads from Twitter (the "Customer Support on Twitter" corpus).

A thread that starts with a customer's tweet (inbound, answering nothing)
becomes a complaint: the customer is "twitter:<author_id>", the company
handle that answers first is the owner, the first tweet is the summary and
the first inbound note, and every reply (followed through response ids and
in-reply-to ids, across branches) is an inbound or outbound note. Threads
that start with a company tweet, and replies to tweets outside the file, are
skipped and counted. external_id is "twcs:<first tweet id>".
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complog.importers.records import ComplaintIn

REQUIRED = ("tweet_id", "author_id", "inbound", "created_at", "text")


@dataclass(frozen=True)
class Tweet:
    id: str
    author: str
    inbound: bool
    at: datetime
    text: str
    parent: str | None
    replies: tuple[str, ...]


def parse_row(row: dict[str, str]) -> Tweet:
    missing = [c for c in REQUIRED if c not in row]
    if missing:
        raise ValueError(f"not a Twitter support file: no column {', '.join(missing)}")
    inbound = row["inbound"].strip().lower()
    if inbound not in ("true", "false"):
        raise ValueError(f"inbound must be True or False, not {row['inbound']!r}")
    try:
        at = datetime.strptime(row["created_at"].strip(), "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        raise ValueError(f"unreadable created_at {row['created_at']!r}") from None
    parent = row.get("in_response_to_tweet_id", "").strip()
    if parent.endswith(".0"):
        parent = parent[:-2]
    replies = tuple(r.strip() for r in row.get("response_tweet_id", "").split(",") if r.strip())
    return Tweet(row["tweet_id"].strip(), row["author_id"].strip(), inbound == "true", at,
                 html.unescape(row["text"]).strip(), parent or None, replies)  # fmt: skip


def threads(tweets: dict[str, Tweet]) -> Iterator[tuple[Tweet, list[Tweet]]]:
    """(first tweet, the rest of its thread in time order) for customer-started threads."""
    children: dict[str, set[str]] = defaultdict(set)
    for t in tweets.values():
        if t.parent and t.parent in tweets:
            children[t.parent].add(t.id)
        for r in t.replies:
            if r in tweets:
                children[t.id].add(r)
    for t in sorted(tweets.values(), key=lambda t: (t.at, t.id)):
        if t.parent is not None or not t.inbound:
            continue
        seen, stack, rest = {t.id}, list(children[t.id]), []
        while stack:
            tid = stack.pop()
            if tid in seen:
                continue
            seen.add(tid)
            rest.append(tweets[tid])
            stack.extend(children[tid])
        yield t, sorted(rest, key=lambda x: (x.at, x.id))


def to_complaint(first: Tweet, rest: list[Tweet]) -> ComplaintIn:
    company = next((t.author for t in rest if not t.inbound), None)
    notes: list[dict[str, Any]] = [
        {
            "at": first.at,
            "author": first.author,
            "channel": "social",
            "direction": "in",
            "text": first.text,
        }
    ]
    notes += [
        {
            "at": t.at,
            "author": t.author,
            "channel": "social",
            "direction": "in" if t.inbound else "out",
            "text": t.text,
        }
        for t in rest
    ]
    summary = " ".join(first.text.split())
    return ComplaintIn.model_validate({
        "external_id": f"twcs:{first.id}",
        "customer": {"name": f"twitter:{first.author}"},
        "summary": summary if len(summary) <= 200 else summary[:199] + "…",
        "channel": "social",
        "owner": company or "unassigned",
        "opened_at": first.at,
        "recorded_at": first.at,
        "created_by": "import",
        "notes": notes,
    })  # fmt: skip


def orphans(tweets: dict[str, Tweet]) -> int:
    """Replies to tweets that are not in the file (the sample cuts threads at its edge)."""
    return sum(1 for t in tweets.values() if t.parent is not None and t.parent not in tweets)
