"""Every path complog writes (files.py) and the logbook path it opens (connect.py):
the live logbook is never overwritten, nothing is followed or adopted that complog did
not make, devices and pipes are streams, and nothing but files.py opens a file to write.

Real processes throughout: what matters is what the operating system sees.
"""

from __future__ import annotations

import ast
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import complog_process

SRC = Path(__file__).resolve().parents[2] / "src" / "complog"

#: --out options of every command that writes a file for the user
OUTPUTS = [
    ("export", "--out"),
    ("report", "--html"),
    ("calendar", "--out"),
]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def sqlite_logbook(logbook, proc) -> Path:
    proc(
        "add",
        "Acme Newsagency",
        "Till crashes at close",
        "--promise",
        "Call back",
        "--due",
        "today 3pm",
    )
    return Path(logbook)


# -- 1. the live logbook is never an output ------------------------------------------------


@pytest.mark.sqlite_only(reason="the SQLite logbook file as an output target")
@pytest.mark.parametrize(("command", "option"), OUTPUTS, ids=[c for c, _ in OUTPUTS])
@pytest.mark.parametrize("which", ["", "-wal", "-shm", "link"])
def test_the_live_logbook_and_its_journal_are_refused_as_outputs(
    sqlite_logbook, proc, command, option, which
):
    db = sqlite_logbook
    target = db.with_name(db.name + which)
    if which == "link":
        target = db.parent / "innocent.db"
        target.symlink_to(db)
    before = db.read_bytes()

    done = proc(command, option, str(target), exit=2)

    assert "is the logbook itself" in done.stderr
    assert db.read_bytes() == before
    assert proc("list", "--format", "json").json[0]["customer"] == "Acme Newsagency"


@pytest.mark.sqlite_only(reason="migration backups beside the SQLite logbook")
def test_a_migration_backup_beside_the_logbook_is_refused_as_an_output(sqlite_logbook, proc):
    backup = sqlite_logbook.with_name(sqlite_logbook.name + ".0001_initial.bak")
    backup.write_bytes(b"precious")

    proc("export", "--out", str(backup), exit=2)

    assert backup.read_bytes() == b"precious"


# -- 2. the opener changes nothing it did not create ---------------------------------------


@pytest.mark.sqlite_only(reason="the SQLite logbook path")
@pytest.mark.parametrize("command", [["list"], ["due"], ["add", "Acme", "Till"]])
def test_a_fifo_as_the_logbook_is_refused_unchanged_and_nothing_hangs(tmp_path, command):
    fifo = tmp_path / "log.db"
    os.mkfifo(fifo, 0o644)

    done = complog_process(*command, env={"COMPLOG_DB": str(fifo)}, exit=2, timeout=20)

    assert "named pipe" in done.stderr
    assert mode(fifo) == 0o644
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.sqlite_only(reason="the SQLite logbook path")
@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
@pytest.mark.parametrize("command", [["list"], ["add", "Acme", "Till"]])
def test_a_device_as_the_logbook_is_refused_and_never_chmodded_even_as_root(tmp_path, command):
    # A private copy of /dev/null (major 1, minor 3): what the old opener chmodded 0600.
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.chmod(device, 0o666)

    done = complog_process(*command, env={"COMPLOG_DB": str(device)}, exit=2)

    assert "character device" in done.stderr
    assert mode(device) == 0o666


@pytest.mark.sqlite_only(reason="the SQLite logbook path")
def test_a_folder_as_the_logbook_is_refused(tmp_path):
    done = complog_process("list", env={"COMPLOG_DB": str(tmp_path)}, exit=2)

    assert "folder" in done.stderr


@pytest.mark.sqlite_only(reason="the SQLite logbook path")
@pytest.mark.parametrize("command", [["list"], ["add", "Acme", "Till"]])
def test_a_symlink_to_someone_elses_empty_file_is_not_turned_into_a_logbook(tmp_path, command):
    victim = tmp_path / "victim.txt"
    victim.touch()
    os.chmod(victim, 0o644)
    (tmp_path / "log.db").symlink_to(victim)

    done = complog_process(*command, env={"COMPLOG_DB": str(tmp_path / "log.db")}, exit=2)

    assert "empty file complog did not create" in done.stderr
    assert victim.stat().st_size == 0
    assert mode(victim) == 0o644


@pytest.mark.sqlite_only(reason="the SQLite logbook path")
def test_an_empty_readable_file_is_not_chmodded_or_adopted(tmp_path):
    db = tmp_path / "log.db"
    db.touch()
    os.chmod(db, 0o644)

    complog_process("add", "Acme", "Till", env={"COMPLOG_DB": str(db)}, exit=2)

    assert mode(db) == 0o644
    assert db.stat().st_size == 0


@pytest.mark.sqlite_only(reason="the SQLite logbook path")
def test_an_empty_private_file_of_ours_is_a_logbook_whose_creation_was_interrupted(tmp_path):
    db = tmp_path / "log.db"
    db.touch()
    os.chmod(db, 0o600)

    complog_process("add", "Acme", "Till", env={"COMPLOG_DB": str(db)})

    assert complog_process("list", "-f", "json", env={"COMPLOG_DB": str(db)}).json[0]["id"] == 1


@pytest.mark.sqlite_only(reason="the SQLite logbook's -wal and -shm files")
@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_a_symlinked_wal_or_shm_is_refused_and_its_target_untouched(tmp_path, suffix):
    db = tmp_path / "log.db"
    complog_process("add", "Acme", "Till", env={"COMPLOG_DB": str(db)})
    for side in ("-wal", "-shm"):
        db.with_name(db.name + side).unlink(missing_ok=True)
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    db.with_name(db.name + suffix).symlink_to(victim)

    done = complog_process("add", "Acme", "Again", env={"COMPLOG_DB": str(db)}, exit=2)

    assert "symlink" in done.stderr
    assert victim.read_bytes() == b"keep me"


# -- 3. temporary files are private and unpredictable -------------------------------------


@pytest.mark.sqlite_only(reason="files beside an output; the back end does not choose them")
def test_a_planted_symlink_at_the_old_temporary_name_is_not_followed(
    sqlite_logbook, proc, tmp_path
):
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    out = tmp_path / "out.csv"
    (tmp_path / ".out.csv.tmp").symlink_to(victim)
    (tmp_path / "out.csv.tmp").symlink_to(victim)

    proc("export", "--format", "csv", "--out", str(out))

    assert victim.read_text() == "keep me"
    assert out.read_text().startswith("id,")
    assert mode(out) == 0o600


@pytest.mark.sqlite_only(reason="files beside an output; the back end does not choose them")
def test_a_planted_world_writable_temporary_file_is_not_adopted(sqlite_logbook, proc, tmp_path):
    for name in (".out.jsonl.tmp", "out.jsonl.tmp", ".bk.db.tmp", "bk.db.tmp"):
        planted = tmp_path / name
        planted.write_text("")
        os.chmod(planted, 0o666)

    proc("export", "--out", str(tmp_path / "out.jsonl"))
    proc("backup", str(tmp_path / "bk.db"))

    assert mode(tmp_path / "out.jsonl") == 0o600
    assert mode(tmp_path / "bk.db") == 0o600


def test_two_exports_to_one_file_at_once_both_succeed_with_a_whole_file(logbook, proc, tmp_path):
    for n in range(30):
        proc("add", f"Customer {n}", "x" * 2000)
    out = tmp_path / "same.jsonl"
    results: list[subprocess.CompletedProcess[str]] = []

    def export() -> None:
        results.append(
            subprocess.run(
                [sys.executable, "-m", "complog", "export", "--out", str(out)],
                capture_output=True,
                text=True,
                timeout=60,
            )  # fmt: skip
        )

    threads = [threading.Thread(target=export) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    lines = out.read_text().splitlines()
    assert len(lines) == 30 and "\x00" not in out.read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


@pytest.mark.sqlite_only(reason="output file modes; the back end does not choose them")
@pytest.mark.parametrize(("command", "option"), [*OUTPUTS, ("backup", None)])
def test_every_output_is_0600_under_umask_0(sqlite_logbook, tmp_path, command, option):
    out = tmp_path / f"out-{command}"
    args = [command, str(out)] if option is None else [command, option, str(out)]

    done = subprocess.run(
        [sys.executable, "-m", "complog", *args], capture_output=True, text=True, umask=0,
        timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert mode(out) == 0o600


# -- 4. devices, pipes, symlinks and - ----------------------------------------------------


@pytest.mark.parametrize(("command", "option"), OUTPUTS, ids=[c for c, _ in OUTPUTS])
def test_an_output_through_a_symlink_replaces_the_target_and_keeps_the_link(
    logbook, proc, tmp_path, command, option
):
    proc("add", "Acme", "Till", "--promise", "Call back", "--due", "tomorrow")
    synced = tmp_path / "synced"
    synced.mkdir()
    real = synced / "feed"
    real.write_text("old")
    link = tmp_path / "link"
    link.symlink_to(real)

    proc(command, option, str(link))

    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() != "old" and real.stat().st_size > 100
    assert mode(real) == 0o600


@pytest.mark.parametrize(("command", "option"), OUTPUTS, ids=[c for c, _ in OUTPUTS])
def test_a_fifo_output_is_written_as_a_stream_and_stays_a_fifo(
    logbook, proc, tmp_path, command, option
):
    proc("add", "Acme", "Till", "--promise", "Call back", "--due", "tomorrow")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o644)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()

    proc(command, option, str(fifo))
    reader.join(timeout=30)

    assert received and len(received[0]) > 100
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and mode(fifo) == 0o644


@pytest.fixture
def full_device(tmp_path) -> Path:
    """A device that refuses every write: a private /dev/full when we may make one, so a
    broken complog replaces that copy, not the machine's (the old code did, as root)."""
    if os.geteuid() != 0:
        return Path("/dev/full")
    device = tmp_path / "full"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    return device


@pytest.mark.parametrize(("command", "option"), OUTPUTS, ids=[c for c, _ in OUTPUTS])
def test_dev_stdout_and_dash_write_to_standard_output_and_create_no_file(
    logbook, tmp_path, command, option
):
    complog_process("add", "Acme", "Till", "--promise", "Call back", "--due", "tomorrow")
    stdout_link = tmp_path / "stdout"  # what /dev/stdout is, without risking the real one
    stdout_link.symlink_to("/proc/self/fd/1")
    for target in ("-", str(stdout_link)):
        done = subprocess.run(
            [sys.executable, "-m", "complog", command, option, target],
            capture_output=True, timeout=60, cwd=tmp_path, stdin=subprocess.DEVNULL,
        )  # fmt: skip

        assert done.returncode == 0, done.stderr
        assert len(done.stdout) > 100
        assert not (tmp_path / "-").exists()
    assert os.readlink(stdout_link) == "/proc/self/fd/1"


@pytest.mark.parametrize(("command", "option"), OUTPUTS, ids=[c for c, _ in OUTPUTS])
@pytest.mark.parametrize("target", ["-", "stdout-link"])
def test_a_stream_whose_reader_left_is_exit_0_and_quiet_as_for_standard_output(
    logbook, tmp_path, command, option, target
):
    # `complog export --out /dev/stdout | head -1`: the same as `--out -`, and as
    # `complog list | head -1` (cli/streams.py); it was exit 5 "Broken pipe".
    complog_process("add", "Acme", "Till", "--promise", "Call back", "--due", "tomorrow")
    if target == "stdout-link":
        target = str(tmp_path / "stdout")
        os.symlink("/proc/self/fd/1", target)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before complog writes a byte
    try:
        done = subprocess.run(
            [sys.executable, "-m", "complog", command, option, target], stdout=write_end,
            stderr=subprocess.PIPE, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        os.close(write_end)

    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize(("command", "option"), OUTPUTS, ids=[c for c, _ in OUTPUTS])
def test_a_full_device_is_a_storage_error_and_stays_a_device(
    logbook, proc, full_device, command, option
):
    proc("add", "Acme", "Till", "--promise", "Call back", "--due", "tomorrow")

    done = proc(command, option, str(full_device), exit=5)

    assert "No space left on device" in done.stderr
    assert stat.S_ISCHR(os.lstat(full_device).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_block_device_is_refused_as_an_output_and_named_for_what_it_is(logbook, proc, tmp_path):
    # A private node (a loop device's numbers); never opened: refused from its mode alone.
    device = tmp_path / "disk"
    os.mknod(device, 0o600 | stat.S_IFBLK, os.makedev(7, 250))

    done = proc("export", "--out", str(device), exit=2)

    assert done.stderr.startswith(f"complog: error: {device} is a block device, not a file")
    assert stat.S_ISBLK(os.lstat(device).st_mode)


@pytest.mark.sqlite_only(reason="a backup is a SQLite file")
@pytest.mark.parametrize("target", ["-", "/dev/null"])
def test_a_backup_needs_a_file_name(sqlite_logbook, proc, target):
    proc("backup", target, exit=2)


# -- one module writes files --------------------------------------------------------------

#: calls that create, open or replace a file for writing (besides open() with a write mode)
WRITERS = {"os.replace", "os.rename", "os.mknod", "tempfile.mkstemp",
           "tempfile.NamedTemporaryFile", "tempfile.TemporaryFile", "shutil.copyfile", "shutil.copy", "shutil.copy2",
           "shutil.move"}  # fmt: skip
PATH_WRITERS = {"write_text", "write_bytes", "touch"}
#: modules that may: files.py owns the user's files; connect.py creates the logbook itself
ALLOWED = {"files.py", "connect.py"}


_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_APPEND")


def _write_calls(path: Path) -> list[str]:
    """Calls in one module that open or replace a file for writing."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args = [*node.args, *(k.value for k in node.keywords)]
        if args and ast.unparse(args[0]) == "os.devnull":
            continue  # /dev/null on a closed descriptor (cli/streams.py): no file is written
        modes = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        writes_mode = any(set(m) <= set("rwaxbt+") and set(m) & set("wax+") for m in modes if m)
        if (
            ast.unparse(func) in WRITERS
            or name in PATH_WRITERS
            or (
                name in ("open", "fdopen")
                and (writes_mode or any(_FLAGS.search(ast.unparse(a)) for a in args))
            )
        ):
            found.append(f"{path.relative_to(SRC)}:{node.lineno} {ast.unparse(func)}()")
    return found


@pytest.mark.sqlite_only(reason="reads complog's source; no logbook")
def test_only_files_py_opens_a_file_for_writing():
    offenders = [
        call
        for path in sorted(SRC.rglob("*.py"))
        if path.name not in ALLOWED
        for call in _write_calls(path)
    ]

    assert offenders == []


@pytest.mark.sqlite_only(reason="reads complog's source; no logbook")
def test_the_write_check_sees_every_kind_of_write():
    calls = _write_calls(SRC / "files.py") + _write_calls(SRC / "connect.py")

    assert {c.split()[-1] for c in calls} >= {
        "tempfile.mkstemp()",
        "os.replace()",
        "os.open()",
        "os.fdopen()",
    }


@pytest.mark.sqlite_only(reason="the SQLite logbook's own files as a migration target")
@pytest.mark.parametrize("which", ["-wal", "link"])
def test_migrate_to_refuses_the_logbooks_journal_or_a_link_to_it(sqlite_logbook, proc, which):
    db = sqlite_logbook
    target = db.with_name(db.name + which)
    if which == "link":
        target.symlink_to(db)

    done = proc("migrate-to", str(target), exit=2)

    assert "is the logbook itself" in done.stderr
    assert proc("list", "--format", "json").json[0]["customer"] == "Acme Newsagency"


# -- found by an attack on the above (the "break this" pass) --------------------------------


@pytest.mark.sqlite_only(reason="hard links to the SQLite logbook's -wal")
def test_migrate_to_refuses_a_hard_link_to_the_logbooks_wal(sqlite_logbook, proc):
    db = sqlite_logbook
    wal = db.with_name(db.name + "-wal")
    if not wal.exists():
        wal.write_bytes(b"")
        os.chmod(wal, 0o600)
    os.link(wal, db.parent / "other.db")

    proc("migrate-to", str(db.parent / "other.db"), exit=2)


@pytest.mark.sqlite_only(reason="the SQLite logbook's file names")
def test_backups_of_a_logbook_with_brackets_in_its_name_are_protected(tmp_path):
    db = tmp_path / "log[1].db"
    env = {"COMPLOG_DB": str(db)}
    complog_process("add", "Acme", "Till", env=env)
    backup = tmp_path / "log[1].db.0002_search.bak"
    backup.write_bytes(b"precious")

    complog_process("export", "--out", str(backup), env=env, exit=2)

    assert backup.read_bytes() == b"precious"


@pytest.mark.sqlite_only(reason="the SQLite logbook's -journal")
def test_the_rollback_journal_name_is_refused_as_an_output(sqlite_logbook, proc):
    proc("export", "--out", str(sqlite_logbook) + "-journal", exit=2)


@pytest.mark.sqlite_only(reason="hard links beside the SQLite logbook")
def test_a_hard_linked_shm_is_refused_and_its_other_name_untouched(tmp_path):
    db = tmp_path / "log.db"
    complog_process("add", "Acme", "Till", env={"COMPLOG_DB": str(db)})
    for side in ("-wal", "-shm"):
        db.with_name(db.name + side).unlink(missing_ok=True)
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    os.chmod(victim, 0o644)
    os.link(victim, db.with_name(db.name + "-shm"))

    complog_process("list", env={"COMPLOG_DB": str(db)}, exit=2)

    assert victim.read_bytes() == b"keep me" and mode(victim) == 0o644


@pytest.mark.skipif(os.geteuid() != 0, reason="planting another user's symlink needs root")
def test_a_symlink_another_user_planted_in_a_sticky_folder_is_not_followed(logbook, proc, tmp_path):
    proc("add", "Acme", "Till")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    victim = tmp_path / "precious.conf"
    victim.write_text("keep me")
    trap = shared / "report.csv"
    trap.symlink_to(victim)
    os.lchown(trap, 65534, 65534)  # nobody's link

    done = proc("export", "--format", "csv", "--out", str(trap), exit=2)

    assert "another user" in done.stderr
    assert victim.read_text() == "keep me"


@pytest.mark.sqlite_only(reason="a backup is a SQLite file")
def test_two_backups_to_one_new_name_at_once_never_replace_each_other(sqlite_logbook, tmp_path):
    target = tmp_path / "same.db"
    started = [
        subprocess.Popen([sys.executable, "-m", "complog", "backup", str(target)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        for _ in range(3)
    ]  # fmt: skip
    codes = sorted(p.wait(timeout=60) for p in started)

    assert codes.count(0) >= 1 and set(codes) <= {0, 2}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".same.db")] == []


def test_an_error_quoting_a_hostile_file_name_is_inert(logbook, proc):
    done = proc("export", "--out", "/nonexistent/\x1b[31mRED\x1b]0;pwned\x07/x", exit=2)

    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "\\x1b" in done.stderr
