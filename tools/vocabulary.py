"""Known words: English (``tools.quality.is_word``) and the words of the corpus and the strategy,
for telling a model's prose from debris; the corpus adds its own names, acronyms and terms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tools.quality import is_word

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


def words(text: str) -> list[str]:
    """The words of ``text`` as written (hyphenated words split, possessives dropped)."""
    found = []
    for token in WORD.findall(text):
        for part in re.split(r"[-’']", token):
            if part and part.lower() not in ("s", "t"):
                found.append(part)
    return found


@dataclass(frozen=True)
class Vocabulary:
    """Words a statement may use: English, and the corpus's and strategy's own words."""

    lower: frozenset[str]
    as_written: frozenset[str]

    @classmethod
    def build(cls, texts: Iterable[str]) -> Vocabulary:
        written = {w for text in texts for w in words(text)}
        return cls(lower=frozenset(w.lower() for w in written), as_written=frozenset(written))

    def knows(self, word: str) -> bool:
        lower = word.lower()
        return (
            word in self.as_written or lower in self.lower or (lower.isalpha() and is_word(lower))
        )
