"""`complog hooks [trust|untrust] [NAME…]`: which hooks run, and saying which may."""

from __future__ import annotations

from typing import Annotated

import typer

from complog.cli.options import FormatOption, app_context, fmt
from complog.errors import InvalidInput

ACTIONS = ("trust", "untrust")


def hooks(
    ctx: typer.Context,
    action: Annotated[
        str | None,
        typer.Argument(
            metavar="ACTION",
            help="trust: let the hooks run as they are now; untrust: stop them. "
            "None: list every hook with its state.",
            show_default=False,
        ),
    ] = None,
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="NAME",
            help="on-add, on-promise, on-kept, on-escalate or on-resolve. Default: all of them.",
            show_default=False,
        ),
    ] = None,
    format: FormatOption = None,
) -> None:
    """List this logbook's hooks and whether they run; trust or untrust them.

    A hook runs only once you trust it: complog records its real path and a hash
    of its content in your own config folder, never in the logbook. A new or
    changed hook, or one in a hooks_dir the logbook's settings point to, is
    skipped (with the line that trusts it) until you have read it and trusted
    it. States: trusted, changed, untrusted, refused (owner or modes: see the
    reason), absent.

    Example: complog hooks trust on-add
    """
    from complog.hooks import check_names, hook_states, hooks_folder, trust_hooks, untrust_hooks
    from complog.render import hooks as view
    from complog.render.output import warn

    if action is not None and action not in ACTIONS:
        example = " ".join([action, *(names or [])]) if action.startswith("on-") else "on-add"
        raise InvalidInput(
            f"unknown hooks action {action!r}",
            f"the action comes first: complog hooks trust {example} (or untrust)",
        )
    chosen = check_names(names or [])
    app = app_context(ctx)
    location = app.location
    folder = hooks_folder(location, app.settings().values["hooks_dir"])
    if action == "untrust":
        view.untrusted(untrust_hooks(location, chosen), fmt(format))
        return
    if folder is None:
        raise InvalidInput(
            "a PostgreSQL logbook has no hooks folder beside it",
            "name one for everyone: complog config hooks_dir ~/complog-hooks",
        )
    if action is None:
        view.hooks(hook_states(location, folder), folder, fmt(format))
        return
    trusted, skipped = trust_hooks(location, folder, chosen, app.now.isoformat())
    for state in skipped:
        warn(f"hook {state.hook} not trusted: {state.reason}")
    view.trusted(trusted, fmt(format))
