"""complog.money: strict reading, formatting that reads back, totals per currency."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complog.errors import InvalidInput
from complog.money import (
    CURRENCIES,
    LIMIT,
    NO_CURRENCY,
    SYMBOLS,
    Money,
    MoneyError,
    format_money,
    format_totals,
    locale_currency,
    parse_money,
    single_total,
    totals,
    value_in_text,
)


@pytest.mark.parametrize(
    ("text", "logbook", "expected"),
    [
        ("5,50", "EUR", Money(550, "EUR")),  # issue 19: was read as 5.00
        ("€5,50", "GBP", Money(550, "EUR")),
        ("5.50", "EUR", Money(550, "EUR")),  # one or two digits after a mark: decimals
        ("1.000,50 €", "GBP", Money(100050, "EUR")),  # issue 19: no amount was found
        ("1 000,50 €", "GBP", Money(100050, "EUR")),
        ("1\u202f000,50\u00a0€", "GBP", Money(100050, "EUR")),
        ("£1,250.50", "EUR", Money(125050, "GBP")),
        ("1,000", "GBP", Money(100000, "GBP")),  # GBP groups with commas
        ("1.000", "EUR", Money(100000, "EUR")),  # EUR groups with dots
        ("1.000.000", "USD", Money(100000000, "USD")),
        ("¥1000", "JPY", Money(1000, "JPY")),  # issue 19: was 1000.00 with two decimals
        ("1,000 JPY", "GBP", Money(1000, "JPY")),
        ("25 USD", "GBP", Money(2500, "USD")),  # an explicit other currency is kept
        ("usd 25", "GBP", Money(2500, "USD")),
        ("$5", "CAD", Money(500, "CAD")),  # a shared symbol: the logbook's, when it is one
        ("kr 49,90", "SEK", Money(4990, "SEK")),
        ("1.000", "KWD", Money(1000, "KWD")),  # three decimals: one dinar
        ("0", "GBP", Money(0, "GBP")),
        ("120", "XXX", Money(12000, "XXX")),
        ("CHF 1'000.50", "GBP", Money(100050, "CHF")),
    ],
)
def test_parse_money_reads_each_form_as_written(text, logbook, expected):
    assert parse_money(text, logbook) == expected


@pytest.mark.parametrize(
    ("text", "logbook", "message", "hint"),
    [
        ("1,000", "EUR", "ambiguous amount '1,000'", "or write 1000 or 1.000 for a thousand"),
        (
            "1.000",
            "GBP",
            "ambiguous amount '1.000'",
            "use at most two decimal places, or write 1000",
        ),
        ("$5", "GBP", "ambiguous currency '$' in '$5'", "write the code, e.g. 5 USD"),
        ("¥1000", "GBP", "ambiguous currency '¥'", "e.g. 1000 JPY"),
        ("kr 5", "EUR", "ambiguous currency 'kr'", "SEK"),
        ("¥10.5", "JPY", "too many decimal places", "JPY has no minor unit"),
        ("5.5055", "GBP", "too many decimal places", "GBP has 2 decimal places"),
        ("1,00,000", "INR", "not grouped in thousands", "e.g. 120"),
        ("-5", "GBP", "invalid amount '-5'", "0 or more"),
        ("£5 GBP", "GBP", "invalid amount", "name the currency once"),
        ("5 ABC", "GBP", "unknown currency 'ABC'", "ISO 4217"),
        ("", "GBP", "no amount given", "e.g. 120"),
        ("٣", "GBP", "invalid amount", "e.g. 120"),  # digits are ASCII only
        ("1e5", "GBP", "invalid amount", "e.g. 120"),
        ("5" * 40, "GBP", "invalid amount", "more than 1,000,000,000,000"),
        ("five pounds", "GBP", "invalid amount", "e.g. 120"),
    ],
)
def test_parse_money_refuses_what_it_would_have_to_guess(text, logbook, message, hint):
    with pytest.raises(MoneyError) as raised:
        parse_money(text, logbook)
    assert message in raised.value.message
    assert raised.value.hint is not None and hint in raised.value.hint
    assert isinstance(raised.value, InvalidInput) and raised.value.exit_code == 2


def test_an_unknown_logbook_currency_is_an_error():
    with pytest.raises(MoneyError, match="unknown currency 'ZZZ'"):
        parse_money("5", "ZZZ")


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(125050, "GBP"), "£1,250.50"),
        (Money(100050, "EUR"), "1.000,50 €"),
        (Money(1000, "JPY"), "¥1,000"),
        (Money(500, "USD"), "$5.00"),
        (Money(500, "CAD"), "CA$5.00"),
        (Money(100050, "CHF"), "CHF 1'000.50"),
        (Money(1000, "KWD"), "KD1.000"),
        (Money(12000, "XXX"), "120.00"),
    ],
)
def test_format_money_writes_the_symbol_and_the_currencys_separators(money, text):
    assert format_money(money) == text


def test_totals_never_add_across_currencies():
    amounts = [Money(500, "GBP"), None, Money(550, "EUR"), Money(250, "GBP"), Money(1000, "JPY")]
    assert totals(amounts) == {"EUR": 550, "GBP": 750, "JPY": 1000}
    assert format_totals(totals(amounts)) == "5,50 € + £7.50 + ¥1,000"
    assert single_total(totals(amounts)) is None
    assert single_total({"GBP": 750}) == 7.5
    assert single_total({}) == 0.0


def test_value_in_text_is_the_first_amount_with_a_currency():
    assert value_in_text("£20 voucher and a free visit", "EUR") == Money(2000, "GBP")
    assert value_in_text("refund of 1.000,50 € by card", "GBP") == Money(100050, "EUR")
    assert value_in_text("refund 12,50 EUR", "GBP") == Money(1250, "EUR")
    assert value_in_text("3 free visits, 20 VIP points", "GBP") is None
    assert value_in_text("", "GBP") is None
    with pytest.raises(MoneyError, match="ambiguous currency"):
        value_in_text("refund of $12.50", "GBP")


@pytest.mark.parametrize(
    ("environ", "currency"),
    [
        ({"LANG": "en_GB.UTF-8"}, "GBP"),
        ({"LANG": "de_DE.UTF-8"}, "EUR"),
        ({"LANG": "en_GB.UTF-8", "LC_MONETARY": "ja_JP.UTF-8"}, "JPY"),
        ({"LC_ALL": "fr_CH", "LANG": "en_GB.UTF-8"}, "CHF"),
        ({"LANG": "C.UTF-8"}, NO_CURRENCY),
        ({"LC_ALL": "POSIX", "LANG": "en_GB.UTF-8"}, NO_CURRENCY),
        ({}, NO_CURRENCY),
    ],
)
def test_the_locale_names_the_default_currency(environ, currency):
    assert locale_currency(environ) == currency


# -- round trips (hypothesis) ----------------------------------------------------------------

REAL = sorted(code for code in CURRENCIES if code != NO_CURRENCY)
amounts = st.sampled_from(REAL).flatmap(
    lambda code: st.builds(
        Money,
        minor=st.integers(min_value=0, max_value=LIMIT * 10 ** CURRENCIES[code].exponent),
        currency=st.just(code),
    )
)


@given(amounts)
def test_a_formatted_amount_reads_back_in_its_own_currency(money):
    assert parse_money(format_money(money), money.currency) == money


@given(amounts, st.sampled_from(REAL))
def test_a_formatted_amount_reads_back_in_any_logbook_when_its_symbol_is_its_own(money, logbook):
    symbol = CURRENCIES[money.currency].symbol
    if len(SYMBOLS.get(symbol, (money.currency,))) == 1:
        assert parse_money(format_money(money), logbook) == money


@given(amounts, st.sampled_from(REAL), st.booleans())
def test_an_amount_with_its_code_reads_back_in_any_logbook(money, logbook, code_first):
    info = CURRENCIES[money.currency]
    whole, fraction = divmod(money.minor, 10**info.exponent)
    number = str(whole) + (f".{str(fraction).rjust(info.exponent, '0')}" if info.exponent else "")
    text = f"{money.currency} {number}" if code_first else f"{number} {money.currency}"
    assert parse_money(text, logbook) == money


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["EUR", "SEK", "PLN", "BRL"]))
def test_decimal_comma_logbooks_read_their_own_way_of_writing(cents, logbook):
    """In a currency that writes `1.234,56` (or `1 234,56`), what its people type is read."""
    whole, fraction = divmod(cents, 100)
    group = CURRENCIES[logbook].group
    text = f"{whole:,}".replace(",", group) + f",{fraction:02d}"
    assert parse_money(text, logbook) == Money(cents, logbook)


@given(st.text(max_size=30), st.sampled_from(REAL))
def test_any_text_is_an_amount_or_a_clean_error(text, logbook):
    try:
        money = parse_money(text, logbook)
    except MoneyError as exc:
        assert exc.exit_code == 2 and exc.hint
    else:
        assert money.minor >= 0 and money.currency in CURRENCIES


def test_huge_text_is_read_in_one_pass():
    """Runs of digits and separators are tried once each, not from every digit."""
    assert value_in_text("refund " + "1," * 50_000 + " and £5", "GBP") == Money(500, "GBP")
    with pytest.raises(MoneyError, match="invalid amount"):
        parse_money("1" + " " * 20_000 + "x", "GBP")
