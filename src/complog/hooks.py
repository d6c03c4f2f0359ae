"""Hooks: the user's own programs, run after a change is committed.

An executable named `on-add`, `on-promise`, `on-kept`, `on-escalate` or
`on-resolve` in the hooks folder runs once per matching audit event, with one
JSON object on stdin: the event (as `complog history --format json` shows it),
the complaint it belongs to (as in `complog list --format json`) and the
logbook. The folder is the `hooks_dir` setting, else `hooks/` next to a SQLite
logbook (a PostgreSQL logbook has no "next to": only `hooks_dir` applies).

A hook runs after the commit, so whatever it does, the change is saved: a
hook that fails, cannot be run or outlives `hook_timeout` is reported and the
command still succeeds. A hook, or its folder, that someone else owns or may
write to is not run: a shared logbook must not let one user run programs as
another.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from complog.errors import ComplogError

if TYPE_CHECKING:
    from complog.connect import Location
    from complog.models import Event
    from complog.queries import Reader

HOOKS = {
    "add": "on-add",
    "promise": "on-promise",
    "kept": "on-kept",
    "escalate": "on-escalate",
    "resolve": "on-resolve",
}
#: what a hook printed, relayed to stderr, at most
OUTPUT_LIMIT = 4_000


@dataclass(frozen=True)
class HookRun:
    hook: str
    path: Path
    #: None when it ran and exited 0
    problem: str | None
    output: str


def hooks_folder(location: Location, configured: str) -> Path | None:
    """`hooks_dir` (relative to the logbook's folder), else `hooks/` beside the file."""
    base = location.path.parent if location.path is not None else Path.cwd()
    if configured.strip():
        folder = Path(configured.strip()).expanduser()
        return folder if folder.is_absolute() else base / folder
    return base / "hooks" if location.path is not None else None


def fire(
    location: Location, reader: Reader, events: Sequence[Event], folder: Path, timeout: int
) -> list[HookRun]:
    """Run the hook of each event that has one; report, never raise."""
    from complog.render import shapes

    tz = reader.settings().tz
    runs = []
    for event in events:
        name = HOOKS.get(event.action)
        if name is None or not (folder / name).exists():
            continue
        complaint = None
        if event.complaint_id is not None:
            try:
                complaint = shapes.complaint_json(reader.complaint(event.complaint_id), tz)
            except ComplogError:  # gone or unreadable since: the event still goes out
                complaint = None
        payload = {
            "hook": name,
            "logbook": str(location),
            "event": shapes.event_json(_event_row(event), tz),
            "complaint": complaint,
        }
        runs.append(run_hook(folder / name, payload, timeout))
    return runs


def _event_row(event: Event) -> Any:
    from complog.rows import EventRow

    assert event.id is not None
    return EventRow(
        event.id, event.at, event.actor, event.action, event.entity, event.entity_id,
        event.complaint_id, json.loads(event.before) if event.before else None,
        json.loads(event.after) if event.after else None,
    )  # fmt: skip


def _unsafe(path: Path) -> str | None:
    """Why a hook (or its folder) must not run: someone else could have put it there."""
    for item in (path, path.parent):
        info = item.stat()
        if info.st_uid not in (os.getuid(), 0):
            return f"{item} belongs to someone else"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return f"others may write to {item} (chmod go-w it)"
    return None


def run_hook(path: Path, payload: dict[str, Any], timeout: int) -> HookRun:
    name = path.name
    try:
        unsafe = _unsafe(path)
    except OSError as exc:
        return HookRun(name, path, f"cannot be checked ({exc.strerror})", "")
    if unsafe:
        return HookRun(name, path, f"not run: {unsafe}", "")
    if not path.is_file() or not os.access(path, os.X_OK):
        return HookRun(name, path, f"is not executable (chmod +x {path})", "")
    data = json.dumps(payload, ensure_ascii=False).encode()
    try:
        # Its own session, so a timeout stops the hook and everything it started.
        proc = subprocess.Popen(
            [str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=path.parent, start_new_session=True, env={**os.environ, "COMPLOG_HOOK": name},
        )  # fmt: skip
    except OSError as exc:
        return HookRun(name, path, f"cannot be run ({exc.strerror})", "")
    try:
        out, _ = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return HookRun(name, path, f"did not finish within {timeout}s and was stopped", _text(out))
    problem = None if proc.returncode == 0 else _exit_problem(proc.returncode)
    return HookRun(name, path, problem, _text(out))


def _exit_problem(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"failed (exit {code})"


def _text(data: bytes | None) -> str:
    text = (data or b"").decode("utf-8", errors="replace").strip()
    return text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + "…"
