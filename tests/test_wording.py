"""Counts in the product's sentences read as English."""

from __future__ import annotations

import pytest

from orchestration.wording import counted


@pytest.mark.parametrize(
    ("n", "noun", "plural", "expected"),
    [
        (1, "theme", None, "1 theme"),
        (2, "theme", None, "2 themes"),
        (0, "passage", None, "0 passages"),
        (3, "coverage label", None, "3 coverage labels"),
        (2, "analysis", "analyses", "2 analyses"),
        (1, "analysis", "analyses", "1 analysis"),
    ],
)
def test_a_count_takes_its_noun_in_the_right_number(
    n: int, noun: str, plural: str | None, expected: str
) -> None:
    assert counted(n, noun, plural) == expected
