"""A review run: every theme debated, the whole-strategy pass, reports, and the event log.

Each log event is appended to ``transcripts/<run-id>/events.jsonl`` as it happens (hash-chained,
flushed and fsynced: ``orchestration.record.event_log``), so a failure part-way loses nothing already
produced.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from agents.panel import PANEL
from agents.runtime.assembly import PanelRuntime, build_runtime
from agents.runtime.errors import ModelCallError
from agents.speaking import Speaker
from orchestration.engine.claims.for_run import build_checker
from orchestration.engine.corpus_limits import corpus_limits, documents_by_scope
from orchestration.engine.debate import DebateItem, PanelContext, debate_theme
from orchestration.engine.protocol import Limits
from orchestration.engine.steering import Steering
from orchestration.engine.whole_strategy import review_strategy
from orchestration.events import (
    ErrorRaised,
    MessageDelta,
    RunFinished,
    RunResumed,
    RunStarted,
    StrategyReviewed,
    ThemeReviewed,
)
from orchestration.plain_errors import plain_message
from orchestration.record.event_log import EventLog
from orchestration.record.folder import RunFolder, writable_folder
from orchestration.record.replaying import DuplicateFilter, PriorRun, RecordedSpeaker, load_prior
from orchestration.record.sealing import installation_key
from orchestration.review_models import StrategyReview, ThemeReview
from orchestration.settings import Settings
from orchestration.strategy import Strategy, Theme, load_strategy, strategy_hash
from tools.coverage import CoverageAnalyzer
from tools.search import Searcher

Emitted = DebateItem | RunStarted | RunResumed | StrategyReviewed | RunFinished
Sink = Callable[[Emitted], None]


@dataclass
class RunResult:
    run_id: str
    folder: Path
    report_path: Path
    status: str


def new_run_id(strategy: Strategy) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{hashlib.sha256(f'{strategy.title}{time.time_ns()}'.encode()).hexdigest()[:6]}"


def settings_hash(settings: Settings) -> str:
    public = settings.model_dump(mode="json")  # SecretStr fields dump masked
    return hashlib.sha256(json.dumps(public, sort_keys=True, default=str).encode()).hexdigest()


def structured_agents(models: dict[str, str], mode: str) -> frozenset[str]:
    """The agents whose debate turns are JSON points: with "auto", those on the embedded model
    (``models``: agent -> "backend:model", as the run records them)."""
    if mode == "never":
        return frozenset()
    return frozenset(
        a for a, model in models.items() if mode == "always" or model.startswith("local:")
    )


def select_themes(strategy: Strategy, wanted: list[str] | None) -> list[Theme]:
    return [strategy.theme(key) for key in wanted] if wanted else list(strategy.themes)


def earlier_run(settings: Settings, run_id: str, resuming: bool) -> PriorRun:
    """A saved run's log, checked: it exists, is undamaged, its strategy file is unchanged and
    (to resume it) it is unfinished. Raises ``ValueError`` with a plain sentence otherwise."""
    source = RunFolder.existing(settings.transcripts_dir, run_id)
    prior = load_prior(source.events, repair=resuming)
    last = prior.events[-1]
    if resuming and last.type == "run_finished" and last.status == "complete":
        raise ValueError(f"Run {run_id} is already complete; its report is {source.report_md}.")
    strategy_path = Path(prior.started.strategy_path)
    if not strategy_path.exists() or strategy_hash(strategy_path) != prior.started.strategy_sha256:
        raise ValueError(
            f"{strategy_path} is missing or has changed since run {run_id} started; "
            "it cannot be continued or replayed."
        )
    return prior


@dataclass
class RunPlan:
    """What a run will do: a new run, or the resume or replay of a saved one (``prior``)."""

    mode: Literal["new", "resume", "replay"]
    strategy_path: Path
    themes: list[str] | None
    limits: Limits
    chair_approval: bool
    prior: PriorRun | None = None


def plan_run(
    settings: Settings,
    strategy_path: Path,
    themes: list[str] | None,
    resume: str | None,
    replay: str | None,
    chair_approval: bool,
) -> RunPlan:
    """A resumed or replayed run takes its strategy, themes and debate limits from its log.
    Whether the chair approves each theme is the chair's choice now, except in a replay, which
    does what the run did."""
    if not (resume or replay):
        return RunPlan("new", strategy_path, themes, settings.panel, chair_approval)
    prior = earlier_run(settings, str(resume or replay), resuming=bool(resume))
    return RunPlan(
        "resume" if resume else "replay",
        Path(prior.started.strategy_path),
        list(prior.started.themes),
        Limits.recorded(prior.started.panel) or settings.panel,
        chair_approval if resume else prior.started.held_for_approval(),
        prior,
    )


@dataclass
class _Record:
    """Where a run writes and what it already holds (a resumed run's finished themes)."""

    run_id: str
    folder: RunFolder
    log: EventLog
    speaker: Speaker
    reviews: dict[str, ThemeReview] = field(default_factory=dict)
    whole: StrategyReview | None = None  # a resumed run that stopped after the whole-strategy pass
    duplicates: DuplicateFilter = field(default_factory=lambda: DuplicateFilter([]))


def _open_record(plan: RunPlan, settings: Settings, strategy: Strategy, live: Speaker) -> _Record:
    prior, base = plan.prior, settings.transcripts_dir
    key = installation_key(settings.retrieval.data_dir)
    if prior is None:
        run_id = new_run_id(strategy)
        folder = RunFolder(base / run_id)
        return _Record(run_id, folder, EventLog(folder.events, key=key), live)
    run_id = prior.started.run_id
    if plan.mode == "replay":
        folder = RunFolder(base / run_id).replay()
        shutil.rmtree(folder.path, ignore_errors=True)
        log = EventLog(folder.events, key=key)
        return _Record(run_id, folder, log, RecordedSpeaker(prior.events))
    folder = RunFolder(base / run_id)
    return _Record(
        run_id,
        folder,
        EventLog.continuing(folder.events, prior.last_seq, prior.last_hash, key),
        RecordedSpeaker(prior.events, live=live),
        prior.reviewed_themes(),
        prior.strategy_reviewed(),
        DuplicateFilter(prior.unfinished_theme_events()),
    )


async def run_review(
    settings: Settings,
    strategy_path: Path,
    themes: list[str] | None = None,
    concurrency: int = 1,
    steering: Steering | None = None,
    sink: Sink | None = None,
    resume: str | None = None,
    replay: str | None = None,
    speaker: Speaker | None = None,
    chair_approval: bool = False,
) -> RunResult:
    """Run the panel over the strategy; see the module docstring.

    Args:
        resume: a run id to continue from its last complete event (recorded replies are reused,
            finished themes are kept, nothing is written twice).
        replay: a run id to replay from its log alone (no model calls) into ``<run>/replay/``.
        speaker: who speaks for the panel; by default the configured models through AutoGen.
        chair_approval: hold each theme's review until the chair approves it or sends it back
            (the terminal UI's runs; a headless run has nobody to approve).
    """
    plan = plan_run(settings, strategy_path, themes, resume, replay, chair_approval)
    return await _execute(plan, settings, concurrency, steering, sink, speaker)


@dataclass
class _Parts:
    """A run's working parts: the strategy and themes, the index, the model runtime, where it
    writes, and the context every theme's debate shares."""

    strategy: Strategy
    chosen: list[Theme]
    searcher: Searcher
    coverage: CoverageAnalyzer
    runtime: PanelRuntime
    record: _Record
    models: dict[str, str]
    context: PanelContext


async def _assemble(plan: RunPlan, settings: Settings, speaker: Speaker | None) -> _Parts:
    strategy = load_strategy(plan.strategy_path)
    chosen = select_themes(strategy, plan.themes)
    writable_folder(settings.transcripts_dir)  # before the index and the models are loaded
    searcher = await asyncio.to_thread(Searcher, settings.retrieval)
    coverage = await asyncio.to_thread(CoverageAnalyzer, searcher)
    rooms = {a: settings.evidence.prompt_room(settings.models.for_agent(a)) for a in PANEL}
    passage_words = min(
        settings.evidence.for_context(room).passage_words for room in rooms.values()
    )
    runtime = build_runtime(
        settings.models, settings.retrieval.data_dir, searcher, coverage, passage_words
    )
    record = _open_record(plan, settings, strategy, speaker or runtime.speaker)
    prior = plan.prior
    models = (
        {a: prior.started.models[a] for a in PANEL if a in prior.started.models}
        if prior
        else {a: runtime.factory.endpoint_for(a).describe() for a in PANEL}
    )
    checker = await asyncio.to_thread(build_checker, settings.claims, strategy, coverage)
    context = PanelContext(
        strategy,
        searcher,
        coverage,
        record.speaker,
        checker,
        plan.limits,
        budget=settings.evidence,
        context_windows=rooms,
        chair_approval=plan.chair_approval,
        structured_agents=structured_agents(models, plan.limits.structured_turns),
        corpus_notes=corpus_limits(documents_by_scope(searcher.store.document_records())),
    )
    return _Parts(strategy, chosen, searcher, coverage, runtime, record, models, context)


async def _execute(
    plan: RunPlan,
    settings: Settings,
    concurrency: int,
    steering: Steering | None,
    sink: Sink | None,
    speaker: Speaker | None,
) -> RunResult:
    parts = await _assemble(plan, settings, speaker)
    record, prior = parts.record, plan.prior
    steering = steering or Steering(recorded_only=plan.mode == "replay")
    if prior is not None:
        steering.preload([e for e in prior.events if e.type == "human_steer"])
    started = time.monotonic() - (prior.elapsed() if prior and plan.mode == "resume" else 0.0)

    def emit(item: Emitted) -> None:
        if record.duplicates.is_duplicate(item):
            return
        if not isinstance(item, MessageDelta):
            record.log.append(item)
        if sink is not None:
            sink(item)

    def seconds() -> float:
        return round(time.monotonic() - started, 1)

    if prior is not None and plan.mode == "resume":
        emit(RunResumed(after_seq=prior.last_seq, themes_done=list(record.reviews)))
    else:
        emit(_run_started(plan, settings, parts))
    try:
        if plan.mode != "replay" and speaker is None:
            await parts.runtime.factory.warm_up(PANEL)
        report = await _review_all(parts, steering, concurrency, emit)
        files = record.folder.file_hashes()
        emit(
            RunFinished(status="complete", report_path=str(report), seconds=seconds(), files=files)
        )
        return RunResult(record.run_id, record.folder.path, report, "complete")
    except (ModelCallError, OSError, ValueError, RuntimeError) as exc:
        emit(ErrorRaised(message=plain_message(exc), kind=getattr(exc, "kind", type(exc).__name__)))
        emit(RunFinished(status="failed", seconds=seconds()))
        raise
    except (asyncio.CancelledError, KeyboardInterrupt):
        emit(RunFinished(status="interrupted", seconds=seconds()))
        raise
    finally:
        record.log.close()
        await parts.runtime.close()


async def _review_all(
    parts: _Parts, steering: Steering, concurrency: int, emit: Callable[[Emitted], None]
) -> Path:
    """Every theme debated, the whole-strategy pass, and the reports; report.md's path."""
    record = parts.record
    await _debate_all(parts.context, parts.chosen, steering, record.reviews, concurrency, emit)
    whole = record.whole
    if whole is None:
        ordered = [record.reviews[t.id] for t in parts.chosen]
        whole = await asyncio.to_thread(
            review_strategy, parts.strategy, ordered, parts.coverage, parts.context.corpus_notes
        )
        emit(StrategyReviewed(review=whole))
    return record.folder.write_reports(whole, record.run_id, parts.models, parts.searcher.passage)


def _run_started(plan: RunPlan, settings: Settings, parts: _Parts) -> RunStarted:
    return RunStarted(
        run_id=parts.record.run_id,
        strategy_title=parts.strategy.title,
        strategy_path=str(plan.strategy_path),
        strategy_sha256=strategy_hash(plan.strategy_path),
        themes=[t.id for t in parts.chosen],
        models=parts.models,
        embedding_model=parts.searcher.store.embedder.identity,
        index_version=parts.searcher.lexical.version,
        settings_sha256=settings_hash(settings),
        panel=plan.limits.model_dump(mode="json"),
        chair_approval=plan.chair_approval,
    )


async def _debate_all(
    context: PanelContext,
    chosen: list[Theme],
    steering: Steering,
    reviews: dict[str, ThemeReview],
    concurrency: int,
    emit: Callable[[Emitted], None],
) -> None:
    """Every theme not yet reviewed, ``concurrency`` at a time."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one_theme(theme: Theme) -> None:
        async with gate:
            earlier = [r.text for review in reviews.values() for r in review.recommendations]
            async for item in debate_theme(context, theme, steering, earlier):
                emit(item)
                if isinstance(item, ThemeReviewed):
                    reviews[theme.id] = item.review

    await asyncio.gather(*(one_theme(theme) for theme in chosen if theme.id not in reviews))
