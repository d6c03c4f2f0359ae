"""`complog hooks`: each hook with its state, in four formats; trust and untrust results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from complog.render import output
from complog.render.columns import Column
from complog.render.listing import Listing
from complog.render.listing import show as show_listing
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


def _hooks_listing(folder: HooksFolder) -> Listing[HookState]:
    from rich.text import Text

    origin = "the logbook's hooks_dir setting" if folder.configured else "beside the logbook"
    return Listing(
        json=hook_json,
        csv=COLUMNS,
        plain=[lambda s: s.hook, lambda s: s.state, lambda s: str(s.path), lambda s: s.reason or ""],
        columns=[
            Column("Hook", lambda s: s.hook, options={"no_wrap": True, "style": "bold"}),
            Column("State", lambda s: Text(s.state, style=STATE_STYLES[s.state]), options={"no_wrap": True}),
            Column("", _detail, options={"overflow": "fold"}),
        ],
        table_options={"title": f"Hooks in {safe(str(folder.path))} ({origin})", "title_style": None},
    )  # fmt: skip


def hooks(states: Sequence[HookState], folder: HooksFolder, fmt: str) -> None:
    show_listing(_hooks_listing(folder), states, fmt)


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
