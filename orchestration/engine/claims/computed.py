"""Findings computed from the evidence, for a theme whose checked review is thin.

When fewer than ``ClaimSettings.min_gaps`` gaps or ``min_recommendations`` recommendations pass
the checks, code adds them from the computed coverage: corpus topics no objective covers
(candidate gaps) and the objectives the corpus supports least. Each has a readable statement, a
citation whose quote is the passage's key sentence, and ``origin="computed"`` so the report labels
it "computed from the evidence". They pass the same checks as the panel's statements.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.engine.claims.checker import Checked, ClaimChecker, Lookup, Statement
from tools.coverage import ObjectiveSupport, TopicGap
from tools.evidence import Passage
from tools.quotes import best_quote


@dataclass(frozen=True)
class Finding:
    """A computed gap or recommendation, before it is cited."""

    statement: Statement
    key: str  # what its quote should say: the topic's phrase, or the objective
    objective: str | None = None
    action: str = "add"


def passages_saying(gap: TopicGap, lookup: Lookup, n: int = 2) -> list[Passage]:
    """Up to ``n`` of the topic's passages (closest to the theme first) with a readable sentence
    that says its phrase; then ones with any readable sentence; else the closest."""
    label = gap.topic.label
    members = [p for p, _ in gap.passages] + [
        p for pid in gap.topic.passage_ids if (p := lookup(pid)) is not None
    ]
    unique = list({p.id: p for p in members}.values())
    quotes = [(p, best_quote(p, label)) for p in unique]
    saying = [p for p, q in quotes if q.quotable and label.lower() in q.text.lower()]
    readable = [p for p, q in quotes if q.quotable and p not in saying]
    return ([*saying, *readable] or unique)[:n]


def gap_findings(gaps: list[TopicGap], lookup: Lookup) -> list[Finding]:
    findings = []
    for gap in gaps:
        passage = passages_saying(gap, lookup, 1)[0]
        text = f"No objective covers {gap.topic.label}."
        findings.append(Finding(Statement("gap", "computed", text, [passage.id]), gap.topic.label))
    return findings


def recommendation_findings(
    gaps: list[TopicGap], support: list[ObjectiveSupport], lookup: Lookup
) -> list[Finding]:
    """The least supported objectives first (a measure and a baseline), then the uncovered
    topics (an objective on each)."""
    findings = []
    for item in sorted(support, key=lambda s: (s.strength != "weak", s.score)):
        if not item.passages or item.strength == "strong":
            continue
        how = "barely supports it" if item.strength == "weak" else "supports it only in part"
        text = f"Give “{item.objective}” a measure and a baseline: the corpus {how}."
        statement = Statement(
            "recommendation", "computed", text, [item.passages[0][0].id], rests_on_coverage=True
        )
        findings.append(Finding(statement, item.objective, item.objective, "change"))
    for gap in gaps:
        passage = passages_saying(gap, lookup, 1)[0]
        text = f"Add an objective on {gap.topic.label}."
        findings.append(
            Finding(Statement("recommendation", "computed", text, [passage.id]), gap.topic.label)
        )
    return findings


def fill(
    checker: ClaimChecker,
    kept: list[Checked],
    findings: list[Finding],
    wanted: int,
    grounded: set[str],
) -> list[tuple[Finding, Checked]]:
    """Up to ``wanted`` findings that pass the checks and repeat nothing already ``kept``."""
    chosen: list[tuple[Finding, Checked]] = []
    for finding in findings:
        if len(chosen) >= wanted:
            break
        checked = checker.check([finding.statement], grounded)[0]
        if not checked.passed:
            continue
        earlier = kept + [c for _, c in chosen]
        if len(earlier) in checker.repeats([*earlier, checked]):
            continue
        chosen.append((finding, checked))
    return chosen
