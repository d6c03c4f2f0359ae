"""Hooks tried as an attacker would, in real processes (issue 18): a bundled logbook's
hook does not run until trusted, a timeout stops everything, output is bounded,
paths are absolute, and a command starts one process per hook.

Each test runs the real `complog` (python -m complog) as a user would; the numbers
(wall time, peak memory) are those of that process and what it started.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from tests.cli.test_hooks import hook

pytestmark = pytest.mark.sqlite_only(
    reason="hooks/ beside a logbook file: tarballs, relative paths and folders of programs"
)

#: a hook that says it ran (and what it read) in a file beside its folder
MARK = '#!/bin/sh\nwc -l > "$(dirname "$0")/../{name}.ran"\n'


def complog(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "complog", *args],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL, timeout=timeout,
    )  # fmt: skip


def advice_args(stderr: str) -> list[str]:
    """The `complog hooks trust …` line complog printed, as arguments after `complog`."""
    [line] = [line for line in stderr.splitlines() if "complog " in line and "hooks trust" in line]
    words = shlex.split(line.split(": ", 1)[1])
    assert words[0] == "complog"
    return words[1:]


def bundle(run, stage: Path, tarball: Path, *, hooks_dir: str | None = None) -> None:
    """Somebody else's logbook with a hook beside it, as a tarball with their ownership."""
    db = stage / "shared-log" / "complog.db"
    run("--db", str(db), "add", "Acme Newsagency", "Till crashes")
    if hooks_dir is not None:
        run("--db", str(db), "config", "hooks_dir", hooks_dir)
    hook(stage / "shared-log" / "hooks", "on-add", MARK.format(name="bundled"))

    def theirs(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 4242
        info.uname = info.gname = "mallory"
        return info

    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(stage / "shared-log", arcname="shared-log", filter=theirs)


def unpack(tarball: Path, into: Path) -> Path:
    """As a user unpacks it: the files become theirs (GNU tar's default for non-root)."""
    into.mkdir()
    subprocess.run(["tar", "--no-same-owner", "-xzf", str(tarball), "-C", str(into)], check=True)
    return into / "shared-log" / "complog.db"


def test_a_bundled_hook_does_not_run_until_the_user_trusts_it(run, tmp_path):
    bundle(run, tmp_path / "theirs", tmp_path / "bundle.tgz")
    db = unpack(tmp_path / "bundle.tgz", tmp_path / "mine")
    hooks = db.parent / "hooks"
    assert (hooks / "on-add").stat().st_uid == os.getuid()  # the ownership check passes

    first = complog("--db", str(db), "add", "Bell Books", "Card reader", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "Logged complaint 2 for Bell Books\n"
    assert not (db.parent / "bundled.ran").exists()
    assert first.stderr == (
        f"warning: hook on-add not run: you have not trusted {hooks / 'on-add'};"
        " the change is saved\n"
        f"  check it, then allow it: complog --db {db} hooks trust on-add\n"
    )
    assert advice_args(first.stderr) == ["--db", str(db), "hooks", "trust", "on-add"]
    assert not any((tmp_path / "mine").rglob("*trust*"))  # trust lives with the person

    trusted = complog(*advice_args(first.stderr), cwd=tmp_path / "mine")
    assert trusted.returncode == 0, trusted.stderr
    again = complog("--db", str(db), "add", "Cole Garage", "Printer", cwd=tmp_path)
    assert again.returncode == 0 and again.stderr == ""
    assert (db.parent / "bundled.ran").read_text().strip() == "1"


def test_a_bundled_hooks_dir_pointing_at_your_own_programs_is_not_run(run, tmp_path):
    # Your own, trusted hook, for your own logbook...
    mine = tmp_path / "own-hooks"
    hook(mine, "on-add", MARK.format(name="own"))
    own_db = tmp_path / "own" / "complog.db"
    run("--db", str(own_db), "config", "hooks_dir", str(mine))
    run("--db", str(own_db), "hooks", "trust")
    # ...is somebody else's program to run when their logbook's settings point at it.
    bundle(run, tmp_path / "theirs", tmp_path / "bundle.tgz", hooks_dir=str(mine))
    db = unpack(tmp_path / "bundle.tgz", tmp_path / "mine")
    ran = complog("--db", str(db), "add", "Bell Books", "Card reader")
    assert ran.returncode == 0
    assert not (tmp_path / "own.ran").exists()
    assert ran.stderr == (
        f"warning: hook on-add not run: the logbook's hooks_dir setting points to {mine},"
        f" and you have not trusted {mine / 'on-add'}; the change is saved\n"
        f"  check it, then allow it: complog --db {db} hooks trust on-add\n"
    )
    complog("--db", str(own_db), "add", "Own customer", "Till")
    assert (tmp_path / "own.ran").exists()  # still trusted where you trusted it


def test_a_bundled_symlink_to_your_trusted_hook_is_not_trusted(run, tmp_path):
    mine = tmp_path / "own" / "hooks"
    run("--db", str(tmp_path / "own" / "complog.db"), "init")
    hook(mine, "on-add", MARK.format(name="own"))
    run("--db", str(tmp_path / "own" / "complog.db"), "hooks", "trust", "on-add")
    stage = tmp_path / "theirs"
    run("--db", str(stage / "shared-log" / "complog.db"), "init")
    (stage / "shared-log" / "hooks").mkdir(mode=0o700)
    (stage / "shared-log" / "hooks" / "on-add").symlink_to(mine / "on-add")
    with tarfile.open(tmp_path / "bundle.tgz", "w:gz") as tar:
        tar.add(stage / "shared-log", arcname="shared-log")
    db = unpack(tmp_path / "bundle.tgz", tmp_path / "mine")
    ran = complog("--db", str(db), "add", "Acme Newsagency", "Card reader")
    assert ran.returncode == 0
    assert "hook on-add not run: you have not trusted" in ran.stderr
    assert not (tmp_path / "own" / "own.ran").exists()


@pytest.fixture
def daemons(tmp_path):
    """Pid files of programs hooks leave running; each is stopped after the test."""
    folder = tmp_path / "daemons"
    folder.mkdir()
    yield folder
    for pidfile in folder.glob("*.pid"):
        pid = int(pidfile.read_text() or 0)
        try:  # only the sleep a hook left, never a stranger that reused its id
            ours = pid and b"sleep" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            ours = False
        if ours and alive(pid):
            os.kill(pid, signal.SIGKILL)


#: the hook's first line: when it started (wall clock), so that the time complog takes to
#: start on a loaded machine (6 s at load 10) is not counted against the hook's deadline
STARTED = "date +%s.%N > {}/hook.started\n"


def since_the_hook_started(daemons: Path) -> float:
    """Seconds from the hook's start until now (call it as complog has exited)."""
    return time.time() - float((daemons / "hook.started").read_text())


@pytest.mark.parametrize(("code", "ended"), [(0, "finished"), (3, "failed (exit 3)")])
def test_a_daemon_left_by_a_hook_cannot_outlast_the_timeout(run, logbook, daemons, code, ended):
    run("config", "hook_timeout", "2")
    hook(logbook.parent / "hooks", "on-add",
         f'#!/bin/sh\n{STARTED.format(daemons)}'
         f'setsid sleep 30 &\necho $! > {daemons}/sleep.pid\nexit {code}\n')  # fmt: skip
    run("hooks", "trust", "on-add")
    ran = complog("add", "Acme Newsagency", "Till", timeout=60)
    elapsed = since_the_hook_started(daemons)
    assert ran.returncode == 0
    assert ran.stdout == "Logged complaint 1 for Acme Newsagency\n"
    assert ran.stderr == (
        f"warning: hook on-add {ended}, but a program it started kept its output open;"
        " complog stopped waiting after 2s (send that program's output elsewhere,"
        " e.g. >/dev/null); the change is saved\n"
    )
    assert alive(int((daemons / "sleep.pid").read_text()))  # the daemon still lives...
    assert elapsed < 2 + 4, f"complog ended {elapsed:.1f}s after the hook started"  # not 30 s


def test_a_timeout_stops_the_hook_and_its_process_group(run, logbook, daemons):
    run("config", "hook_timeout", "1")
    hook(logbook.parent / "hooks", "on-add",
         f"#!/bin/sh\n{STARTED.format(daemons)}sleep 30 &\necho $! > {daemons}/child.pid\nwait\n")  # fmt: skip
    run("hooks", "trust", "on-add")
    ran = complog("add", "Acme Newsagency", "Till", timeout=60)
    assert since_the_hook_started(daemons) < 1 + 4
    assert ran.stderr == (
        "warning: hook on-add did not finish within 1s and was stopped; the change is saved\n"
    )
    assert dies(int((daemons / "child.pid").read_text()))  # killed with the hook


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for a reaper)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def dies(pid: int) -> bool:
    """It is gone within 5 s: SIGKILL is sent at once, but a process takes a moment to go."""
    deadline = time.monotonic() + 5
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


MEASURE = """
import resource, subprocess, sys
ran = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(ran.returncode, peak_kib, len(ran.stdout), len(ran.stderr))
"""


def peak_memory(*args: str) -> tuple[int, int, int]:
    """Run complog; (exit code, peak RSS in MiB of it and all it started, stderr bytes)."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, "-m", "complog", *args],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout.split()  # fmt: skip
    code, peak_kib, _stdout, stderr = map(int, out)
    return code, peak_kib // 1024, stderr


@pytest.mark.parametrize(
    "body",
    ["#!/bin/sh\nhead -c 200000000 /dev/zero\n", "#!/bin/sh\nexec cat /dev/zero\n"],
    ids=["200MB", "endless"],
)
def test_a_flood_of_output_keeps_memory_flat_and_the_exit_code(run, logbook, body):
    run("config", "hook_timeout", "2")
    hooks = logbook.parent / "hooks"
    hook(hooks, "on-add", "#!/bin/sh\necho quiet\n")
    run("hooks", "trust", "on-add")
    code, quiet_peak, _ = peak_memory("add", "Acme Newsagency", "Till")
    assert code == 0
    hook(hooks, "on-add", body)
    run("hooks", "trust", "on-add")
    code, flood_peak, stderr_bytes = peak_memory("add", "Acme Newsagency", "Printer")
    assert code == 0
    assert flood_peak < quiet_peak + 16, f"peak {flood_peak} MiB, {quiet_peak} MiB when quiet"
    assert 64 * 1024 <= stderr_bytes < 64 * 1024 + 1024  # 64 KiB kept, and one line about it
    assert run("show", "2", "--format", "json").json["summary"] == "Printer"


def test_a_flood_is_cut_to_64_kib_and_says_so(run, logbook):
    run("init")
    hook(logbook.parent / "hooks", "on-add", "#!/bin/sh\nhead -c 1000000 /dev/zero | tr '\\0' x\n")
    run("hooks", "trust", "on-add")
    ran = complog("add", "Acme Newsagency", "Till")
    assert ran.returncode == 0
    assert ran.stderr == "x" * 65536 + (
        "\n[934,464 more bytes of output dropped: complog keeps 64 KiB]\n"
    )


def test_hooks_run_with_a_relative_logbook_path(run, tmp_path):
    db = tmp_path / "shared-log" / "complog.db"
    run("--db", str(db), "init")
    hooks = db.parent / "hooks"
    hook(hooks, "on-add", '#!/bin/sh\ncat > "$(dirname "$0")/../on-add.jsonl"\npwd -P >&2\n')
    first = complog("--db", "shared-log/complog.db", "add", "Acme Newsagency", "Till", cwd=tmp_path)
    assert complog(*advice_args(first.stderr), cwd=hooks).returncode == 0  # from anywhere
    ran = complog("--db", "shared-log/complog.db", "add", "Bell Books", "Card", cwd=tmp_path)
    assert ran.returncode == 0
    assert ran.stderr == f"{hooks.resolve()}\n"  # it runs in its folder
    [payload] = [json.loads(line) for line in (db.parent / "on-add.jsonl").read_text().splitlines()]
    assert payload["logbook"] == str(db)
    assert payload["complaint"]["summary"] == "Card"


def test_escalate_auto_starts_one_hook_process_for_all_its_escalations(run, logbook):
    for n in range(60):
        run("add", f"Customer {n}", "Till", "--at", "2026-11-16 09:00",
            "--promise", "Call back", "--due", "2026-11-16 12:00")  # fmt: skip
    hooks = logbook.parent / "hooks"
    hook(hooks, "on-escalate", "#!/bin/sh\n"
         'echo "$COMPLOG_HOOK_EVENTS" >> "$(dirname "$0")/../starts"\n'
         'cat >> "$(dirname "$0")/../escalations.jsonl"\n')  # fmt: skip
    run("hooks", "trust", "on-escalate")
    ran = complog("escalate", "--auto", "--format", "json")
    assert ran.returncode == 0, ran.stderr
    created = json.loads(ran.stdout)
    assert len(created) >= 60
    received = (logbook.parent / "escalations.jsonl").read_text().splitlines()
    assert [json.loads(line)["event"]["entity_id"] for line in received] == [
        e["id"] for e in created
    ]
    assert (logbook.parent / "starts").read_text() == f"{len(created)}\n"  # one process


@pytest.mark.parametrize(
    "body",
    [
        "#!/bin/sh\nexit 0\n",  # never reads
        "#!/bin/sh\nexec 0<&-\nsleep 0.2\n",  # closes its input, then works on
        "#!/bin/sh\nhead -c 100 > /dev/null\n",  # reads a little, then exits
    ],
    ids=["never-reads", "closes-stdin", "reads-a-little"],
)
def test_a_hook_that_does_not_read_its_input_cannot_block_complog(run, logbook, body):
    """A batch far larger than a pipe holds (64 KiB): writing it must neither block
    nor fail when the hook stops reading."""
    for n in range(40):
        run("add", f"Customer {n}", "Till", "--at", "2026-11-16 09:00",
            "--promise", "Call back", "--due", "2026-11-16 12:00")  # fmt: skip
    hook(logbook.parent / "hooks", "on-escalate", body)
    run("hooks", "trust", "on-escalate")
    ran = complog("escalate", "--auto", timeout=30)
    assert ran.returncode == 0
    assert ran.stderr == ""


@pytest.mark.parametrize(
    ("sig", "code", "said"),
    [
        (signal.SIGINT, 130, "interrupted while running hooks"),
        # `timeout 60 complog …` in cron, or a service manager: once complog died at
        # once and its hook, in a session of its own, ran on with no deadline at all.
        (signal.SIGTERM, 143, "stopped by SIGTERM while running hooks"),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_a_signal_while_a_hook_runs_stops_it_and_says_the_change_is_saved(
    run, logbook, daemons, sig, code, said
):
    hooks = logbook.parent / "hooks"
    run("init")
    hook(hooks, "on-add", f"#!/bin/sh\necho $$ > {daemons}/hook.pid\nexec sleep 30\n")
    run("hooks", "trust", "on-add")
    proc = subprocess.Popen(
        [sys.executable, "-m", "complog", "add", "Acme Newsagency", "Till"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    pidfile = daemons / "hook.pid"
    deadline = time.monotonic() + 60
    while not pidfile.exists() or not pidfile.read_text().strip():
        assert time.monotonic() < deadline and proc.poll() is None, "the hook never started"
        time.sleep(0.05)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=30)
    assert (proc.returncode, stdout, stderr) == (
        code,
        "Logged complaint 1 for Acme Newsagency\n",
        f"warning: {said}; the change is saved\n",
    )
    assert dies(int(pidfile.read_text()))  # the hook went with it
    assert run("show", "1", "--format", "json").json["summary"] == "Till"


def test_a_hook_that_prints_to_a_closed_stderr_keeps_the_exit_code(run, logbook):
    """A hook's output goes to complog's stderr; with descriptor 2 closed (a cron line
    ending in 2>&-) that once made complog exit 1 after the change was saved."""
    run("init")
    hook(logbook.parent / "hooks", "on-add", "#!/bin/sh\necho 'posted to chat'\n")
    run("hooks", "trust", "on-add")
    done = subprocess.run(
        [sys.executable, "-m", "complog", "add", "Acme Newsagency", "Till"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, timeout=120,
        preexec_fn=lambda: os.close(2),
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "Logged complaint 1 for Acme Newsagency\n")
