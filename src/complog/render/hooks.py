"""`complog hooks`: each hook with its state, in four formats; trust and untrust results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from complog.render import output
from complog.render.text import safe

if TYPE_CHECKING:
    from complog.hooks import HooksFolder, HookState

COLUMNS = ["hook", "state", "path", "real_path", "sha256", "reason"]
STATE_STYLES = {
    "trusted": "green",
    "changed": "bold yellow",
    "untrusted": "yellow",
    "refused": "bold red",
    "absent": "dim",
}


def hook_json(state: HookState) -> dict[str, Any]:
    return {
        "hook": state.hook,
        "state": state.state,
        "path": str(state.path),
        "real_path": None if state.real_path is None else str(state.real_path),
        "sha256": state.sha256,
        "reason": state.reason,
    }


def hooks(states: Sequence[HookState], folder: HooksFolder, fmt: str) -> None:
    if fmt in ("json", "csv"):
        hooks_rows(states, fmt)
    elif fmt == "plain":
        output.lines(_plain(s) for s in states)
    else:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        origin = "the logbook's hooks_dir setting" if folder.configured else "beside the logbook"
        table = Table(
            title=f"Hooks in {safe(str(folder.path))} ({origin})", title_justify="left",
            box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False,
        )  # fmt: skip
        table.add_column("Hook", no_wrap=True, style="bold")
        table.add_column("State", no_wrap=True)
        table.add_column("", overflow="fold")
        for s in states:
            table.add_row(s.hook, Text(s.state, style=STATE_STYLES[s.state]), _detail(s))
        output.show(table)


def _plain(state: HookState) -> str:
    return f"{state.hook}\t{state.state}\t{safe(str(state.path))}\t{safe(state.reason or '')}"


def _detail(state: HookState) -> str:
    if state.state == "absent":
        return ""
    if state.reason:
        return safe(state.reason)
    if state.real_path is not None and state.real_path != state.path:
        return f"{safe(str(state.path))} -> {safe(str(state.real_path))}"
    return safe(str(state.path))


def trusted(states: Sequence[HookState], fmt: str) -> None:
    if fmt in ("json", "csv"):
        hooks_rows(states, fmt)
        return
    for s in states:
        assert s.sha256 is not None
        output.say(f"Trusted {s.hook}: {safe(str(s.real_path))} (sha256 {s.sha256[:12]})")


def untrusted(forgotten: Sequence[tuple[str, bool]], fmt: str) -> None:
    rows = [{"hook": name, "untrusted": was} for name, was in forgotten]
    if fmt == "json":
        output.emit_json(rows)
    elif fmt == "csv":
        output.emit_csv(rows, ["hook", "untrusted"])
    else:
        for name, was in forgotten:
            if was:
                output.say(f"Untrusted {name}: it no longer runs until trusted again")
            else:
                output.note(f"{name} was not trusted")


def hooks_rows(states: Sequence[HookState], fmt: str) -> None:
    if fmt == "json":
        output.emit_json([hook_json(s) for s in states])
    else:
        output.emit_csv([hook_json(s) for s in states], COLUMNS)
