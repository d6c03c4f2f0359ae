"""What a command runs with: which logbook, who is acting, and the one `now`.

Built once by the root callback; opens the logbook lazily so `--help` and
`--version` never touch the disk, and the read path never imports the ORM.
"""

from __future__ import annotations

import getpass
import os
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from complog import clock

if TYPE_CHECKING:
    from complog.connect import Location
    from complog.files import Target
    from complog.identity import Identity
    from complog.queries import Reader
    from complog.services.common import Actor
    from complog.settings import Settings
    from complog.store import Store


def default_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def login_user() -> str:
    """The login name, as the name recorded when no --user or COMPLOG_USER is given."""
    name = default_user()
    if not _is_utf8(name):
        from complog.errors import InvalidInput

        raise InvalidInput(
            "your login name is not valid UTF-8 text", "give a name with --user or COMPLOG_USER"
        )
    return name


def _is_utf8(text: str) -> bool:
    """False for text made from bytes that were not UTF-8 (lone surrogates, as Python
    keeps such an environment variable): no logbook can store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


#: a name recorded on every change; longer is a mistake (a pasted paragraph)
USER_LIMIT = 200


def check_user(value: str) -> str:
    """--user / COMPLOG_USER, trimmed and NFC-normalised. Empty is refused rather than
    read as "the default": an unset variable in a cron line must not become someone else."""
    from complog.errors import InvalidInput

    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        raise InvalidInput(
            "the user (--user or COMPLOG_USER) is empty",
            "give a name, or leave both out to be recorded under your login name",
        )
    if not _is_utf8(name):
        raise InvalidInput(
            "the user (--user or COMPLOG_USER) is not valid UTF-8 text",
            "check the terminal's locale (LANG), or give the name in UTF-8",
        )
    if "\x00" in name:  # PostgreSQL text cannot hold it; other odd characters are
        # stored as typed and shown inert, as in any other text
        raise InvalidInput("the user (--user or COMPLOG_USER) contains a NUL byte")
    if len(name) > USER_LIMIT:
        raise InvalidInput(
            f"the user (--user or COMPLOG_USER) is too long ({len(name):,} characters;"
            f" at most {USER_LIMIT})"
        )
    return name


@dataclass
class AppContext:
    db: str | None = None
    #: --user / COMPLOG_USER as given (checked, trimmed); None when neither was given
    given_user: str | None = None
    #: the global --format, used by commands not given their own
    format: str | None = None
    _now: datetime | None = None
    _reader: Reader | None = None
    _settings: Settings | None = None
    _store: Store | None = None
    #: this command committed a change (so an output error after it must say so)
    saved: bool = False
    _user: str | None = None
    _identity: Identity | None = None
    #: which text `-` read from standard input (there is only one standard input)
    stdin_taken_by: str | None = None
    #: the format this command chose for its output (cli/options.fmt): the pager's cue
    output_format: str | None = None
    #: where the logbook, user, format and pager came from (`complog config --where`)
    sources: dict[str, str] = field(default_factory=dict)
    #: --no-pager, and the config file's `pager` with its place: see pager_choice()
    pager_given: tuple[bool, str | bool | None, str] = (False, None, "")

    def pager_choice(self) -> tuple[str | None, str]:
        """The pager for long output on a terminal (None: none), and its source. Worked
        out only when a command may page, or for `config --where`."""
        from complog.render.pager import choose

        return choose(*self.pager_given)

    def set_user(self, value: str) -> None:
        """The user named by --user / COMPLOG_USER (checked: exit 2 when empty)."""
        self.given_user = check_user(value)
        self._user = None

    @property
    def user(self) -> str:
        """Who is recorded as acting (complog/identity.py). SQLite: the name given, else
        the login name. PostgreSQL: the signed-in role's name; another name only for
        members of complog_admin (exit 4 otherwise). Resolved on first use, so commands
        that record nobody never ask the server."""
        if self._user is None:
            identity = self.identity()
            if identity is None:
                self._user = self.given_user or login_user()
            else:
                self._user = identity.actor_for(self.given_user)
        return self._user

    def identity(self) -> Identity | None:
        """The authenticated database role (PostgreSQL); None for a SQLite file."""
        if self.location.is_sqlite:
            return None
        if self._identity is None:
            self._identity = self.reader().identity()
        return self._identity

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = clock.now()
        return self._now

    @property
    def location(self) -> Location:
        from complog.connect import resolve_location

        return resolve_location(self.db if self.db is not None else os.environ.get("COMPLOG_DB"))

    def output_target(self, given: str, *, stream_ok: bool = True) -> Target:
        """Where an --out goes, checked before the work; never this logbook (files.py)."""
        from complog.files import output_target

        return output_target(given, logbook=self.location.path, stream_ok=stream_ok)

    def reader(self) -> Reader:
        """The read path (plain DB-API); for a logbook not yet created, an empty one."""
        if self._reader is None:
            from complog.queries import open_reader

            self._reader = open_reader(self.location)
        return self._reader

    def store(self) -> Store:
        if self._store is None:
            from complog.store import open_store

            self._store = open_store(self.location)
            if self._reader is not None and not self._reader.exists:
                self.close()  # it answered for a logbook that now exists
        return self._store

    @property
    def has_saved(self) -> bool:
        """This command committed a change (so an error or Ctrl-C after it must say so)."""
        return self.saved or (self._store is not None and self._store.commits > 0)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = self.reader().settings()
        return self._settings

    def settings_read(self, settings: Settings) -> None:
        """Settings a command read on its write connection, as they were when it
        committed: later reads (the hooks) need not open the read path for them."""
        self._settings = settings

    def actor(self) -> Actor:
        from complog.services.common import Actor

        identity = self.identity()
        return Actor(user=self.user, now=self.now, role=identity.role if identity else None)

    def when(self, text: str) -> datetime:
        """Parse a --due/--at/--since value against this logbook's calendar."""
        from complog.timeparse import parse_when

        return parse_when(text, self.now, self.settings().calendar)

    def when_given(self, text: str | None) -> datetime | None:
        """An optional --at/--since/--until: None when it was not given (or given empty)."""
        return self.when(text) if text else None

    def finish(self) -> None:
        """At the end of a command: run the hooks of what it committed; say so if it
        only read a logbook that does not exist."""
        failed = sys.exc_info()[0] is not None  # closing because of an error: it says enough
        if self._store is not None and self._store.committed:
            self.saved = True
            self.run_hooks()
        if (
            self._reader is not None
            and not self._reader.exists
            and self._store is None
            and not failed
        ):
            from complog.render.output import note
            from complog.render.text import one_record

            note(
                f"complog: no logbook at {one_record(str(self.location))} yet;"
                " the first write (or complog init) creates it"
            )
        self.close()

    def run_hooks(self) -> None:
        """After the commit: whatever a hook does, the change is saved and the exit code stays."""
        from complog.hooks import fire, hooks_folder
        from complog.render.output import note, warn
        from complog.render.text import one_record

        assert self._store is not None
        events, self._store.committed = self._store.committed, []
        settings = self.settings()
        folder = hooks_folder(self.location, settings.values["hooks_dir"])
        if folder is None or not folder.path.is_dir():
            return
        timeout = int(settings.values["hook_timeout"])
        ours = _stop_on_sigterm()
        try:
            for run in fire(self.location, self.reader(), events, folder, timeout):
                if run.output:
                    note(run.output)
                # a problem quotes paths (a shared logbook's hooks_dir): each stays one line
                if run.problem:
                    warn(f"hook {run.hook} {one_record(run.problem)}; the change is saved")
                if run.advice:
                    note(f"  {one_record(run.advice)}")
        except KeyboardInterrupt:
            # Not "nothing was saved" (the top-level words for ^C): it was committed.
            warn("interrupted while running hooks; the change is saved")
            raise SystemExit(130) from None
        except _Terminated:
            warn("stopped by SIGTERM while running hooks; the change is saved")
            raise SystemExit(143) from None
        finally:
            if ours:
                import signal

                signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


class _Terminated(BaseException):
    """SIGTERM while hooks run (`timeout 60 complog …`, a service manager)."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


def _stop_on_sigterm() -> bool:
    """While hooks run, SIGTERM unwinds like Ctrl-C, so hookrun kills the hook's process
    group on the way out: dying at once left the hook (in a session of its own) running
    with no deadline. False when the handler was not ours to change (someone else's
    handler, or not the main thread)."""
    import signal

    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return False
    try:
        signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread
        return False
    return True
