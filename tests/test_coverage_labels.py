"""Coverage labels rest on passages that address the objective: objectives the bundled corpus
clearly covers are rated partial or strong, and ones it clearly does not are weak, however
close their generic words come to some passage."""

from __future__ import annotations

import pytest

from tools.coverage import CoverageAnalyzer, strength
from tools.search import Searcher
from tools.settings import CoverageSettings

COVERED = {
    "Grow apprenticeships across West Yorkshire": "strong",
    "Improve staff health and wellbeing support": "strong",
    "Ethical international recruitment of nurses with partners": "partial",
}
NOT_COVERED = [
    "Introduce a four-day working week for all staff",
    "Open an on-site staff creche at every base",
    "Adopt blockchain for payroll",
    "Reduce the use of agency locum doctors in emergency departments",
]


@pytest.fixture(scope="module")
def coverage(corpus_index) -> CoverageAnalyzer:
    return CoverageAnalyzer(Searcher(corpus_index.settings))


def test_objectives_the_corpus_covers_are_rated_by_their_passages(coverage):
    found = coverage.objective_support(list(COVERED))
    assert {s.objective: s.strength for s in found} == COVERED


def test_objectives_the_corpus_does_not_cover_are_weak(coverage):
    found = coverage.objective_support(NOT_COVERED)
    assert [s.strength for s in found] == ["weak"] * len(NOT_COVERED)
    assert all(s.passages for s in found)  # the nearest passages are still shown


def test_a_label_needs_its_passage_to_stand_out_from_the_corpus():
    settings = CoverageSettings()
    assert strength([0.60, 0.55], 0.30, settings) == "strong"
    assert strength([0.60, 0.55], 0.45, settings) == "partial"  # close to everything
    assert strength([0.60, 0.30], 0.30, settings) == "partial"  # one passage alone
    assert strength([0.45, 0.40], 0.40, settings) == "weak"


def test_the_least_supported_objective_is_named_by_its_label_first():
    from orchestration.engine.reviewing import computed_summary
    from tools.coverage import ObjectiveSupport

    support = [
        ObjectiveSupport("Embed inclusive practices", 0.45, "partial", []),
        ObjectiveSupport("Reduce disparities in experience", 0.50, "weak", []),  # generic
        ObjectiveSupport("Target remedial support", 0.62, "strong", []),
    ]
    summary = computed_summary(support)
    assert summary.startswith("2 of 3 objectives have strong or partial support")
    assert "The least supported is “Reduce disparities in experience” (weak)." in summary


def test_when_every_objective_is_strong_none_is_called_least_supported():
    from orchestration.engine.reviewing import computed_summary
    from tools.coverage import ObjectiveSupport

    support = [
        ObjectiveSupport("Deliver apprenticeships", 0.75, "strong", []),
        ObjectiveSupport("Recruit from Leeds communities", 0.62, "strong", []),
    ]
    assert computed_summary(support) == "All 2 objectives have strong support in the corpus."
