"""The claim checks put together: one ``ClaimChecker`` per run checks statements and finds repeats.

Each statement is cleaned (``text``), its citations resolved, its figures and document names
checked (``grounding``) and, where it must rest on evidence, its support scored (``support``).
Gaps are statements of fact and meet a stricter bar than recommendations, which add actions.
Summary sentences and follow-up answers that cite nothing inline are given the passage of their
pool that supports them best, and are held to the same bar. A debate point that concedes or
withdraws an earlier claim asserts nothing, so its support is not scored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from orchestration.engine.claims.grounding import Grounding
from orchestration.engine.claims.settings import ClaimSettings
from orchestration.engine.claims.support import Support, SupportScorer, support_terms
from orchestration.engine.claims.text import Cleaned, TextChecker, proposes_action
from orchestration.review_models import SetAside
from tools.evidence import Passage
from tools.quotes import best_quote, content_terms

Lookup = Callable[[str], Passage | None]

_RETRACTS = re.compile(r"\b(?:i |we )?(?:concede|withdraw|retract)", re.IGNORECASE)
CITING = ("summary", "gap", "recommendation", "debate point", "follow-up")
POOLED = ("summary", "follow-up")
OPINIONS = ("sign-off", "dissent")  # may rest on their pool when they cite nothing inline


@dataclass(frozen=True)
class Statement:
    """Something a model wrote, before the checks."""

    where: str
    agent: str
    text: str
    evidence_ids: list[str] = field(default_factory=list)
    rests_on_coverage: bool = False  # computed: its passage is the objective's weak best match


@dataclass
class Checked:
    """A statement after the checks: its clean text, cited passages and any reasons it failed."""

    statement: Statement
    cleaned: Cleaned
    passages: list[Passage]
    reasons: list[str]
    support: Support | None = None

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def text(self) -> str:
        return self.cleaned.text

    @property
    def evidence_ids(self) -> list[str]:
        return [p.id for p in self.passages]

    def set_aside(self, extra: Iterable[str] = ()) -> SetAside:
        s = self.statement
        return SetAside(
            where=s.where,
            agent=s.agent,
            text=s.text,
            reasons=[*self.reasons, *extra],
            evidence_ids=self.evidence_ids or list(s.evidence_ids),
        )


class ClaimChecker:
    """Checks statements for one run; see the module docstring."""

    def __init__(
        self,
        settings: ClaimSettings,
        lookup: Lookup,
        text: TextChecker,
        grounding: Grounding,
        scorer: SupportScorer,
    ) -> None:
        self.settings = settings
        self.lookup = lookup
        self.text = text
        self.grounding = grounding
        self.scorer = scorer

    def check(
        self,
        statements: list[Statement],
        grounded: set[str] | None = None,
        pool: list[Passage] | None = None,
    ) -> list[Checked]:
        """Check ``statements``; ``grounded``: content terms the draft itself grounds (its own
        theme's words); ``pool``: passages a summary sentence or answer may rest on."""
        grounded = grounded or set()
        checked = [self._first_pass(s, pool or [], grounded) for s in statements]
        scored = [
            c
            for c in checked
            if c.passed
            and not c.statement.rests_on_coverage
            and c.statement.where in CITING
            and c.passages
            and not _RETRACTS.search(c.text)
        ]
        supports = self.scorer.score_many(
            [c.text for c in scored], [c.passages for c in scored], grounded
        )
        for item, support in zip(scored, supports, strict=True):
            item.support = support
            item.reasons += self._support_problems(item.statement.where, support)
        return checked

    def _first_pass(self, statement: Statement, pool: list[Passage], grounded: set[str]) -> Checked:
        where = statement.where
        cleaned = self.text.clean(
            statement.text,
            allow_objection_lines=where == "objection",
            min_words=None if where in CITING else self.settings.opinion_min_words,
        )
        ids = list(dict.fromkeys([*statement.evidence_ids, *cleaned.cited]))
        found = {i: self.lookup(i.strip().strip("[]")) for i in ids}
        passages = [p for p in found.values() if p is not None]
        cleaned.unknown_ids += [i for i, p in found.items() if p is None]
        reasons = list(cleaned.problems)
        readable = [p for p in passages if best_quote(p, cleaned.text).quotable]
        if passages and all(p.addresses_model for p in passages):
            reasons.append("its only cited passages hold instructions to a model (planted text)")
        elif passages and not readable:
            reasons.append("its cited passages are unreadable (slide debris or a contents page)")
        passages = readable
        if where == "summary" and grounded and not content_terms(cleaned.text) & grounded:
            reasons.append("does not speak to this theme or its objectives")
        if where == "recommendation" and not proposes_action(cleaned.text):
            reasons.append("does not say what to do (it describes, where a recommendation acts)")
        if where in OPINIONS and grounded and not support_terms(cleaned.text, grounded):
            reasons.append("repeats the draft's own words without a reason")
        if where in POOLED and not passages and not reasons:
            passages = self.scorer.best_passages(cleaned.text, pool, grounded)
        if (
            where in CITING
            and not passages
            and not (where == "debate point" and cleaned.says_no_evidence)
        ):
            reasons.append("cites no passage")
        if not reasons:
            sources = (
                [f"{p.doc_id} {p.context_text()}" for p in passages] if where in CITING else None
            )
            reasons += self.grounding.problems(cleaned.text, sources)
        return Checked(statement, cleaned, passages, reasons)

    def _support_problems(self, where: str, support: Support) -> list[str]:
        s = self.settings
        if where == "gap" and (
            support.score < s.gap_support_min or support.lexical < s.gap_lexical_min
        ):
            return [
                f"its cited passages do not support it (support {support.score:.2f}, "
                f"{support.lexical:.0%} of its content words found)"
            ]
        if where != "gap" and support.score < s.recommendation_support_min:
            return [f"its cited passages do not support it (support {support.score:.2f})"]
        return []

    def repeats(self, items: list[Checked]) -> dict[int, int]:
        """Which passed statements repeat an earlier one: {index of repeat: index of original}.

        Same kind: near-identical by meaning or by words. A gap and a recommendation on the same
        topic are not repeats (one states the problem, the other the action) unless they are
        near-identical in meaning.
        """
        live = [i for i, item in enumerate(items) if item.passed]
        if len(live) < 2:
            return {}
        vectors = self.scorer.embed([items[i].text for i in live])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        sims = (vectors / np.clip(norms, 1e-9, None)) @ (vectors / np.clip(norms, 1e-9, None)).T
        terms = [support_terms(items[i].text, set()) for i in live]
        found: dict[int, int] = {}
        for a in range(len(live)):
            for b in range(a):
                if live[b] in found:
                    continue
                if self._same(items[live[a]], items[live[b]], sims[a, b], terms[a], terms[b]):
                    found[live[a]] = live[b]
                    break
        return found

    def _same(
        self, one: Checked, other: Checked, similarity: float, terms: set[str], others: set[str]
    ) -> bool:
        overlap = len(terms & others) / (len(terms | others) or 1)
        if one.statement.where == other.statement.where:
            return (
                similarity >= self.settings.duplicate_similarity
                or overlap >= self.settings.duplicate_overlap
            )
        return similarity >= (1 + self.settings.duplicate_similarity) / 2
