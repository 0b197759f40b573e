"""Widgets of the terminal UI; each shows part of a run and holds no model calls."""
