"""How well the passages a statement cites support it: lexical and embedding evidence, combined.

Lexical support is the share of the statement's content words found in its cited passages
(title, section and text), leaving out words that refer to the review itself ("objective",
"draft", "panel", ...) and words of the strategy under review, which the draft itself grounds.
Semantic support is the best cosine similarity between the statement and a cited passage. A
logistic of the two, with calibrated weights (``ClaimSettings``), gives a support score in 0..1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from orchestration.engine.claims.settings import ClaimSettings
from tools.evidence import Passage
from tools.quotes import content_terms

Embed = Callable[[list[str]], np.ndarray]
PassageVector = Callable[[Passage], np.ndarray | None]

REVIEW_WORDS = content_terms(
    "objective objectives theme themes draft strategy strategies corpus panel evidence passage "
    "passages cited cites citation trust board review reviews recommend recommendation gap gaps "
    "says said should must need needs needed add adds change changes missing misses lacks lack "
    "none only also there does doesn make makes clear specific explicitly explicit state states "
    "name names link links mention mentions current currently already rather without about "
    "cover covers covered raise raises raised"
)


def support_terms(text: str, grounded: set[str]) -> set[str]:
    """The content terms of ``text`` that a passage should hold (see the module docstring)."""
    return content_terms(text) - REVIEW_WORDS - grounded


def lexical_support(text: str, passages: list[Passage], grounded: set[str]) -> float:
    terms = support_terms(text, grounded)
    if not terms or not passages:
        return 0.0
    found = set().union(*(content_terms(p.context_text()) for p in passages))
    return len(terms & found) / len(terms)


@dataclass(frozen=True)
class Support:
    lexical: float
    semantic: float
    score: float


class SupportScorer:
    """Scores statements against their cited passages."""

    def __init__(self, embed: Embed, passage_vector: PassageVector, settings: ClaimSettings):
        self.embed = embed
        self.passage_vector = passage_vector
        self.settings = settings

    def logistic(self, lexical: float, semantic: float) -> float:
        s = self.settings
        z = s.support_lexical_weight * lexical + s.support_semantic_weight * semantic
        return 1.0 / (1.0 + math.exp(-(z + s.support_bias)))

    def score_many(
        self, texts: list[str], cited: list[list[Passage]], grounded: set[str]
    ) -> list[Support]:
        """Support for each text by its own passages (one embedding call for all texts)."""
        if not texts:
            return []
        vectors = self.embed(texts)
        return [
            self._score(text, vector, passages, grounded)
            for text, vector, passages in zip(texts, vectors, cited, strict=True)
        ]

    def _score(
        self, text: str, vector: np.ndarray, passages: list[Passage], grounded: set[str]
    ) -> Support:
        lexical = lexical_support(text, passages, grounded)
        semantic = max((self._cosine(vector, p) for p in passages), default=0.0)
        return Support(
            round(lexical, 3), round(semantic, 3), round(self.logistic(lexical, semantic), 3)
        )

    def _cosine(self, vector: np.ndarray, passage: Passage) -> float:
        other = self.passage_vector(passage)
        if other is None:
            other = self.embed([passage.context_text()])[0]
        denominator = float(np.linalg.norm(vector) * np.linalg.norm(other)) or 1.0
        return float(vector @ other) / denominator

    def best_passages(
        self, text: str, pool: list[Passage], grounded: set[str], n: int = 1
    ) -> list[Passage]:
        """The ``n`` passages of ``pool`` that support ``text`` best (for sentences that cite none)."""
        if not pool:
            return []
        vector = self.embed([text])[0]
        ranked = sorted(pool, key=lambda p: -self._score(text, vector, [p], grounded).score)
        return ranked[:n]
