"""Hooks: the user's own programs, run after a change is committed.

An executable named `on-add`, `on-promise`, `on-kept`, `on-escalate` or
`on-resolve` in the hooks folder runs once per command that made such events,
reading them as JSON Lines on stdin, one object per event: the event (as
`complog history --format json` shows it), the complaint it belongs to (as in
`complog list --format json`) and the logbook. The folder is the `hooks_dir`
setting, else `hooks/` next to a SQLite logbook (a PostgreSQL logbook has no
"next to": only `hooks_dir` applies). Every path a hook sees is absolute.

A hook runs only when all of these hold, checked in this order:
- nobody else owns it or may write to it or its folder (a shared logbook must
  not let one user run programs as another);
- it is an executable file;
- the person running complog trusted it, for this logbook, with this content
  (trust.py): a logbook handed over in a tarball or a clone, or a `hooks_dir`
  a shared logbook points at, runs nothing until then.

A hook runs after the commit, so whatever it does, the change is saved: a
hook that fails, cannot be run, is not trusted or outlives `hook_timeout` is
reported on stderr and the command keeps its exit code. hookrun.py bounds
its time and its output.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shlex
import signal
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from complog.errors import ComplogError

if TYPE_CHECKING:
    from complog.connect import Location
    from complog.queries import Reader
    from complog.tables.complaints import Event
    from complog.trust import TrustFile

HOOKS = {
    "add": "on-add",
    "promise": "on-promise",
    "kept": "on-kept",
    "escalate": "on-escalate",
    "resolve": "on-resolve",
}
NAMES = tuple(HOOKS.values())

#: What `complog hooks` says about a hook: it runs (trusted); it would run but its
#: path or content changed since it was trusted (changed); nobody trusted it here
#: (untrusted); it may not run whatever the trust (refused: owner, modes, not a
#: program); there is none (absent).
STATES = ("trusted", "changed", "untrusted", "refused", "absent")


@dataclass(frozen=True)
class HooksFolder:
    #: absolute, whatever --db looked like
    path: Path
    #: named by the logbook's own hooks_dir setting, not found beside it
    configured: bool


@dataclass(frozen=True)
class HookState:
    hook: str
    #: where complog looks for it (absolute)
    path: Path
    state: str
    #: why it is refused, or what changed
    reason: str | None = None
    #: the program that would run (symbolic links followed)
    real_path: Path | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class HookRun:
    hook: str
    path: Path
    #: None when it ran and exited 0
    problem: str | None
    output: str
    #: what to do about it (the `complog hooks trust` line)
    advice: str | None = None


def hooks_folder(location: Location, configured: str) -> HooksFolder | None:
    """`hooks_dir` (relative to the logbook's folder), else `hooks/` beside the file."""
    base = location.path.parent if location.path is not None else Path.cwd()
    base = Path(os.path.abspath(base))
    if configured.strip():
        folder = Path(configured.strip()).expanduser()
        return HooksFolder(Path(os.path.abspath(base / folder)), configured=True)
    return HooksFolder(base / "hooks", configured=False) if location.path is not None else None


def logbook_key(location: Location) -> str:
    """The logbook, as trust records name it: the SQLite file's real path (however it
    was reached), or the server URL without its password."""
    if location.path is not None:
        return os.path.realpath(location.path)
    url = _without_password(location.url or "")
    scheme, rest = url.split("://", 1)
    return ("postgresql" if scheme in ("postgres", "postgresql+psycopg") else scheme) + "://" + rest


def _without_password(url: str) -> str:
    """The URL to print: a password has no place in cron mail (libpq finds it in
    ~/.pgpass or PGPASSWORD when the line is run)."""
    parts = urlsplit(url)
    netloc = re.sub(r"^([^:@/]*):[^@]*@", r"\1@", parts.netloc)
    query = parts.query
    if any(k == "password" for k, _ in parse_qsl(query)):
        query = urlencode([(k, v) for k, v in parse_qsl(query) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def trust_command(location: Location, names: Sequence[str]) -> str:
    """The exact line that trusts these hooks of this logbook, from any folder."""
    from complog.connect import default_path

    args = ["complog"]
    if location.path is None:
        url = location.url or ""
        # A URL with a password is printed without it; if it came from COMPLOG_DB,
        # the same environment supplies it again, so the line names no logbook.
        if _without_password(url) == url or os.environ.get("COMPLOG_DB", "").strip() != url:
            args += ["--db", _without_password(url)]
    elif os.path.abspath(location.path) != os.path.abspath(default_path()):
        args += ["--db", os.path.abspath(location.path)]
    return shlex.join([*args, "hooks", "trust", *names])


# -- what a hook is -------------------------------------------------------------------


def examine(folder: HooksFolder, name: str, logbook: str, trust: TrustFile) -> HookState:
    """The state of one hook of this logbook, for this person."""
    path = folder.path / name
    if not os.path.lexists(path):
        return HookState(name, path, "absent")
    try:
        refused = _refused(path)
    except OSError as exc:
        return HookState(name, path, "refused", f"it cannot be checked ({exc.strerror})")
    if refused:
        return HookState(name, path, "refused", refused)
    try:
        real = _real(path)
        digest = _sha256(real)
    except OSError as exc:
        return HookState(name, path, "refused", f"it cannot be read ({exc.strerror})")
    known = trust.find(logbook, name)
    if known is None:
        return HookState(name, path, "untrusted", None, real, digest)
    if known.path != str(real):
        why = f"it now runs {real}, not {known.path}"
        return HookState(name, path, "changed", why, real, digest)
    if known.sha256 != digest:
        why = f"its content changed since you trusted it ({known.trusted_at})"
        return HookState(name, path, "changed", why, real, digest)
    return HookState(name, path, "trusted", None, real, digest)


def _refused(path: Path) -> str | None:
    """Why a hook must not run whoever trusts it; None if it may."""
    unsafe = _unsafe(path)
    if unsafe:
        return unsafe
    if not path.is_file():
        return f"it is not a file: {path}"
    if not os.access(path, os.X_OK):
        return f"it is not executable (chmod +x {path})"
    return None


def _unsafe(path: Path) -> str | None:
    """Why a hook (or its folder) must not run: someone else could have put it there.

    Symbolic links are followed: the program, the folder it is in and the hooks
    folder must all be the user's (or root's) and not writable by others.
    """
    real = _real(path)
    for item in dict.fromkeys((path, path.parent, real.parent)):
        info = item.stat()
        if info.st_uid not in (os.getuid(), 0):
            return f"{item} belongs to someone else"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return f"others may write to {item} (chmod go-w it)"
    return None


def _real(path: Path) -> Path:
    """The program a hook path runs, links followed. OSError for a link loop (ELOOP) or
    a dangling link: Path.resolve() raises RuntimeError for a loop on Python 3.11/3.12,
    which escaped as "unexpected RuntimeError" after the change was saved."""
    return Path(os.path.realpath(path, strict=True))


def _sha256(path: Path) -> str:
    """The hash of a regular file's content. Opened without blocking and checked again,
    so a hook swapped for a FIFO or a device since it was checked cannot hang this."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        digest = hashlib.sha256()
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hook_states(location: Location, folder: HooksFolder) -> list[HookState]:
    """Every hook name, with its state (`complog hooks`)."""
    from complog.trust import load_trust

    trust = load_trust()
    key = logbook_key(location)
    return [examine(folder, name, key, trust) for name in NAMES]


# -- trusting -------------------------------------------------------------------------


def check_names(names: Sequence[str]) -> list[str]:
    from complog.errors import InvalidInput

    for name in names:
        if name not in NAMES:
            raise InvalidInput(f"there is no hook called {name!r}", f"hooks are {', '.join(NAMES)}")
    return list(dict.fromkeys(names))


def trust_hooks(
    location: Location, folder: HooksFolder, names: Sequence[str], trusted_at: str
) -> tuple[list[HookState], list[HookState]]:
    """Record the named hooks (all present ones if none is named) as trusted for this
    logbook, as they are now. Returns (trusted, skipped: refused ones not named)."""
    from complog.errors import Conflict, NotFound
    from complog.trust import Trusted, updating_trust

    key = logbook_key(location)
    with updating_trust() as trust:
        states = [examine(folder, name, key, trust) for name in (names or NAMES)]
        present = [s for s in states if s.state != "absent"]
        missing = [s for s in states if s.state == "absent"]
        if names and missing:
            raise NotFound(f"no hook {missing[0].hook} in {folder.path}", _put_hooks(folder))
        if not present:
            raise NotFound(f"no hooks in {folder.path}", _put_hooks(folder))
        refused = [s for s in present if s.state == "refused"]
        if names and refused:
            first = refused[0]
            raise Conflict(f"hook {first.hook} cannot be trusted: {first.reason}")
        chosen = [s for s in present if s.state != "refused"]
        if not chosen:
            raise Conflict(
                "no hook can be trusted: " + "; ".join(f"{s.hook}: {s.reason}" for s in refused)
            )
        for state in chosen:
            assert state.real_path is not None and state.sha256 is not None
            trust.record(Trusted(key, state.hook, str(state.real_path), state.sha256, trusted_at))
    trusted = [HookState(s.hook, s.path, "trusted", None, s.real_path, s.sha256) for s in chosen]
    return trusted, refused


def untrust_hooks(location: Location, names: Sequence[str]) -> list[tuple[str, bool]]:
    """Forget the named hooks (every one of this logbook if none is named):
    (name, whether it had been trusted)."""
    from complog.trust import updating_trust

    key = logbook_key(location)
    with updating_trust() as trust:
        chosen = list(names) or trust.hooks_of(key)
        return [(name, trust.forget(key, name)) for name in chosen]


def _put_hooks(folder: HooksFolder) -> str:
    return f"put executables named {', '.join(NAMES)} in {folder.path}"


# -- running --------------------------------------------------------------------------


def fire(
    location: Location, reader: Reader, events: Sequence[Event], folder: HooksFolder,
    timeout: int,
) -> Iterator[HookRun]:  # fmt: skip
    """Run each hook that has events once, with all of them, in the order of their
    first event; report each as it ends, never raise."""
    from complog.errors import StorageError
    from complog.trust import TrustFile, load_trust

    batches: dict[str, list[Event]] = {}
    for event in events:
        name = HOOKS.get(event.action)
        if name is not None:
            batches.setdefault(name, []).append(event)
    batches = {n: b for n, b in batches.items() if os.path.lexists(folder.path / n)}
    if not batches:
        return
    unusable: StorageError | None = None
    try:
        trust = load_trust()
    except StorageError as exc:
        trust, unusable = TrustFile(Path(), []), exc
    key = logbook_key(location)
    for name, batch in batches.items():
        state = examine(folder, name, key, trust)
        path = state.path
        if state.state == "refused":
            yield HookRun(name, path, f"not run: {state.reason}", "")
        elif unusable is not None:
            yield HookRun(name, path, f"not run: {unusable.message}", "", unusable.hint)
        elif state.state != "trusted":
            why = _why_not_trusted(state, folder)
            advice = f"check it, then allow it: {trust_command(location, [name])}"
            yield HookRun(name, path, f"not run: {why}", "", advice)
        else:
            lines = _event_lines(location, reader, name, batch)
            yield run_hook(state, lines, len(batch), location, timeout)


def _why_not_trusted(state: HookState, folder: HooksFolder) -> str:
    if state.state == "changed":
        return state.reason or "it changed since you trusted it"
    if folder.configured:
        return (
            f"the logbook's hooks_dir setting points to {folder.path},"
            f" and you have not trusted {state.path}"
        )
    return f"you have not trusted {state.path}"


def _event_lines(
    location: Location, reader: Reader, name: str, events: Sequence[Event]
) -> Iterator[bytes]:
    """The hook's input, one JSON line per event, made as the hook reads it."""
    from complog.render import shapes

    tz = reader.settings().tz
    logbook = logbook_path(location)
    if location.path is None:  # what a hook posts to chat must not carry the password
        logbook = _without_password(logbook)
    for event in events:
        complaint = None
        if event.complaint_id is not None:
            try:
                complaint = shapes.complaint_json(reader.complaint(event.complaint_id), tz)
            except ComplogError:  # gone or unreadable since: the event still goes out
                complaint = None
        payload = {
            "hook": name,
            "logbook": logbook,
            "event": shapes.event_json(_event_row(event), tz),
            "complaint": complaint,
        }
        yield (json.dumps(payload, ensure_ascii=False) + "\n").encode()


def logbook_path(location: Location) -> str:
    """The logbook as a hook sees it: an absolute file path, or the server URL."""
    if location.path is not None:
        return os.path.abspath(location.path)
    return location.url or ""


def _event_row(event: Event) -> Any:
    from complog.rows import EventRow

    assert event.id is not None
    return EventRow(
        event.id, event.at, event.actor, event.action, event.entity, event.entity_id,
        event.complaint_id, json.loads(event.before) if event.before else None,
        json.loads(event.after) if event.after else None, event.role,
    )  # fmt: skip


def run_hook(
    state: HookState, lines: Iterator[bytes], count: int, location: Location, timeout: int
) -> HookRun:
    from complog.hookrun import OUTPUT_KEPT, run_program

    name, path = state.hook, state.path
    env = {
        **os.environ,
        "COMPLOG_HOOK": name,
        "COMPLOG_HOOK_EVENTS": str(count),
        # So `complog` inside a hook acts on this logbook, whatever its cwd.
        "COMPLOG_DB": logbook_path(location),
    }
    try:
        ran = run_program([str(path)], cwd=path.parent, env=env, stdin=lines, timeout=timeout)
    except OSError as exc:
        return HookRun(name, path, f"cannot be run ({exc.strerror})", "")
    from complog.render.text import safe

    # Inert before it is cut: an escape shown as "\x00" is four characters, and what
    # reaches the terminal stays within the 64 KiB kept.
    output = safe(ran.output.decode("utf-8", errors="replace")).strip()
    if len(output.encode()) > OUTPUT_KEPT:
        output = output.encode()[:OUTPUT_KEPT].decode("utf-8", errors="ignore")
        output += "\n[output cut at 64 KiB once control characters were made visible]"
    if ran.dropped:
        output += f"\n[{ran.dropped:,} more bytes of output dropped: complog keeps {OUTPUT_KEPT // 1024} KiB]"
    if ran.timed_out:
        problem: str | None = f"did not finish within {timeout}s and was stopped"
    elif ran.held_open:
        ended = "finished" if not ran.returncode else _exit_problem(ran.returncode)
        problem = (
            f"{ended}, but a program it started kept its output open; complog stopped"
            f" waiting after {timeout}s (send that program's output elsewhere, e.g. >/dev/null)"
        )
    elif ran.returncode is None:
        problem = f"did not finish within {timeout}s and could not be stopped"
    else:
        problem = None if ran.returncode == 0 else _exit_problem(ran.returncode)
    return HookRun(name, path, problem, output.strip())


def _exit_problem(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"failed (exit {code})"
