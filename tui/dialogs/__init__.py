"""Typed modal dialogs: each returns its answer (or None when cancelled) to its caller."""
