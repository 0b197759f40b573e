"""The whole-strategy pass after the themes: duplicates merged, missing themes assessed, and a
prioritised list of recommendations. All computed from the theme reviews and the corpus."""

from __future__ import annotations

import re

import numpy as np

from orchestration.engine.citations import cite
from orchestration.engine.corpus_limits import corpus_limits, documents_by_scope
from orchestration.review_models import (
    Recommendation,
    StrategyReview,
    ThemeAssessment,
    ThemeReview,
    Verdict,
)
from orchestration.strategy import Strategy
from tools.coverage import CoverageAnalyzer

PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def merge_duplicates(logged: list[ThemeReview], coverage: CoverageAnalyzer) -> list[ThemeReview]:
    """New reviews in which each recommendation is kept once, under the first theme that made it;
    later themes point to it. Near-duplicates within one theme are merged too (small models
    repeat themselves). The reviews as logged are left as they were."""
    reviews = [review.model_copy(deep=True) for review in logged]
    items = [(review, rec) for review in reviews for rec in review.recommendations]
    if len(items) < 2:
        return reviews
    vectors = coverage.embed([rec.text for _, rec in items])
    sims = vectors @ vectors.T
    removed: set[int] = set()
    for i, (review_i, rec_i) in enumerate(items):
        if i in removed:
            continue
        for j in range(i + 1, len(items)):
            review_j, rec_j = items[j]
            if j in removed or sims[i, j] < coverage.settings.duplicate_recommendations:
                continue
            removed.add(j)
            if review_j.theme_id != review_i.theme_id and review_j.theme_name not in rec_i.also_in:
                rec_i.also_in.append(review_j.theme_name)
            rec_i.evidence_ids = list(dict.fromkeys(rec_i.evidence_ids + rec_j.evidence_ids))
            known = {c.evidence_id for c in rec_i.citations}
            rec_i.citations += [c for c in rec_j.citations if c.evidence_id not in known]
    for index in sorted(removed, reverse=True):
        review, rec = items[index]
        review.recommendations.remove(rec)
    return reviews


def assess_missing_themes(strategy: Strategy, coverage: CoverageAnalyzer) -> list[ThemeAssessment]:
    """For each previous theme the draft dropped: does the corpus still call for it, and does a
    current theme already carry it?"""
    limits = coverage.settings
    current = {t.name.lower() for t in strategy.themes}
    dropped = [
        name
        for name in (strategy.previous.themes if strategy.previous else [])
        if name.lower() not in current
    ]
    if not dropped:
        return []
    theme_vectors = coverage.embed([t.text() for t in strategy.themes])
    assessments = []
    for name in dropped:
        probe = f"{name} in the health and care workforce"
        vector = coverage.embed([probe])[0]
        passage_sims = coverage.vectors @ vector if len(coverage.passages) else np.zeros(0)
        top: list[int] = [int(i) for i in np.argsort(-passage_sims)[:2]]
        support = float(passage_sims[top[0]]) if len(top) else 0.0
        theme_sims = theme_vectors @ vector
        best = int(np.argmax(theme_sims))
        best_theme, best_sim = strategy.themes[best].name, float(theme_sims[best])
        # quoted: the sentence naming the theme (every passage shares the probe's other words)
        citations = cite([coverage.passages[i].id for i in top], name, coverage.searcher.passage)[0]
        verdict: Verdict
        if support < limits.theme_unsupported:
            verdict, why = (
                "no_evidence",
                f"The corpus says little about {name} (best passage similarity {support:.2f}).",
            )
        elif support >= limits.theme_supported and best_sim < limits.covered_by_theme:
            verdict = "reinstate"
            why = (
                f"The corpus gives {name} real weight (similarity {support:.2f}) and no current theme "
                f"carries it (closest: {best_theme}, {best_sim:.2f})."
            )
        elif support >= limits.theme_supported:
            verdict = "fold_into_existing"
            why = (
                f"The corpus supports {name} ({support:.2f}); {best_theme} is close enough ({best_sim:.2f}) "
                f"to carry it if its objectives say so explicitly."
            )
        else:
            verdict = "not_needed"
            why = f"Only partial corpus support for {name} ({support:.2f}); {best_theme} is the closest theme."
        assessments.append(
            ThemeAssessment(
                theme=name,
                verdict=verdict,
                rationale=why,
                best_match=best_theme,
                corpus_support=round(support, 4),
                citations=citations,
            )
        )
    return assessments


def prioritise(reviews: list[ThemeReview]) -> list[Recommendation]:
    """All recommendations, most important first: priority, then how many themes share it,
    then whether it is about an objective the corpus barely supports, then how much evidence
    it has."""
    weak = {
        (review.theme_id, _plain(c.objective))
        for review in reviews
        for c in review.objective_coverage
        if c.strength == "weak"
    }
    ranked = [
        (
            PRIORITY_ORDER[rec.priority],
            -len(rec.also_in),
            (review.theme_id, _plain(rec.objective or "")) not in weak,
            -len(rec.citations),
            rec,
        )
        for review in reviews
        for rec in review.recommendations
    ]
    return [item[-1] for item in sorted(ranked, key=lambda item: item[:-1])]


def _plain(objective: str) -> str:
    """An objective's title as a model may write it back: no numbering, quotes or case."""
    title = re.sub(r"\s*\(support:[^)]*\)\s*$", "", objective)  # as the prompt lists it
    return re.sub(r"^\W*\d*[.)]?\s*|[“”\"'‘’]", "", title).strip().casefold()


def review_strategy(
    strategy: Strategy,
    reviews: list[ThemeReview],
    coverage: CoverageAnalyzer,
    corpus_notes: list[str] | None = None,
) -> StrategyReview:
    """``corpus_notes``: what the corpus cannot speak to, when the run has worked it out."""
    if corpus_notes is None:
        corpus_notes = corpus_limits(documents_by_scope(coverage.searcher.store.document_records()))
    reviews = merge_duplicates(reviews, coverage)
    return StrategyReview(
        title=strategy.title,
        organisation=strategy.organisation,
        themes=reviews,
        missing_themes=assess_missing_themes(strategy, coverage),
        priorities=prioritise(reviews),
        corpus_documents=coverage.searcher.lexical.doc_ids(),
        glossary=strategy.glossary,
        corpus_limits=corpus_notes,
    )
