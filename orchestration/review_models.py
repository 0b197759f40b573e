"""What the panel produces: per-theme ``ThemeReview`` and the whole-strategy ``StrategyReview``.

Models write the words and choose evidence ids; code attaches every ``Citation`` (with a quote
copied verbatim from the stored passage) and drops ids that do not exist.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Strength = Literal["strong", "partial", "weak"]
Priority = Literal["high", "medium", "low"]
GapKind = Literal["in_documents", "emerging", "interdependency"]
Verdict = Literal["reinstate", "fold_into_existing", "not_needed", "no_evidence"]

NO_EVIDENCE = "No passage in the corpus supports this point; treat it as the panel's judgement."


class Citation(BaseModel):
    """A cited passage and the sentence quoted from it, verbatim."""

    evidence_id: str
    doc_id: str
    title: str
    section: str
    quote: str = Field(
        description="Copied by code from the stored passage, never typed by a model."
    )
    start: int = Field(description="Offset of the quote in the normalised source document.")
    end: int


class Claim(BaseModel):
    text: str
    evidence_ids: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    note: str = Field(
        default="", description="Set by code, e.g. when no evidence supports the claim."
    )


class Gap(Claim):
    kind: GapKind
    related_theme: str | None = None


class Recommendation(Claim):
    action: Literal["add", "change"]
    objective: str | None = Field(default=None, description="The objective to change, if any.")
    priority: Priority = "medium"
    also_in: list[str] = Field(
        default_factory=list, description="Other themes that recommended the same."
    )


class ObjectiveCoverage(BaseModel):
    """How strongly the corpus supports one objective (computed)."""

    objective: str
    strength: Strength
    score: float
    evidence: list[Citation] = Field(default_factory=list)


class CandidateGap(BaseModel):
    """A corpus topic no objective of the theme covers (computed)."""

    topic: str
    relevance: float
    best_objective_similarity: float
    evidence: list[Citation] = Field(default_factory=list)


class Dissent(BaseModel):
    agent: str
    text: str


class ThemeReview(BaseModel):
    theme_id: str
    theme_name: str
    coverage_summary: str
    objective_coverage: list[ObjectiveCoverage] = Field(default_factory=list)
    candidate_gaps: list[CandidateGap] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    dissent: list[Dissent] = Field(default_factory=list)
    agreed: list[str] = Field(default_factory=list, description="Panelists who signed off.")
    dropped_evidence_ids: list[str] = Field(default_factory=list)
    ended_early: bool = False
    chair_approved: bool = Field(
        default=False, description="The chair approved this review (runs held for approval)."
    )
    chair_comments: list[str] = Field(
        default_factory=list, description="The chair's comments when sending the review back."
    )


class ThemeAssessment(BaseModel):
    """Whether a theme that is missing (or was dropped from the previous strategy) is needed."""

    theme: str
    verdict: Verdict
    rationale: str
    best_match: str | None = Field(default=None, description="Closest current theme.")
    corpus_support: float
    citations: list[Citation] = Field(default_factory=list)


class StrategyReview(BaseModel):
    title: str
    organisation: str
    themes: list[ThemeReview]
    missing_themes: list[ThemeAssessment] = Field(default_factory=list)
    priorities: list[Recommendation] = Field(default_factory=list)
    corpus_documents: list[str] = Field(default_factory=list)
