"""The Textual application: ``create_app`` builds it for a new run, a resumed run, a saved run or
the list of saved runs; it owns navigation, the command palette and quitting safely.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from agents.speaking import Speaker
from orchestration.plain_errors import plain_message
from orchestration.settings import Settings
from tui.dialogs.confirm import Confirm
from tui.screens.audit_screen import AuditScreen
from tui.screens.run_screen import RunScreen
from tui.screens.runs_screen import RunsScreen
from tui.session import Session

PALETTE = {  # RunScreen actions offered in the command palette (their keys come from its bindings)
    "pause": "Pause or resume the debate",
    "interject": "Interject as chair",
    "ask": "Ask one panelist directly",
    "redirect": "Redirect the theme (add a focus)",
    "end_theme": "End the theme early",
    "approve": "Approve the theme's review",
    "send_back": "Send the theme's review back",
    "follow_up": "Ask a follow-up question",
    "report": "Read the report",
    "filters": "Filter or search the debate",
    "evidence": "Show or hide the evidence pane",
    "resume_run": "Resume this interrupted run",
    "export": "Export the report and transcript (web page, Markdown or JSON)",
}


class ReviewApp(App[str | None]):
    """See the module docstring; the app's return value is a line to print on exit."""

    TITLE = "strategy-review"
    CSS = "ToastRack { margin-bottom: 2; }"  # notices sit above the run's status line
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("o", "runs", "Saved runs"),
        Binding("u", "audit", "Audit", show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        first: Session | None,
        speaker: Speaker | None = None,
        chair_approval: bool = True,
    ):
        super().__init__()
        self.settings = settings
        self.first = first
        self.speaker = speaker  # tests pass a scripted speaker; the product uses the models
        self.chair_approval = chair_approval

    def on_mount(self) -> None:
        asyncio.get_running_loop().set_exception_handler(_quiet_stream_shutdown)
        self.push_screen(RunScreen(self.first) if self.first else RunsScreen(self.settings))

    # --- navigation ---------------------------------------------------------------------------
    def open_run(self, run_id: str) -> None:
        try:
            self.push_screen(RunScreen(Session.saved(self.settings, run_id)))
        except (OSError, ValueError) as exc:
            self.notify(plain_message(exc), severity="error", timeout=12)

    def start_run(self) -> None:
        """A new run on the configured strategy (from the saved-runs screen)."""
        if self._live_screen() is not None:
            self.notify("A run is already in progress in this window.", severity="warning")
            return
        try:
            session = Session.live(
                self.settings, chair_approval=self.chair_approval, speaker=self.speaker
            )
        except (OSError, ValueError) as exc:
            self.notify(plain_message(exc), severity="error", timeout=12)
            return
        self.push_screen(RunScreen(session))

    def resume_run(self, run_id: str) -> None:
        if self._live_screen() is not None:
            self.notify("A run is already in progress in this window.", severity="warning")
            return
        try:
            session = Session.live(
                self.settings,
                resume=run_id,
                chair_approval=self.chair_approval,
                speaker=self.speaker,
            )
        except (OSError, ValueError) as exc:
            self.notify(plain_message(exc), severity="error", timeout=12)
            return
        self.push_screen(RunScreen(session))

    def audit_run(self, run_id: str) -> None:
        self.push_screen(AuditScreen(self.settings, run_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The saved-runs screen neither offers nor runs 'Saved runs' for itself."""
        return not (action == "runs" and isinstance(self.screen, RunsScreen))

    def action_runs(self) -> None:
        if not isinstance(self.screen, RunsScreen):  # the palette calls this directly
            self.push_screen(RunsScreen(self.settings))

    def action_audit(self) -> None:
        screen = self.screen
        if isinstance(screen, RunScreen) and screen.view.run_id:
            self.audit_run(screen.view.run_id)

    # --- command palette ----------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, RunScreen):
            for binding in RunScreen.BINDINGS:
                assert isinstance(binding, Binding)
                action = binding.action
                if action in PALETTE and screen.check_action(action, ()):
                    yield SystemCommand(
                        PALETTE[action], f"key: {binding.key}", partial(screen.run_action, action)
                    )
            if screen.view.run_id:
                yield SystemCommand("Audit this run", "key: u", self.action_audit)
        yield SystemCommand("Saved runs", "key: o", self.action_runs)

    # --- quitting -----------------------------------------------------------------------------
    def _farewell(self) -> str | None:
        """Where the report of the run started in this window is, if it finished."""
        for screen in self.screen_stack:
            if isinstance(screen, RunScreen) and screen.session.is_live and screen.view.report_path:
                return f"Report: {screen.view.report_path}"
        return None

    def _live_screen(self) -> RunScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, RunScreen) and screen.run_in_progress:
                return screen
        return None

    async def action_quit(self) -> None:
        live = self._live_screen()
        if live is None:
            self.exit(self._farewell())
            return
        run_id = live.view.run_id

        async def decided(yes: bool | None) -> None:
            if not yes:
                return
            if not live.run_in_progress:  # it finished while the question was open
                self.exit(self._farewell())
                return
            await live.stop_run()
            self.exit(
                f"Run {run_id} stopped; nothing is lost. Continue it with "
                f"`review tui --resume {run_id}` (or `review run --resume {run_id}`)."
                if run_id
                else None
            )

        self.push_screen(
            Confirm(
                "A run is in progress. Quit now? It stops after saving what it has, and "
                "`review tui --resume` continues it later.",
                yes="Quit",
                no="Keep running",
            ),
            decided,
        )


def _quiet_stream_shutdown(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A model reply cut off by quitting leaves its HTTP stream to be closed at shutdown, which
    asyncio reports as an error on the restored terminal; it is expected, so it is only logged."""
    if str(context.get("message", "")).startswith("an error occurred during closing of asynch"):
        logging.getLogger(__name__).debug("stream closed at shutdown: %s", context.get("exception"))
        return
    loop.default_exception_handler(context)


def create_app(
    settings: Settings,
    strategy: Path | None = None,
    *,
    themes: list[str] | None = None,
    open_run: str | None = None,
    resume: str | None = None,
    browse: bool = False,
    chair_approval: bool = True,
    speaker: Speaker | None = None,
) -> ReviewApp:
    """The app for one of: a new run (default), ``resume``, ``open_run`` (saved, read-only) or
    ``browse`` (the saved runs). Bad input (a malformed strategy, an unknown run) raises
    ``ValueError`` with a plain sentence before any screen is drawn."""
    first: Session | None = None
    if open_run:
        first = Session.saved(settings, open_run)
    elif not browse:
        first = Session.live(settings, strategy, themes, resume, chair_approval, speaker)
    return ReviewApp(settings, first, speaker, chair_approval)
