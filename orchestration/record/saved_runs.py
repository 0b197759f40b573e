"""Saved runs: what each run folder under ``transcripts/`` holds, read from its event log."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from orchestration.events import RunFinished, RunResumed, RunStarted, ThemeReviewed
from orchestration.record.event_log import EventLog, read_log
from orchestration.record.folder import RunFolder


@dataclass
class RunSummary:
    run_id: str
    folder: Path
    started: str
    strategy: str
    models: str
    themes_done: int
    themes_total: int
    status: str  # running (in this process), complete, interrupted, failed, damaged


def summarise(folder: Path) -> RunSummary | None:
    """A run's summary, or None when the folder holds no event log."""
    log = RunFolder(folder).events
    if not log.exists():
        return None
    check = read_log(log)
    started = next((e for e in check.events if isinstance(e, RunStarted)), None)
    last = next(
        (e for e in reversed(check.events) if isinstance(e, RunStarted | RunResumed | RunFinished)),
        None,
    )
    done = sum(isinstance(e, ThemeReviewed) for e in check.events)
    if check.problems:
        status = "damaged"
    elif EventLog.is_writing(log):
        status = "running"
    elif isinstance(last, RunFinished):
        status = last.status
    else:
        status = "interrupted"  # it started (or resumed) and never finished
    models = sorted(set(started.models.values())) if started else []
    return RunSummary(
        run_id=folder.name,
        folder=folder,
        started=time.strftime("%Y-%m-%d %H:%M", time.localtime(started.at)) if started else "?",
        strategy=started.strategy_title if started else "?",
        models=", ".join(models),
        themes_done=done,
        themes_total=len(started.themes) if started else 0,
        status=status,
    )


def list_runs(transcripts_dir: Path) -> list[RunSummary]:
    """Every saved run, newest first."""
    if not transcripts_dir.exists():
        return []
    found = (summarise(folder) for folder in transcripts_dir.iterdir() if folder.is_dir())
    return sorted((s for s in found if s is not None), key=lambda s: s.run_id, reverse=True)
