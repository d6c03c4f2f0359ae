"""Reading complaints from files: complog's own JSON/JSONL/CSV, CFPB exports,
Twitter support threads. Each importer yields (line number, record) pairs of
`ComplaintIn`, validated by pydantic at this boundary; the write happens in
services/importing.py.
"""
