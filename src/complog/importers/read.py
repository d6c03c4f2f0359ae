"""One entry point for every format: a file -> (position, ComplaintIn or error) pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import IO, Any

from pydantic import ValidationError

from complog.errors import InvalidInput
from complog.importers import cfpb, complog_format, twcs
from complog.importers.records import ComplaintIn
from complog.importers.sources import (
    Input,
    csv_dict_reader,
    csv_rows,
    json_array_objects,
    jsonl_objects,
    lines,
)

FORMATS = ("json", "jsonl", "csv", "cfpb", "twcs")

Item = tuple[str, ComplaintIn | ValueError]


def guess_format(source: Input) -> str:
    """From the file name only; a CSV's kind (complog, CFPB, Twitter) is read from its header."""
    suffix = source.path.suffix.lower() if source.path is not None else ""
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix == ".csv":
        with source.text() as fh:
            header = next(lines(fh, source.name), "").lower()
        if "complaint id" in header and "date received" in header:
            return "cfpb"
        if "tweet_id" in header and "inbound" in header:
            return "twcs"
        return "csv"
    raise InvalidInput(
        f"cannot tell the format of {source.name}", "add --format json, jsonl, csv, cfpb or twcs"
    )


def describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(exc)


def read_records(
    source: Input, fmt: str, importer: str, notes: list[str] | None = None
) -> Iterator[Item]:
    """Every complaint in the input, validated; bad ones come as ValueError with their
    position. One pass from the start; call again for another.

    What a format leaves out by design (not an error) is told in `notes`."""
    with source.text() as fh:
        if fmt in ("json", "jsonl"):
            objects = json_array_objects(fh) if fmt == "json" else jsonl_objects(fh, source.name)
            try:
                for position, obj in objects:
                    yield position, _convert(partial(complog_format.from_export, obj), obj)
            except ValueError as exc:  # the file itself is not a JSON array
                yield "file", exc
        elif fmt == "csv":
            for position, row in csv_rows(fh, source.name):
                yield position, _convert(partial(complog_format.from_csv_row, row), row)
        elif fmt == "cfpb":
            yield from _cfpb(fh, source.name)
        elif fmt == "twcs":
            yield from _twcs(fh, source.name, notes if notes is not None else [])
        else:
            raise InvalidInput(
                f"unknown import format {fmt!r}", "use json, jsonl, csv, cfpb or twcs"
            )


def _convert(make: Callable[[], ComplaintIn], raw: Any) -> ComplaintIn | ValueError:
    if isinstance(raw, ValueError):
        return raw
    try:
        return make()
    except (ValidationError, ValueError, TypeError) as exc:
        return ValueError(describe(exc))


def _cfpb(fh: IO[str], name: str) -> Iterator[Item]:
    reader = csv_dict_reader(fh, name)
    try:
        columns = cfpb.header_map(list(reader.fieldnames or []))
    except ValueError as exc:
        raise InvalidInput(
            str(exc), "is this a CFPB export? try --format csv for complog's own CSV"
        ) from None
    start = reader.line_num + 1
    for row in reader:
        yield f"line {start}", _convert(partial(cfpb.from_row, row, columns, "cfpb-import"), row)
        start = reader.line_num + 1


def _twcs(fh: IO[str], name: str, notes: list[str]) -> Iterator[Item]:
    tweets: dict[str, twcs.Tweet] = {}
    reader = csv_dict_reader(fh, name)
    start = reader.line_num + 1
    for row in reader:
        try:
            tweet = twcs.parse_row(row)
        except ValueError as exc:
            yield f"line {start}", exc
        else:
            tweets[tweet.id] = tweet
        start = reader.line_num + 1
    used = 0
    for first, rest in twcs.threads(tweets):
        used += 1 + len(rest)
        yield f"tweet {first.id}", _convert(partial(twcs.to_complaint, first, rest), first)
    if left := len(tweets) - used:
        notes.append(
            f"{left:,} tweet{'s' if left != 1 else ''} not imported: in threads a company started,"
            " or replying to tweets that are not in the file"
        )
