"""Alembic migrations, applied automatically when a logbook is opened (store.py)."""
