"""Hybrid search: dense (Chroma) and lexical (BM25) rankings fused into one list of hits.

Fusion is weighted reciprocal rank fusion over the two candidate lists, plus a small bonus from
each ranker's normalised score so that a passage both rankers are sure of beats one that only
sneaks into both lists. A hit that stops inside a list brings the passages that carry the list on
right after it. ``Searcher`` answers many queries in one call (one embedding batch). The knobs are
``retrieval.search`` (``tools.settings.SearchSettings``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

from tools.chunker import continues_list
from tools.evidence import Hit, Passage, QueryResult, parse_evidence_id
from tools.ingest import refresh_lexical
from tools.lexical import LexicalIndex
from tools.settings import RetrievalSettings, SearchSettings
from tools.store import CorpusStore, NoIndexError

Mode = Literal["hybrid", "dense", "lexical"]


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


def lexical_weight(coverage: float, settings: SearchSettings) -> float:
    """BM25's weight in fusion: low for paraphrased questions, high when the query's own terms
    all occur in BM25's top passage (names, programmes, exact phrases)."""
    low = settings.lexical_weight
    return low + (1.0 - low) * coverage**settings.coverage_power


def lexical_is_decisive(
    lexical: list[tuple[str, float]], coverage: float, settings: SearchSettings
) -> bool:
    """Whether BM25's top passage is a clear winner: it holds most of the query's terms and
    outscores BM25's second passage by a wide margin (a name or phrase only it contains). Dense
    search can miss such a passage altogether, so it goes first."""
    if not lexical or coverage < settings.decisive_coverage:
        return False
    runner_up = lexical[1][1] if len(lexical) > 1 else 0.0
    return 1.0 - runner_up / lexical[0][1] >= settings.decisive_margin


def put_first(ranked: list[tuple[str, float]], pid: str) -> list[tuple[str, float]]:
    """``ranked`` with ``pid`` moved to the top, at the top score."""
    top = ranked[0][1] if ranked else 0.0
    return [(pid, top)] + [item for item in ranked if item[0] != pid]


def fuse(
    dense: list[tuple[str, float]],
    lexical: list[tuple[str, float]],
    bm25_weight: float,
    rrf_k: int,
) -> list[tuple[str, float]]:
    """Weighted reciprocal-rank fusion plus a small bonus for how sure each ranker is; best first.

    The dense bonus is the cosine similarity itself (a weak match stays weak even when it tops
    the list); the lexical bonus is the BM25 score relative to the best one. Ties go to the
    passage id, so results are deterministic.
    """
    scores: dict[str, float] = {}
    top_lexical = lexical[0][1] if lexical else 0.0
    for ranking, weight, is_dense in (
        (dense, 1.0, True),
        (lexical, bm25_weight, False),
    ):
        for rank, (pid, score) in enumerate(ranking):
            sureness = (
                max(score, 0.0) if is_dense else (score / top_lexical if top_lexical > 0 else 0.0)
            )
            scores[pid] = scores.get(pid, 0.0) + weight * (
                1.0 / (rrf_k + rank + 1) + 0.01 * sureness
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
        """The top ``k`` hits for each query, each followed by the passages carrying on a list it
        stops inside (``Hit.continues``; not counted in ``k``)."""
        filters = filters or Filters()
        tuning = self.settings.search
        n = max(tuning.candidates, k)
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
            if mode != "hybrid":
                ranked = d or lx
            else:
                ranked = fuse(d, lx, lexical_weight(cover, tuning), tuning.rrf_k)
                if lexical_is_decisive(lx, cover, tuning):
                    ranked = put_first(ranked, lx[0][0])
            results.append(QueryResult(query=query, hits=self._hits(ranked, k, filters)))
        return results

    def _hits(self, ranked: list[tuple[str, float]], k: int, filters: Filters) -> list[Hit]:
        """The first ``k`` ranked passages, each followed by the passages that carry on a list
        it stops inside (``search.follow_lists`` at most, within the filters; not counted in
        ``k``). A passage already shown is not shown again."""
        hits: list[Hit] = []
        shown: set[str] = set()
        heads = 0
        for pid, score in ranked:
            if heads == k:
                break
            passage = self.lexical.get(pid)
            if passage is None or pid in shown:
                continue
            heads += 1
            hits.append(Hit.from_passage(passage, score))
            shown.add(pid)
            for following in self._list_continuation(passage, filters):
                if following.id in shown:
                    break
                hits.append(Hit.from_passage(following, score, continues=hits[-1].id))
                shown.add(following.id)
        return hits

    def _list_continuation(self, passage: Passage, filters: Filters) -> list[Passage]:
        """The passages after ``passage`` that carry on a list it stops inside, in order."""
        chain: list[Passage] = []
        for _ in range(self.settings.search.follow_lists):
            following = self.lexical.following(passage)
            if (
                following is None
                or following.section != passage.section
                or not continues_list(passage.text, following.text)
                or not self.lexical.matches(following.id, filters.scopes, filters.doc_ids)
            ):
                break
            chain.append(following)
            passage = following
        return chain

    def passage(self, evidence_id: str) -> Passage | None:
        """The passage with this evidence id, or None when no such passage is indexed."""
        parse_evidence_id(evidence_id)
        return self.lexical.get(evidence_id)

    def neighbours(self, passage: Passage, n: int = 1) -> list[Passage]:
        return self.lexical.neighbours(passage, n)

    def documents(self) -> dict[str, dict[str, Any]]:
        return self.store.document_records()
