"""Rules of the domain that every way in applies alike (complog/vocabulary.py, names.py).

On the old code "a letter is always a written complaint" held only for `add`:
`edit --channel letter` and imports left the complaint unwritten, so the
written-unanswered rule never looked at it. And `list --customer` skipped the NFC
normalisation the customer's key is stored with, so a name typed with a combining
accent found nothing where `customer` found the customer.
"""

from __future__ import annotations

import json
import unicodedata


def test_a_letter_is_written_when_logged(run):
    assert run("add", "Acme", "Till", "--channel", "letter", "-f", "json").json["written"] is True


def test_editing_the_channel_to_letter_makes_it_written(run):
    run("add", "Acme", "Till", "--channel", "phone")

    run("edit", "1", "--channel", "letter")

    assert run("show", "1", "-f", "json").json["written"] is True


def test_an_imported_letter_is_written(run, tmp_path):
    record = {"customer": "Acme", "summary": "Till", "channel": "letter", "owner": "sam",
              "opened_at": "2026-11-20T10:00:00+00:00", "written": False}  # fmt: skip
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record) + "\n")

    run("import", str(source))

    assert run("list", "-f", "json").json[0]["written"] is True


def test_list_by_customer_finds_a_name_typed_in_another_unicode_form(run):
    run("add", "Café Nord", "Cold coffee")  # stored as NFC
    decomposed = unicodedata.normalize("NFD", "café nord")

    listed = run("list", "--customer", decomposed, "-f", "json").json

    assert [c["customer"] for c in listed] == ["Café Nord"]


def test_full_width_and_ascii_names_are_one_customer(run):
    """Issue 19, item 5: ＡＣＭＥ and ACME became two customers without a word."""
    first = run("add", "ACME", "Till", "-f", "json").json
    second = run("add", "ＡＣＭＥ", "Till again", "-f", "json")

    assert second.json["customer"] == first["customer"] == "ACME"
    assert "ACME already has 1 open complaint" in second.stderr
    assert [c["customer"] for c in run("customers", "-f", "json").json] == ["ACME"]
    listed = run("list", "--customer", "ＡＣＭＥ", "-f", "json").json
    assert [c["id"] for c in listed] == [second.json["id"], first["id"]]
    assert run("customer", "ａｃｍｅ", "-f", "json").json["complaints_count"] == 2
