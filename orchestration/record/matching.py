"""Matching texts by meaning, for comparing two runs: embeddings (cached per text), the cosine
similarity of every pair, greedy best-match assignment (each text matched at most once), and the
gist of a finding (the topic it names, without the wording code puts around computed findings).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

Embed = Callable[[list[str]], np.ndarray]

# The wording around a finding that says nothing about its topic: the templates of computed
# findings (orchestration.engine.claims.computed) and the panel's usual "not among the
# objectives". Without it, "No objective covers A." and "No objective covers B." look alike.
_FRAMES = (
    (re.compile(r"^no objective (?:covers|addresses) (.+?)\.?$", re.IGNORECASE), r"\1"),
    (re.compile(r"^add an objective (?:on|for|about|to) (.+?)\.?$", re.IGNORECASE), r"\1"),
    (
        re.compile(r"^give “(.+?)” a measure and a baseline\b.*$", re.IGNORECASE),
        r"a measure and a baseline for \1",
    ),
)
_NOT_AMONG = re.compile(
    r"\s*\b(?:is|are) (?:not|missing) (?:among|in|from) the (?:draft's |strategy's )?objectives\b",
    re.IGNORECASE,
)


def gist(text: str) -> str:
    """What a gap or recommendation is about, for matching it by meaning."""
    text = " ".join(text.split())
    for pattern, replacement in _FRAMES:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return _NOT_AMONG.sub("", text).strip() or text


def same_words(one: str, other: str) -> bool:
    """Whether two texts are worded alike (case and spacing aside)."""
    return " ".join(one.lower().split()) == " ".join(other.lower().split())


def titled(title: str, description: str) -> tuple[str, str]:
    """An objective's two wordings, for ``Meaning.match_either``."""
    return title, f"{title}: {description}" if description else title


@dataclass(frozen=True)
class Pair:
    """Item ``a`` of the first list matched with item ``b`` of the second."""

    a: int
    b: int
    similarity: float


@dataclass
class Meaning:
    """Cosine similarities between texts, embedding each distinct text once."""

    embed: Embed
    _vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            found = np.asarray(self.embed(missing), dtype=np.float32)
            norms = np.clip(np.linalg.norm(found, axis=1, keepdims=True), 1e-12, None)
            self._vectors.update(zip(missing, found / norms, strict=True))
        return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 1))

    def similarities(self, first: Sequence[str], second: Sequence[str]) -> np.ndarray:
        if not first or not second:
            return np.zeros((len(first), len(second)), dtype=np.float32)
        return self.vectors(first) @ self.vectors(second).T

    def match(self, first: Sequence[str], second: Sequence[str], threshold: float) -> list[Pair]:
        """Greedy best-match: the most similar pair first, each text used at most once, no pair
        below ``threshold``."""
        return greedy(self.similarities(first, second), threshold)

    def match_either(
        self, first: Sequence[tuple[str, str]], second: Sequence[tuple[str, str]], threshold: float
    ) -> list[Pair]:
        """``match`` on items with two wordings each (a title, and the title with what it
        means), by the closer of the two: a description one side lacks does not part them."""
        short = self.similarities([s for s, _ in first], [s for s, _ in second])
        long = self.similarities([t for _, t in first], [t for _, t in second])
        return greedy(np.maximum(short, long), threshold)

    def closest(self, text: str, candidates: Sequence[str]) -> tuple[int, float] | None:
        """The candidate most similar to ``text`` and its similarity (None without candidates)."""
        if not candidates:
            return None
        row = self.similarities([text], candidates)[0]
        best = int(np.argmax(row))
        return best, float(row[best])


def greedy(similarities: np.ndarray, threshold: float, taken: Sequence[Pair] = ()) -> list[Pair]:
    """Pairs by descending similarity (ties in order), each row and column used at most once;
    ``taken`` pairs (matched already, e.g. by id) keep their rows and columns."""
    used_a = {p.a for p in taken}
    used_b = {p.b for p in taken}
    pairs = list(taken)
    if similarities.size == 0:
        return pairs
    columns = similarities.shape[1]
    for flat in np.argsort(-similarities, axis=None, kind="stable"):
        a, b = divmod(int(flat), columns)
        value = float(similarities[a, b])
        if value < threshold:
            break
        if a in used_a or b in used_b:
            continue
        used_a.add(a)
        used_b.add(b)
        pairs.append(Pair(a, b, round(value, 4)))
    return pairs
