"""`python -m complog` runs the command-line app."""

from complog.cli.main import run

run()
