"""What the panel produces: per-theme ``ThemeReview`` and the whole-strategy ``StrategyReview``.

Models write the words and choose evidence ids; code attaches every ``Citation`` (with a quote
copied verbatim from the stored passage) and drops ids that do not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, field_validator

Strength = Literal["strong", "partial", "weak"]
Priority = Literal["high", "medium", "low"]
GapKind = Literal["in_documents", "emerging", "interdependency"]
GAP_KINDS: dict[str, str] = {
    "in_documents": "in the documents but not in the objectives",
    "emerging": "an emerging priority not yet in the objectives",
    "interdependency": "an interdependency with another theme",
}
Verdict = Literal["reinstate", "fold_into_existing", "not_needed", "no_evidence"]
Origin = Literal["panel", "computed"]

COMPUTED_LABEL = "computed from the evidence"


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
    """A checked statement of the review, with the passages it cites."""

    text: str
    evidence_ids: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    origin: Origin = Field(
        default="panel",
        description="'panel': a model wrote it and it passed the claim checks; 'computed': code "
        "wrote it from the evidence to fill a thin review.",
    )
    support: float | None = Field(
        default=None, description="How well its cited passages support it (0..1), by the checks."
    )
    note: str = Field(default="", description="Set by code, e.g. what the checks changed.")


class Gap(Claim):
    kind: GapKind
    related_theme: str | None = None


ACTION_FIELDS = {
    "owner": "Owner",
    "measure": "Measure",
    "baseline": "Baseline",
    "due": "By",
    "resource": "Needs",
}


class Recommendation(Claim):
    action: Literal["add", "change"]
    objective: str | None = Field(default=None, description="The objective to change, if any.")
    priority: Priority = "medium"
    owner: str | None = Field(default=None, description="Who should own it: a role.")
    measure: str | None = Field(default=None, description="How progress is measured.")
    baseline: str | None = Field(default=None, description="Where it stands now, with a source.")
    due: str | None = Field(default=None, description="By when.")
    resource: str | None = Field(default=None, description="What it needs.")
    also_in: list[str] = Field(
        default_factory=list, description="Other themes that recommended the same."
    )


class ObjectiveCoverage(BaseModel):
    """How strongly the corpus supports one objective (computed)."""

    objective: str
    description: str = Field(default="", description="What the draft says the objective means.")
    strength: Strength
    score: float
    typical: float | None = Field(
        default=None,
        description="The objective's median similarity over every passage: a label rests on how "
        "far its best passages stand above this (a generic objective is close to everything).",
    )
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


class SetAside(BaseModel):
    """A model-written statement the claim checks kept out of the report body, and why."""

    where: str = Field(description="What it was: a gap, a recommendation, a sign-off, ...")
    agent: str
    text: str = Field(description="As the model wrote it.")
    reasons: list[str]
    evidence_ids: list[str] = Field(default_factory=list)


class ThemeReview(BaseModel):
    theme_id: str
    theme_name: str
    computed_summary: str = Field(default="", description="Coverage in numbers, by code.")
    summary: list[Claim] = Field(
        default_factory=list, description="The panel's summary sentences that passed the checks."
    )
    objective_coverage: list[ObjectiveCoverage] = Field(default_factory=list)
    candidate_gaps: list[CandidateGap] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    dissent: list[Dissent] = Field(default_factory=list)
    agreed: list[str] = Field(default_factory=list, description="Panelists who signed off.")
    invalid_sign_offs: list[str] = Field(
        default_factory=list,
        description="Panelists whose sign-off was junk or contradicted its stance: no valid "
        "sign-off, counted neither as agreement nor as dissent.",
    )
    set_aside: list[SetAside] = Field(
        default_factory=list, description="Statements the claim checks kept out, with reasons."
    )
    dropped_evidence_ids: list[str] = Field(default_factory=list)
    ended_early: bool = False
    chair_approved: bool = Field(
        default=False, description="The chair approved this review (runs held for approval)."
    )
    chair_comments: list[str] = Field(
        default_factory=list, description="The chair's comments when sending the review back."
    )

    @property
    def coverage_summary(self) -> str:
        """The panel's summary, as one paragraph."""
        return " ".join(claim.text for claim in self.summary)

    def claims(self) -> Iterator[tuple[str, Claim]]:
        """Every checked statement of the review, with what it is."""
        yield from (("summary", c) for c in self.summary)
        yield from (("gap", c) for c in self.gaps)
        yield from (("recommendation", c) for c in self.recommendations)


class ThemeAssessment(BaseModel):
    """Whether a theme that is missing (or was dropped from the previous strategy) is needed."""

    theme: str
    verdict: Verdict
    rationale: str
    best_match: str | None = Field(default=None, description="Closest current theme.")
    corpus_support: float
    citations: list[Citation] = Field(default_factory=list)


ChairVerdict = Literal["accepted", "rejected", "deferred"]


class Decision(BaseModel):
    """The chair's decision on one recommendation of a theme's review."""

    theme_id: str
    number: int = Field(ge=1, description="The recommendation's number in its theme's review.")
    recommendation: str = Field(description="The recommendation's text, as in the report.")
    verdict: ChairVerdict
    reason: str = Field(default="", description="Why (required when rejected).")


class StrategyReview(BaseModel):
    title: str
    organisation: str
    themes: list[ThemeReview]
    missing_themes: list[ThemeAssessment] = Field(default_factory=list)
    priorities: list[Recommendation] = Field(default_factory=list)
    corpus_documents: list[str] = Field(default_factory=list)
    glossary: dict[str, str] = Field(
        default_factory=dict, description="The draft's abbreviations and what they stand for."
    )
    corpus_limits: list[str] = Field(
        default_factory=list,
        description="What the corpus cannot speak to (no documents of a panelist's own scope).",
    )
    decisions: list[Decision] = Field(
        default_factory=list, description="The chair's decisions on recommendations, by theme."
    )

    @field_validator("glossary")
    @classmethod
    def _in_order(cls, glossary: dict[str, str]) -> dict[str, str]:
        """Alphabetical, as the log (which sorts keys) gives it back: a review read from the
        log writes the same report."""
        return dict(sorted(glossary.items()))


@dataclass(frozen=True)
class CitedBy:
    """One citation in a review, and the statement or computed finding that carries it."""

    where: str
    text: str
    citation: Citation


def theme_citations(review: ThemeReview) -> Iterator[CitedBy]:
    """Every citation of a theme's review: its statements, coverage and candidate gaps."""
    name = review.theme_name
    for kind, claim in review.claims():
        yield from (CitedBy(f"{name} / {kind}", claim.text, c) for c in claim.citations)
    for item in review.objective_coverage:
        where = f"{name} / objective coverage"
        yield from (CitedBy(where, item.objective, c) for c in item.evidence)
    for gap in review.candidate_gaps:
        yield from (CitedBy(f"{name} / corpus topic", gap.topic, c) for c in gap.evidence)


def strategy_citations(review: StrategyReview) -> Iterator[CitedBy]:
    """Every citation of the whole report (priorities repeat theme recommendations)."""
    for theme in review.themes:
        yield from theme_citations(theme)
    for item in review.missing_themes:
        yield from (
            CitedBy(f"{item.theme} / missing theme", item.rationale, c) for c in item.citations
        )
