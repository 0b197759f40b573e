"""Coverage analysis, computed not generated: how well the corpus supports each objective of a
theme, and which corpus topics no objective of the theme covers (candidate gaps).

Topics are k-means clusters of passage vectors, each named by a key phrase drawn from its own
passages (``tools.key_phrases``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from tools.evidence import Passage
from tools.key_phrases import key_phrases, phrase_stats
from tools.search import Searcher
from tools.settings import CoverageSettings


@dataclass
class ObjectiveSupport:
    objective: str
    score: float  # cosine similarity of the best passage
    strength: str
    passages: list[tuple[Passage, float]]
    baseline: float = 0.0  # the objective's median similarity over the whole corpus


@dataclass
class Topic:
    id: int
    label: str
    passage_ids: list[str]
    centroid: np.ndarray = field(repr=False)


@dataclass
class TopicGap:
    topic: Topic
    relevance: float
    best_objective_similarity: float
    passages: list[tuple[Passage, float]]


def strength(scores: list[float], baseline: float, settings: CoverageSettings) -> str:
    """How strongly the corpus supports an objective, from its passages' similarities (best
    first) and its ``baseline``: a label rests on passages that stand out from the corpus as a
    whole (a generic objective is close to everything), and "strong" on two of them."""
    best = scores[0] if scores else 0.0
    second = scores[1] if len(scores) > 1 else 0.0
    margin = best - baseline
    if best >= settings.strong and margin >= settings.strong_margin and second >= settings.partial:
        return "strong"
    if best >= settings.partial and margin >= settings.partial_margin:
        return "partial"
    return "weak"


class CoverageAnalyzer:
    """Computes coverage over one index; reuse it for every theme of a run."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.settings = searcher.settings.coverage
        self.passages = searcher.lexical.passages
        self.vectors = self._load_vectors()
        self._planted = np.array([p.addresses_model for p in self.passages], dtype=bool)
        self._topics: list[Topic] | None = None

    def _load_vectors(self) -> np.ndarray:
        collection = self.searcher.store.passages()
        by_id: dict[str, np.ndarray] = {}
        offset, page = 0, 5000
        while True:
            got = collection.get(include=["embeddings"], limit=page, offset=offset)
            if not got["ids"]:
                break
            by_id.update(
                zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True)
            )
            offset += len(got["ids"])
        return (
            np.stack([by_id[p.id] for p in self.passages]) if self.passages else np.zeros((0, 384))
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.searcher.store.embedder.embed(texts)

    def objective_support(
        self, objectives: list[str], k: int | None = None, searched: list[str] | None = None
    ) -> list[ObjectiveSupport]:
        """For each objective: its best passages by cosine similarity and a strength label.
        ``searched``: the text measured for each objective (its description, abbreviations
        spelled out), when it says more than the objective's title."""
        if not objectives or not self.passages:
            return []
        k = k or self.settings.passages_per_objective
        sims = self.embed(searched or objectives) @ self.vectors.T
        result = []
        for objective, row in zip(objectives, sims, strict=True):
            top = [i for i in np.argsort(-row) if not self._planted[i]][:k]  # planted: no evidence
            scores = [float(row[i]) for i in top]
            baseline = float(np.median(row))
            result.append(
                ObjectiveSupport(
                    objective,
                    round(scores[0] if scores else 0.0, 4),
                    strength(scores, baseline, self.settings),
                    [(self.passages[i], round(float(row[i]), 4)) for i in top],
                    round(baseline, 4),
                )
            )
        return result

    def topics(self) -> list[Topic]:
        if self._topics is None:
            self._topics = self._cluster()
        return self._topics

    def _cluster(self) -> list[Topic]:
        n = len(self.passages)
        if n == 0:
            return []
        k = max(2, min(60, round(n / 6)))
        labels, centroids = kmeans(self._topic_vectors(), k, seed=7)
        rows_of = {c: np.flatnonzero(labels == c) for c in range(len(centroids))}
        clusters = {c: rows for c, rows in rows_of.items() if len(rows)}
        names = _distinct_labels([[self.passages[i] for i in rows] for rows in clusters.values()])
        return [
            Topic(
                cluster,
                name,
                [self.passages[i].id for i in rows],
                self.vectors[rows].mean(axis=0),  # in the original space, to compare with themes
            )
            for (cluster, rows), name in zip(clusters.items(), names, strict=True)
        ]

    def _topic_vectors(self) -> np.ndarray:
        """Passage vectors minus their document's mean direction, renormalised.

        Without this, clusters follow documents (each has its own vocabulary and style) rather
        than topics that cut across them.
        """
        doc_ids = np.array([p.doc_id for p in self.passages])
        centred = self.vectors.copy()
        for doc_id in set(doc_ids):
            rows = doc_ids == doc_id
            centred[rows] -= 0.5 * self.vectors[rows].mean(axis=0)
        return centred / np.clip(np.linalg.norm(centred, axis=1, keepdims=True), 1e-9, None)

    def candidate_gaps(
        self, theme_text: str, objectives: list[str], limit: int | None = None
    ) -> list[TopicGap]:
        """Topics relevant to the theme that none of its objectives covers, most relevant first."""
        topics = self.topics()
        if not topics or not objectives:
            return []
        theme_vec = self.embed([theme_text])[0]
        objective_vecs = self.embed(objectives)
        row_of = {p.id: i for i, p in enumerate(self.passages)}
        gaps = []
        for topic in topics:
            if len(topic.passage_ids) < self.settings.min_topic_size:
                continue
            centroid = topic.centroid / (np.linalg.norm(topic.centroid) or 1.0)
            relevance = float(centroid @ theme_vec)
            covered = float(np.max(objective_vecs @ centroid))
            if relevance < self.settings.relevant_topic or covered >= self.settings.covered_topic:
                continue
            rows = [row_of[pid] for pid in topic.passage_ids]
            closeness = self.vectors[rows] @ theme_vec
            best = [
                (self.passages[rows[i]], round(float(closeness[i]), 4))
                for i in np.argsort(-closeness)[:2]
            ]
            gaps.append(TopicGap(topic, round(relevance, 4), round(covered, 4), best))
        gaps.sort(key=lambda g: g.relevance - g.best_objective_similarity, reverse=True)
        return gaps[: limit if limit is not None else self.settings.shown_gaps]


def _distinct_labels(clusters: list[list[Passage]]) -> list[str]:
    """A key phrase for each cluster of passages, no two alike where the phrases allow.

    Each cluster takes its best phrase that no other cluster holds; when several want the same
    one, the cluster with more passages saying it wins and the others try their next.
    """
    stats = phrase_stats([p.text for members in clusters for p in members])
    ranked = [
        key_phrases([p.text for p in members], stats, avoid=sorted({p.title for p in members}))
        for members in clusters
    ]
    chosen: dict[int, str] = {}
    while len(chosen) < len(clusters):
        wanted: dict[str, list[int]] = {}
        for i, phrases in enumerate(ranked):
            if i not in chosen:
                free = [p for p in phrases if p not in chosen.values()] or phrases
                wanted.setdefault(free[0], []).append(i)
        for phrase, claimants in wanted.items():
            winner = max(claimants, key=lambda i: (_saying(clusters[i], phrase), -i))
            chosen[winner] = phrase
    return [chosen[i] for i in range(len(clusters))]


def _saying(passages: list[Passage], phrase: str) -> int:
    """How many of ``passages`` contain ``phrase`` (any case, whole words)."""
    words = r"\s+".join(re.escape(word) for word in phrase.split())
    pattern = re.compile(rf"\b{words}\b", re.IGNORECASE)
    return sum(1 for p in passages if pattern.search(p.text))


def kmeans(
    vectors: np.ndarray, k: int, seed: int, iterations: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means (cosine) with k-means++ seeding; deterministic for a seed."""
    rng = np.random.default_rng(seed)
    n = len(vectors)
    k = min(k, n)
    centroids = [vectors[rng.integers(n)]]
    for _ in range(1, k):
        distance = 1.0 - np.max(vectors @ np.stack(centroids).T, axis=1)
        weights = np.clip(distance, 0, None) ** 2
        total = weights.sum()
        centroids.append(
            vectors[rng.choice(n, p=weights / total)] if total > 0 else vectors[rng.integers(n)]
        )
    centres = np.stack(centroids)
    labels = np.zeros(n, dtype=int)
    for _ in range(iterations):
        new_labels = np.argmax(vectors @ centres.T, axis=1)
        if np.array_equal(new_labels, labels) and _ > 0:
            break
        labels = new_labels
        for c in range(k):
            members = vectors[labels == c]
            if len(members):
                mean = members.mean(axis=0)
                centres[c] = mean / (np.linalg.norm(mean) or 1.0)
    return labels, centres
