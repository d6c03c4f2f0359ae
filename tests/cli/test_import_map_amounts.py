"""Amounts in a column-mapped import, read strictly (attack on issue 23's money).

Each case here was once read wrongly or crashed: an exponent too large for
Decimal's context ("probably a bug"), a number cell of an .xlsx read through a
map whose text amounts write decimals with a comma (120.5 became 1205), commas
that group nothing ("12,50" became 1250), and a JPY logbook whose losses were
checked as if they had two decimals and then rounded.
"""

from __future__ import annotations

from typing import Any

from tests.cli.test_import_map import by_customer, plain_map, saved, workbook


def test_a_loss_with_a_huge_exponent_is_a_bad_row_not_a_bug(run, tmp_path):
    sheet = saved(tmp_path, "e.csv", "name,subject,opened,loss\nA,x,2024-01-05,1E+999999999\n")
    column_map = plain_map(tmp_path, more='loss="loss"\n')
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert "probably a bug" not in ran.stderr
    assert "  e.csv row 2: column 'loss', value '1E+999999999': that is more than" in ran.stderr


def test_a_number_cell_keeps_its_point_when_text_amounts_use_a_decimal_comma(run, tmp_path):
    run("config", "currency", "EUR")
    book = workbook(tmp_path, "eu.xlsx", [["name", "subject", "opened", "loss"],
                                          ["A", "x", "2024-01-05", 120.5],
                                          ["B", "y", "2024-01-06", "1.234,50"]])  # fmt: skip
    column_map = saved(tmp_path, "m.toml", plain_map(tmp_path).read_text() + 'loss="loss"\n'
                       '[source]\ndecimal=","\n')  # fmt: skip
    run("import", str(book), "--map", str(column_map))
    got = by_customer(run)
    assert (got["A"]["loss"], got["B"]["loss"]) == (120.5, 1234.5)


def test_commas_that_group_no_thousands_are_refused_not_dropped(run, tmp_path):
    text = 'name,subject,opened,loss\nA,x,2024-01-05,"12,50"\nB,y,2024-01-06,"5,,5"\nC,z,2024-01-07,"1,234.50"\n'
    sheet = saved(tmp_path, "g.csv", text)
    column_map = plain_map(tmp_path, more='loss="loss"\n')
    ran = run("import", str(sheet), "--map", str(column_map), exit=2)
    assert "  g.csv row 2: column 'loss', value '12,50': " in ran.stderr
    assert "  g.csv row 3: column 'loss', value '5,,5': " in ran.stderr
    assert "row 4" not in ran.stderr
    run("import", str(sheet), "--map", str(column_map), "--skip-bad")
    assert {c: v["loss"] for c, v in by_customer(run).items()} == {"C": 1234.5}


def jpy_import(run: Any, tmp_path: Any, loss: str, exit: int = 0) -> Any:
    run("config", "currency", "JPY")
    sheet = saved(tmp_path, "j.csv", f"name,subject,opened,loss\nA,x,2024-01-05,{loss}\n")
    return run("import", str(sheet), "--map", str(plain_map(tmp_path, more='loss="loss"\n')),
               exit=exit)  # fmt: skip


def test_without_a_currency_column_a_jpy_logbook_reads_whole_yen(run, tmp_path):
    jpy_import(run, tmp_path, "1500")
    (only,) = by_customer(run).values()
    assert (only["loss"], only["loss_currency"]) == (1500, "JPY")


def test_without_a_currency_column_a_jpy_loss_with_decimals_is_refused_not_rounded(run, tmp_path):
    ran = jpy_import(run, tmp_path, "1000.5", exit=2)
    assert (
        "  j.csv row 2: column 'loss', value '1000.5': use at most no decimal places"
        not in ran.stderr
    )
    assert "  j.csv row 2: column 'loss', value '1000.5': JPY has no minor unit" in ran.stderr
    assert run("list", "--status", "all", "-f", "json").json == []


def test_a_json_import_never_rounds_a_loss_into_its_currency(run, tmp_path):
    """`{"loss": 12.345, "loss_currency": "GBP"}` became £12.34 and a loss of 1000.5
    without a currency became ¥1000 in a JPY logbook, silently."""
    run("config", "currency", "JPY")
    record = '{"customer": "%s", "summary": "s", "owner": "sam", "opened_at": "2026-11-02T10:00:00+00:00", %s}\n'
    for name, loss in (("A", '"loss": 12.345, "loss_currency": "GBP"'), ("B", '"loss": 1000.5')):
        path = saved(tmp_path, f"{name}.jsonl", record % (name, loss))
        ran = run("import", str(path), exit=2)
        assert "has more decimal places than" in ran.stderr
        assert "nothing was imported" in ran.stderr
    assert run("list", "--status", "all", "-f", "json").json == []
    whole = saved(tmp_path, "C.jsonl", record % ("C", '"loss": 12.34, "loss_currency": "GBP"'))
    run("import", str(whole))
    (only,) = by_customer(run).values()
    assert (only["loss"], only["loss_currency"]) == (12.34, "GBP")
