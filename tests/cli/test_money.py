"""Money with a currency (issue 19, item 1): the logbook's currency, strict amounts,
totals per currency wherever money is summed."""

from __future__ import annotations

import sqlite3

import pytest

EUROPE = {"LC_ALL": "de_DE.UTF-8"}
BRITAIN = {"LC_ALL": "en_GB.UTF-8"}
JAPAN = {"LC_ALL": "ja_JP.UTF-8"}

creating = pytest.mark.sqlite_only(
    reason="a new SQLite file is created by the command; the PostgreSQL fixture exists already"
)


def _currency(run, code: str) -> None:
    """The logbook's currency, as `complog config` sets it (either back end)."""
    run("config", "currency", code)


@creating
def test_a_new_logbook_takes_its_currency_from_the_locale_and_says_so(run):
    created = run("init", env=EUROPE)
    assert created.stderr == (
        "amounts written without a currency are in EUR (from the locale);"
        " complog config currency changes it\n"
    )
    # stored at creation: a cron job with another locale sees the same currency
    assert run("config", "currency", env=JAPAN).stdout == "EUR\n"


@creating
def test_a_locale_without_a_country_leaves_the_currency_to_be_named(run):
    created = run("init", env={"LANG": "C.UTF-8"})
    assert "amounts have no currency yet" in created.stderr
    assert "complog config currency GBP" in created.stderr
    run("config", "currency", "gbp")
    assert run("config", "currency").stdout == "GBP\n"


def test_the_currency_setting_is_validated_when_written(run):
    _currency(run, "GBP")
    bad = run("config", "currency", "euro", exit=2)
    assert bad.stderr == (
        "complog: error: invalid value 'euro' for currency\n"
        "  expected an ISO 4217 currency code such as GBP, EUR, USD or JPY\n"
    )
    assert run("config", "currency").stdout == "GBP\n"


def test_a_decimal_comma_is_read_in_a_currency_that_writes_one(run):
    _currency(run, "EUR")
    added = run("add", "Café Roma", "Double charge", "--loss", "5,50", "--format", "json").json
    assert (added["loss"], added["loss_currency"], added["loss_minor"]) == (5.5, "EUR", 550)
    shown = run("show", str(added["id"])).stdout
    assert "Loss" in shown and "5,50 €" in shown


@pytest.mark.parametrize(
    ("loss", "message", "hint"),
    [
        ("1,000", "'1,000': ambiguous amount: 1,000 could be a thousand or a decimal",
         "use at most two decimal places, or write 1000 or 1.000 for a thousand"
         " (EUR writes decimals with ',')"),
        ("$5", "'$5': ambiguous currency '$': it is used by USD, CAD, AUD, NZD, HKD, SGD,"
         " MXN, CLP", "write the code, e.g. 5 USD"),
        ("¥10.5", "'¥10.5': ambiguous currency '¥': it is used by JPY, CNY",
         "write the code, e.g. 10.5 JPY"),
        ("-3", "'-3'", "an amount is 0 or more"),
        ("٣", "'٣'", "e.g. 120, 120.50, £120.50, 1.000,50 €, ¥1000 or 25 USD"),
    ],
)  # fmt: skip
def test_an_amount_that_needs_a_guess_exits_2_and_changes_nothing(run, loss, message, hint):
    _currency(run, "EUR")
    refused = run("add", "Café Roma", "Double charge", "--loss", loss, exit=2)
    assert refused.stderr == f"complog: error: invalid --loss {message}\n  {hint}\n"
    assert run("list", "--status", "all", "--format", "json").json == []


def test_an_explicit_other_currency_is_kept_and_yen_have_no_decimals(run):
    _currency(run, "GBP")
    yen = run("add", "Sato", "Lost parcel", "--loss", "1000 JPY", "--format", "json").json
    euros = run("add", "Roma", "Double charge", "--loss", "1.000,50 €", "--format", "json").json
    assert (yen["loss"], yen["loss_currency"], yen["loss_minor"]) == (1000, "JPY", 1000)
    assert (euros["loss"], euros["loss_currency"], euros["loss_minor"]) == (1000.5, "EUR", 100050)
    assert "¥1,000" in run("show", str(yen["id"])).stdout


def test_edit_loss_reads_the_same_way(run):
    _currency(run, "EUR")
    run("add", "Café Roma", "Double charge", "--loss", "5")
    edited = run("edit", "1", "--loss", "£7.25", "--format", "json").json
    assert (edited["loss"], edited["loss_currency"]) == (7.25, "GBP")
    assert edited["changed"] == ["loss"]
    run("edit", "1", "--loss", "1,000", exit=2)
    assert run("show", "1", "--format", "json").json["loss_currency"] == "GBP"


def _resolve(run, customer: str, compensation: str, loss: str | None = None) -> int:
    args = ["add", customer, "Problem", "--format", "json"] + (["--loss", loss] if loss else [])
    complaint = run(*args).json["id"]
    run("resolve", str(complaint), "--outcome", "Sorted", "--compensation", compensation)
    return int(complaint)


def test_report_lists_compensation_in_complaint_order_whenever_each_was_opened(run):
    # The report's complaints came in the order of the database's plan: by opening
    # time through SQLite's index, by a hash join's whim on PostgreSQL.
    for customer, opened in (("A", "2026-11-20 10:00"), ("B", "2026-11-10 10:00")):
        complaint = run("add", customer, "Problem", "--at", opened, "--format", "json").json
        run("resolve", str(complaint["id"]), "--outcome", "Sorted", "--compensation", "£5")

    report = run("report", "--format", "json").json

    assert [c["complaint_id"] for c in report["compensation"]] == [1, 2]


def test_report_totals_money_per_currency_never_mixed(run):
    """Issue 19: £, $, € and ¥ were added into one total printed without a currency;
    €5,50 was 5.00 and 1.000,50 € no amount at all."""
    _currency(run, "GBP")
    _resolve(run, "A", "€5,50 refund")
    _resolve(run, "B", "refund of 1.000,50 € by card")
    _resolve(run, "C", "£20 voucher")
    _resolve(run, "D", "a free visit")
    run("add", "E", "Open one", "--loss", "120.50")
    run("add", "F", "Open two", "--loss", "1000 JPY")

    report = run("report", "--format", "json").json

    assert report["compensation_value_by_currency"] == {"EUR": 1006.0, "GBP": 20.0}
    assert report["compensation_value"] is None  # two currencies: no single figure
    assert report["loss_open_by_currency"] == {"GBP": 120.5, "JPY": 1000}
    assert report["loss_open"] is None
    assert [(c["value"], c["currency"]) for c in report["compensation"]] == [
        (5.5, "EUR"), (1000.5, "EUR"), (20.0, "GBP"), (None, None),
    ]  # fmt: skip
    shown = run("report").stdout
    assert "Compensation given" in shown and "4 (value 1.006,00 € + £20.00)" in shown
    assert "£120.50 + ¥1,000" in shown


def test_the_resolution_keeps_the_text_and_adds_its_value(run):
    _currency(run, "EUR")
    complaint = _resolve(run, "A", "Gutschein über 25,00 €")
    resolution = run("show", str(complaint), "--format", "json").json["resolution"]
    assert resolution["compensation"] == "Gutschein über 25,00 €"
    assert (resolution["compensation_value"], resolution["compensation_currency"]) == (25.0, "EUR")


def test_an_ambiguous_compensation_amount_exits_2_and_resolves_nothing(run):
    _currency(run, "GBP")
    run("add", "A", "Problem")
    refused = run("resolve", "1", "--outcome", "Sorted", "--compensation", "$12.50 back", exit=2)
    assert refused.stderr.startswith(
        "complog: error: invalid --compensation: ambiguous currency '$' in '$12.50'"
    )
    assert run("show", "1", "--format", "json").json["status"] == "open"


def test_customer_history_totals_per_currency(run):
    _currency(run, "GBP")
    _resolve(run, "Café Roma", "£20 voucher", loss="30 EUR")
    _resolve(run, "Café Roma", "refund 5,50 €", loss="12")
    history = run("customer", "Café Roma", "--format", "json").json
    assert history["compensation_value_by_currency"] == {"EUR": 5.5, "GBP": 20.0}
    assert history["compensation_value"] is None
    assert history["loss_total_by_currency"] == {"EUR": 30.0, "GBP": 12.0}
    assert "losses claimed 30,00 € + £12.00" in run("customer", "Café Roma").stdout


def test_due_shows_money_at_stake_per_currency(run):
    _currency(run, "GBP")
    run("add", "A", "One", "--loss", "100", "--promise", "Call", "--due", "tomorrow")
    run("add", "B", "Two", "--loss", "30 EUR", "--promise", "Call", "--due", "tomorrow")
    shown = run("due", "--format", "table").stdout
    assert "At stake: 30,00 € + £100.00 claimed on 2 open complaints" in shown


def test_export_and_import_keep_the_currency(run, tmp_path, logbook):
    _currency(run, "GBP")
    run("add", "Sato", "Lost parcel", "--loss", "1000 JPY")
    out = tmp_path / "all.jsonl"
    run("export", "--format", "jsonl", "--out", str(out))
    other = tmp_path / "other.db"  # a second logbook, in euros
    run("--db", str(other), "config", "currency", "EUR")
    run("--db", str(other), "import", str(out))
    again = run("--db", str(other), "show", "1", "--format", "json").json
    assert (again["loss"], again["loss_currency"], again["loss_minor"]) == (1000, "JPY", 1000)


def test_an_import_without_a_currency_is_in_the_logbooks(run, tmp_path):
    _currency(run, "EUR")
    source = tmp_path / "in.csv"
    source.write_text(
        "customer,summary,opened_at,loss\nRoma,Double charge,2026-11-02T09:00:00+00:00,5.5\n",
        encoding="utf-8",
    )
    run("import", str(source), "--format", "csv")
    shown = run("show", "1", "--format", "json").json
    assert (shown["loss"], shown["loss_currency"], shown["loss_minor"]) == (5.5, "EUR", 550)


def test_amounts_are_stored_as_minor_units_and_a_code(run, logbook):
    _currency(run, "GBP")
    run("add", "A", "One", "--loss", "¥1000", exit=2)  # ¥ is JPY or CNY: not guessed
    run("add", "A", "One", "--loss", "JP¥1000")
    if isinstance(logbook, str):
        return  # PostgreSQL: the JSON above is the same; the columns are checked on SQLite
    with sqlite3.connect(logbook) as conn:
        row = conn.execute("SELECT loss_minor, loss_currency FROM complaint").fetchone()
    assert row == (1000, "JPY")
