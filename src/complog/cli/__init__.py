"""The command-line layer: parse, call one service or query, render."""
