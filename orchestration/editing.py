"""From the editor's draft to a checked ``ThemeReview``: ids validated, quotes attached by code.

An id the index does not hold is dropped (and reported back so it can be logged); a claim left
with no evidence says so instead of pretending. If the editor's draft failed validation, the
review is built from the computed coverage alone and says that too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field

from orchestration.review_models import (
    NO_EVIDENCE,
    CandidateGap,
    Citation,
    Dissent,
    Gap,
    GapKind,
    ObjectiveCoverage,
    Priority,
    Recommendation,
    ThemeReview,
)
from orchestration.strategy import Theme
from tools.coverage import ObjectiveSupport, TopicGap
from tools.evidence import Passage
from tools.quotes import best_quote

Lookup = Callable[[str], Passage | None]


class DraftGap(BaseModel):
    kind: GapKind
    text: str = Field(max_length=400)
    evidence: list[str] = Field(default_factory=list, max_length=3)


class DraftRecommendation(BaseModel):
    action: Literal["add", "change"]
    objective: str | None = None
    text: str = Field(max_length=400)
    priority: Priority = "medium"
    evidence: list[str] = Field(default_factory=list, max_length=3)


class EditorDraft(BaseModel):
    """What the editor model writes (the rest of a ThemeReview is computed)."""

    coverage_summary: str = Field(max_length=600)
    gaps: list[DraftGap] = Field(default_factory=list, max_length=4)
    recommendations: list[DraftRecommendation] = Field(default_factory=list, max_length=4)


class SignOff(BaseModel):
    stance: Literal["agree", "dissent"]
    reason: str = Field(max_length=150)


def draft_schema(allowed_ids: list[str]) -> dict[str, Any]:
    """EditorDraft's JSON schema, narrowed for constrained decoding.

    Evidence ids may only be those the panel was shown; every part is required, with at least
    one gap and one recommendation; lengths are capped so the reply fits its token budget.
    """
    schema = EditorDraft.model_json_schema()
    schema["required"] = ["coverage_summary", "gaps", "recommendations"]
    schema["properties"]["coverage_summary"]["maxLength"] = 300
    for key in ("gaps", "recommendations"):
        schema["properties"][key].update({"minItems": 1, "maxItems": 3})
    for name in ("DraftGap", "DraftRecommendation"):
        definition = schema["$defs"][name]
        definition["properties"]["text"].update({"minLength": 12, "maxLength": 220})
        definition["properties"]["evidence"].update({"maxItems": 2})
        definition["required"] = [k for k in definition["properties"] if k != "objective"]
        if allowed_ids:
            definition["properties"]["evidence"]["items"] = {"enum": allowed_ids}
    schema["$defs"]["DraftRecommendation"]["properties"]["objective"] = {
        "type": "string",
        "maxLength": 120,
    }
    return schema


def cite(ids: list[str], claim: str, lookup: Lookup) -> tuple[list[Citation], list[str]]:
    """Citations (with verbatim quotes) for the ids that exist; the ids that do not."""
    citations, dropped = [], []
    for evidence_id in dict.fromkeys(i.strip().strip("[]") for i in ids):
        passage = lookup(evidence_id)
        if passage is None:
            dropped.append(evidence_id)
            continue
        quote = best_quote(passage, claim)
        citations.append(
            Citation(
                evidence_id=passage.id,
                doc_id=passage.doc_id,
                title=passage.title,
                section=passage.section,
                quote=quote.text,
                start=quote.start,
                end=quote.end,
            )
        )
    return citations, dropped


_BRACKETED_ID = re.compile(r"\s*\[([A-Za-z0-9][A-Za-z0-9._-]*#\d+)\]")
MIN_CLAIM_CHARS = 12


def clean_text(text: str, lookup: Lookup) -> tuple[str, list[str], list[str]]:
    """Model-written text with its bracketed evidence ids checked.

    Returns the text without any bracketed ids (the report shows citations separately), the ids
    that exist, and the ids that do not (to drop and log: never shown as citations).
    """
    found = _BRACKETED_ID.findall(text)
    valid = [i for i in dict.fromkeys(found) if lookup(i) is not None]
    invalid = [i for i in dict.fromkeys(found) if lookup(i) is None]
    return _BRACKETED_ID.sub("", text).strip(), valid, invalid


def coverage_entries(support: list[ObjectiveSupport], lookup: Lookup) -> list[ObjectiveCoverage]:
    entries = []
    for item in support:
        citations, _ = cite([p.id for p, _ in item.passages[:2]], item.objective, lookup)
        entries.append(
            ObjectiveCoverage(
                objective=item.objective,
                strength=item.strength,  # type: ignore[arg-type]
                score=item.score,
                evidence=citations,
            )
        )
    return entries


def candidate_entries(gaps: list[TopicGap], theme_text: str, lookup: Lookup) -> list[CandidateGap]:
    return [
        CandidateGap(
            topic=gap.topic.label,
            relevance=gap.relevance,
            best_objective_similarity=gap.best_objective_similarity,
            evidence=cite([p.id for p, _ in gap.passages], theme_text, lookup)[0],
        )
        for gap in gaps
    ]


def _evidence(citations: list[Citation]) -> dict[str, Any]:
    return {
        "evidence_ids": [c.evidence_id for c in citations],
        "citations": citations,
        "note": "" if citations else NO_EVIDENCE,
    }


def computed_summary(support: list[ObjectiveSupport]) -> str:
    backed = [s for s in support if s.strength in ("strong", "partial")]
    weakest = min(support, key=lambda s: s.score) if support else None
    text = (
        f"{len(backed)} of {len(support)} objectives have strong or partial support in the corpus."
    )
    if weakest is not None:
        text += f" The least supported is “{weakest.objective}” ({weakest.strength})."
    return text


def build_review(
    theme: Theme,
    draft: EditorDraft | None,
    support: list[ObjectiveSupport],
    gaps: list[TopicGap],
    sign_offs: dict[str, SignOff],
    lookup: Lookup,
    ended_early: bool = False,
) -> ThemeReview:
    """Assemble the theme's review; see the module docstring."""
    theme_text = f"{theme.name}. {theme.summary}"
    dropped: list[str] = []
    review_gaps: list[Gap] = []
    recommendations: list[Recommendation] = []
    summary = computed_summary(support)
    if draft is not None:
        written, _, lost = clean_text(draft.coverage_summary, lookup)
        dropped += lost
        summary = written if len(written) >= MIN_CLAIM_CHARS else summary
        for gap in draft.gaps:
            text, inline, lost = clean_text(gap.text, lookup)
            citations, missing = cite(gap.evidence + inline, text, lookup)
            dropped += lost + missing
            if len(text) >= MIN_CLAIM_CHARS:
                review_gaps.append(Gap(kind=gap.kind, text=text, **_evidence(citations)))
        for rec in draft.recommendations:
            text, inline, lost = clean_text(rec.text, lookup)
            citations, missing = cite(rec.evidence + inline, text, lookup)
            dropped += lost + missing
            if len(text) >= MIN_CLAIM_CHARS:
                recommendations.append(
                    Recommendation(
                        action=rec.action,
                        objective=rec.objective,
                        priority=rec.priority,
                        text=text,
                        **_evidence(citations),
                    )
                )
    else:
        summary += (
            " The editor's written review could not be produced; this section is computed only."
        )
    return ThemeReview(
        theme_id=theme.id,
        theme_name=theme.name,
        coverage_summary=summary,
        objective_coverage=coverage_entries(support, lookup),
        candidate_gaps=candidate_entries(gaps, theme_text, lookup),
        gaps=review_gaps,
        recommendations=recommendations,
        dissent=[
            Dissent(agent=a, text=s.reason) for a, s in sign_offs.items() if s.stance == "dissent"
        ],
        agreed=[a for a, s in sign_offs.items() if s.stance == "agree"],
        dropped_evidence_ids=list(dict.fromkeys(dropped)),
        ended_early=ended_early,
    )
