"""Reading complaints from files: complog's own JSON/JSONL/CSV, CFPB exports,
Twitter support threads. Each importer yields (line number, record) pairs of
`ComplaintIn`, validated by pydantic at this boundary; the passes over them run in
services/importfile.py and services/importsheet.py, the write in services/importing.py.
"""
