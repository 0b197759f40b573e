"""Auditing a saved run from its folder alone: the log's hash chain and seals, its end, and the
files it sealed (``record_problems``); every citation of the run
(the report's statements, objective coverage, corpus topics, missing-theme assessments and
follow-up answers) against the run's snapshot of cited passages (``evidence.json``), every quote
verbatim; how well each statement is supported by what it cites (lexical overlap and, when the
embedder is available, embedding similarity); and every statement the claim checks set aside.

"Passed" means the record is sound: the chain is intact and every citation resolves with a
verbatim quote. It says nothing about statements that were set aside; the summary counts them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from agents.speaking import Decided, Speaker, TurnRequest
from orchestration.engine.claims.support import lexical_support
from orchestration.events import AgentMessage, FilesSealed, RunFinished
from orchestration.record.event_log import read_log
from orchestration.record.folder import DamagedFile, RunFolder, text_hash
from orchestration.review_models import SetAside, StrategyReview, strategy_citations
from tools.evidence import Passage
from tools.quotes import content_terms

Embed = Callable[[list[str]], np.ndarray]
REPORT_PARTS = ("summary", "gap", "recommendation", "sign-off", "dissent")
DAMAGED = (
    "{name} is damaged (cut short or edited) and cannot be read: an unfinished run rebuilds it "
    "from its log when resumed"
)


class CitationCheck(BaseModel):
    claim: str
    where: str
    evidence_id: str
    resolves: bool
    quote_verbatim: bool


class ClaimSupport(BaseModel):
    claim: str
    where: str
    evidence_ids: list[str]
    origin: str = Field(default="panel", description="'computed': code wrote it from the evidence.")
    lexical: float = Field(
        description="Share of the claim's content words found in its cited passages."
    )
    semantic: float | None = Field(
        default=None, description="Best cosine similarity to a cited passage."
    )
    judged: str | None = Field(
        default=None, description="A model's verdict: supported, partial or unsupported."
    )


class SetAsideEntry(BaseModel):
    """A statement the claim checks set aside: in a theme's review, or in the debate itself."""

    theme: str
    statement: SetAside


class AuditResult(BaseModel):
    run_id: str
    chain_intact: bool
    chain_problems: list[str]
    events: int
    citations: list[CitationCheck]
    claims: list[ClaimSupport]
    set_aside: list[SetAsideEntry] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list, description="What the audit could not check, and why."
    )

    @property
    def unresolved(self) -> list[CitationCheck]:
        return [c for c in self.citations if not c.resolves or not c.quote_verbatim]

    @property
    def passed(self) -> bool:
        return self.chain_intact and not self.unresolved

    def summary(self) -> list[str]:
        """What was checked and what was set aside, in plain sentences."""
        ok = len(self.citations) - len(self.unresolved)
        kinds = Counter(
            c.where.split(" / ")[-1] if " / " in c.where else "follow-up" for c in self.citations
        )
        computed = sum(c.origin == "computed" for c in self.claims)
        in_report = sum(s.statement.where in REPORT_PARTS for s in self.set_aside)
        verdict = "PASSED" if self.passed else "FAILED"
        return [
            f"{verdict}: the record is {'intact' if self.chain_intact else 'not intact'}, and "
            f"{ok} of {len(self.citations)} citations resolve to their passage with a verbatim "
            "quote (" + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) + ").",
            f"Claim checks: {len(self.claims)} statements are in the report "
            f"({computed} computed from the evidence); {in_report} written for the report and "
            f"{len(self.set_aside) - in_report} made in the debate were set aside, with reasons.",
            f"{verdict} is about the record and its citations, not the quality of every statement "
            "the panel made: read the set-aside list for what was kept out.",
            *self.notes,
        ]


def audit_run(path: Path, embed: Embed | None = None, key: bytes | None = None) -> AuditResult:
    """Check a run folder; see the module docstring. ``key``: the installation's sealing key
    (``record.sealing``), to check every line's seal."""
    folder = RunFolder(path)
    check = read_log(folder.events, key)
    problems = list(check.problems) + (
        ["the last line was cut off (the run stopped mid-write)"] if check.torn_tail else []
    )
    problems += record_problems(folder, check.events)
    notes = []
    if key is not None and not check.sealed and not check.problems:
        notes.append(
            "The log carries no seals (an earlier version wrote it, or they were stripped): a "
            "line rewritten with its hash chain recomputed would not show."
        )
    review = _saved_review(folder, problems)
    try:
        passages = folder.snapshot()
    except DamagedFile:
        passages = {}  # record_problems has said so
    if review is None:
        return AuditResult(
            run_id=folder.run_id,
            chain_intact=not problems,
            chain_problems=problems,
            events=len(check.events),
            citations=[],
            claims=[],
            notes=notes,
        )
    messages = [e for e in check.events if isinstance(e, AgentMessage)]
    return AuditResult(
        run_id=folder.run_id,
        chain_intact=not problems,
        chain_problems=problems,
        events=len(check.events),
        citations=_report_citations(review, passages) + _follow_up_citations(messages, passages),
        claims=_claim_support(review, passages, embed),
        set_aside=_set_aside(review, messages),
        notes=notes,
    )


def record_problems(folder: RunFolder, events: list[Any]) -> list[str]:
    """What the sealed record says that the folder contradicts: an end missing, files changed
    after they were sealed, passages whose text no longer matches its content hash."""
    problems = []
    finished = [e for e in events if isinstance(e, RunFinished)]
    if not finished:
        problems.append("the log ends without run_finished: the run was interrupted or cut short")
    seals = [e.files for e in events if isinstance(e, RunFinished | FilesSealed) and e.files]
    if seals:
        on_disk = folder.file_hashes()
        problems += [
            f"{name} was changed after the run sealed it"
            for name, digest in seals[-1].items()
            if on_disk.get(name) != digest
        ]
    try:
        saved = folder.snapshot_entries()
    except DamagedFile:
        problems.append(DAMAGED.format(name="evidence.json"))
        saved = {}
    problems += [
        f"evidence.json: the text of {pid} no longer matches its content hash"
        for pid, entry in saved.items()
        if "sha256" in entry and text_hash(entry.get("text", "")) != entry["sha256"]
    ]
    return problems


def _saved_review(folder: RunFolder, problems: list[str]) -> StrategyReview | None:
    """report.json, when the run wrote it and it can be read (else the problem is added)."""
    try:
        return folder.saved_review()
    except DamagedFile:
        problems.append(DAMAGED.format(name="report.json"))
        return None


def _report_citations(review: StrategyReview, passages: dict[str, Passage]) -> list[CitationCheck]:
    return [
        CitationCheck(
            claim=cited.text,
            where=cited.where,
            evidence_id=cited.citation.evidence_id,
            resolves=(passage := passages.get(cited.citation.evidence_id)) is not None,
            quote_verbatim=passage is not None and cited.citation.quote in passage.text,
        )
        for cited in strategy_citations(review)
    ]


def _set_aside(review: StrategyReview, messages: list[AgentMessage]) -> list[SetAsideEntry]:
    """What the claim checks set aside: from the report, then from the debate and follow-ups."""
    entries = [
        SetAsideEntry(theme=theme.theme_name, statement=item)
        for theme in review.themes
        for item in theme.set_aside
    ]
    names = {theme.theme_id: theme.theme_name for theme in review.themes}
    return entries + [
        SetAsideEntry(theme=names.get(message.theme_id or "", "follow-up"), statement=item)
        for message in messages
        for item in message.set_aside
        if item.where not in REPORT_PARTS
    ]


def _follow_up_citations(
    messages: list[AgentMessage], passages: dict[str, Passage]
) -> list[CitationCheck]:
    return [
        CitationCheck(
            claim=message.content[:200],
            where=f"follow-up by {message.agent}",
            evidence_id=evidence_id,
            resolves=evidence_id in passages,
            quote_verbatim=evidence_id in passages,
        )
        for message in messages
        if message.phase == "follow_up"
        for evidence_id in message.evidence_ids
    ]


def _claim_support(
    review: StrategyReview, passages: dict[str, Passage], embed: Embed | None
) -> list[ClaimSupport]:
    claims: list[ClaimSupport] = []
    for theme in review.themes:
        grounded = content_terms(
            " ".join([theme.theme_name, *(o.objective for o in theme.objective_coverage)])
        )
        for kind, claim in theme.claims():
            cited = [passages[i] for i in claim.evidence_ids if i in passages]
            claims.append(
                ClaimSupport(
                    claim=claim.text,
                    where=f"{theme.theme_name} / {kind}",
                    evidence_ids=claim.evidence_ids,
                    origin=claim.origin,
                    lexical=round(lexical_support(claim.text, cited, grounded), 3),
                )
            )
    if embed is not None and claims:
        claim_vectors = embed([c.claim for c in claims])
        for support, vector in zip(claims, claim_vectors, strict=True):
            texts = [passages[i].context_text() for i in support.evidence_ids if i in passages]
            if texts:
                support.semantic = round(float(np.max(embed(texts) @ vector)), 3)
    return claims


class JudgeVerdict(BaseModel):
    support: Literal["supported", "partial", "unsupported"]
    reason: str = Field(max_length=200)


JUDGE_TASK = (
    "Does the evidence support the claim? Answer as JSON: support is supported, partial or "
    "unsupported; reason is one short sentence.\n\nClaim: {claim}\n\nEvidence:\n{evidence}"
)


async def judge_claims(
    result: AuditResult, folder: Path, speaker: Speaker, agent: str = "critic"
) -> None:
    """Ask a model (the critic's, by default) to judge each claim against its cited passages."""
    passages = RunFolder(folder).snapshot()
    for claim in result.claims:
        texts = [passages[i].text for i in claim.evidence_ids if i in passages]
        if not texts:
            claim.judged = "unsupported"
            continue
        task = JUDGE_TASK.format(claim=claim.claim, evidence="\n---\n".join(texts))
        request = TurnRequest(
            agent, "You check whether evidence supports claims.", "", task, max_tokens=80
        )
        verdict = await speaker.decide(request, JudgeVerdict)
        if isinstance(verdict, Decided) and isinstance(verdict.value, JudgeVerdict):
            claim.judged = verdict.value.support
