"""Small helpers for the sentences the product writes about counts."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number: "1 theme", "2 themes", "3 dissents"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
