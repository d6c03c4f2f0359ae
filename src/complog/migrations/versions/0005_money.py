"""Money with a currency, one customer-name key, and `unacknowledged` for new logbooks.

**Money.** Amounts were integer cents of no named currency (`complaint.loss_cents`),
and compensation only text. Now each amount is minor units plus an ISO 4217 code:
`loss_minor`/`loss_currency` and `compensation_minor`/`compensation_currency` (also
on past resolutions; the text as written is kept in `compensation`). The logbook's currency becomes the
setting `currency`, written here from the locale of whoever runs the upgrade (or of
the first command, for a new logbook; XXX, "no currency", when the locale names no
country) so it never changes behind the logbook's back. An old loss had its symbol
stripped before it was stored, so it is in the logbook's currency (cents converted
to that currency's minor units); an old compensation is valued from its text like a
new one (its own symbol wins), and left unvalued when that would mean guessing.
Offline (`complog db upgrade --sql`) no row can be read, so old compensations stay
unvalued; everything else is plain SQL.

**Customer names.** The key customers are unique by adds compatibility forms
(NFKC), so full-width ＡＣＭＥ and ACME are one customer from now on. Keys are
recomputed; where two existing customers now share a key neither is changed or
lost: the older keeps the key, the newer gets `<key>\\n<id>` (no typed name can
make a newline, whitespace is collapsed) and `complog customer` suggests merging.

**unacknowledged.** On by default for new logbooks; a logbook that existed before
this upgrade gets `rule.unacknowledged = off` written, so its cron jobs escalate
exactly as before.

Revision ID: 0005_money
Revises: 0004_identity
Create Date: 2026-12-06
"""

from __future__ import annotations

import unicodedata
from datetime import UTC

import sqlalchemy as sa
from alembic import context, op

revision = "0005_money"
down_revision = "0004_identity"
branch_labels = None
depends_on = None

#: the first complog release that knows this revision (readers of loss_cents are not)
REQUIRES_COMPLOG = "0.3.0"
#: who the settings written here are recorded as written by
BY = "complog upgrade"


def _key_0005(name: str) -> str:
    """The customer-name key as of this revision (frozen: vocabulary.customer_key)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _literal_time(dialect: str) -> str:
    from complog.clock import now

    text = now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return f"'{text}+00'" if dialect == "postgresql" else f"'{text}'"


def _existed_before() -> bool:
    """True when this upgrade started from a released revision, not from an empty database
    (env.py records where the run began; offline, the starting revision given)."""
    return context.config.attributes.get("upgraded_from") is not None


def _money(dialect: str, currency: str, exponent: int, offline: bool) -> None:
    # Plain ALTER TABLE on both back ends: a batch rebuild would drop the search
    # triggers and AUTOINCREMENT (0004) with the old table.
    op.add_column("complaint", sa.Column("loss_minor", sa.BigInteger(), nullable=True))
    op.add_column("complaint", sa.Column("loss_currency", sa.Text(), nullable=True))
    for table in ("complaint", "past_resolution"):
        op.add_column(table, sa.Column("compensation_minor", sa.BigInteger(), nullable=True))
        op.add_column(table, sa.Column("compensation_currency", sa.Text(), nullable=True))
    # cents -> minor units of the logbook's currency (JPY: rounded to whole yen)
    converted = {0: "(loss_cents + 50) / 100", 2: "loss_cents", 3: "loss_cents * 10"}[exponent]
    op.execute(
        f"UPDATE complaint SET loss_minor = {converted}, loss_currency = '{currency}'"
        " WHERE loss_cents IS NOT NULL"
    )
    op.execute("ALTER TABLE complaint DROP COLUMN loss_cents")  # SQLite 3.35 and later
    if not offline:
        _value_compensations(currency)


def _value_compensations(currency: str) -> None:
    from complog.money import MoneyError, value_in_text

    bind = op.get_bind()
    for table in ("complaint", "past_resolution"):
        rows = bind.execute(
            sa.text(f"SELECT id, compensation FROM {table} WHERE compensation IS NOT NULL")
        ).fetchall()
        for row_id, text in rows:
            try:
                money = value_in_text(str(text), currency)
            except MoneyError:
                continue  # ambiguous ($ in a GBP logbook): kept as text, not valued by a guess
            if money is not None:
                bind.execute(
                    sa.text(f"UPDATE {table} SET compensation_minor = :m,"
                            " compensation_currency = :c WHERE id = :id"),
                    {"m": money.minor, "c": money.currency, "id": row_id},
                )  # fmt: skip


def _recompute_name_keys() -> None:
    """Every customer's key with NFKC; on a collision the newer customer is set apart."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name, name_key FROM customer ORDER BY id")).fetchall()
    taken: set[str] = set()
    updates: list[tuple[int, str]] = []
    for customer_id, name, old in rows:
        if str(old).startswith("ERASED:"):
            taken.add(str(old))
            continue
        key = _key_0005(str(name))
        if key in taken:
            key = f"{key}\n{customer_id}"
        taken.add(key)
        if key != old:
            updates.append((int(customer_id), key))
    # Two passes, so a key moving from one customer to another never meets itself.
    for customer_id, _ in updates:
        bind.execute(sa.text("UPDATE customer SET name_key = :k WHERE id = :id"),
                     {"k": f"\n{customer_id}\n", "id": customer_id})  # fmt: skip
    for customer_id, key in updates:
        bind.execute(sa.text("UPDATE customer SET name_key = :k WHERE id = :id"),
                     {"k": key, "id": customer_id})  # fmt: skip


def _setting(key: str, value: str, dialect: str) -> None:
    op.execute(
        "INSERT INTO setting (key, value, updated_at, updated_by)"
        f" SELECT '{key}', '{value}', {_literal_time(dialect)}, '{BY}'"
        f" WHERE NOT EXISTS (SELECT 1 FROM setting WHERE key = '{key}')"
    )


def upgrade() -> None:
    from complog.money import currency_info, locale_currency

    dialect = op.get_context().dialect.name
    offline = context.is_offline_mode()
    currency = locale_currency()
    _setting("currency", currency, dialect)
    _money(dialect, currency, currency_info(currency).exponent, offline)
    if not offline:
        _recompute_name_keys()
    if _existed_before():
        _setting("rule.unacknowledged", "off", dialect)
    op.execute(f"UPDATE meta SET value = '{REQUIRES_COMPLOG}' WHERE key = 'requires_complog'")


def downgrade() -> None:
    """Back to 0004's cents (in whatever currency they were); keys and settings stay."""
    op.execute("UPDATE meta SET value = '0.2.0' WHERE key = 'requires_complog'")
    op.add_column("complaint", sa.Column("loss_cents", sa.Integer(), nullable=True))
    op.execute("UPDATE complaint SET loss_cents = loss_minor")
    for column in ("compensation_currency", "compensation_minor", "loss_currency", "loss_minor"):
        op.execute(f"ALTER TABLE complaint DROP COLUMN {column}")
    for column in ("compensation_currency", "compensation_minor"):
        op.execute(f"ALTER TABLE past_resolution DROP COLUMN {column}")
    op.execute("DELETE FROM setting WHERE key = 'currency'")
