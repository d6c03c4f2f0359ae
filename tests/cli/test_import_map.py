"""`complog import FILE --map MAP.toml` and `--inspect` (issue 23).

Every fixture is built here: CSV text written to tmp_path (semicolon and comma,
day-first and month-first, German status words, notes in three columns) and .xlsx
workbooks made with openpyxl (dates as Excel dates, a merged title row). Each test
checks counts, the fields as `show --format json` gives them, and that a second
import adds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import ANSI, snapshot
from tests.conftest import complog_process

GERMAN_CSV = """\
Ticket;Kunde;Telefon;Betreff;Eingang;Kanal;Priorität;Status;Erledigt am;Lösung;Notiz Kunde;Notiz intern;Antwort
T-1;Müller GmbH;+49 30 1234;Lieferung beschädigt;13.03.2024 09:30;Telefon;hoch;offen;;;Karton war nass;Fotos angefordert;Wir melden uns morgen
T-2;Schmidt KG;;Rechnung falsch;02.04.2024 14:00;E-Mail;niedrig;erledigt;05.04.2024 16:00;Gutschrift erstellt;;;Entschuldigung und Gutschrift
T-3;Weber & Söhne;;"Zwei Zeilen
im Betreff";03.04.2024;Brief;3;offen;;;;;
"""

GERMAN_MAP = """\
[source]
name = "helpdesk"

[columns]
external_id = "Ticket"
customer = "Kunde"
phone = "Telefon"
summary = "Betreff"
opened_at = "Eingang"
channel = "Kanal"
heat = "Priorität"
status = "Status"
resolved_at = "Erledigt am"
outcome = "Lösung"

[[notes]]
column = "Notiz Kunde"
direction = "in"

[[notes]]
column = "Notiz intern"
direction = "internal"

[[notes]]
column = "Antwort"
direction = "out"
author = "support"

[dates]
"Erledigt am" = "day-first"

[values.status]
offen = "open"
erledigt = "resolved"

[values.channel]
Telefon = "phone"
E-Mail = "email"
Brief = "letter"

[values.heat]
niedrig = 2
hoch = 4
"""

US_CSV = """\
id,name,email,subject,category,date,state,closed,resolution,cause,csat,loss,goodwill,next step,next step due
1001,Acme Corp,ap@acme.example,Till crashes at close,hardware,03/14/2024 2:30 PM,Open,,,,,120.50,,Call back with diagnosis,03/15/2024 10:00 AM
1002,Bolt Ltd,,Late delivery,shipping,04/02/2024 09:15,Closed,04/05/2024 16:00,Refunded shipping,third party,4,"1,250.00",50,,
"""

US_MAP = """\
[columns]
external_id = "id"
customer = "name"
email = "email"
summary = "subject"
category = "category"
opened_at = "date"
status = "state"
resolved_at = "closed"
outcome = "resolution"
cause = "cause"
satisfaction = "csat"
loss = "loss"
compensation = "goodwill"
promise = "next step"
promise_due = "next step due"

[values.status]
Open = "open"
Closed = "resolved"

[dates]
closed = "month-first"

[defaults]
currency = "USD"
"""


def plain_map(tmp_path: Path, customer: str = "name", summary: str = "subject",
              opened: str = "opened", more: str = "") -> Path:  # fmt: skip
    """A map of the three required fields (and `more` lines), as m.toml."""
    text = f'[columns]\ncustomer="{customer}"\nsummary="{summary}"\nopened_at="{opened}"\n'
    return saved(tmp_path, "m.toml", text + more)


def saved(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def workbook(tmp_path: Path, name: str, rows: list[list[Any]], *, title: str | None = None,
             sheet: str = "Complaints") -> Path:  # fmt: skip
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title is not None:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def complaints(run: Any) -> list[dict[str, Any]]:
    listed = run("list", "--status", "all", "-f", "json").json
    return [run("show", str(c["id"]), "-f", "json").json for c in reversed(listed)]


def by_customer(run: Any) -> dict[str, dict[str, Any]]:
    return {c["customer"]: c for c in complaints(run)}


@pytest.fixture
def german(tmp_path: Path) -> tuple[Path, Path]:
    return saved(tmp_path, "tickets.csv", GERMAN_CSV), saved(tmp_path, "helpdesk.toml", GERMAN_MAP)


def test_semicolon_day_first_german_status_and_three_note_columns(run, german):
    sheet, column_map = german
    ran = run("import", str(sheet), "--map", str(column_map))
    assert (
        ran.stdout
        == "Imported 3 complaints from tickets.csv (0 already present, 0 skipped as bad)\n"
    )
    got = by_customer(run)
    assert set(got) == {"Müller GmbH", "Schmidt KG", "Weber & Söhne"}
    mueller = got["Müller GmbH"]
    assert mueller["external_id"] == "helpdesk:T-1"
    assert mueller["opened_at"] == "2024-03-13T09:30:00+00:00"  # 13.03: day first
    assert (mueller["status"], mueller["channel"], mueller["heat"]) == ("open", "phone", 4)
    assert mueller["customer_detail"]["phone"] == "+49 30 1234"
    assert [(n["direction"], n["text"], n["author"]) for n in mueller["notes"]] == [
        ("in", "Karton war nass", "tester"),
        ("internal", "Fotos angefordert", "tester"),
        ("out", "Wir melden uns morgen", "support"),
    ]
    assert {n["channel"] for n in mueller["notes"] if n["direction"] != "internal"} == {"phone"}
    schmidt = got["Schmidt KG"]
    assert (schmidt["status"], schmidt["channel"], schmidt["heat"]) == ("resolved", "email", 2)
    assert schmidt["opened_at"] == "2024-04-02T14:00:00+00:00"
    assert schmidt["resolved_at"] == "2024-04-05T16:00:00+00:00"
    assert schmidt["resolution"]["outcome"] == "Gutschrift erstellt"
    assert [n["text"] for n in schmidt["notes"]] == ["Entschuldigung und Gutschrift"]
    weber = got["Weber & Söhne"]
    assert weber["summary"] == "Zwei Zeilen\nim Betreff"
    assert (weber["channel"], weber["written"], weber["heat"]) == ("letter", True, 3)
    # a date without a time is the end of that business day (day_end 17:00, tz UTC)
    assert weber["opened_at"] == "2024-04-03T17:00:00+00:00"


def test_importing_the_same_sheet_again_adds_nothing(run, german, logbook):
    sheet, column_map = german
    run("import", str(sheet), "--map", str(column_map))
    before = snapshot(logbook)
    again = run("import", str(sheet), "--map", str(column_map))
    assert (
        again.stdout
        == "Imported 0 complaints from tickets.csv (3 already present, 0 skipped as bad)\n"
    )
    assert len(complaints(run)) == 3
    after = snapshot(logbook)
    assert after["rows"]["complaint"] == before["rows"]["complaint"]
    assert after["rows"]["note"] == before["rows"]["note"]


def test_comma_month_first_money_cause_satisfaction_and_a_promise(run, tmp_path):
    sheet = saved(tmp_path, "crm.csv", US_CSV)
    column_map = saved(tmp_path, "crm.toml", US_MAP)
    run("import", str(sheet), "--map", str(column_map))
    got = by_customer(run)
    acme = got["Acme Corp"]
    assert acme["external_id"] == "crm:1001"  # the map file's name when [source] has none
    assert acme["opened_at"] == "2024-03-14T14:30:00+00:00"  # 03/14: month first, 2:30 PM
    assert acme["loss"] == 120.5
    assert acme["customer_detail"]["email"] == "ap@acme.example"
    assert acme["category"] == "hardware"
    [promise] = acme["promises"]
    assert (promise["text"], promise["due_at"], promise["status"]) == (
        "Call back with diagnosis", "2024-03-15T10:00:00+00:00", "open")  # fmt: skip
    bolt = got["Bolt Ltd"]
    assert bolt["loss"] == 1250.0
    assert bolt["resolution"]["cause"] == "third-party"
    assert bolt["resolution"]["satisfaction"] == 4
    # a bare amount in a sheet whose currency is USD is written with it
    assert bolt["resolution"]["compensation"] == "50 USD"


def test_times_without_a_zone_are_read_in_the_logbook_time_zone(run, tmp_path):
    run("config", "tz", "Europe/Berlin")
    sheet = saved(tmp_path, "crm.csv", US_CSV)
    run("import", str(sheet), "--map", str(saved(tmp_path, "crm.toml", US_MAP)))
    got = by_customer(run)
    # 14:30 in Berlin in March (CET) is 13:30 UTC; 09:15 in April (CEST) is 07:15 UTC
    utc = {
        name: dt.datetime.fromisoformat(c["opened_at"]).astimezone(dt.UTC)
        for name, c in got.items()
    }
    assert utc["Acme Corp"] == dt.datetime(2024, 3, 14, 13, 30, tzinfo=dt.UTC)
    assert utc["Bolt Ltd"] == dt.datetime(2024, 4, 2, 7, 15, tzinfo=dt.UTC)
    assert got["Acme Corp"]["opened_at"] == "2024-03-14T14:30:00+01:00"  # shown in Berlin time


def test_ambiguous_dates_are_refused_with_the_values_and_a_hint(run, tmp_path, logbook):
    run("init")
    sheet = saved(
        tmp_path, "s.csv", "id,name,subject,opened\n1,A,x,03/04/2024\n2,B,y,05/06/2024 10:00\n"
    )
    column_map = saved(tmp_path, "s.toml", '[columns]\nexternal_id="id"\ncustomer="name"\n'
                       'summary="subject"\nopened_at="opened"\n')  # fmt: skip
    before = snapshot(logbook)
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert ran.stderr == (
        "complog: error: dates in column 'opened' fit both day-first and month-first:"
        " '03/04/2024', '05/06/2024 10:00'\n"
        '  say which in the map: [dates] opened = "day-first" or "month-first"\n'
    )
    assert snapshot(logbook) == before
    with column_map.open("a") as fh:
        fh.write('[dates]\nopened = "month-first"\n')
    run("import", str(sheet), "--map", str(column_map))
    assert by_customer(run)["A"]["opened_at"] == "2024-03-04T17:00:00+00:00"


def test_a_column_with_both_day_first_and_month_first_dates_is_refused(run, tmp_path):
    sheet = saved(tmp_path, "s.csv", "name,subject,opened\nA,x,13/02/2024\nB,y,02/13/2024\n")
    column_map = plain_map(tmp_path, "name", "subject", "opened")
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert ran.stderr.startswith(
        "complog: error: column 'opened' mixes day-first and month-first dates: '13/02/2024' (row 2)"
        " can only be day-first, '02/13/2024' (row 3) only month-first\n"
    )


BAD_ROWS = """\
id,name,subject,opened,state
1,Acme,Till,2024-03-05 09:30,Open
2,,No customer,2024-03-06,Open
3,Cole,Bad date,2024-02-30,Open
4,Dee,Odd status,2024-03-07,Parked
5,Eve,Fine too,2024-03-08,Closed
"""


def test_bad_rows_are_listed_with_row_column_value_and_why_and_nothing_is_imported(
    run, tmp_path, logbook
):
    run("init")
    sheet = saved(tmp_path, "bad.csv", BAD_ROWS)
    column_map = saved(tmp_path, "bad.toml", '[columns]\nexternal_id="id"\ncustomer="name"\n'
                       'summary="subject"\nopened_at="opened"\nstatus="state"\nresolved_at="opened"\n'
                       '[values.status]\nOpen="open"\nClosed="resolved"\n')  # fmt: skip
    before = snapshot(logbook)
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert ran.stderr.splitlines() == [
        "  bad.csv row 3: column 'name', value '': empty: every complaint needs a customer",
        "  bad.csv row 4: column 'opened', value '2024-02-30': not a valid ISO date",
        "  bad.csv row 5: column 'state', value 'Parked': not a status complog knows;"
        " map it under [values.status]",
        "complog: error: 3 bad records in bad.csv; nothing was imported",
        "  fix them, or add --skip-bad to import the rest",
    ]
    assert snapshot(logbook) == before
    skipped = run("import", str(sheet), "--map", str(column_map), "--skip-bad")
    assert (
        skipped.stdout
        == "Imported 2 complaints from bad.csv (0 already present, 3 skipped as bad)\n"
    )
    assert "  skipped row 5: column 'state', value 'Parked'" in skipped.stderr
    assert sorted(by_customer(run)) == ["Acme", "Eve"]


def test_dry_run_shows_what_would_be_created_and_changes_nothing(run, german, logbook):
    run("init")
    before = snapshot(logbook)
    sheet, column_map = german
    ran = run("import", str(sheet), "--map", str(column_map), "--dry-run")
    assert ran.stdout.splitlines() == [
        "  row 2: Müller GmbH: Lieferung beschädigt (open, phone, heat 4, opened 2024-03-13 09:30"
        " UTC, owner tester, 3 notes)",
        "  row 3: Schmidt KG: Rechnung falsch (resolved, email, heat 2, opened 2024-04-02 14:00"
        " UTC, owner tester, 1 note)",
        "  row 4: Weber & Söhne: Zwei Zeilen im Betreff (open, letter, heat 3, opened 2024-04-03"
        " 17:00 UTC, owner tester)",
        "Would import 3 complaints from tickets.csv (0 already present, 0 bad); nothing was changed",
    ]
    assert snapshot(logbook) == before


def test_without_an_id_column_rows_are_known_by_a_hash_and_it_says_so(run, tmp_path):
    text = "name,subject,opened\nAcme,Till,2024-03-05\nBolt,Late,2024-03-06\n"
    sheet = saved(tmp_path, "plain.csv", text)
    column_map = saved(
        tmp_path,
        "plain.toml",
        '[columns]\ncustomer="name"\nsummary="subject"\nopened_at="opened"\n',
    )
    first = run("import", str(sheet), "--map", str(column_map))
    assert "rows are known by a hash of their cells" in first.stderr
    ids = {c["external_id"] for c in complaints(run)}
    assert len(ids) == 2 and all(i.startswith("plain:row-") for i in ids)
    # the same rows, columns reordered and an empty column added: still the same rows
    sheet.write_text("opened,extra,subject,name\n2024-03-05,,Till,Acme\n2024-03-06,,Late,Bolt\n")
    again = run("import", str(sheet), "--map", str(column_map))
    assert again.stdout.startswith("Imported 0 complaints from plain.csv (2 already present")
    # an edited row is another row
    sheet.write_text(text.replace("Late", "Very late"))
    third = run("import", str(sheet), "--map", str(column_map))
    assert third.stdout.startswith("Imported 1 complaint from plain.csv (1 already present")


def excel(*parts: int) -> dt.datetime:
    """A date-time as Excel keeps it: wall-clock time, no zone."""
    return dt.datetime(*parts)  # noqa: DTZ001 - Excel cells have no time zone


XLSX_ROWS: list[list[Any]] = [
    ["Case", "Customer", "Subject", "Opened", "Priority", "Status", "Closed", "Outcome"],
    [101, "Acme", "Till crashes", excel(2024, 3, 5, 9, 30), 4, "open", None, None],
    [102, "Bolt", "Late delivery", excel(2024, 3, 6), 2.0, "closed", excel(2024, 3, 8, 11, 0), "Refund"],
    [103, "Cole", "Rude driver", "07/03/2024 15:45", 3, "open", None, None],
    [104, "Dee", "Wrong size", "13/03/2024", 1, "open", None, None],
]  # fmt: skip
XLSX_MAP = """\
[source]
name = "shop"

[columns]
external_id = "Case"
customer = "Customer"
summary = "Subject"
opened_at = "Opened"
heat = "Priority"
status = "Status"
resolved_at = "Closed"
outcome = "Outcome"

[values.status]
closed = "resolved"
"""


def test_xlsx_excel_dates_numbers_and_text_dates(run, tmp_path):
    book = workbook(tmp_path, "shop.xlsx", XLSX_ROWS)
    column_map = saved(tmp_path, "shop.toml", XLSX_MAP)
    ran = run("import", str(book), "--map", str(column_map))
    assert (
        ran.stdout == "Imported 4 complaints from shop.xlsx (0 already present, 0 skipped as bad)\n"
    )
    got = by_customer(run)
    assert got["Acme"]["opened_at"] == "2024-03-05T09:30:00+00:00"
    assert got["Acme"]["external_id"] == "shop:101"  # 101, not 101.0
    assert got["Bolt"]["opened_at"] == "2024-03-06T17:00:00+00:00"  # an Excel date: day_end
    assert got["Bolt"]["heat"] == 2
    assert (got["Bolt"]["status"], got["Bolt"]["resolved_at"]) == (
        "resolved",
        "2024-03-08T11:00:00+00:00",
    )
    assert got["Cole"]["opened_at"] == "2024-03-07T15:45:00+00:00"  # 13/03 elsewhere: day first
    again = run("import", str(book), "--map", str(column_map))
    assert again.stdout.startswith("Imported 0 complaints from shop.xlsx (4 already present")


def test_xlsx_merged_title_row_is_refused_clearly_and_header_row_reads_past_it(
    run, tmp_path, logbook
):
    run("init")
    book = workbook(tmp_path, "shop.xlsx", XLSX_ROWS, title="Complaints, March 2024")
    column_map = saved(tmp_path, "shop.toml", XLSX_MAP)
    before = snapshot(logbook)
    ran = run("import", str(book), "--map", str(column_map), exit=2)
    assert ran.stderr == (
        "complog: error: row 2 of shop.xlsx has a value in column B, which has no name in the"
        " header row (row 1): is row 1 a title or a merged header?\n"
        "  give every column a name in one header row (unmerge a title over several columns),"
        " or point header_row in the map's [source] at the row of names\n"
    )
    assert snapshot(logbook) == before
    column_map.write_text(XLSX_MAP.replace('name = "shop"', 'name = "shop"\nheader_row = 2'))
    run("import", str(book), "--map", str(column_map))
    assert len(complaints(run)) == 4


def test_a_header_merged_over_two_columns_is_refused(run, tmp_path):
    sheet = saved(tmp_path, "two.csv", "Customer,,Opened\nName,Phone,\nAcme,123,2024-03-05\n")
    column_map = saved(
        tmp_path,
        "two.toml",
        '[columns]\ncustomer="Customer"\nsummary="Customer"\nopened_at="Opened"\n',
    )
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert ran.stderr.startswith(
        "complog: error: the header row (row 1) of two.csv has no name in column B, between"
        " 'Customer' and 'Opened': is it a merged or two-row header?\n"
    )


def test_a_column_named_twice_is_refused(run, tmp_path):
    sheet = saved(tmp_path, "dup.csv", "Name,Subject,Date,name\nA,x,2024-01-01,B\n")
    column_map = plain_map(tmp_path, "Name", "Subject", "Date")
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert ran.stderr.startswith(
        "complog: error: the header row (row 1) of dup.csv names 'name' twice (columns A and D)\n"
    )


@pytest.mark.parametrize(
    ("map_text", "message"),
    [
        ('[columns]\ncustomer="Name"\nsumary="Subject"\nopened_at="Date"\n',
         "complog: error: MAP [columns]: unknown field 'sumary'\n  did you mean 'summary'?"),
        ('[columns]\ncustomer="Name"\nsummary="Subject"\n',
         "complog: error: MAP [columns] names no column for opened_at\n"),
        ('[columns]\ncustomer="Name"\nsummary="Subject"\nopened_at="When"\n',
         "complog: error: the map names column 'When' (opened_at), but s.csv has no such column\n"
         "  its columns are: 'Name', 'Subject', 'Date'\n"),
        ('[columns]\ncustomer="Name"\nsummary="Subject"\nopened_at="Date"\n[values.status]\nZu="closed"\n',
         "complog: error: MAP [values.status] 'Zu' = 'closed': not a status complog knows\n"
         "  use one of: open, resolved\n"),
        ('[columns\n', "complog: error: cannot read the map MAP: "),
        # a directive twice made strptime's own regex fail: "probably a bug" before
        ('[columns]\ncustomer="Name"\nsummary="Subject"\nopened_at="Date"\n[dates]\nDate="%y%y"\n',
         "complog: error: MAP [dates] 'Date': '%y%y' is not a strptime format complog can use:"
         " it gives %y twice\n"),
        ('[columns]\ncustomer="Name"\nsummary="Subject"\nopened_at="Date"\n[dates]\nDate="%d/%m/%Y %z%z"\n',
         "complog: error: MAP [dates] 'Date': '%d/%m/%Y %z%z' is not a strptime format complog can use:"
         " it gives %z twice\n"),
        ('[columns]\ncustomer="Name"\nsummary="Subject"\nopened_at="Date"\n[dates]\nDate="%d/%Q"\n',
         "complog: error: MAP [dates] 'Date': '%d/%Q' is not a strptime format complog can use:"
         " %Q is not a directive\n"),
    ],
    ids=["field", "required", "column", "value", "toml", "twice", "zone-twice", "directive"],
)  # fmt: skip
def test_a_bad_map_is_refused_before_any_row_is_read(run, tmp_path, map_text, message):
    sheet = saved(tmp_path, "s.csv", "Name,Subject,Date\nA,x,2024-01-01\n")
    column_map = saved(tmp_path, "m.toml", map_text)
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert ran.stderr.startswith(message.replace("MAP", str(column_map)))


def test_losses_in_two_currencies_are_refused(run, tmp_path):
    sheet = saved(
        tmp_path,
        "m.csv",
        "name,subject,opened,loss,ccy\nA,x,2024-01-01,10,EUR\nB,y,2024-01-02,12,GBP\n",
    )
    column_map = saved(tmp_path, "m.toml", '[columns]\ncustomer="name"\nsummary="subject"\n'
                       'opened_at="opened"\nloss="loss"\ncurrency="ccy"\n')  # fmt: skip
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert ran.stderr.startswith(
        "complog: error: the losses in m.csv are in more than one currency: EUR (row 2), GBP (row 3)\n"
    )


def test_amounts_are_read_as_add_loss_reads_them_with_the_maps_decimal_comma(run, tmp_path):
    text = "name;subject;opened;Schaden\nA;x;2024-01-01;1.234,50\nB;y;2024-01-02;12,5 EUR\nC;z;2024-01-03;-3\n"
    sheet = saved(tmp_path, "eu.csv", text)
    column_map = saved(tmp_path, "eu.toml", '[source]\ndecimal=","\n[columns]\ncustomer="name"\n'
                       'summary="subject"\nopened_at="opened"\nloss="Schaden"\n')  # fmt: skip
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert (
        "  eu.csv row 4: column 'Schaden', value '-3': the loss must be 0 or more\n" in ran.stderr
    )
    run("import", str(sheet), "--map", str(column_map), "--skip-bad")
    got = by_customer(run)
    assert (got["A"]["loss"], got["B"]["loss"]) == (1234.5, 12.5)


def test_a_windows_csv_names_its_encoding_in_the_map(run, tmp_path):
    sheet = saved(
        tmp_path, "win.csv", "Kunde;Betreff;Datum\nJürgen Weiß;Gerät defekt;2024-01-05\n", "cp1252"
    )
    column_map = plain_map(tmp_path, "Kunde", "Betreff", "Datum")
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert ran.stderr.startswith("complog: error: win.csv is not UTF-8 text")
    assert 'encoding = "cp1252"' in ran.stderr
    column_map.write_text('[source]\nencoding = "cp1252"\n' + column_map.read_text())
    run("import", str(sheet), "--map", str(column_map))
    assert by_customer(run)["Jürgen Weiß"]["summary"] == "Gerät defekt"


def test_utf16_text_with_a_bom_is_read_without_being_told(run, tmp_path):
    sheet = saved(
        tmp_path, "u16.csv", "Name\tSubject\tDate\nZoë\tŁódź office\t2024-01-05\n", "utf-16"
    )
    column_map = plain_map(tmp_path, "Name", "Subject", "Date")
    run("import", str(sheet), "--map", str(column_map))
    assert by_customer(run)["Zoë"]["summary"] == "Łódź office"


def test_inspect_lists_columns_and_write_map_writes_a_map_that_imports(run, tmp_path, german):
    sheet, _ = german
    ran = run("import", str(sheet), "--inspect")
    lines = ran.stdout.splitlines()
    assert lines[0] == "tickets.csv: 13 columns, 3 rows"
    row = next(line for line in lines if line.startswith("E "))
    assert row.split()[1:3] == ["Eingang", "3"]
    assert "dates, day first" in row and "opened_at" in row
    assert "Zwei Zeilen im Betreff" in ran.stdout  # a sample's line break shown as a space
    assert "Suggested map" in ran.stdout
    written = tmp_path / "suggested.toml"
    wrote = run("import", str(sheet), "--write-map", str(written))
    assert wrote.stdout.splitlines()[-1].startswith(f"Wrote a suggested map to {written}")
    parsed = tomllib.loads(written.read_text(encoding="utf-8"))
    assert parsed["columns"]["customer"] == "Kunde"
    assert parsed["columns"]["opened_at"] == "Eingang"
    assert parsed["values"]["status"] == {"erledigt": "resolved", "offen": "open"}
    assert parsed["dates"] == {"Erledigt am": "day-first"}  # as the other date column
    assert [n["column"] for n in parsed["notes"]] == ["Notiz Kunde", "Notiz intern", "Antwort"]
    run("import", str(sheet), "--map", str(written))
    assert len(complaints(run)) == 3
    again = run("import", str(sheet), "--write-map", str(written), exit=2)
    assert again.stderr.startswith(f"complog: error: {written} already exists")


def test_inspect_xlsx_lists_its_sheets_and_reads_with_the_maps_source(run, tmp_path):
    book = workbook(tmp_path, "shop.xlsx", XLSX_ROWS, title="March")
    run("import", str(book), "--inspect", exit=2)
    source = saved(tmp_path, "src.toml", "[source]\nheader_row = 2\n")
    ran = run("import", str(book), "--inspect", "--map", str(source))
    assert ran.stdout.splitlines()[0] == "shop.xlsx: 8 columns, 4 rows"
    assert "header_row = 2" in ran.stdout


def test_an_xlsx_without_a_map_points_to_inspect(run, tmp_path):
    book = workbook(tmp_path, "shop.xlsx", XLSX_ROWS)
    ran = run("import", str(book), exit=2)
    assert ran.stderr == (
        "complog: error: shop.xlsx is an Excel workbook: complog imports it through a column map\n"
        f"  start with: complog import {book} --inspect --write-map MAP.toml\n"
    )


def test_options_that_do_not_go_together(run, tmp_path, german):
    sheet, column_map = german
    ran = run("import", str(sheet), "--map", str(column_map), "--format", "csv", exit=2)
    assert ran.stderr.startswith("complog: error: --map and --format do not go together")
    ran = run("import", str(sheet), "--inspect", "--dry-run", exit=2)
    assert ran.stderr.startswith("complog: error: --inspect only reads the file")


@pytest.mark.sqlite_only(reason="a real process with openpyxl hidden; no logbook is written")
def test_xlsx_without_openpyxl_says_what_to_install(tmp_path):
    book = workbook(tmp_path, "shop.xlsx", XLSX_ROWS)
    column_map = saved(tmp_path, "shop.toml", XLSX_MAP)
    hidden = tmp_path / "hidden"
    (hidden / "openpyxl").mkdir(parents=True)
    (hidden / "openpyxl" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'openpyxl'\", name='openpyxl')\n"
    )
    ran = complog_process(
        "import", str(book), "--map", str(column_map), exit=2,
        env={"PYTHONPATH": os.pathsep.join([str(hidden), *sys.path])},
    )  # fmt: skip
    assert ran.stderr == (
        "complog: error: reading .xlsx workbooks needs the openpyxl package, which is not installed\n"
        "  install it (pip install openpyxl, or reinstall complog), or save the sheet as CSV UTF-8\n"
    )


@pytest.mark.sqlite_only(reason="a real process in a pipe")
def test_no_progress_bar_and_no_escapes_in_a_pipe(tmp_path, german):
    sheet, column_map = german
    ran = complog_process("import", str(sheet), "--map", str(column_map))
    assert not ANSI.search(ran.stdout + ran.stderr)
    assert (
        ran.stdout
        == "Imported 3 complaints from tickets.csv (0 already present, 0 skipped as bad)\n"
    )


def test_unicode_huge_text_and_control_characters(run, tmp_path):
    huge = "ü" * 150_000
    text = f"name,subject,opened,note\nZoë \x1b[31mRed,Ünïcödé ✓,2024-01-05,{huge}\n"
    sheet = saved(tmp_path, "u.csv", text)
    column_map = saved(tmp_path, "u.toml", '[columns]\ncustomer="name"\nsummary="subject"\n'
                       'opened_at="opened"\n[[notes]]\ncolumn="note"\n')  # fmt: skip
    run("import", str(sheet), "--map", str(column_map))
    [got] = complaints(run)
    assert got["summary"] == "Ünïcödé ✓"
    assert got["notes"][0]["text"] == huge
    ran = run("import", str(sheet), "--map", str(column_map), "--dry-run")
    assert "\x1b" not in ran.stdout


def test_a_row_only_pydantic_refuses_is_skipped_in_the_writing_pass_too(run, tmp_path):
    long = "x" * 2_001  # over the summary limit, which only the full validation checks
    sheet = saved(
        tmp_path, "l.csv", f"name,subject,opened\nA,{long},2024-01-05\nB,fine,2024-01-06\n"
    )
    column_map = plain_map(tmp_path, "name", "subject", "opened")
    ran = run("import", str(sheet), "--map", str(column_map), "--skip-bad")
    assert ran.stdout.startswith(
        "Imported 1 complaint from l.csv (0 already present, 1 skipped as bad)"
    )
    assert "skipped row 2: column 'subject', value 'xxx" in ran.stderr
    assert "String should have at most 2000 characters" in ran.stderr
    assert sorted(by_customer(run)) == ["B"]


@pytest.mark.sqlite_only(reason="a real process on a pseudo-terminal")
def test_a_progress_bar_on_a_terminal(tmp_path, german):
    import pty
    import subprocess

    sheet, column_map = german
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "complog", "import", str(sheet), "--map", str(column_map)],
        stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL, timeout=60,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    assert b"Importing" in shown  # the bar, on the terminal (stderr) only
    assert (
        done.stdout
        == b"Imported 3 complaints from tickets.csv (0 already present, 0 skipped as bad)\n"
    )


def test_write_map_needs_a_file_name(run, german):
    sheet, _ = german
    ran = run("import", str(sheet), "--write-map", "-", exit=2)
    assert ran.stderr == (
        "complog: error: --write-map needs a file name\n  without --write-map the map is printed\n"
    )


def test_write_map_into_a_missing_folder_is_invalid_input_before_reading(run, german, tmp_path):
    # As export --out: a folder that is not there is the user's typo (2), not storage (5).
    sheet, _ = german
    ran = run("import", str(sheet), "--write-map", str(tmp_path / "nope" / "m.toml"), exit=2)
    assert ran.stderr.startswith(f"complog: error: no such folder: {tmp_path / 'nope'}\n")
    assert not (tmp_path / "nope").exists()


def test_an_empty_file_and_an_empty_sheet_are_refused(run, tmp_path):
    empty = saved(tmp_path, "empty.csv", "")
    ran = run("import", str(empty), "--map", str(plain_map(tmp_path)), exit=2)
    assert ran.stderr.startswith("complog: error: empty.csv is empty\n")
    book = workbook(tmp_path, "blank.xlsx", [[None]])
    ran = run("import", str(book), "--inspect", exit=2)
    assert ran.stderr.startswith("complog: error: row 1 of blank.xlsx is empty")


def test_a_currency_must_be_an_iso_code(run, tmp_path):
    sheet = saved(tmp_path, "c.csv", "name,subject,opened,goodwill,ccy\nA,x,2024-01-05,50,Euro\n")
    more = 'compensation="goodwill"\ncurrency="ccy"\n'
    ran = run("import", str(sheet), "--map", str(plain_map(tmp_path, more=more)), exit=2)
    assert "  c.csv row 2: column 'ccy', value 'Euro': not an ISO 4217 currency code" in ran.stderr
    bad_default = saved(
        tmp_path, "d.toml", plain_map(tmp_path).read_text() + '[defaults]\ncurrency = "€"\n'
    )
    ran = run("import", str(sheet), "--map", str(bad_default), exit=2)
    assert "[defaults] currency = '€': not an ISO 4217 code" in ran.stderr


def _bomb(tmp_path: Path, part: str, fill: bytes, size: int, cdata: bool = False) -> Path:
    """A small .xlsx whose `part` unpacks to `size` bytes of `fill`, written in chunks."""
    import zipfile

    plain = workbook(tmp_path, "plain.xlsx", [["name", "subject", "opened"], ["A", "B", "C"]])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename != part:
                out.writestr(item, data)
                continue
            head, tail = data.split(b"<t>B</t>") if b"<t>B</t>" in data else (data, b"")
            with out.open(part, "w", force_zip64=True) as member:
                member.write(head + (b"<t><![CDATA[" if cdata else b"<t>"))
                for _ in range(size // len(fill)):
                    member.write(fill)
                member.write((b"]]></t>" if cdata else b"</t>") + tail)
    return bomb


@pytest.mark.parametrize(
    ("part", "fill", "said"),
    [
        # one cell of 150 MB: openpyxl's streaming reader holds a whole cell
        ("xl/worksheets/sheet1.xml", b"x" * (1 << 20), "inflates from"),
        # the same in a CDATA section, where a "<" every MB is text, not a tag
        ("cdata", b"x" * ((1 << 20) - 1) + b"<", "inflates from"),
        # 150 MB in a part openpyxl reads whole before the first row (shared strings,
        # styles, the workbook)
        ("xl/styles.xml", b"<!-- " + b"x" * ((1 << 20) - 9) + b" -->", "inflates from"),
    ],
    ids=["cell", "cdata", "part"],
)
def test_a_small_workbook_that_unpacks_huge_is_refused_with_bounded_memory(
    tmp_path, part, fill, said
):
    # A 150 kB workbook took 400 MB of memory (and a 1 MB one gigabytes) before
    # the 10 MB bound on a cell applied; _refuse_bombs now answers before openpyxl reads,
    # whether the bulk is one cell, a CDATA section or a part openpyxl reads whole.
    from tests.cli.test_import_inputs import RSS_PROBE

    sheet = "xl/worksheets/sheet1.xml"
    bomb = _bomb(tmp_path, sheet if part == "cdata" else part, fill, 150 << 20, part == "cdata")
    assert bomb.stat().st_size < 1 << 20
    done = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, "import", str(bomb), "--inspect"],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip

    assert done.returncode == 2, done.stderr
    assert said in done.stderr, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["peak_mb"] < 150


@pytest.mark.parametrize("part", ["xl/styles.xml", "xl/worksheets/sheet1.xml"])
def test_a_workbook_with_a_malformed_part_is_invalid_input_not_a_bug(tmp_path, run, part):
    import zipfile

    plain = workbook(tmp_path, "plain.xlsx", [["name", "subject", "opened"], ["A", "B", "C"]])
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(broken, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            out.writestr(item, data[: len(data) // 2] if item.filename == part else data)

    ran = run("import", str(broken), "--inspect", exit=2)

    assert ran.stderr.startswith("complog: error: cannot read broken.xlsx as an Excel workbook")


def test_an_xlsx_whose_dimension_claims_every_cell_is_read_at_its_real_size(tmp_path):
    """A sheet's <dimension> is a claim, not the data: "A1:XFD1048576" (one edited tag,
    or a careless exporter) with an empty cell in the last row made every row 16,384
    cells wide, a million rows of them, and the import ran for hours."""
    import re
    import zipfile

    book = workbook(
        tmp_path, "claims.xlsx", [["name", "subject", "opened"], ["A", "x", "2024-01-05"]]
    )
    edited = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(book) as old, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
                # and a formatted but empty last cell, as a sheet "used" to the end has
                data = data.replace(
                    b"</sheetData>", b'<row r="1048576"><c r="A1048576"/></row></sheetData>'
                )
            new.writestr(item, data)
    ran = complog_process("import", str(edited), "--map", str(plain_map(tmp_path)), timeout=60)
    assert ran.stdout.startswith("Imported 1 complaint from edited.xlsx")


def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_reads_it(run, tmp_path):
    """Shared strings that inflate 300-fold: openpyxl reads that part whole, so 200 kB
    of workbook took 430 MB and minutes (5 million strings). Refused as Apache POI does."""
    import zipfile

    book = workbook(
        tmp_path, "plain.xlsx", [["name", "subject", "opened"], ["A", "x", "2024-01-05"]]
    )
    bomb = tmp_path / "bomb.xlsx"
    strings = b"<si><t>x</t></si>" * 200_000
    with zipfile.ZipFile(book) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "[Content_Types].xml":  # declared and linked, as Excel does
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument.'
                                    b'spreadsheetml.sharedStrings+xml"/></Types>')  # fmt: skip
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://'
                                    b"schemas.openxmlformats.org/officeDocument/2006/relationships/"
                                    b'sharedStrings" Target="sharedStrings.xml"/></Relationships>')  # fmt: skip
            new.writestr(item, data)
        new.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org'
                     b'/spreadsheetml/2006/main">' + strings + b"</sst>")  # fmt: skip
    ran = run("import", str(bomb), "--map", str(plain_map(tmp_path)), exit=2)
    assert ran.stderr.startswith(
        "complog: error: bomb.xlsx is not a workbook complog will open: its part"
        " 'xl/sharedStrings.xml' inflates from "
    )
    assert run("list", "--status", "all", "-f", "json").json == []


def test_a_huge_map_is_refused_without_reading_it_all(run, tmp_path):
    sheet = saved(tmp_path, "s.csv", "name,subject,opened\nA,x,2024-01-05\n")
    column_map = saved(tmp_path, "m.toml", plain_map(tmp_path).read_text() + "#" * (3 << 20) + "\n")
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert ran.stderr.startswith(f"complog: error: the map {column_map} is larger than 1 MiB")
