"""Where hooks are, how trust names a logbook, and the `hooks trust` line complog prints:
absolute whatever --db looked like, and never a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from complog.connect import Location, default_path
from complog.hooks import hooks_folder, logbook_key, trust_command


def test_a_relative_logbook_has_an_absolute_hooks_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = Location(path=Path("shared-log/complog.db"))
    assert hooks_folder(relative, "").path == tmp_path / "shared-log" / "hooks"
    assert hooks_folder(relative, "../team/./hooks").path == tmp_path / "team" / "hooks"
    assert hooks_folder(relative, "/srv/hooks").configured
    assert not hooks_folder(relative, "").configured


def test_a_server_logbook_has_only_its_hooks_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = Location(url="postgresql+psycopg://ann@db/shop")
    assert hooks_folder(server, "") is None
    assert hooks_folder(server, "hooks").path == tmp_path / "hooks"


def test_trust_names_a_file_logbook_by_its_real_path(tmp_path, monkeypatch):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path)
    assert logbook_key(Location(path=Path("link/complog.db"))) == str(
        tmp_path / "real" / "complog.db"
    )


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("postgresql+psycopg://ann:s3cret@db:5432/shop", "postgresql://ann@db:5432/shop"),
        ("postgres://ann@db/shop?password=s3cret&sslmode=require",
         "postgresql://ann@db/shop?sslmode=require"),
        ("postgresql://ann@/shop?host=/run/pg", "postgresql://ann@/shop?host=/run/pg"),
    ],
)  # fmt: skip
def test_trust_names_a_server_logbook_without_its_password(url, key):
    assert logbook_key(Location(url=url)) == key


def test_the_trust_line_names_the_logbook_unless_it_is_the_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = Location(path=Path("shared-log/complog.db"))
    assert trust_command(relative, ["on-add"]) == (
        f"complog --db {tmp_path}/shared-log/complog.db hooks trust on-add"
    )
    spaced = Location(path=tmp_path / "my logs" / "complog.db")
    assert trust_command(spaced, ["on-add", "on-kept"]) == (
        f"complog --db '{tmp_path}/my logs/complog.db' hooks trust on-add on-kept"
    )
    assert trust_command(Location(path=default_path()), ["on-add"]) == (
        "complog hooks trust on-add"
    )


def test_the_trust_line_never_prints_a_password(monkeypatch):
    with_password = "postgresql+psycopg://ann:s3cret@db/shop"
    monkeypatch.setenv("COMPLOG_DB", with_password)
    assert trust_command(Location(url=with_password), ["on-add"]) == "complog hooks trust on-add"
    monkeypatch.delenv("COMPLOG_DB")
    assert trust_command(Location(url=with_password), ["on-add"]) == (
        "complog --db postgresql+psycopg://ann@db/shop hooks trust on-add"
    )
