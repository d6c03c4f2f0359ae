"""The person's own settings: config.toml in their config folder.

So that a cron line need not repeat the logbook, a person can keep four things
in `platformdirs.user_config_dir("complog")/config.toml` (`$XDG_CONFIG_HOME/complog`
on Linux): `logbook`, `user`, `format` and `pager`. Flags beat the environment, the
environment beats this file, and the file beats the defaults. Settings that the
people sharing a logbook must agree on (business hours, rules) stay in the logbook
(`complog config`); this file is only about the person at the keyboard.

A file that cannot be read as TOML, or that names an unknown key or a wrong kind
of value, is a one-line error naming the file and line: never silently ignored.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from complog.errors import InvalidInput

FILE_NAME = "config.toml"
#: output formats a listing knows (render/output.FORMATS, without importing render)
FORMATS = ("table", "plain", "json", "csv")
#: what each key holds, in the words of an error message
KEYS = {
    "logbook": "a SQLite file path or a postgresql+psycopg:// URL",
    "user": "the name recorded on your changes",
    "format": "one of " + ", ".join(FORMATS),
    "pager": "a pager command such as 'less -FRX', or false for none",
}
#: where a value came from when nothing set it
DEFAULT = "default"


def config_folder() -> Path:
    """The person's own complog folder: config.toml and the hook trust file live there
    (platformdirs' user config folder; XDG_CONFIG_HOME moves it)."""
    from platformdirs import user_config_path

    return user_config_path("complog", appauthor=False)


def config_path() -> Path:
    return config_folder() / FILE_NAME


@dataclass(frozen=True)
class UserConfig:
    """What the file says: key -> value, and key -> its line (for messages, --where)."""

    path: Path
    exists: bool
    values: dict[str, str | bool] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def source(self, key: str) -> str:
        return f"{self.path}:{self.lines[key]}"

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def logbook(self) -> str | None:
        """The logbook, with `~` expanded; a relative path is relative to the file's folder."""
        value = self.text("logbook")
        if value is None or "://" in value:
            return value
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else self.path.parent / path)


#: four settings are a few hundred bytes; more is not a config file (and is never read whole)
MAX_BYTES = 1 << 20


def load(path: Path | None = None) -> UserConfig:
    """The file's settings; an empty UserConfig when there is no file.

    The file names a pager, a command complog runs, and the logbook it writes: like
    the hook trust file, it must be the person's own and not writable by others."""
    import os

    path = path or config_path()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
    except FileNotFoundError:
        if path.is_symlink():  # dotfiles linked in but not there: not "no settings"
            raise InvalidInput(
                f"{path}: a symlink to a file that does not exist ({os.readlink(path)})",
                "restore the file it points to, or remove the link",
            ) from None
        return UserConfig(path=path, exists=False)
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block every command
        os.close(fd)
        raise InvalidInput(f"{path}: not a regular file; complog reads its settings from a file")
    with os.fdopen(fd, "rb") as file:
        if info.st_uid not in (os.getuid(), 0):
            raise InvalidInput(f"{path}: it belongs to someone else", f"remove it: rm {path}")
        if info.st_mode & stat.S_IWOTH:
            raise InvalidInput(
                f"{path}: others may write to it, and it names commands complog runs",
                f"chmod 600 {path}",
            )
        try:
            raw = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InvalidInput(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise InvalidInput(f"{path}: larger than 1 MiB; it holds four settings")
    return parse(path, raw)


def parse(path: Path, raw: bytes) -> UserConfig:
    """Check every key and value; the first problem is an error naming its line."""
    import tomllib

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidInput(f"{path}:{line}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)|\(at end of document\)", message)
        line = int(found.group(1)) if found and found.group(1) else text.count("\n") + 1
        reason = message[: found.start()].strip() if found else message
        raise InvalidInput(f"{path}:{line}: not valid TOML: {reason}") from None
    lines = {key: _line_of(text, key) for key in data}
    values: dict[str, str | bool] = {}
    for key, value in data.items():
        where = f"{path}:{lines[key]}"
        if key not in KEYS:
            raise InvalidInput(
                f"{where}: unknown setting {key!r}; known: {', '.join(KEYS)}"
                " (logbook settings such as day_end belong in 'complog config')"
            )
        values[key] = _checked(key, value, where)
    return UserConfig(path=path, exists=True, values=values, lines=lines)


def _checked(key: str, value: object, where: str) -> str | bool:
    if key == "pager" and isinstance(value, bool):
        if value:
            raise InvalidInput(f"{where}: pager = true says nothing; give a command or false")
        return False
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: {key} must be text: {KEYS[key]}")
    if key == "format" and value not in FORMATS:
        raise InvalidInput(f"{where}: format {value!r} is not {KEYS[key]}")
    if key in ("logbook", "user") and not value.strip():
        raise InvalidInput(f"{where}: {key} is empty; leave the line out for the default")
    return value


def _line_of(text: str, key: str) -> int:
    """The line that sets a top-level key (bare or quoted), for messages."""
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    table = re.compile(rf"^\s*\[+\s*{re.escape(key)}\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        if table.match(line):
            return number
    return 1
