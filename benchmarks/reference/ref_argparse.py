"""The same overdue command as ref_typer.py `due`, under argparse (no Typer, no pydantic).

python ref_argparse.py LOGBOOK
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from datetime import UTC, datetime

OVERDUE = (
    "SELECT p.id, cu.name, p.text, p.owner, p.due_at FROM promise p"
    " JOIN complaint c ON c.id = p.complaint_id JOIN customer cu ON cu.id = c.customer_id"
    " WHERE p.status = 'open' AND p.due_at < ? ORDER BY p.due_at, p.id LIMIT 20"
)


def main() -> None:
    parser = argparse.ArgumentParser(description="Overdue promises, first 20, as a Rich table.")
    parser.add_argument("db")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    fixed = os.environ.get("COMPLOG_NOW")
    now = datetime.fromisoformat(fixed).astimezone(UTC) if fixed else datetime.now(UTC)
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    table = Table("promise", "customer", "text", "owner", "due")
    for pid, customer, text, owner, due_at in conn.execute(
        OVERDUE, (now.strftime("%Y-%m-%d %H:%M:%S.%f"),)
    ):
        table.add_row(str(pid), customer, text, owner, due_at[:16])
    Console().print(table)


if __name__ == "__main__":
    main()
