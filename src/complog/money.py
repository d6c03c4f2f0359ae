"""Money: amounts in a currency's minor units, read strictly and never summed across currencies.

A loss or a compensation is a `Money` (integer minor units of an ISO 4217 currency:
JPY has none, GBP two, KWD three). `parse_money` reads what a person typed and
never guesses: `5,50` and `5.50` are both five-fifty (a group of one or two digits
cannot be a thousands group), `1.000,50 €` and `1,000.50` are a thousand and fifty,
but `1,000` in a currency that writes decimals with a comma could be either, so it
is refused with a hint. A symbol several currencies share (`$`, `¥`, `kr`) means the
logbook's currency when it is one of them, else the code must be written.

Compensation stays the text as written ("£50 voucher", "free visit"); its value is
the first amount written with a currency in it (`value_in_text`), and text without
one counts as given but not valued.

Pure and stdlib-only at import: `due` and `list` import it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from complog.errors import InvalidInput


@dataclass(frozen=True)
class Money:
    """An amount in minor units (pence, cents, yen) of an ISO 4217 currency."""

    minor: int
    currency: str


@dataclass(frozen=True)
class Currency:
    """How a currency is counted and written: the convention of its main locale."""

    code: str
    exponent: int
    symbol: str
    decimal: str = "."
    group: str = ","
    symbol_first: bool = True


def _c(code: str, exponent: int, symbol: str, style: str = "1,000.00 pre") -> Currency:
    number, place = style.rsplit(" ", 1)
    return Currency(code, exponent, symbol, decimal=number[-3], group=number[1],
                    symbol_first=place == "pre")  # fmt: skip


#: The currencies complog knows, each with its exponent (ISO 4217) and the way its
#: main locale writes it. Codes with a shared symbol carry a prefix (CA$, A$, CN¥).
CURRENCIES: dict[str, Currency] = {c.code: c for c in (
    _c("GBP", 2, "£"), _c("USD", 2, "$"), _c("EUR", 2, "€", "1.000,00 post"),
    _c("JPY", 0, "¥"), _c("CNY", 2, "CN¥"), _c("INR", 2, "₹"), _c("KRW", 0, "₩"),
    _c("CHF", 2, "CHF", "1'000.00 pre"), _c("CAD", 2, "CA$"), _c("AUD", 2, "A$"),
    _c("NZD", 2, "NZ$"), _c("HKD", 2, "HK$"), _c("SGD", 2, "S$"), _c("MXN", 2, "MX$"),
    _c("BRL", 2, "R$", "1.000,00 pre"), _c("SEK", 2, "kr", "1 000,00 post"),
    _c("NOK", 2, "kr", "1 000,00 post"), _c("DKK", 2, "kr.", "1.000,00 post"),
    _c("ISK", 0, "kr", "1.000,00 post"), _c("PLN", 2, "zł", "1 000,00 post"),
    _c("CZK", 2, "Kč", "1 000,00 post"), _c("HUF", 2, "Ft", "1 000,00 post"),
    _c("RON", 2, "lei", "1.000,00 post"), _c("TRY", 2, "₺", "1.000,00 pre"),
    _c("ILS", 2, "₪"), _c("ZAR", 2, "R", "1 000,00 pre"), _c("RUB", 2, "₽", "1 000,00 post"),
    _c("UAH", 2, "₴", "1 000,00 post"), _c("THB", 2, "฿"), _c("PHP", 2, "₱"),
    _c("VND", 0, "₫", "1.000,00 post"), _c("NGN", 2, "₦"), _c("KWD", 3, "KD"),
    _c("BHD", 3, "BD"), _c("CLP", 0, "CLP$", "1.000,00 pre"),
    # ISO 4217's code for "no currency": a logbook whose locale names no country
    _c("XXX", 2, "XXX"),
)}  # fmt: skip

#: symbols people type, to the currencies that use them (the first is not a default)
SYMBOLS: dict[str, tuple[str, ...]] = {
    "£": ("GBP",), "€": ("EUR",), "₹": ("INR",), "₩": ("KRW",), "₺": ("TRY",), "₪": ("ILS",),
    "₽": ("RUB",), "₴": ("UAH",), "฿": ("THB",), "₱": ("PHP",), "₫": ("VND",), "₦": ("NGN",),
    "zł": ("PLN",), "Kč": ("CZK",), "Ft": ("HUF",), "lei": ("RON",), "R$": ("BRL",),
    "US$": ("USD",), "CA$": ("CAD",), "C$": ("CAD",), "A$": ("AUD",), "AU$": ("AUD",),
    "NZ$": ("NZD",), "HK$": ("HKD",), "S$": ("SGD",), "MX$": ("MXN",), "CN¥": ("CNY",),
    "JP¥": ("JPY",), "CLP$": ("CLP",), "KD": ("KWD",), "BD": ("BHD",), "kr.": ("DKK",),
    "$": ("USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN", "CLP"),
    "¥": ("JPY", "CNY"), "￥": ("JPY", "CNY"), "元": ("CNY",), "円": ("JPY",),
    "kr": ("SEK", "NOK", "DKK", "ISK"), "R": ("ZAR",),
}  # fmt: skip

#: a country (the territory of a locale such as en_GB.UTF-8) to its currency
TERRITORIES: dict[str, str] = {
    "GB": "GBP", "IE": "EUR", "US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD",
    "DE": "EUR", "FR": "EUR", "ES": "EUR", "IT": "EUR", "NL": "EUR", "BE": "EUR",
    "AT": "EUR", "PT": "EUR", "FI": "EUR", "GR": "EUR", "LU": "EUR", "SK": "EUR",
    "SI": "EUR", "EE": "EUR", "LV": "EUR", "LT": "EUR", "MT": "EUR", "CY": "EUR", "HR": "EUR",
    "JP": "JPY", "CN": "CNY", "IN": "INR", "KR": "KRW", "CH": "CHF", "LI": "CHF",
    "HK": "HKD", "SG": "SGD", "MX": "MXN", "BR": "BRL", "SE": "SEK", "NO": "NOK",
    "DK": "DKK", "IS": "ISK", "PL": "PLN", "CZ": "CZK", "HU": "HUF", "RO": "RON",
    "TR": "TRY", "IL": "ILS", "ZA": "ZAR", "RU": "RUB", "UA": "UAH", "TH": "THB",
    "PH": "PHP", "VN": "VND", "NG": "NGN", "KW": "KWD", "BH": "BHD", "CL": "CLP",
}  # fmt: skip

NO_CURRENCY = "XXX"
#: the largest amount complog keeps, in major units: far above any complaint
LIMIT = 10**12
EXAMPLES = "e.g. 120, 120.50, £120.50, 1.000,50 €, ¥1000 or 25 USD"


class MoneyError(InvalidInput):
    """An amount that cannot be read without guessing: exit 2, with a hint."""


def currency_info(code: str) -> Currency:
    found = CURRENCIES.get(code.strip().upper())
    if found is None:
        raise MoneyError(
            f"unknown currency {code!r}",
            "use an ISO 4217 code such as "
            + ", ".join(list(CURRENCIES)[:6])
            + " (complog config currency shows them)",
        )
    return found


def check_currency(text: str) -> str:
    """A settings parser: an ISO 4217 code complog knows, upper case."""
    code = text.strip().upper()
    if code not in CURRENCIES:
        raise ValueError("an ISO 4217 currency code such as GBP, EUR, USD or JPY")
    return code


def locale_currency(environ: Mapping[str, str] | None = None) -> str:
    """The currency of the locale's country (LC_ALL, LC_MONETARY, LANG), else XXX.

    Read from the environment, not `locale.setlocale`, so it needs no installed locale
    and is the same answer a cron job and a terminal give for the same variables."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MONETARY", "LANG"):
        value = env.get(name, "")
        if not value:
            continue
        match = re.match(r"^[A-Za-z]{2,3}_([A-Za-z]{2})\b", value)
        if match:
            return TERRITORIES.get(match.group(1).upper(), NO_CURRENCY)
        return NO_CURRENCY  # C, POSIX, C.UTF-8: the variable that decides names no country
    return NO_CURRENCY


# -- reading --------------------------------------------------------------------------------

_SYMBOL_ALT = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_SPACE = "[ \u00a0\u202f]"
_NUMBER = r"[0-9](?:[0-9.,'’ \u00a0\u202f]*[0-9])?"
#: one amount: an optional currency before and/or after a number (ASCII digits only)
_GROUPS = r"^[0-9]{1,3}(?:X[0-9]{3})*$"


@cache
def _money_pattern() -> re.Pattern[str]:
    """Compiled on first use: `due` and `list` import this module but parse no amount."""
    return re.compile(
        rf"^(?P<pre>{_SYMBOL_ALT}|[A-Za-z]{{3}})?{_SPACE}*(?P<number>{_NUMBER})"
        rf"{_SPACE}*(?P<post>{_SYMBOL_ALT}|[A-Za-z]{{3}})?$"
    )


_SPELLED = {1: "one", 2: "two", 3: "three"}


def parse_money(text: str, currency: str) -> Money:
    """`text` as Money; `currency` (the logbook's) when the text names none.

    Raises MoneyError (exit 2) with a hint for anything ambiguous or malformed."""
    logbook = currency_info(currency)
    raw = text.strip()
    if not raw:
        raise MoneyError("no amount given", EXAMPLES)
    if raw.startswith("-") or raw.startswith("−"):
        raise MoneyError(f"invalid amount {text!r}", "an amount is 0 or more")
    match = _money_pattern().match(raw)
    if match is None:
        raise MoneyError(f"invalid amount {text!r}", EXAMPLES)
    pre, post = match.group("pre"), match.group("post")
    if pre and post:
        raise MoneyError(f"invalid amount {text!r}", "name the currency once: £5 or 5 GBP")
    named = pre or post
    money_currency = _currency_named(named, logbook.code, text) if named else logbook
    minor = _minor_units(match.group("number"), money_currency, text)
    return Money(minor, money_currency.code)


def _currency_named(token: str, logbook: str, text: str) -> Currency:
    codes = SYMBOLS.get(token)
    if codes is None:
        if token.upper() in CURRENCIES and token.isalpha():
            return CURRENCIES[token.upper()]
        raise MoneyError(f"unknown currency {token!r} in {text!r}",
                         "use an ISO 4217 code such as GBP, EUR, USD or JPY")  # fmt: skip
    if len(codes) == 1:
        return CURRENCIES[codes[0]]
    if logbook in codes:
        return CURRENCIES[logbook]
    raise MoneyError(
        f"ambiguous currency {token!r} in {text!r}: it is used by {', '.join(codes)}",
        f"write the code, e.g. {text.replace(token, '').strip()} {codes[0]}",
    )


def _minor_units(number: str, currency: Currency, text: str) -> int:
    """Digits and separators to minor units, by the rules in the module docstring."""
    number = re.sub(_SPACE, " ", number)
    marks = [ch for ch in number if not ch.isdigit()]
    whole, fraction = number, ""
    decimal_marks = [m for m in marks if m in ".,"]
    if decimal_marks:
        last = max(number.rfind("."), number.rfind(","))
        tail = number[last + 1 :]
        mark = number[last]
        only_one_kind = set(decimal_marks) == {mark}
        if only_one_kind and decimal_marks.count(mark) > 1:
            whole, fraction = number, ""  # 1.000.000: every mark groups thousands
        elif (
            only_one_kind and len(tail) == 3 and (mark != currency.decimal or not currency.exponent)
        ):
            whole, fraction = number, ""  # 1,000 in GBP, 1.000 in EUR or JPY: thousands
        elif only_one_kind and len(tail) == 3 and currency.exponent != 3:
            other = "," if mark == "." else "."
            raise MoneyError(
                f"ambiguous amount {text!r}: {number} could be a thousand or a decimal",
                f"use at most {_SPELLED.get(currency.exponent, currency.exponent)} decimal"
                f" places, or write {number.replace(mark, '')} or {number.replace(mark, other)}"
                f" for a thousand ({currency.code} writes decimals with {currency.decimal!r})",
            )
        else:
            whole, fraction = number[:last], tail
    grouped = re.sub(r"[.,'’ ]", "X", whole)
    if "X" in grouped and not re.match(_GROUPS, grouped):
        raise MoneyError(f"invalid amount {text!r}: {whole} is not grouped in thousands", EXAMPLES)
    if any(ch in fraction for ch in ".,'’ "):
        raise MoneyError(f"invalid amount {text!r}", EXAMPLES)
    if len(fraction) > currency.exponent:
        hint = (f"{currency.code} has no minor unit: write a whole number"
                if currency.exponent == 0
                else f"{currency.code} has {currency.exponent} decimal places")  # fmt: skip
        raise MoneyError(f"invalid amount {text!r}: too many decimal places", hint)
    value = Decimal(re.sub(r"\D", "", whole) + "." + (fraction or "0"))
    if value > LIMIT:
        raise MoneyError(f"invalid amount {text!r}", f"that is more than {LIMIT:,}")
    return int(value.scaleb(currency.exponent))


#: an amount written with a currency inside free text ("£50 voucher", "refund 12,50 EUR")
@cache
def _in_text_pattern() -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w$¥£€.,'’])(?:(?:{_SYMBOL_ALT}){_SPACE}?[0-9](?:[0-9.,'’]*[0-9])?"
        rf"|[0-9](?:[0-9.,'’]*[0-9])?{_SPACE}?(?:{_SYMBOL_ALT}|[A-Z]{{3}}\b))"
    )


def value_in_text(text: str | None, currency: str) -> Money | None:
    """The first amount written with a currency in `text`; None when it names none.

    Strict like parse_money: an ambiguous amount is refused with a hint."""
    if not text:
        return None
    for match in _in_text_pattern().finditer(text):
        token = match.group(0)
        code = re.search(r"[A-Z]{3}$", token)
        if code and code.group(0) not in CURRENCIES:
            continue  # "20 VIP": not a currency
        return parse_money(token, currency)
    return None


# -- writing --------------------------------------------------------------------------------


def major(money: Money) -> float:
    """The amount in major units (120.5), as the JSON `loss` has always been."""
    return float(Decimal(money.minor).scaleb(-currency_info(money.currency).exponent))


def format_money(money: Money) -> str:
    """`£1,250.50`, `1.250,50 €`, `¥1,000`: the symbol (or code) and the currency's own
    separators, so a printed amount reads back as the same Money."""
    info = currency_info(money.currency)
    whole, fraction = divmod(money.minor, 10**info.exponent)
    digits = f"{whole:,}".replace(",", info.group)
    if info.exponent:
        digits += info.decimal + str(fraction).rjust(info.exponent, "0")
    symbol = info.symbol
    if info.code == NO_CURRENCY:
        return digits  # the logbook has not named its currency: a bare amount, as typed
    if symbol == info.code:
        return f"{symbol} {digits}" if info.symbol_first else f"{digits} {symbol}"
    return f"{symbol}{digits}" if info.symbol_first else f"{digits} {symbol}"


def totals(amounts: Iterable[Money | None]) -> dict[str, int]:
    """Minor units per currency, never summed across currencies; None is skipped."""
    out: dict[str, int] = {}
    for money in amounts:
        if money is not None:
            out[money.currency] = out.get(money.currency, 0) + money.minor
    return dict(sorted(out.items()))


def format_totals(by_currency: Mapping[str, int]) -> str:
    """`£120.00 + 1.000,50 €`: one figure per currency, never added together."""
    return " + ".join(format_money(Money(minor, code)) for code, minor in by_currency.items())


def format_major_totals(by_currency: Mapping[str, float], empty: str = "0") -> str:
    """format_totals for figures already in major units (a report's JSON values)."""
    if not by_currency:
        return empty
    minor = {code: int(Decimal(str(value)).scaleb(currency_info(code).exponent).to_integral_value())
             for code, value in by_currency.items()}  # fmt: skip
    return format_totals(minor)


def major_totals(by_currency: Mapping[str, int]) -> dict[str, float]:
    """For JSON: {currency: amount in major units}."""
    return {code: major(Money(minor, code)) for code, minor in by_currency.items()}


def single_total(by_currency: Mapping[str, int]) -> float | None:
    """For the JSON keys that predate currencies (`loss_open`, `compensation_value`): the
    total when every amount is in one currency (0 when there are none), else None:
    the figures per currency are in the matching `..._by_currency` key."""
    if not by_currency:
        return 0.0
    if len(by_currency) > 1:
        return None
    ((code, minor),) = by_currency.items()
    return major(Money(minor, code))


def convert_cents(cents: int, currency: str) -> int:
    """Cents (how complog kept every amount before 0005) as minor units of `currency`."""
    exponent = currency_info(currency).exponent
    return int((Decimal(cents).scaleb(exponent - 2)).to_integral_value())


def is_free_visit(compensation: str | None) -> bool:
    """Visits given free are the compensation entries that say so."""
    return bool(compensation) and "visit" in str(compensation).lower()
