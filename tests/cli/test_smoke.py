from tests.conftest import NOW


def test_add_then_due_lists_the_promise(run):
    added = run(
        "add",
        "Acme Newsagency",
        "Till crashes at close",
        "--heat",
        "4",
        "--promise",
        "Call back with fix",
        "--due",
        "tomorrow 10am",
    )
    assert (
        added.stdout.strip()
        == "Logged complaint 1 for Acme Newsagency (promise 1 due tomorrow 10:00)"
    )
    due = run("due", "--format", "json").json
    assert [d["promise_id"] for d in due] == [1]
    assert due[0]["due_at"] == "2026-11-24T10:00:00+00:00"
    assert NOW.startswith("2026-11-23")


def test_real_process_prints_version(proc):
    assert proc("--version").stdout == "complog 0.3.2\n"
