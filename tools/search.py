"""Hybrid search: dense (Chroma) and lexical (BM25) rankings fused into one list of hits.

Fusion is weighted reciprocal rank fusion over the two candidate lists, plus a small bonus from
each ranker's normalised score so that a passage both rankers are sure of beats one that only
sneaks into both lists. ``Searcher`` answers many queries in one call (one embedding batch).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

from tools.evidence import Hit, Passage, QueryResult, parse_evidence_id
from tools.ingest import refresh_lexical
from tools.lexical import LexicalIndex
from tools.settings import RetrievalSettings
from tools.store import CorpusStore, NoIndexError

Mode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60
CANDIDATES = 50
COVERAGE_POWER = 6.0
LEXICAL_WEIGHT = 0.2  # tuned on bench/retrieval.py: dense is stronger on paraphrased questions


@dataclass(frozen=True)
class Filters:
    """Metadata filters; empty means everything."""

    scopes: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.scopes:
            clauses.append({"scope": {"$in": list(self.scopes)}})
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def lexical_weight(coverage: float) -> float:
    """BM25's weight in fusion: low for paraphrased questions, high when the query's own terms
    all occur in BM25's top passage (names, programmes, exact phrases)."""
    return LEXICAL_WEIGHT + (1.0 - LEXICAL_WEIGHT) * coverage**COVERAGE_POWER


def fuse(
    dense: list[tuple[str, float]],
    lexical: list[tuple[str, float]],
    dense_weight: float = 1.0,
    lexical_weight: float = LEXICAL_WEIGHT,
) -> list[tuple[str, float]]:
    """Weighted reciprocal-rank fusion plus a small bonus for how sure each ranker is; best first.

    The dense bonus is the cosine similarity itself (a weak match stays weak even when it tops
    the list); the lexical bonus is the BM25 score relative to the best one. Ties go to the
    passage id, so results are deterministic.
    """
    scores: dict[str, float] = {}
    top_lexical = lexical[0][1] if lexical else 0.0
    for ranking, weight, is_dense in (
        (dense, dense_weight, True),
        (lexical, lexical_weight, False),
    ):
        for rank, (pid, score) in enumerate(ranking):
            sureness = (
                max(score, 0.0) if is_dense else (score / top_lexical if top_lexical > 0 else 0.0)
            )
            scores[pid] = scores.get(pid, 0.0) + weight * (
                1.0 / (RRF_K + rank + 1) + 0.01 * sureness
            )
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


class Searcher:
    """Search the index; one instance per process, reused across queries."""

    _opening = threading.Lock()  # Chroma's client cache and the BM25 mirror are not thread-safe

    def __init__(self, settings: RetrievalSettings, store: CorpusStore | None = None) -> None:
        self.settings = settings
        with Searcher._opening:
            self.store = store or CorpusStore(settings)
            if not self.store.exists():
                raise NoIndexError("The corpus is not indexed yet; run `review ingest` first.")
            self.store.passages()  # checks the embedding model matches the index
            self.lexical: LexicalIndex = refresh_lexical(self.store)

    def search(
        self,
        queries: list[str],
        k: int = 5,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
    ) -> list[QueryResult]:
        """The top ``k`` hits for each query."""
        filters = filters or Filters()
        n = max(CANDIDATES, k)
        dense: list[list[tuple[str, float]]] = [[] for _ in queries]
        lexical: list[list[tuple[str, float]]] = [[] for _ in queries]
        coverage = [0.0 for _ in queries]
        if mode in ("hybrid", "dense"):
            vectors = self.store.embedder.embed(queries)
            where = filters.chroma_where()
            keep = (
                None
                if where is None
                else (lambda pid: self.lexical.matches(pid, filters.scopes, filters.doc_ids))
            )
            dense = self.store.dense_query(vectors, n, where, keep)
        if mode in ("hybrid", "lexical"):
            mask = self.lexical.mask(list(filters.scopes), list(filters.doc_ids))
            found = self.lexical.search_with_coverage(queries, n, mask)
            lexical = [hits for hits, _ in found]
            coverage = [cover for _, cover in found]
        results = []
        for query, d, lx, cover in zip(queries, dense, lexical, coverage, strict=True):
            ranked = (
                fuse(d, lx, lexical_weight=lexical_weight(cover)) if mode == "hybrid" else (d or lx)
            )
            hits = [
                Hit.from_passage(passage, score)
                for pid, score in ranked[:k]
                if (passage := self.lexical.get(pid)) is not None
            ]
            results.append(QueryResult(query=query, hits=hits))
        return results

    def passage(self, evidence_id: str) -> Passage | None:
        """The passage with this evidence id, or None when no such passage is indexed."""
        parse_evidence_id(evidence_id)
        return self.lexical.get(evidence_id)

    def neighbours(self, passage: Passage, n: int = 1) -> list[Passage]:
        return self.lexical.neighbours(passage, n)

    def documents(self) -> dict[str, dict[str, Any]]:
        return self.store.document_records()
