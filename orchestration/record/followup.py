"""Follow-up questions to a saved run: answered by the panel's editor (or one panelist) from the
run's reviews and the corpus, with citations, and appended to the same run's log (while the run
is still going too: its open log is shared)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from agents.panel import SPECS
from agents.runtime.assembly import build_runtime
from agents.runtime.errors import ModelCallError
from agents.speaking import Said, Speaker, TurnRequest, Usage
from orchestration.engine import prompts
from orchestration.engine.budget import ResolvedBudget
from orchestration.engine.citations import cite
from orchestration.engine.claims.checker import ClaimChecker
from orchestration.engine.claims.for_run import build_checker
from orchestration.engine.claims.turns import check_answer
from orchestration.events import (
    AgentMessage,
    ErrorRaised,
    EvidencePack,
    FilesSealed,
    HumanSteer,
    RunStarted,
    UsageRecorded,
)
from orchestration.record.event_log import EventLog
from orchestration.record.folder import RunFolder
from orchestration.record.replaying import PriorRun, load_prior
from orchestration.record.sealing import installation_key
from orchestration.review_models import Citation
from orchestration.settings import Settings
from orchestration.strategy import Strategy, StrategyError, load_strategy
from tools.coverage import CoverageAnalyzer
from tools.evidence import Passage
from tools.search import Searcher


@dataclass
class Answer:
    agent: str
    text: str
    citations: list[Citation]
    events: list[BaseModel] = field(default_factory=list)  # as appended to the run's log


def _run_summary(events: list[object]) -> str:
    lines = []
    for event in events:
        if getattr(event, "type", "") == "theme_review":
            review = event.review  # type: ignore[attr-defined]
            lines.append(f"Theme {review.theme_name}: {review.coverage_summary}")
            lines += [f"- recommendation: {r.text}" for r in review.recommendations[:3]]
    return "The panel's conclusions so far:\n" + ("\n".join(lines) or "(no theme finished)")


async def ask(
    settings: Settings,
    run_id: str,
    question: str,
    agent: str = "editor",
    open_index: Searcher | None = None,
) -> Answer:
    """Answer ``question`` about run ``run_id`` and append the exchange to its log.
    ``open_index``: an index already open in this process (else it is opened here)."""
    if agent not in SPECS:
        raise ValueError(f"No panelist '{agent}'; choose one of: {', '.join(SPECS)}.")
    folder = RunFolder.existing(settings.transcripts_dir, run_id)
    prior = load_prior(folder.events, repair=True)
    searcher = (
        open_index
        if open_index is not None
        else await asyncio.to_thread(Searcher, settings.retrieval)
    )
    budget = _budget(settings, agent)
    found = await asyncio.to_thread(searcher.search, [question], budget.answer_hits)
    hits = found[0].hits[: budget.answer_hits]  # a list's continuation counts: the prompt fits
    passages = [p for h in hits if (p := searcher.passage(h.id)) is not None]
    runtime = build_runtime(
        settings.models, settings.retrieval.data_dir, searcher, passage_words=budget.passage_words
    )
    factory, speaker = runtime.factory, runtime.speaker
    await factory.warm_up([agent])
    key = installation_key(settings.retrieval.data_dir)
    log = EventLog.continuing(folder.events, prior.last_seq, prior.last_hash, key)
    events: list[BaseModel] = []

    def record(event: BaseModel) -> None:
        log.append(event)
        events.append(event)

    try:
        record(HumanSteer(kind="ask", text=question, target=agent))
        record(EvidencePack(agent=agent, queries=[question], evidence_ids=[p.id for p in passages]))
        request = _request(agent, question, passages, prior, settings)
        try:
            text, usage = await _reply(speaker, request)
            if not text:  # a busy or cut-off server can answer nothing: ask once more
                for call in usage:
                    record(UsageRecorded.of(call))
                text, usage = await _reply(speaker, request)
        except ModelCallError as exc:  # in the log too, not only on the screen
            record(ErrorRaised(message=str(exc), kind=exc.kind, agent=agent))
            raise
        if not text:
            for call in usage:
                record(UsageRecorded.of(call))
            message = (
                f"{agent} gave no answer: the model returned nothing twice. Ask again; if it "
                "happens again, check the model server's log."
            )
            record(ErrorRaised(message=message, kind="empty_reply", agent=agent))
            raise ValueError(message)
        checker = await asyncio.to_thread(_checker, settings, prior.started, searcher)
        checked = check_answer(checker, agent, text, passages)
        record(
            AgentMessage(
                agent=agent,
                phase="follow_up",
                content=checked.shown,
                evidence_ids=checked.cited,
                reply=text if checked.shown != text else None,
                set_aside=checked.set_aside,
            )
        )
        for call in usage:
            record(UsageRecorded.of(call))
        _keep_cited(folder, checked.cited, searcher, record)
    finally:
        log.close()
        await factory.close()
    citations, _ = cite(checked.cited, checked.shown, searcher.passage)
    return Answer(agent, checked.shown, citations, events)


async def _reply(speaker: Speaker, request: TurnRequest) -> tuple[str, tuple[Usage, ...]]:
    """The panelist's answer as written, and the usage of the calls it took."""
    usage: tuple[Usage, ...]
    text, usage = "", ()
    async for item in speaker.speak(request):
        if isinstance(item, Said):
            text, usage = item.text.strip(), item.usage
    return text, usage


def _keep_cited(
    folder: RunFolder, cited: list[str], searcher: Searcher, record: Callable[[BaseModel], None]
) -> None:
    """The cited passages join the run's snapshot; a run that had sealed its files seals the
    new snapshot."""
    folder.add_to_snapshot(
        (p for i in cited if (p := searcher.passage(i)) is not None), searcher.passage
    )
    if folder.report_json.exists():
        record(FilesSealed(files=folder.file_hashes()))


def _request(
    agent: str, question: str, passages: list[Passage], prior: PriorRun, settings: Settings
) -> TurnRequest:
    """The follow-up turn: the panelist's persona, the question's evidence, the run so far."""
    budget = _budget(settings, agent)
    task = (
        f"{SPECS[agent].persona}\n\n{prompts.evidence_block(passages, budget.passage_words)}\n\n"
        f"A member of the strategy team asks: “{question}” Answer in at most "
        f"{budget.answer_tokens * 3 // 4} words, citing evidence ids in square brackets; say so "
        "if the corpus has no evidence."
    )
    return TurnRequest(
        agent,
        prompts.RULES.format(title=prior.started.strategy_title, organisation="the trust"),
        _run_summary(prior.events),
        task,
        max_tokens=budget.answer_tokens,
    )


def _budget(settings: Settings, agent: str) -> ResolvedBudget:
    return settings.evidence.for_context(
        settings.evidence.prompt_room(settings.models.for_agent(agent))
    )


def _checker(settings: Settings, started: RunStarted, searcher: Searcher) -> ClaimChecker:
    """The claim checker for a run's follow-ups (the strategy's words when it can be read)."""
    try:
        strategy: Strategy | list[str] = load_strategy(Path(started.strategy_path))
    except StrategyError:
        strategy = [started.strategy_title]
    return build_checker(settings.claims, strategy, CoverageAnalyzer(searcher))
