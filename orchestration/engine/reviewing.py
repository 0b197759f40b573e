"""From the editor's draft to a checked ``ThemeReview``.

Every statement the editor wrote (summary sentences, gaps, recommendations) and every sign-off
goes through the claim checks (``orchestration.engine.claims``). What passes is cited, with quotes copied
by code; repeats are merged into the statement they repeat; what fails is set aside with its
reasons. A theme left with fewer gaps or recommendations than the settings ask for is filled with
findings computed from the evidence, labelled as such. If the editor's draft failed validation,
the review is built from the computed coverage alone and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.engine.citations import Lookup, cite
from orchestration.engine.claims.checker import Checked, ClaimChecker, Statement
from orchestration.engine.claims.computed import (
    Finding,
    fill,
    gap_findings,
    passages_saying,
    recommendation_findings,
)
from orchestration.engine.claims.for_run import theme_terms
from orchestration.engine.claims.sign_offs import judge_sign_off
from orchestration.engine.claims.text import split_sentences
from orchestration.engine.drafts import EditorDraft, SignOff
from orchestration.review_models import (
    ACTION_FIELDS,
    CandidateGap,
    Citation,
    Claim,
    Dissent,
    Gap,
    ObjectiveCoverage,
    Recommendation,
    SetAside,
    ThemeReview,
)
from orchestration.strategy import Theme
from tools.coverage import ObjectiveSupport, TopicGap
from tools.evidence import Passage


@dataclass
class ThemeEvidence:
    """What code computed for a theme: objective support, candidate gaps (shown, and spare ones
    for filling a thin review) and every passage the debate saw."""

    support: list[ObjectiveSupport]
    gaps: list[TopicGap]
    spare_gaps: list[TopicGap] = field(default_factory=list)
    seen: list[Passage] = field(default_factory=list)


def coverage_entries(
    support: list[ObjectiveSupport], lookup: Lookup, theme: Theme | None = None
) -> list[ObjectiveCoverage]:
    meanings = theme.meanings() if theme else {}
    entries = []
    for item in support:
        citations, _ = cite([p.id for p, _ in item.passages[:2]], item.objective, lookup)
        entries.append(
            ObjectiveCoverage(
                objective=item.objective,
                description=meanings.get(item.objective, ""),
                strength=item.strength,  # type: ignore[arg-type]
                score=item.score,
                typical=item.baseline,
                evidence=citations,
            )
        )
    return entries


def candidate_entries(gaps: list[TopicGap], lookup: Lookup) -> list[CandidateGap]:
    return [
        CandidateGap(
            topic=gap.topic.label,
            relevance=gap.relevance,
            best_objective_similarity=gap.best_objective_similarity,
            evidence=cite([p.id for p in passages_saying(gap, lookup)], gap.topic.label, lookup)[0],
        )
        for gap in gaps
    ]


def computed_summary(support: list[ObjectiveSupport]) -> str:
    backed = [s for s in support if s.strength in ("strong", "partial")]
    rank = {"weak": 0, "partial": 1, "strong": 2}  # by label first: labels weigh more than score
    weakest = min(support, key=lambda s: (rank.get(s.strength, 0), s.score)) if support else None
    if weakest is not None and weakest.strength == "strong":  # no "least supported" to name
        return f"All {len(support)} objectives have strong support in the corpus."
    text = (
        f"{len(backed)} of {len(support)} objectives have strong or partial support in the corpus."
    )
    if weakest is not None:
        text += f" The least supported is “{weakest.objective}” ({weakest.strength})."
    return text


def draft_statements(draft: EditorDraft) -> list[tuple[Statement, object]]:
    """Each statement of the draft with the draft item it came from (None for the summary)."""
    items: list[tuple[Statement, object]] = [
        (Statement("summary", "editor", sentence), None)
        for sentence in split_sentences(draft.coverage_summary)
    ]
    items += [(Statement("gap", "editor", g.text, list(g.evidence)), g) for g in draft.gaps]
    items += [
        (Statement("recommendation", "editor", r.text, list(r.evidence)), r)
        for r in draft.recommendations
    ]
    return items


@dataclass
class _Assembly:
    """A theme's checked statements as they are gathered into its review."""

    checker: ClaimChecker
    lookup: Lookup
    summary: list[Claim] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    kept: list[Checked] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def take(self, checked: list[Checked], sources: list[object]) -> None:
        """Keep what passed (repeats merged into what they repeat); set the rest aside."""
        repeats = self.checker.repeats(checked)
        claims: dict[int, Claim] = {}
        for index, (item, source) in enumerate(zip(checked, sources, strict=True)):
            self.dropped += item.cleaned.unknown_ids
            if item.cleaned.cut:
                self.set_aside.append(
                    SetAside(
                        where=item.statement.where,
                        agent=item.statement.agent,
                        text=item.cleaned.cut,
                        reasons=["cut off mid-sentence (the sentence before it is kept)"],
                    )
                )
            if not item.passed:
                self.set_aside.append(item.set_aside())
            elif index in repeats:
                original = claims[repeats[index]]
                self._merge(original, item)
                self.set_aside.append(
                    item.set_aside([f"repeats “{original.text}” (merged into it)"])
                )
            else:
                claims[index] = self._claim(item, source)

    def _claim(self, item: Checked, source: object) -> Claim:
        quote_for = getattr(source, "key", "") or item.text  # a computed finding: its topic
        citations, _ = cite(item.evidence_ids, quote_for, self.lookup)
        base = Claim(
            text=item.text,
            evidence_ids=[c.evidence_id for c in citations],
            citations=citations,
            support=item.support.score if item.support else None,
            origin="computed" if item.statement.agent == "computed" else "panel",
        )
        fields = base.model_dump()
        where = item.statement.where
        claim: Claim = base
        if where == "summary":
            self.summary.append(base)
        elif where == "gap":
            claim = Gap(**fields, kind=getattr(source, "kind", "in_documents"))
            self.gaps.append(claim)
        else:
            claim = Recommendation(
                **fields,
                action=getattr(source, "action", "add"),
                objective=getattr(source, "objective", None),
                priority=getattr(source, "priority", "medium"),
            ).model_copy(update=self._action_fields(item, source, citations))
            self.recommendations.append(claim)
        self.kept.append(item)
        return claim

    def _action_fields(
        self, item: Checked, source: object, citations: list[Citation]
    ) -> dict[str, str]:
        """The recommendation's owner, measure, baseline, date and resource that hold: a figure
        or a document name its cited passages (or the draft) do not hold sets the field aside,
        and it is shown as missing."""
        cited = [p.text for c in citations if (p := self.lookup(c.evidence_id)) is not None]
        kept = {}
        for name in ACTION_FIELDS:
            value = " ".join(str(getattr(source, name, None) or "").split())
            if not value:
                continue
            problems = self.checker.grounding.problems(value, cited)
            if problems:
                self.set_aside.append(
                    SetAside(
                        where=f"recommendation {name}",
                        agent=item.statement.agent,
                        text=f"{value} (for “{item.text}”)",
                        reasons=problems,
                    )
                )
            else:
                kept[name] = value
        return kept

    def _merge(self, original: Claim, repeat: Checked) -> None:
        known = set(original.evidence_ids)
        extra, _ = cite(
            [i for i in repeat.evidence_ids if i not in known], original.text, self.lookup
        )
        original.citations += extra
        original.evidence_ids += [c.evidence_id for c in extra]


def build_review(
    theme: Theme,
    draft: EditorDraft | None,
    evidence: ThemeEvidence,
    sign_offs: dict[str, SignOff],
    checker: ClaimChecker,
    lookup: Lookup,
    ended_early: bool = False,
) -> ThemeReview:
    """Assemble the theme's review; see the module docstring."""
    grounded = theme_terms(theme)
    assembly = _Assembly(checker, lookup)
    summary = computed_summary(evidence.support)
    if draft is not None:
        statements = draft_statements(draft)
        checked = checker.check([s for s, _ in statements], grounded, evidence.seen)
        assembly.take(checked, [source for _, source in statements])
    else:
        summary += " The editor's written review could not be produced; this section is computed."
    _fill(assembly, evidence, grounded)
    judged = [
        judge_sign_off(checker, a, s.stance, s.reason, grounded) for a, s in sign_offs.items()
    ]
    assembly.set_aside += [j.set_aside for j in judged if j.set_aside is not None]
    return ThemeReview(
        theme_id=theme.id,
        theme_name=theme.name,
        computed_summary=summary,
        summary=assembly.summary,
        objective_coverage=coverage_entries(evidence.support, lookup, theme),
        candidate_gaps=candidate_entries(evidence.gaps, lookup),
        gaps=assembly.gaps,
        recommendations=assembly.recommendations,
        dissent=[Dissent(agent=j.agent, text=j.reason) for j in judged if j.standing == "dissent"],
        agreed=[j.agent for j in judged if j.standing == "agree"],
        invalid_sign_offs=[j.agent for j in judged if j.standing == "invalid"],
        set_aside=assembly.set_aside,
        dropped_evidence_ids=list(dict.fromkeys(assembly.dropped)),
        ended_early=ended_early,
    )


def _fill(assembly: _Assembly, evidence: ThemeEvidence, grounded: set[str]) -> None:
    """Computed findings where the checked review is thinner than the settings ask; a topic
    filled in as a gap is not made a recommendation too (one would only restate the other)."""
    settings = assembly.checker.settings
    candidates = evidence.gaps + [g for g in evidence.spare_gaps if g not in evidence.gaps]
    used = _take_findings(
        assembly,
        gap_findings(candidates, assembly.lookup),
        settings.min_gaps - len(assembly.gaps),
        grounded,
    )
    recommendations = recommendation_findings(candidates, evidence.support, assembly.lookup)
    _take_findings(
        assembly,
        [f for f in recommendations if f.key not in used],
        settings.min_recommendations - len(assembly.recommendations),
        grounded,
    )


def _take_findings(
    assembly: _Assembly, findings: list[Finding], missing: int, grounded: set[str]
) -> set[str]:
    """Take up to ``missing`` of ``findings``; the keys (topics, objectives) of those taken."""
    if missing <= 0:
        return set()
    chosen = fill(assembly.checker, assembly.kept, findings, missing, grounded)
    assembly.take([checked for _, checked in chosen], [finding for finding, _ in chosen])
    return {finding.key for finding, _ in chosen}
