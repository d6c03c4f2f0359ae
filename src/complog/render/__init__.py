"""Output: Rich tables on a terminal, plain text in pipes, JSON and CSV for scripts.

The only package that writes to stdout. It never queries; it is handed rows.
"""
