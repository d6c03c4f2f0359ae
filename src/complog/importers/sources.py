"""File formats -> (position, raw dict or ComplaintIn), streaming where the format allows.

complog's own JSON array is read object by object (json.JSONDecoder.raw_decode
over a sliding buffer), so a 100,000-complaint export never sits in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from complog.errors import InvalidInput

CHUNK = 1 << 16


def open_text(path: Path) -> IO[str]:
    try:
        return path.open("r", encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


def json_array_objects(fh: IO[str]) -> Iterator[tuple[str, Any]]:
    """Objects of a top-level JSON array, one at a time, with 'object N (line L)'."""
    decoder = json.JSONDecoder()
    buffer, line, index, started = "", 1, 0, False
    eof = False
    while True:
        stripped = buffer.lstrip(" \t\r\n,")
        line += buffer[: len(buffer) - len(stripped)].count("\n")
        buffer = stripped
        if not started:
            if not buffer and not eof:
                chunk = fh.read(CHUNK)
                eof = not chunk
                buffer += chunk
                continue
            if not buffer.startswith("["):
                raise ValueError(f"line {line}: expected a JSON array of complaints")
            buffer, started = buffer[1:], True
            continue
        if buffer.startswith("]"):
            return
        try:
            obj, end = decoder.raw_decode(buffer)
        except json.JSONDecodeError as exc:
            if eof:
                raise ValueError(
                    f"object {index + 1} (line {line + buffer[: exc.pos].count(chr(10))}): {exc.msg}"
                ) from None
            chunk = fh.read(CHUNK)
            eof = not chunk
            buffer += chunk
            continue
        index += 1
        yield f"object {index} (line {line})", obj
        line += buffer[:end].count("\n")
        buffer = buffer[end:]


def jsonl_objects(fh: IO[str]) -> Iterator[tuple[str, Any]]:
    for number, raw in enumerate(fh, start=1):
        if not raw.strip():
            continue
        try:
            yield f"line {number}", json.loads(raw)
        except json.JSONDecodeError as exc:
            yield f"line {number}", ValueError(f"not JSON: {exc.msg}")


def csv_rows(fh: IO[str]) -> Iterator[tuple[str, dict[str, str]]]:
    """Rows of a CSV file with their line numbers; the dialect is sniffed, not assumed."""
    sample = fh.read(CHUNK)
    fh.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(fh, dialect=dialect)
    if not reader.fieldnames:
        return
    start = reader.line_num + 1
    for row in reader:
        yield (
            f"line {start}",
            {(k or "").strip(): (v or "") for k, v in row.items() if k is not None},
        )
        start = reader.line_num + 1
