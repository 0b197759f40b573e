"""Auditing a saved run from its folder alone: the log's hash chain, every citation against the
run's snapshot of cited passages (``evidence.json``), every quote verbatim, and how well each
claim is supported by what it cites (lexical overlap and, when the embedder is available,
embedding similarity)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from agents.speaking import Decided, Speaker, TurnRequest
from orchestration.event_log import read_log
from orchestration.review_models import StrategyReview
from tools.evidence import Passage
from tools.quotes import content_terms

Embed = Callable[[list[str]], np.ndarray]


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
    lexical: float = Field(
        description="Share of the claim's content words found in its cited passages."
    )
    semantic: float | None = Field(
        default=None, description="Best cosine similarity to a cited passage."
    )
    judged: str | None = Field(
        default=None, description="A model's verdict: supported, partial or unsupported."
    )


class AuditResult(BaseModel):
    run_id: str
    chain_intact: bool
    chain_problems: list[str]
    events: int
    citations: list[CitationCheck]
    claims: list[ClaimSupport]

    @property
    def unresolved(self) -> list[CitationCheck]:
        return [c for c in self.citations if not c.resolves or not c.quote_verbatim]

    @property
    def passed(self) -> bool:
        return self.chain_intact and not self.unresolved


def audit_run(folder: Path, embed: Embed | None = None) -> AuditResult:
    """Check a run folder; see the module docstring."""
    check = read_log(folder / "events.jsonl")
    problems = list(check.problems) + (
        ["the last line was cut off (the run stopped mid-write)"] if check.torn_tail else []
    )
    report_path = folder / "report.json"
    if not report_path.exists():
        return AuditResult(
            run_id=folder.name,
            chain_intact=not problems,
            chain_problems=problems,
            events=len(check.events),
            citations=[],
            claims=[],
        )
    review = StrategyReview.model_validate_json(report_path.read_text(encoding="utf-8"))
    snapshot_path = folder / "evidence.json"
    raw = json.loads(snapshot_path.read_text(encoding="utf-8")) if snapshot_path.exists() else {}
    passages = {pid: Passage.model_validate(value) for pid, value in raw.items()}

    citations: list[CitationCheck] = []
    claims: list[ClaimSupport] = []
    for theme in review.themes:
        for kind, items in (("gap", theme.gaps), ("recommendation", theme.recommendations)):
            for claim in items:
                where = f"{theme.theme_name} / {kind}"
                for c in claim.citations:
                    passage = passages.get(c.evidence_id)
                    citations.append(
                        CitationCheck(
                            claim=claim.text,
                            where=where,
                            evidence_id=c.evidence_id,
                            resolves=passage is not None,
                            quote_verbatim=passage is not None and c.quote in passage.text,
                        )
                    )
                cited = [passages[i] for i in claim.evidence_ids if i in passages]
                terms = content_terms(claim.text)
                found = set().union(*(content_terms(p.text) for p in cited)) if cited else set()
                lexical = len(terms & found) / len(terms) if terms else 0.0
                claims.append(
                    ClaimSupport(
                        claim=claim.text,
                        where=where,
                        evidence_ids=claim.evidence_ids,
                        lexical=round(lexical, 3),
                    )
                )
    for event in check.events:
        if getattr(event, "type", "") == "agent_message" and event.phase == "follow_up":
            for evidence_id in event.evidence_ids:
                citations.append(
                    CitationCheck(
                        claim=event.content[:200],
                        where=f"follow-up by {event.agent}",
                        evidence_id=evidence_id,
                        resolves=evidence_id in passages,
                        quote_verbatim=evidence_id in passages,
                    )
                )
    if embed is not None and claims:
        claim_vectors = embed([c.claim for c in claims])
        for support, vector in zip(claims, claim_vectors, strict=True):
            texts = [passages[i].text for i in support.evidence_ids if i in passages]
            if texts:
                support.semantic = round(float(np.max(embed(texts) @ vector)), 3)
    return AuditResult(
        run_id=folder.name,
        chain_intact=not problems,
        chain_problems=problems,
        events=len(check.events),
        citations=citations,
        claims=claims,
    )


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
    path = folder / "evidence.json"
    raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for claim in result.claims:
        texts = [raw[i]["text"] for i in claim.evidence_ids if i in raw]
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
