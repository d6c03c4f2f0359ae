"""The hook trust file: per person, in their config folder, in a format that later
versions of complog keep reading (trust.py's docstring is the format's definition)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from complog.errors import StorageError
from complog.trust import Trusted, load_trust, trust_file_path, updating_trust, write_private

ON_ADD = Trusted("/srv/log/complog.db", "on-add", "/srv/log/hooks/on-add", "ab" * 32, "2026-11-23")

#: A version 1 file as complog 0.x writes it: every later complog must read it as trusted.
VERSION_1 = """{
  "format": "complog hook trust",
  "version": 1,
  "hooks": [
    {
      "logbook": "/srv/log/complog.db",
      "hook": "on-add",
      "path": "/srv/log/hooks/on-add",
      "sha256": "abababababababababababababababababababababababababababababababab",
      "trusted_at": "2026-11-23"
    }
  ]
}
"""


@pytest.fixture
def trust_file(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = trust_file_path()
    assert path == tmp_path / "config" / "complog" / "hooks-trust.json"
    return path


def write(path: Path, text: str, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def test_no_file_trusts_nothing(trust_file):
    assert load_trust().find("/srv/log/complog.db", "on-add") is None
    assert not trust_file.exists()


def test_trust_is_written_private_in_the_config_folder_and_read_back(trust_file):
    with updating_trust() as trust:
        trust.record(ON_ADD)
    assert stat.S_IMODE(trust_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(trust_file.parent.stat().st_mode) == 0o700
    assert load_trust().find("/srv/log/complog.db", "on-add") == ON_ADD
    assert load_trust().find("/other/complog.db", "on-add") is None  # per logbook
    assert trust_file.read_text() == VERSION_1
    assert [p.name for p in trust_file.parent.iterdir()] == ["hooks-trust.json"]  # no temp left


def test_the_version_1_format_is_read_as_written(trust_file):
    write(trust_file, VERSION_1)
    assert load_trust().find("/srv/log/complog.db", "on-add") == ON_ADD


def test_keys_a_later_complog_added_survive_a_rewrite(trust_file):
    document = json.loads(VERSION_1)
    document["hooks"][0]["note"] = "added by a later version"
    write(trust_file, json.dumps(document))
    with updating_trust() as trust:
        trust.record(Trusted("/b.db", "on-kept", "/b/hooks/on-kept", "cd" * 32, "2026-11-24"))
    kept = json.loads(trust_file.read_text())["hooks"]
    assert {e["logbook"]: e.get("note") for e in kept} == {
        "/srv/log/complog.db": "added by a later version",
        "/b.db": None,
    }


def test_forget_removes_one_hook_of_one_logbook(trust_file):
    other = Trusted("/b.db", "on-add", "/b/hooks/on-add", "cd" * 32, "2026-11-24")
    with updating_trust() as trust:
        trust.record(ON_ADD)
        trust.record(other)
    with updating_trust() as trust:
        assert trust.forget("/srv/log/complog.db", "on-add") is True
        assert trust.forget("/srv/log/complog.db", "on-add") is False
    assert load_trust().find("/b.db", "on-add") == other
    assert load_trust().hooks_of("/srv/log/complog.db") == []


def test_a_file_from_a_newer_complog_is_refused_and_left_alone(trust_file):
    newer = VERSION_1.replace('"version": 1', '"version": 2')
    write(trust_file, newer)
    with pytest.raises(StorageError, match="written by a newer complog"):
        load_trust()
    with pytest.raises(StorageError), updating_trust() as trust:
        trust.record(ON_ADD)
    assert trust_file.read_text() == newer


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", '{"format": "other", "version": 1, "hooks": []}',
     '{"format": "complog hook trust", "version": "1", "hooks": []}',
     '{"format": "complog hook trust", "version": 1, "hooks": [{"hook": "on-add"}]}'],
    ids=["empty", "text", "list", "other-format", "string-version", "missing-keys"],
)  # fmt: skip
def test_a_damaged_file_is_refused_with_what_to_do(trust_file, text):
    write(trust_file, text)
    with pytest.raises(StorageError, match="is not a complog trust file") as caught:
        load_trust()
    assert caught.value.hint is not None and "complog hooks trust" in caught.value.hint


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_a_file_others_may_write_to_is_not_believed(trust_file, mode):
    write(trust_file, VERSION_1, mode)
    with pytest.raises(StorageError, match="others may write to it"):
        load_trust()


def test_missing_config_folders_are_made_private_whatever_the_umask(tmp_path, monkeypatch):
    """Under umask 000 the first `hooks trust` once made ~/.config (or any missing
    parent of the trust folder) world-writable: anyone could then swap the folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    old = os.umask(0)
    try:
        with updating_trust() as trust:
            trust.record(ON_ADD)
    finally:
        os.umask(old)
    for folder in (tmp_path / "home", tmp_path / "home" / ".config", trust_file_path().parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(trust_file_path().stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_file_in_a_folder_others_may_write_to_is_not_believed(trust_file, mode):
    """Whoever may write to the folder can put back an older trust file of yours (a
    hook you untrusted runs again) or swap the folder: the file is not believed."""
    write(trust_file, VERSION_1)
    trust_file.parent.chmod(mode)
    with pytest.raises(StorageError, match="others may write to its folder") as caught:
        load_trust()
    assert caught.value.hint == f"chmod 700 {trust_file.parent}"


def test_a_failed_write_leaves_the_old_file_and_no_temp(trust_file, monkeypatch):
    write(trust_file, VERSION_1)

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(StorageError, match="No space left on device"), updating_trust() as t:
        t.forget("/srv/log/complog.db", "on-add")
    assert trust_file.read_text() == VERSION_1
    assert [p.name for p in trust_file.parent.iterdir()] == ["hooks-trust.json"]


def test_write_private_replaces_whole(tmp_path):
    target = tmp_path / "file"
    target.write_text("old")
    write_private(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


TRUST_ONE = """
import sys
from complog.trust import Trusted, updating_trust
with updating_trust() as trust:
    trust.record(Trusted(sys.argv[1], "on-add", "/x", "ab" * 32, "2026-11-23"))
"""


def test_trust_recorded_at_the_same_time_by_several_processes_is_all_kept(trust_file):
    env = {**os.environ}
    procs = [
        subprocess.Popen([sys.executable, "-c", TRUST_ONE, f"/log{n}.db"], env=env)
        for n in range(8)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0] * 8
    trust = load_trust()
    assert all(trust.find(f"/log{n}.db", "on-add") is not None for n in range(8))


def test_a_path_that_is_not_utf8_round_trips(trust_file):
    odd = os.fsdecode(b"/srv/caf\xe9/complog.db")  # Latin-1 bytes: a lone surrogate in str
    with updating_trust() as trust:
        trust.record(Trusted(odd, "on-add", "/x", "ab" * 32, "2026-11-23"))
    assert load_trust().find(odd, "on-add") is not None


def test_config_folders_it_makes_are_private_under_umask_0(tmp_path):
    # XDG_CONFIG_HOME may not exist yet (a new account, a container): mkdir(parents=True)
    # made it 0777 under umask 000, where anyone could swap in their own trust file.
    config = tmp_path / "fresh" / "config"
    env = {**os.environ, "XDG_CONFIG_HOME": str(config)}

    subprocess.run([sys.executable, "-c", TRUST_ONE, "/log.db"], env=env, umask=0, check=True,
                   timeout=60)  # fmt: skip

    for made in (tmp_path / "fresh", config, config / "complog"):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700, made
    assert stat.S_IMODE((config / "complog" / "hooks-trust.json").stat().st_mode) == 0o600
