"""The run behind a screen, without any widgets: a live run (started or resumed from the UI, with
the chair's ``Steering``) or a saved one read from its log, plus follow-up questions.

Screens call this; it calls the orchestration core. No model is ever called from a widget.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.engine.steering import Steering
from orchestration.events import RunStarted, SteerKind
from orchestration.record.decisions import decide
from orchestration.record.event_log import EventLog, read_log
from orchestration.record.folder import RunFolder
from orchestration.record.sealing import installation_key
from orchestration.review_models import ChairVerdict
from orchestration.settings import Settings
from orchestration.strategy import load_strategy
from tui.passages import PassageBook
from tui.run_view import RunView

if TYPE_CHECKING:  # the model runtime loads only when a run starts or a question is asked
    from agents.speaking import Speaker
    from orchestration.engine.run import RunResult
    from orchestration.record.followup import Answer


def theme_names(strategy_path: Path) -> dict[str, str]:
    """Theme id -> name from the strategy file (empty when it cannot be read any more)."""
    try:
        return {theme.id: theme.name for theme in load_strategy(strategy_path).themes}
    except (OSError, ValueError):
        return {}


class Session:
    """One run as the UI sees it; build one with ``live`` or ``saved``."""

    def __init__(self, settings: Settings, view: RunView, book: PassageBook) -> None:
        self.settings = settings
        self.view = view
        self.book = book
        self.steering: Steering | None = None
        self.strategy_path: Path | None = None
        self.themes: list[str] | None = None
        self.resume: str | None = None
        self.speaker: Speaker | None = None
        self.chair_approval = False  # hold each theme for the chair (set by ``live``)

    @classmethod
    def live(
        cls,
        settings: Settings,
        strategy_path: Path | None = None,
        themes: list[str] | None = None,
        resume: str | None = None,
        chair_approval: bool = True,
        speaker: Speaker | None = None,
    ) -> Session:
        """A run to start (or resume); the strategy is read now, so a bad file fails early."""
        from orchestration.engine.run import earlier_run

        earlier: list[Any] = []
        if resume:  # checked now (complete? strategy changed?), and shown as it stood
            earlier = earlier_run(settings, resume, resuming=True).events
            strategy_path = Path(earlier[0].strategy_path)
            names, chosen = theme_names(strategy_path), list(earlier[0].themes)
        else:
            strategy_path = strategy_path or settings.strategy
            strategy = load_strategy(strategy_path)
            names = {t.id: t.name for t in strategy.themes}
            chosen = [strategy.theme(key).id for key in themes] if themes else list(names)
        view = RunView(names)
        for theme_id in chosen:  # shown as waiting until the run starts
            view.apply_waiting(theme_id)
        for event in earlier:
            view.apply(event)
        session = cls(settings, view, PassageBook())
        session.steering = Steering()
        session.chair_approval = chair_approval
        session.strategy_path, session.themes, session.resume = strategy_path, themes, resume
        session.speaker = speaker
        return session

    @classmethod
    def saved(cls, settings: Settings, run_id: str) -> Session:
        """A saved run, read from its log (read-only, except for follow-up questions)."""
        folder = RunFolder.existing(settings.transcripts_dir, run_id)
        events = _events(folder)
        view = RunView(theme_names(Path(events[0].strategy_path)))
        for event in events:
            view.apply(event)
        if view.status == "running":  # no run_finished: still running here, or it stopped
            view.status = "running" if EventLog.is_writing(folder.events) else "interrupted"
        return cls(settings, view, PassageBook(folder.evidence))

    @property
    def is_live(self) -> bool:
        return self.steering is not None

    @property
    def folder(self) -> Path | None:
        return self.settings.transcripts_dir / self.view.run_id if self.view.run_id else None

    async def run(self, on_event: Callable[[object], None]) -> RunResult:
        """Run the panel; every event goes to the view, then to ``on_event``."""
        # the model runtime takes a second or two to import: not on the UI's event loop
        run_module = await asyncio.to_thread(importlib.import_module, "orchestration.engine.run")
        assert self.steering is not None and self.strategy_path is not None

        def sink(event: object) -> None:
            self.view.apply(event)
            on_event(event)

        result: RunResult = await run_module.run_review(
            self.settings,
            self.strategy_path,
            self.themes,
            steering=self.steering,
            sink=sink,
            resume=self.resume,
            speaker=self.speaker,
            chair_approval=self.chair_approval,
        )
        return result

    def steer(
        self,
        kind: SteerKind,
        text: str = "",
        target: str | None = None,
        theme_id: str | None = None,
    ) -> None:
        """Send a steer to the live debate, for ``theme_id`` (None: whichever theme is on); it is
        logged when the debate takes it."""
        if self.steering is None:
            raise RuntimeError("This run is saved, not live; it cannot be steered.")
        self.steering.send(kind, text, target, theme_id)

    async def export(self, fmt: str) -> Path:
        """Write ``export.<fmt>`` (a format of ``orchestration.record.export.Format``) into the
        run's folder; its path."""
        if self.folder is None:
            raise RuntimeError("The run has not started yet; export it once it has.")
        export = await asyncio.to_thread(importlib.import_module, "orchestration.record.export")
        return await asyncio.to_thread(export.export_run, self.folder, fmt)

    async def decide(
        self, theme_id: str, number: int, verdict: ChairVerdict, reason: str = ""
    ) -> None:
        """The chair's decision on a finished run's recommendation, logged and written into the
        report (``orchestration.record.decisions``)."""
        if self.folder is None:
            raise ValueError("The run has not started yet.")
        key = installation_key(self.settings.retrieval.data_dir)
        events = await asyncio.to_thread(
            decide, RunFolder(self.folder), key, theme_id, number, verdict, reason
        )
        for event in events:
            self.view.apply(event)

    async def ask(self, question: str, agent: str = "editor") -> Answer:
        """A follow-up question, answered as ``review ask`` does and appended to the run's log."""
        followup = await asyncio.to_thread(importlib.import_module, "orchestration.record.followup")
        ask = followup.ask
        if not self.view.run_id:
            raise RuntimeError("The run has not started yet; ask again in a moment.")
        answer = await ask(self.settings, self.view.run_id, question, agent, self.book.searcher)
        for event in answer.events:  # shown exactly as a saved run's log will show them
            self.view.apply(event)
        return answer


def _events(folder: RunFolder) -> list[Any]:
    """The run's logged events, the first being its ``RunStarted``."""
    events = read_log(folder.events).events
    if not events or not isinstance(events[0], RunStarted):
        raise ValueError(f"{folder.events} does not start with run_started; not a run.")
    return events
