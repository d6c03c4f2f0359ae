"""Every line complog writes passes one terminal-safety function (render.output.inert):
no call site can forget it."""

from __future__ import annotations

import json

import pytest

from complog.render import output

HOSTILE = "Acme\x1b]0;pwned\x07\x1b[2J\u202eevil\x9b31m"


@pytest.mark.parametrize("write", [output.say, output.note, output.warn])
def test_messages_and_results_are_inert(write, capsys):
    write(f"customer {HOSTILE}\nsecond line\tand a tab")
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert not any(c in shown for c in "\x1b\x07\u202e\x9b")
    assert "\\x1b]0;pwned\\x07" in shown
    assert "\nsecond line\tand a tab\n" in shown  # layout characters stay


def test_plain_lines_are_inert(capsys):
    output.lines([HOSTILE, "ok"])
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\u202e\x9b")
    assert out.endswith("\nok\n")


def test_json_is_inert_and_the_same_json(capsys):
    output.emit_json({"customer": HOSTILE})
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\u202e\x9b")
    assert json.loads(out) == {"customer": HOSTILE}
