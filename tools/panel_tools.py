"""The tools every panelist shares, as typed functions with pydantic arguments/results.

``search_corpus``, ``get_passage``, ``list_documents`` and ``theme_coverage`` are plain functions over a ``Searcher``;
``agents.runtime.tools`` wraps them for the agent runtime, so the runtime can change without
touching them. Every result carries evidence ids.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tools.coverage import CoverageAnalyzer
from tools.evidence import Hit, Passage
from tools.quality import clip_at_sentence
from tools.search import Filters, Searcher

ScopeName = Literal["national", "regional", "place", "organisation"]


class SearchCorpusArgs(BaseModel):
    """Search the evidence corpus."""

    query: str = Field(description="What to look for, in plain words.", min_length=2)
    k: int = Field(default=5, ge=1, le=20, description="How many passages to return.")
    scopes: list[ScopeName] = Field(
        default_factory=list, description="Only documents of these scopes (empty: all)."
    )
    doc_ids: list[str] = Field(
        default_factory=list, description="Only these document ids (empty: all)."
    )


class SearchCorpusResult(BaseModel):
    query: str
    hits: list[Hit]
    message: str = ""


class GetPassageArgs(BaseModel):
    """Read one passage by its evidence id, with its neighbours."""

    evidence_id: str = Field(description="An evidence id such as LEEDS-OWS-2024#12.")
    neighbours: int = Field(default=0, ge=0, le=3, description="Passages either side to include.")


class GetPassageResult(BaseModel):
    found: bool
    passage: Passage | None = None
    neighbours: list[Passage] = Field(default_factory=list)
    message: str = ""


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    publisher: str
    year: int | None
    scope: str
    geography: str
    passages: int


class ListDocumentsResult(BaseModel):
    documents: list[DocumentSummary]


def search_corpus(
    searcher: Searcher, args: SearchCorpusArgs, passage_words: int | None = None
) -> SearchCorpusResult:
    """At most ``k`` hits (a list's continuation counted), clipped at a sentence end to
    ``passage_words`` (so a result fits the model's context); unknown document ids are left out
    of the filter, and named, so a mistyped id still searches rather than finding nothing."""
    known = searcher.documents()
    doc_ids = tuple(d for d in args.doc_ids if d in known)
    unknown = [d for d in args.doc_ids if d not in known]
    result = searcher.search([args.query], k=args.k, filters=Filters(tuple(args.scopes), doc_ids))[
        0
    ]
    shown = [h for h in result.hits if not _addresses_model(searcher, h.id)]
    kept_ids = {h.id for h in shown}
    shown = [h for h in shown if h.continues is None or h.continues in kept_ids]
    hits = [
        h.model_copy(update={"text": clip_at_sentence(h.text, passage_words)})
        if passage_words
        else h
        for h in shown
    ][: args.k]
    message = (
        f"No documents with the ids {', '.join(unknown)}; searched "
        + ("the others given." if doc_ids else "every document.")
        + " list_documents gives the ids."
        if unknown
        else ""
    )
    return SearchCorpusResult(query=result.query, hits=hits, message=message)


def _addresses_model(searcher: Searcher, evidence_id: str) -> bool:
    """Planted instructions to a model are never handed to the panel."""
    passage = searcher.passage(evidence_id)
    return passage is not None and passage.addresses_model


def get_passage(searcher: Searcher, args: GetPassageArgs) -> GetPassageResult:
    try:
        passage = searcher.passage(args.evidence_id)
    except ValueError as exc:
        return GetPassageResult(found=False, message=str(exc))
    if passage is None:
        return GetPassageResult(
            found=False, message=f"No passage {args.evidence_id}; search for ids first."
        )
    if passage.addresses_model:
        return GetPassageResult(
            found=False, message=f"{args.evidence_id} holds instructions to a model; not shown."
        )
    around = [p for p in searcher.neighbours(passage, args.neighbours) if p.id != passage.id]
    return GetPassageResult(found=True, passage=passage, neighbours=around)


def list_documents(searcher: Searcher) -> ListDocumentsResult:
    documents = [
        DocumentSummary(
            doc_id=doc_id,
            title=str(meta.get("title", doc_id)),
            publisher=str(meta.get("publisher", "unknown")),
            year=int(meta["year"]) if meta.get("year") else None,
            scope=str(meta.get("scope", "")),
            geography=str(meta.get("geography", "")),
            passages=int(meta.get("n_chunks", 0)),
        )
        for doc_id, meta in sorted(searcher.documents().items())
    ]
    return ListDocumentsResult(documents=documents)


class CoverageArgs(BaseModel):
    """Measure how well the corpus supports a theme's objectives, and find uncovered topics."""

    theme: str = Field(
        description="The theme's name and, ideally, its one-line summary.", min_length=2
    )
    objectives: list[str] = Field(description="The theme's objectives.", min_length=1)


class ObjectiveSupportResult(BaseModel):
    objective: str
    strength: str
    similarity: float
    evidence_ids: list[str]


class TopicGapResult(BaseModel):
    topic: str
    relevance: float
    closest_objective_similarity: float
    evidence_ids: list[str]


class CoverageResult(BaseModel):
    objectives: list[ObjectiveSupportResult]
    uncovered_topics: list[TopicGapResult]


def theme_coverage(analyzer: CoverageAnalyzer, args: CoverageArgs) -> CoverageResult:
    """The computed coverage analysis (``tools.coverage``) in tool form."""
    support = analyzer.objective_support(args.objectives)
    gaps = analyzer.candidate_gaps(f"{args.theme} " + " ".join(args.objectives), args.objectives)
    return CoverageResult(
        objectives=[
            ObjectiveSupportResult(
                objective=s.objective,
                strength=s.strength,
                similarity=s.score,
                evidence_ids=[p.id for p, _ in s.passages],
            )
            for s in support
        ],
        uncovered_topics=[
            TopicGapResult(
                topic=g.topic.label,
                relevance=g.relevance,
                closest_objective_similarity=g.best_objective_similarity,
                evidence_ids=[p.id for p, _ in g.passages],
            )
            for g in gaps
        ],
    )
