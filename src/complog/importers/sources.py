"""Where an import reads from, and its formats -> (position, raw dict), streaming.

An import reads its input twice (check everything, then write), so the input
must be seekable: a file is read where it is; standard input (`-`), a pipe, a
FIFO or a device is first copied once to a private temporary file. Memory
stays bounded whatever the input: no line, field or JSON object may exceed
MAX_LINE, and complog's own JSON array is read object by object
(json.JSONDecoder.raw_decode over a sliding buffer).
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from complog.errors import InvalidInput

CHUNK = 1 << 16
#: the longest line, CSV field or JSON object an import accepts
MAX_LINE = 10 * 1024 * 1024
STDIN = "-"


def too_long(where: str) -> InvalidInput:
    return InvalidInput(
        f"{where} is longer than {MAX_LINE // (1024 * 1024)} MB; nothing was imported",
        "is this the right file? complog reads text with one record per line or row",
    )


@dataclass
class Input:
    """An import's input, readable from the start as often as needed."""

    name: str
    raw: IO[bytes]
    #: its file name, for guessing the format (None for standard input)
    path: Path | None

    @contextmanager
    def text(self, encoding: str = "utf-8-sig") -> Iterator[IO[str]]:
        """A text reader from the start (UTF-8, a BOM skipped, unless told), for one pass."""
        self.raw.seek(0)
        reader = io.TextIOWrapper(self.raw, encoding=encoding, newline="")
        try:
            yield reader
        finally:
            reader.detach()  # the input stays open for the next pass

    def close(self) -> None:
        self.raw.close()


def open_input(given: str) -> Input:
    """The file to import, `-` for standard input; read once if it cannot be sought."""
    if given == STDIN:
        return Input("standard input", _spooled(sys.stdin.buffer, "standard input"), None)
    if not given.strip():
        raise InvalidInput("the file name is empty", "give a file name, or - for standard input")
    path = Path(given).expanduser()
    name = path.name or given
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise InvalidInput(f"{given} is a directory, not a file")
        fh = open(path, "rb")  # noqa: SIM115 - closed by Input.close
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {given}") from None
    except (OSError, ValueError) as exc:  # no permission, a name too long, a NUL byte
        raise InvalidInput(
            f"cannot read {given!r}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if stat.S_ISREG(mode):
        return Input(name, fh, path)
    with fh:  # a FIFO, a pipe (<(...), /dev/stdin), a device
        return Input(given, _spooled(fh, given), path)


def private_copy(source: Input) -> Input:
    """The input as a private copy nobody else can change between an import's passes
    (a file still being written or edited): every pass reads the same bytes."""
    from complog.files import private_spool

    spool = private_spool()
    try:
        source.raw.seek(0)
        while chunk := source.raw.read(CHUNK):
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    source.close()
    spool.seek(0)
    return Input(source.name, spool, source.path)


def _spooled(stream: IO[bytes], name: str) -> IO[bytes]:
    """Copy a stream once into a private temporary file, line by line, refusing a
    line longer than MAX_LINE as it comes (`import /dev/zero` ends at once)."""
    from complog.files import private_spool

    spool = private_spool()
    number = 0
    try:
        while line := stream.readline(MAX_LINE + 1):
            number += 1
            if len(line) > MAX_LINE:
                raise too_long(f"line {number} of {name}")
            spool.write(line)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def lines(fh: IO[str], name: str) -> Iterator[str]:
    """The lines of a text file, refusing one longer than MAX_LINE."""
    number = 0
    while line := fh.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise too_long(f"line {number} of {name}")
        yield line


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
        except RecursionError:
            raise ValueError(f"object {index + 1} (line {line}): nested too deeply") from None
        except json.JSONDecodeError as exc:
            if eof:
                raise ValueError(
                    f"object {index + 1} (line {line + buffer[: exc.pos].count(chr(10))}): {exc.msg}"
                ) from None
            if len(buffer) > MAX_LINE:
                raise too_long(f"object {index + 1} (line {line})") from None
            chunk = fh.read(CHUNK)
            eof = not chunk
            buffer += chunk
            continue
        index += 1
        yield f"object {index} (line {line})", obj
        line += buffer[:end].count("\n")
        buffer = buffer[end:]


def jsonl_objects(fh: IO[str], name: str) -> Iterator[tuple[str, Any]]:
    for number, raw in enumerate(lines(fh, name), start=1):
        if not raw.strip():
            continue
        try:
            yield f"line {number}", json.loads(raw)
        except json.JSONDecodeError as exc:
            yield f"line {number}", ValueError(f"not JSON: {exc.msg}")
        except RecursionError:
            yield f"line {number}", ValueError("not JSON complog reads: nested too deeply")


def csv_rows(fh: IO[str], name: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Rows of a CSV file with their line numbers; the dialect is sniffed, not assumed."""
    header = fh.readline(CHUNK)
    fh.seek(0)
    reader = csv_dict_reader(fh, name, dialect=_dialect(header))
    if not reader.fieldnames:
        return
    start = reader.line_num + 1
    for row in reader:
        yield (
            f"line {start}",
            {(k or "").strip(): (v or "") for k, v in row.items() if k is not None},
        )
        start = reader.line_num + 1


def csv_records(fh: IO[str], name: str, header_row: int = 1) -> Iterator[tuple[int, list[str]]]:
    """(line it starts on, fields) of every record of a CSV file, header included; the
    dialect is read from row `header_row` (rows above it may be a title)."""
    start = fh.tell()
    for _ in range(header_row):
        header = fh.readline(CHUNK)
    fh.seek(start)
    csv.field_size_limit(MAX_LINE)
    reader = csv.reader(lines(fh, name), dialect=_dialect(header))
    while True:
        first = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise too_long(f"a field in the record from line {first} of {name}") from None
            raise InvalidInput(f"line {first} of {name}: {exc}") from None
        yield first, fields


class _Semicolon(csv.excel):
    delimiter = ";"


class _Tab(csv.excel):
    delimiter = "\t"


def _dialect(header: str) -> type[csv.Dialect]:
    """Comma, semicolon (Excel in many European locales) or tab: whichever the header
    row has most of. Read from the header alone: csv.Sniffer's patterns can take
    minutes on a few kilobytes of hostile quotes."""
    counts = {d: header.count(d.delimiter) for d in (csv.excel, _Semicolon, _Tab)}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else csv.excel


def csv_dict_reader(
    fh: IO[str], name: str, dialect: type[csv.Dialect] | csv.Dialect = csv.excel
) -> BoundedDictReader:
    """csv.DictReader over bounded lines, with fields bounded as lines are."""
    csv.field_size_limit(MAX_LINE)
    return BoundedDictReader(lines(fh, name), name, dialect=dialect)


if TYPE_CHECKING:
    _DictReader = csv.DictReader[str]
else:  # subscriptable at run time from Python 3.12
    _DictReader = csv.DictReader


class BoundedDictReader(_DictReader):
    """A CSV error (a field too long: a quote left open, say) is a clear error
    naming the line; the header is read at once, so its errors are too."""

    def __init__(self, rows: Iterator[str], name: str, **kwargs: Any) -> None:
        super().__init__(rows, **kwargs)
        self._name = name
        with self._clear_errors():
            self.fieldnames  # noqa: B018 - reads the header row

    def __next__(self) -> dict[str, str]:
        with self._clear_errors():
            return super().__next__()

    @contextmanager
    def _clear_errors(self) -> Iterator[None]:
        start = self.line_num + 1  # the record being read starts here
        try:
            yield
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise too_long(f"a field in the record from line {start} of {self._name}") from None
            raise InvalidInput(f"line {start} of {self._name}: {exc}") from None
