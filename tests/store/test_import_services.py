"""import's procedures called as services, without the CLI (issue 20).

services/importfile.py and services/importsheet.py return what happened
(`Imported`, `Inspection`) or raise `BadRecords`; they never print. These
tests call them on a real logbook (a SQLite file in tmp_path, and PostgreSQL)
with real input files, and check the dataclasses and what the logbook holds.
"""

from __future__ import annotations

import json
import stat
import tomllib
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from complog.context import AppContext
from complog.errors import InvalidInput
from complog.services.importfile import BadRecord, BadRecords, Imported, import_file
from complog.services.importsheet import import_mapped, inspect_sheet, read_mapped, save_map
from tests.cli.helpers import query
from tests.cli.test_import_map import BAD_ROWS, GERMAN_CSV, GERMAN_MAP, XLSX_ROWS, workbook

T = TypeVar("T")
DATA = Path(__file__).resolve().parents[1] / "data"


def jsonl(tmp_path: Path, name: str, customers: list[str], *, first_id: int = 1) -> str:
    """complog's own format, one complaint per line; an empty customer is a bad record."""
    lines = [
        json.dumps(
            {
                "id": first_id + n,
                "customer": c,
                "summary": f"Complaint {n}",
                "opened_at": f"2026-11-0{1 + n % 9}T10:00:00+00:00",
                "status": "open",
                "owner": "sam",
            }
        )  # fmt: skip
        for n, c in enumerate(customers)
    ]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def book(logbook: Path | str) -> AppContext:
    """The logbook the services write to, as the CLI hands it over (opened lazily)."""
    return AppContext(given_user="tester")


class Recorder:
    """A `progress` that records each pass it is shown, and passes every item through."""

    def __init__(self) -> None:
        self.passes: list[tuple[str, int | None, int]] = []

    def __call__(
        self, items: Iterable[T], description: str, total: int | None = None
    ) -> Iterator[T]:
        seen = 0
        for item in items:
            seen += 1
            yield item
        self.passes.append((description, total, seen))


def count(logbook: Path | str) -> int:
    return int(query(logbook, "SELECT count(*) FROM complaint")[0][0])


def test_a_good_file_is_imported_and_a_second_import_adds_nothing(book, logbook, tmp_path):
    file = jsonl(tmp_path, "good.jsonl", ["Ann", "Bea", "Cy"])
    progress = Recorder()

    first = import_file(book, file, None, dry_run=False, skip_bad=False, progress=progress)
    assert first == Imported(name="good.jsonl", dry_run=False, added=3, unchanged=0,
                             bad_count=0, bad=(), added_ids=(1, 2, 3))  # fmt: skip
    assert progress.passes == [("Checking", None, 3), ("Importing", 3, 3)]
    again = import_file(book, file, "jsonl", dry_run=False, skip_bad=False)
    assert (again.added, again.unchanged, again.added_ids) == (0, 3, ())
    assert count(logbook) == 3


@pytest.mark.sqlite_only(reason="a dry run never creates the SQLite file")
def test_a_dry_run_counts_what_it_would_add_and_creates_no_logbook(book, logbook, tmp_path):
    file = jsonl(tmp_path, "good.jsonl", ["Ann", "Bea"])

    result = import_file(book, file, None, dry_run=True, skip_bad=False)

    assert (result.dry_run, result.added, result.unchanged, result.bad_count) == (True, 2, 0, 0)
    assert not Path(logbook).exists()


def test_bad_records_refuse_the_import_and_carry_the_ones_to_list(book, logbook, tmp_path):
    file = jsonl(tmp_path, "bad.jsonl", ["Ann", *[""] * 12, "Cy"])
    book.store()  # an existing logbook, so "nothing written" is checked on it

    with pytest.raises(BadRecords) as refused:
        import_file(book, file, None, dry_run=False, skip_bad=False)

    error = refused.value
    assert (error.name, error.count, len(error.bad), error.exit_code) == ("bad.jsonl", 12, 10, 2)
    assert error.bad[0] == BadRecord(
        "line 2", "customer.name: String should have at least 1 character"
    )
    assert error.message == "12 bad records in bad.jsonl (and 2 more); nothing was imported"
    assert error.hint == "fix them, or add --skip-bad to import the rest"
    assert count(logbook) == 0


def test_skip_bad_imports_the_rest_and_returns_the_skipped(book, logbook, tmp_path):
    file = jsonl(tmp_path, "bad.jsonl", ["Ann", "", "Cy"])

    result = import_file(book, file, None, dry_run=False, skip_bad=True)

    assert (result.added, result.bad_count) == (2, 1)
    assert [b.position for b in result.bad] == ["line 2"]
    assert count(logbook) == 2


def test_ids_this_logbook_already_used_are_renumbered_and_returned(book, tmp_path):
    import_file(book, jsonl(tmp_path, "first.jsonl", ["Ann", "Bea"]), None,
                dry_run=False, skip_bad=False)  # fmt: skip
    taken = jsonl(tmp_path, "taken.jsonl", ["Cy", "Di"], first_id=2)

    planned = import_file(book, taken, None, dry_run=True, skip_bad=False)
    done = import_file(book, taken, None, dry_run=False, skip_bad=False)

    assert planned.renumbered == done.renumbered == ((2, 4),)
    assert done.added_ids == (4, 3)  # 3 was never used here: kept


def test_the_readers_notes_come_back_with_the_result(book):
    result = import_file(book, str(DATA / "twcs_slice.csv"), None, dry_run=True, skip_bad=False)

    assert result.added == 5
    assert result.notes == (
        "8 tweets not imported: in threads a company started, or replying to tweets"
        " that are not in the file",
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("book.xlsx", b"PK", "book.xlsx is an Excel workbook: complog imports it through a column map"),
        ("latin.csv", "name,subject\nMüller,x\n".encode("latin-1"),
         "latin.csv is not UTF-8 text (byte 14); nothing was imported"),
    ],
)  # fmt: skip
def test_files_it_cannot_read_are_invalid_input(book, logbook, tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)

    with pytest.raises(InvalidInput) as refused:
        import_file(book, str(tmp_path / name), None, dry_run=False, skip_bad=False)

    assert refused.value.message == message


def _german(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "tickets.csv").write_text(GERMAN_CSV)
    (tmp_path / "helpdesk.toml").write_text(GERMAN_MAP)
    return str(tmp_path / "tickets.csv"), str(tmp_path / "helpdesk.toml")


def test_a_mapped_dry_run_returns_previews_and_writes_nothing(book, logbook, tmp_path):
    sheet, column_map = _german(tmp_path)
    book.store()
    progress = Recorder()

    with read_mapped(book, sheet, column_map, progress=progress) as mapped:
        assert (mapped.rows, mapped.hashed) == (3, False)
        result = import_mapped(book, mapped, dry_run=True, skip_bad=False, progress=progress)

    assert progress.passes == [("Reading dates", None, 3), ("Checking", 3, 3)]
    assert (result.added, result.unchanged, result.bad_count) == (3, 0, 0)
    assert [(p.position, p.record.customer.name) for p in result.previews] == [
        ("row 2", "Müller GmbH"), ("row 3", "Schmidt KG"), ("row 4", "Weber & Söhne"),
    ]  # fmt: skip
    assert result.previews[0].record.opened_at == datetime.fromisoformat("2024-03-13T09:30+00:00")
    assert count(logbook) == 0


def test_a_mapped_import_writes_every_row_once(book, logbook, tmp_path):
    sheet, column_map = _german(tmp_path)

    for expected in ((3, 0), (0, 3)):
        with read_mapped(book, sheet, column_map) as mapped:
            result = import_mapped(book, mapped, dry_run=False, skip_bad=False)
        assert (result.added, result.unchanged, result.previews) == (*expected, ())
    assert sorted(r[0] for r in query(logbook, "SELECT external_id FROM complaint")) == [
        "helpdesk:T-1", "helpdesk:T-2", "helpdesk:T-3",
    ]  # fmt: skip


def test_bad_rows_of_a_mapped_sheet_roll_the_one_pass_back(book, logbook, tmp_path):
    (tmp_path / "bad.csv").write_text(BAD_ROWS)
    (tmp_path / "bad.toml").write_text(
        '[columns]\nexternal_id="id"\ncustomer="name"\nsummary="subject"\nopened_at="opened"\n'
        'status="state"\nresolved_at="opened"\n[values.status]\nOpen="open"\nClosed="resolved"\n'
    )

    with read_mapped(book, str(tmp_path / "bad.csv"), str(tmp_path / "bad.toml")) as mapped:
        with pytest.raises(BadRecords) as refused:
            import_mapped(book, mapped, dry_run=False, skip_bad=False)
    assert [b.position for b in refused.value.bad] == ["row 3", "row 4", "row 5"]
    assert count(logbook) == 0  # row 2 was queued before row 3 refused it all

    with read_mapped(book, str(tmp_path / "bad.csv"), str(tmp_path / "bad.toml")) as mapped:
        skipped = import_mapped(book, mapped, dry_run=False, skip_bad=True)
    assert (skipped.added, skipped.bad_count, len(skipped.bad)) == (2, 3, 3)
    assert count(logbook) == 2


def test_a_map_without_an_id_column_is_hashed(book, tmp_path):
    (tmp_path / "plain.csv").write_text("name,subject,opened\nAcme,Till,2024-03-05\n")
    (tmp_path / "plain.toml").write_text(
        '[columns]\ncustomer="name"\nsummary="subject"\nopened_at="opened"\n'
    )

    with read_mapped(book, str(tmp_path / "plain.csv"), str(tmp_path / "plain.toml")) as mapped:
        assert mapped.hashed


def test_inspect_returns_the_columns_the_sheets_and_a_map_that_reads(book, tmp_path):
    path = workbook(tmp_path, "shop.xlsx", XLSX_ROWS)
    progress = Recorder()

    found = inspect_sheet(book, str(path), progress=progress)

    assert (found.name, found.rows, found.sheets) == ("shop.xlsx", 4, ("Complaints",))
    assert found.columns[0] == "shop.xlsx: 8 columns, 4 rows"
    assert progress.passes == [("Reading", None, 4)]
    suggested: dict[str, Any] = tomllib.loads(found.suggested_map)
    assert suggested["columns"]["customer"] == "Customer"
    assert suggested["columns"]["opened_at"] == "Opened"


def test_save_map_writes_a_new_private_file_and_a_taken_name_is_refused_first(book, tmp_path):
    sheet, _ = _german(tmp_path)
    target = tmp_path / "new.toml"

    found = inspect_sheet(book, sheet, write_map=str(target))
    save_map(str(target), found)

    assert target.read_text() == found.suggested_map
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(InvalidInput, match="already exists"):
        inspect_sheet(book, str(tmp_path / "missing.csv"), write_map=str(target))
