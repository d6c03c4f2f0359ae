"""The issue's floor: a minimal Typer app over the same logbook.

    python ref_typer.py due LOGBOOK    # the overdue query via stdlib sqlite3, a 20-row Rich table
    python ref_typer.py add LOGBOOK    # one complaint and its promise written through SQLModel

Nothing but what each command needs: sqlite3 and Rich for `due`, SQLModel
(imported inside the command, as complog does) for `add`. COMPLOG_NOW gives
the time, as for complog. With REF_FREEZE_AT_EXIT=1 it leaves as complog does,
without the interpreter's final collection (see cli/main.py `run`).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta

import typer

app = typer.Typer(add_completion=False)


def now() -> datetime:
    fixed = os.environ.get("COMPLOG_NOW")
    return datetime.fromisoformat(fixed).astimezone(UTC) if fixed else datetime.now(UTC)


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


OVERDUE = (
    "SELECT p.id, cu.name, p.text, p.owner, p.due_at FROM promise p"
    " JOIN complaint c ON c.id = p.complaint_id JOIN customer cu ON cu.id = c.customer_id"
    " WHERE p.status = 'open' AND p.due_at < ? ORDER BY p.due_at, p.id LIMIT 20"
)


@app.command()
def due(db: str) -> None:
    """Overdue promises, first 20, as a Rich table."""
    from rich.console import Console
    from rich.table import Table

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    table = Table("promise", "customer", "text", "owner", "due")
    for pid, customer, text, owner, due_at in conn.execute(OVERDUE, (stamp(now()),)):
        table.add_row(str(pid), customer, text, owner, due_at[:16])
    Console().print(table)


@app.command()
def add(db: str, customer: str = "Bench Customer", summary: str = "Till crashes at close") -> None:
    """Log a complaint with a promise through SQLModel."""
    from sqlalchemy import event
    from sqlmodel import Field, Session, SQLModel, create_engine, select

    class Customer(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str
        name_key: str
        phone: str | None = None
        email: str | None = None
        notes: str | None = None
        created_at: str
        erased_at: str | None = None

    class Complaint(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        customer_id: int
        summary: str
        channel: str
        category: str | None = None
        heat: int
        wants: str | None = None
        written: bool = False
        owner: str
        status: str = "open"
        opened_at: str
        recorded_at: str
        created_by: str
        resolved_at: str | None = None
        outcome: str | None = None
        compensation: str | None = None
        confirmed: bool | None = None
        satisfaction: int | None = None
        cause: str | None = None
        prevention: str | None = None
        external_id: str | None = None
        loss_minor: int | None = None
        loss_currency: str | None = None
        compensation_minor: int | None = None
        compensation_currency: str | None = None

    class Promise(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        complaint_id: int
        text: str
        owner: str
        due_at: str
        status: str = "open"
        created_at: str
        created_by: str
        kept_at: str | None = None
        closed_note: str | None = None
        cancelled_at: str | None = None

    engine = create_engine(f"sqlite:///{db}")

    @event.listens_for(engine, "connect")
    def _pragmas(conn, _record):  # type: ignore[no-untyped-def]
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")

    at = now()
    key = " ".join(customer.casefold().split())
    with Session(engine) as session:
        found = session.exec(select(Customer).where(Customer.name_key == key)).first()
        if found is None:
            found = Customer(name=customer, name_key=key, created_at=stamp(at))
            session.add(found)
            session.flush()
        complaint = Complaint(customer_id=found.id, summary=summary, channel="phone", heat=3,
                              owner="bench", opened_at=stamp(at), recorded_at=stamp(at),
                              created_by="bench")  # fmt: skip
        session.add(complaint)
        session.flush()
        session.add(Promise(complaint_id=complaint.id, text="Call back with fix", owner="bench",
                            due_at=stamp(at + timedelta(days=1)), created_at=stamp(at),
                            created_by="bench"))  # fmt: skip
        session.commit()
        print(f"Logged complaint {complaint.id}")


if __name__ == "__main__":
    if os.environ.get("REF_FREEZE_AT_EXIT"):
        # As complog's entry point does: skip the teardown's collection of every object
        # (bench.py's ref_add_frozen, the floor with the same way out).
        import gc

        try:
            app()
        finally:
            gc.freeze()
    else:
        app()
