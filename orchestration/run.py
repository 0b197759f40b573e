"""A review run: every theme debated, the whole-strategy pass, reports, and the event log.

Each log event is appended to ``transcripts/<run-id>/events.jsonl`` as it happens (hash-chained,
flushed and fsynced: ``orchestration.event_log``), so a failure part-way loses nothing already
produced.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agents.roster import PANEL
from agents.runtime.errors import ModelCallError
from agents.runtime.models import ModelFactory
from agents.runtime.panelist import AutoGenSpeaker
from orchestration.debate import DebateItem, PanelContext, debate_theme
from orchestration.event_log import EventLog
from orchestration.events import (
    ErrorRaised,
    MessageDelta,
    RunFinished,
    RunStarted,
    StrategyReviewed,
    ThemeReviewed,
)
from orchestration.report import write_reports
from orchestration.review_models import ThemeReview
from orchestration.settings import Settings
from orchestration.steering import Steering
from orchestration.strategy import Strategy, Theme, load_strategy, strategy_hash
from orchestration.whole_strategy import review_strategy
from tools.coverage import CoverageAnalyzer
from tools.search import Searcher

Sink = Callable[[DebateItem | RunStarted | StrategyReviewed | RunFinished], None]


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


def select_themes(strategy: Strategy, wanted: list[str] | None) -> list[Theme]:
    return [strategy.theme(key) for key in wanted] if wanted else list(strategy.themes)


async def run_review(
    settings: Settings,
    strategy_path: Path,
    themes: list[str] | None = None,
    concurrency: int = 1,
    steering: Steering | None = None,
    sink: Sink | None = None,
) -> RunResult:
    """Run the panel over the strategy; see the module docstring."""
    strategy = load_strategy(strategy_path)
    chosen = select_themes(strategy, themes)
    searcher = Searcher(settings.retrieval)
    factory = ModelFactory(settings.models, settings.retrieval.data_dir)
    coverage = await asyncio.to_thread(CoverageAnalyzer, searcher)
    context = PanelContext(
        strategy,
        searcher,
        coverage,
        AutoGenSpeaker(factory, searcher, coverage),
        factory.ledger,
        settings.panel,
    )
    steering = steering or Steering()
    run_id = new_run_id(strategy)
    folder = settings.transcripts_dir / run_id
    log = EventLog(folder / "events.jsonl")
    started = time.monotonic()
    models = {agent: factory.endpoint_for(agent).describe() for agent in PANEL}

    def emit(item: DebateItem | RunStarted | StrategyReviewed | RunFinished) -> None:
        if not isinstance(item, MessageDelta):
            log.append(item)
        if sink is not None:
            sink(item)

    emit(
        RunStarted(
            run_id=run_id,
            strategy_title=strategy.title,
            strategy_path=str(strategy_path),
            strategy_sha256=strategy_hash(strategy_path),
            themes=[t.id for t in chosen],
            models=models,
            embedding_model=searcher.store.embedder.identity,
            index_version=searcher.lexical.version,
            settings_sha256=settings_hash(settings),
        )
    )
    reviews: dict[str, ThemeReview] = {}
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one_theme(theme: Theme) -> None:
        async with gate:
            earlier = [r.text for review in reviews.values() for r in review.recommendations]
            async for item in debate_theme(context, theme, steering, earlier):
                emit(item)
                if isinstance(item, ThemeReviewed):
                    reviews[theme.id] = item.review

    try:
        await asyncio.gather(*(one_theme(theme) for theme in chosen))
        ordered = [reviews[t.id] for t in chosen]
        whole = await asyncio.to_thread(review_strategy, strategy, ordered, coverage)
        emit(StrategyReviewed(review=whole))
        report = write_reports(folder, whole, run_id, models, searcher.passage)
        emit(
            RunFinished(
                status="complete",
                report_path=str(report),
                seconds=round(time.monotonic() - started, 1),
            )
        )
        return RunResult(run_id, folder, report, "complete")
    except (ModelCallError, OSError, ValueError, RuntimeError) as exc:
        emit(ErrorRaised(message=str(exc), kind=getattr(exc, "kind", type(exc).__name__)))
        emit(RunFinished(status="failed", seconds=round(time.monotonic() - started, 1)))
        raise
    except (asyncio.CancelledError, KeyboardInterrupt):
        emit(RunFinished(status="interrupted", seconds=round(time.monotonic() - started, 1)))
        raise
    finally:
        log.close()
        await factory.close()
