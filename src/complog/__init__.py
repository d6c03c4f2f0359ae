"""complog: a command-line logbook for resolving customer complaints."""

__version__ = "0.3.2"
