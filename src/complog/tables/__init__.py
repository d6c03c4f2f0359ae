"""The schema's tables, in modules by what writes them (see tables/base.py).

Import complog.models wherever every table must be known."""
