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


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
def test_rich_output_is_inert_whatever_the_view_built(terminal, monkeypatch, capsys):
    # Tables, panels and titles reach stdout through Rich, not through `say`: a cell
    # or title a view built from stored text without safe() was printed raw.
    from rich.panel import Panel
    from rich.text import Text

    from complog.render.columns import Column, table

    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")  # Rich writes its colour codes
    monkeypatch.delenv("NO_COLOR", raising=False)
    cells = [Column[str]("Customer", lambda row: row), Column[str]("Note", lambda row: Text(row))]
    output.show(
        table(HOSTILE, None, cells, [HOSTILE]),
        Panel(Text(HOSTILE, style="bold"), title=HOSTILE),
    )
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x07\u202e\x9b")
    assert "\x1b]" not in out and "\x1b[2J" not in out
    assert "\\x1b]0;pwned" in out  # shown, escaped (Rich itself drops the bell)
    assert ("\x1b[1m" in out) is terminal  # Rich's own styles stay on a terminal


def test_a_colour_code_in_stored_text_is_shown_inert_when_rich_writes_none(capsys):
    from rich.text import Text

    output.show(Text("Acme \x1b[31mred\x1b[0m"))
    assert capsys.readouterr().out == "Acme \\x1b[31mred\\x1b[0m\n"


#: invisible on a terminal, so two different names look the same (Trojan Source's
#: bidi marks and the zero-width characters of homoglyph spoofing)
INVISIBLE = [
    "\u200e", "\u200f", "\u061c",  # left-to-right, right-to-left and Arabic letter marks
    "\u200b", "\u2060", "\ufeff",  # zero-width space, word joiner, zero-width no-break space
    "\u00ad", "\u3164", "\U000e0041",  # soft hyphen, Hangul filler, a tag character
]  # fmt: skip


@pytest.mark.parametrize("mark", INVISIBLE, ids=lambda m: f"U+{ord(m):04X}")
def test_invisible_and_bidi_marks_are_shown_so_lookalike_names_differ(mark, capsys):
    spoof = f"Ac{mark}me"
    output.say(f"Logged complaint 2 for {spoof}")
    output.emit_json({"customer": spoof})
    out = capsys.readouterr().out
    assert mark not in out
    line, json_text = out.split("\n", 1)
    assert line != "Logged complaint 2 for Acme"
    assert mark.encode("unicode_escape").decode() in line
    assert json.loads(json_text) == {"customer": spoof}  # the same JSON, astral marks too


@pytest.mark.parametrize("joiner", ["\u200c", "\u200d"])
def test_a_joiner_between_latin_letters_is_shown(joiner, capsys):
    output.say(f"Ac{joiner}me")
    assert capsys.readouterr().out == f"Ac\\u{ord(joiner):04x}me\n"


@pytest.mark.parametrize(
    "text",
    ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: a zero-width non-joiner inside a word
     "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # an emoji family: zero-width joiners
     "\u0915\u094d\u200d\u0937"],  # Devanagari half form
    ids=["persian", "emoji", "devanagari"],
)  # fmt: skip
def test_joiners_that_scripts_need_are_kept(text, capsys):
    output.say(text)
    output.emit_json([text])
    out = capsys.readouterr().out
    assert out.startswith(text + "\n")
    assert json.loads(out.split("\n", 1)[1]) == [text]


def test_streamed_json_holds_a_few_large_items_at_a_time_not_a_thousand(monkeypatch):
    """show --format json of 200 notes of a million characters each peaked at 1.8 GB
    once the stream was written a thousand items at a time (247 MB before): large
    items are written as they come, only small ones are gathered."""
    import io

    item_chars = 1_000_000
    written: list[str] = []
    pending_at_yield: list[int] = []

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            written.append(text)
            return len(text)

    def notes():
        for i in range(20):
            pending_at_yield.append(sum(map(len, written)))
            yield {"id": i, "text": "é" * item_chars}

    monkeypatch.setattr("sys.stdout", Out())
    output.emit_json_streamed({"id": 1, "notes": None}, {"notes": notes()})
    # at most a couple of items (and a batch's worth of small pieces) are held at once
    assert max(map(len, written)) < 2 * item_chars + (1 << 20)
    assert pending_at_yield[-1] > 17 * item_chars  # written as read, not at the end
    text = "".join(written)
    assert json.loads(text)["notes"][19] == {"id": 19, "text": "é" * item_chars}
