"""The Textual application: ``create_app`` builds it for a new run, a resumed run, a saved run or
the list of saved runs; it owns navigation, the command palette and quitting safely.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from agents.speaking import Speaker
from orchestration.settings import Settings
from tui.dialogs.confirm import Confirm
from tui.screens.audit_screen import AuditScreen
from tui.screens.run_screen import RunScreen
from tui.screens.runs_screen import RunsScreen
from tui.session import Session

PALETTE = [
    ("Pause or resume the debate", "p", "pause"),
    ("Interject as chair", "i", "interject"),
    ("Ask one panelist directly", "a", "ask"),
    ("Redirect the theme (add a focus)", "r", "redirect"),
    ("End the theme early", "e", "end_theme"),
    ("Approve the theme's review", "y", "approve"),
    ("Send the theme's review back", "b", "send_back"),
    ("Ask a follow-up question", "f", "follow_up"),
    ("Read the report", "m", "report"),
    ("Filter or search the debate", "/", "filters"),
    ("Show or hide the evidence pane", "v", "evidence"),
    ("Resume this interrupted run", "R", "resume_run"),
]


class ReviewApp(App[str | None]):
    """See the module docstring; the app's return value is a line to print on exit."""

    TITLE = "strategy-review"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("o", "runs", "Saved runs"),
        Binding("u", "audit", "Audit", show=False),
    ]

    def __init__(self, settings: Settings, first: Session | None, speaker: Speaker | None = None):
        super().__init__()
        self.settings = settings
        self.first = first
        self.speaker = speaker  # tests pass a scripted speaker; the product uses the models

    def on_mount(self) -> None:
        self.push_screen(RunScreen(self.first) if self.first else RunsScreen(self.settings))

    # --- navigation ---------------------------------------------------------------------------
    def open_run(self, run_id: str) -> None:
        try:
            self.push_screen(RunScreen(Session.saved(self.settings, run_id)))
        except (OSError, ValueError) as exc:
            self.notify(str(exc), severity="error", timeout=12)

    def start_run(self, strategy: Path | None = None) -> None:
        if self._live_screen() is not None:
            self.notify("A run is already in progress in this window.", severity="warning")
            return
        try:
            session = Session.live(self.settings, strategy, speaker=self.speaker)
        except (OSError, ValueError) as exc:
            self.notify(str(exc), severity="error", timeout=12)
            return
        self.push_screen(RunScreen(session))

    def resume_run(self, run_id: str) -> None:
        if self._live_screen() is not None:
            self.notify("A run is already in progress in this window.", severity="warning")
            return
        try:
            session = Session.live(self.settings, resume=run_id, speaker=self.speaker)
        except (OSError, ValueError) as exc:
            self.notify(str(exc), severity="error", timeout=12)
            return
        self.push_screen(RunScreen(session))

    def audit_run(self, run_id: str) -> None:
        self.push_screen(AuditScreen(self.settings, run_id))

    def action_runs(self) -> None:
        if not isinstance(self.screen, RunsScreen):
            self.push_screen(RunsScreen(self.settings))

    def action_audit(self) -> None:
        screen = self.screen
        if isinstance(screen, RunScreen) and screen.view.run_id:
            self.audit_run(screen.view.run_id)

    # --- command palette ----------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, RunScreen):
            for title, key, action in PALETTE:
                if screen.check_action(action, ()):
                    yield SystemCommand(title, f"key: {key}", lambda a=action: screen.run_action(a))
            if screen.view.run_id:
                yield SystemCommand("Audit this run", "key: u", self.action_audit)
        yield SystemCommand("Saved runs", "key: o", self.action_runs)

    # --- quitting -----------------------------------------------------------------------------
    def _live_screen(self) -> RunScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, RunScreen) and screen.run_in_progress:
                return screen
        return None

    async def action_quit(self) -> None:
        live = self._live_screen()
        if live is None:
            self.exit()
            return
        run_id = live.view.run_id

        async def decided(yes: bool | None) -> None:
            if not yes:
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
    if browse:
        return ReviewApp(settings, None, speaker)
    if open_run:
        return ReviewApp(settings, Session.saved(settings, open_run), speaker)
    session = Session.live(settings, strategy, themes, resume, chair_approval, speaker)
    return ReviewApp(settings, session, speaker)
