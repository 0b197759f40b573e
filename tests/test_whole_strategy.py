"""The whole-strategy pass: duplicates merged across themes, dropped themes assessed, priorities."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.engine.whole_strategy import merge_duplicates, prioritise, review_strategy
from orchestration.review_models import Citation, Recommendation, ThemeReview
from orchestration.strategy import load_strategy
from tools.coverage import CoverageAnalyzer
from tools.search import Searcher


@pytest.fixture(scope="module")
def coverage(corpus_index):
    return CoverageAnalyzer(Searcher(corpus_index.settings))


def _citation(evidence_id: str) -> Citation:
    return Citation(
        evidence_id=evidence_id,
        doc_id=evidence_id.split("#")[0],
        title="t",
        section="s",
        quote="q",
        start=0,
        end=1,
    )


def _review(theme: str, *recs: tuple[str, str, str]) -> ThemeReview:
    return ThemeReview(
        theme_id=theme.lower().replace(" ", "-"),
        theme_name=theme,
        coverage_summary="",
        recommendations=[
            Recommendation(
                action="add",
                text=text,
                priority=priority,
                evidence_ids=[eid],
                citations=[_citation(eid)],
            )
            for text, priority, eid in recs
        ],
    )


def test_the_same_recommendation_under_several_themes_is_kept_once(coverage):
    digital = "Add an objective to develop the digital skills of all staff."
    reviews = [
        _review(
            "People Services",
            (digital, "high", "LEEDS-OWS-2024#3"),
            ("Standardise HR processes.", "low", "WY-HCP-WF-2022#5"),
        ),
        _review(
            "Talent",
            (
                "Add an objective to develop digital skills for all staff.",
                "medium",
                "LSC-ICB-WFS-2023#9",
            ),
        ),
        _review(
            "Inclusion",
            (
                "Add an objective to develop the digital skills of all our staff.",
                "low",
                "WY-HCP-WF-2022#9",
            ),
            ("Publish ethnicity pay gap data every year.", "high", "WY-HCP-WF-2022#18"),
        ),
    ]
    as_logged = [r.model_dump() for r in reviews]
    merged = merge_duplicates(reviews, coverage)
    assert [r.model_dump() for r in reviews] == as_logged  # the logged reviews are untouched
    reviews = merged
    kept = reviews[0].recommendations[0]
    assert kept.text == digital and kept.also_in == ["Talent", "Inclusion"]
    assert kept.evidence_ids == ["LEEDS-OWS-2024#3", "LSC-ICB-WFS-2023#9", "WY-HCP-WF-2022#9"]
    assert reviews[1].recommendations == []
    assert [r.text for r in reviews[2].recommendations] == [
        "Publish ethnicity pay gap data every year."
    ]
    assert [r.text for r in prioritise(reviews)][:2] == [
        digital,
        "Publish ethnicity pay gap data every year.",
    ]


def test_dropped_previous_themes_are_assessed_with_evidence(coverage):
    strategy = load_strategy(Path("corpus/strategy/workforce-strategy-2026-2031.toml"))
    whole = review_strategy(strategy, [], coverage)
    assessed = {a.theme: a for a in whole.missing_themes}
    assert set(assessed) == {"Leadership", "System Partner"}
    limits = coverage.settings
    for assessment in assessed.values():
        # both dropped themes are discussed in the corpus, so each is weighed, not waved away
        assert assessment.corpus_support >= limits.theme_unsupported, assessment
        assert assessment.verdict != "no_evidence"
        if assessment.verdict in ("reinstate", "fold_into_existing"):
            assert assessment.corpus_support >= limits.theme_supported
        assert assessment.best_match in {t.name for t in strategy.themes}
        assert assessment.theme in assessment.rationale
        assert assessment.best_match in assessment.rationale
        assert assessment.citations
    # the quote is the sentence that names the theme, not one about health and care in general
    assert "leadership" in assessed["Leadership"].citations[0].quote.lower()


def test_near_duplicates_within_a_theme_are_merged_too(coverage):
    [review] = [
        _review(
            "Talent",
            ("Add an objective on ethical international recruitment.", "high", "WY-HCP-WF-2022#30"),
            (
                "Add an objective on ethical international recruitment of staff.",
                "medium",
                "WY-HCP-WF-2022#31",
            ),
        )
    ]
    [merged] = merge_duplicates([review], coverage)
    assert len(review.recommendations) == 2  # the review as logged is left as it was
    [kept] = merged.recommendations
    assert kept.also_in == [] and kept.evidence_ids == ["WY-HCP-WF-2022#30", "WY-HCP-WF-2022#31"]


def test_among_equals_a_recommendation_on_a_barely_supported_objective_comes_first():
    from orchestration.review_models import ObjectiveCoverage

    def change(objective: str, eid: str) -> Recommendation:
        return Recommendation(
            action="change",
            objective=objective,
            text=f"Give “{objective}” a measure and a baseline.",
            evidence_ids=[eid],
            citations=[_citation(eid)],
        )

    review = ThemeReview(
        theme_id="talent",
        theme_name="Talent",
        coverage_summary="",
        objective_coverage=[
            ObjectiveCoverage(objective="Grow pipelines", strength="partial", score=0.5),
            ObjectiveCoverage(objective="Use the ATS", strength="weak", score=0.3),
        ],
        recommendations=[
            change("Grow pipelines", "A#1"),
            # as a model writes it back from the prompt's list
            change("2. “use the ATS” (support: weak, best passage [B#2])", "B#2"),
        ],
    )
    assert [r.evidence_ids for r in prioritise([review])] == [["B#2"], ["A#1"]]
