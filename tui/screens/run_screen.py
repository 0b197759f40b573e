"""The run screen: themes, the debate, the evidence behind it, and the chair's controls.

A live run is driven by a worker on this screen, so steering and reading never wait for a model;
a saved run is shown read-only, with filters, and can still take follow-up questions (and be
resumed when it was interrupted).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, OptionList, Select
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from orchestration.events import PHASE_TITLES, HumanSteer, PhaseChanged, RunFinished
from orchestration.plain_errors import plain_message
from orchestration.wording import counted
from tui.dialogs.ask_panelist import AskPanelist
from tui.dialogs.export_format import ExportFormat
from tui.screens.chair_controls import VERDICTS, ChairControls
from tui.screens.report_screen import ClaimJump, ReportScreen
from tui.session import Session
from tui.widgets.debate_log import DebateLog
from tui.widgets.evidence_pane import EvidencePane
from tui.widgets.status_bar import StatusBar
from tui.widgets.theme_list import ALL_THEMES, ThemeList

EVIDENCE_DELAY_S = 0.15
NARROW = 110  # below this width the evidence pane is shown on demand only


class RunScreen(ChairControls, Screen[None]):
    CSS_PATH = "run_screen.tcss"
    BINDINGS = [
        Binding("q", "app.quit", "Quit"),  # first, so a narrow footer still shows it
        Binding("p", "pause", "Pause"),
        Binding("i", "interject", "Interject"),
        Binding("a", "ask", "Ask"),
        Binding("r", "redirect", "Redirect"),
        Binding("e", "end_theme", "End"),
        Binding("y", "approve", "Approve"),
        Binding("b", "send_back", "Send back"),
        Binding("f", "follow_up", "Follow-up"),
        Binding("m", "report", "Report"),
        Binding("v", "evidence", "Evidence"),
        Binding("slash", "filters", "Filter"),
        Binding("x", "clear_filters", "Clear filter", show=False),
        Binding("R", "resume_run", "Resume run"),
        Binding("E", "export", "Export", show=False),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.view = session.view
        self._dirty = True
        self._theme_filter: str | None = None
        self._evidence_filter: set[str] | None = None
        self._run_worker: Worker[Any] | None = None
        self._pause_requested = False
        self._agent_choices: list[str] = []
        self._verdict_sent = False  # a verdict is on its way to the debate; one per hold
        self._evidence_timer: Timer | None = None
        self._shown_of = 0  # how many entries existed when the filter was last applied

    # --- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield ThemeList(id="themes")
            with Vertical(id="centre"):
                with Horizontal(id="filters"):
                    yield Select[str]([], prompt="agent", id="agent-filter")
                    yield Select[str](
                        [(title, phase) for phase, title in PHASE_TITLES.items()],
                        prompt="phase",
                        id="phase-filter",
                    )
                    yield Input(placeholder="search the debate", id="search")
                yield DebateLog(self.view.entries, id="debate")
            yield EvidencePane(self.session.book, id="evidence")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        debate = self.query_one(DebateLog)
        debate.border_title = "Debate"
        self.query_one("#filters").display = not self.session.is_live
        self._refresh_titles()
        self._apply_width(self.app.size.width)
        debate.show(None, from_top=not self.session.is_live)  # a saved run reads from the start
        debate.focus()
        self.set_interval(1 / 12, self._flush)
        self.set_interval(1.0, self._tick)
        self._load_index()
        self._flush()
        if self.session.is_live:
            self._start_run()

    def on_resize(self) -> None:
        self._apply_width(self.app.size.width)

    def _apply_width(self, width: int) -> None:
        narrow = width < NARROW
        if narrow != self.has_class("narrow"):
            self.set_class(narrow, "narrow")
            self.set_class(False, "evidence-open")
            self.query_one("#evidence").display = not narrow

    def _refresh_titles(self) -> None:
        view = self.view
        self.title = view.title or "strategy-review"
        self.sub_title = view.run_id or "starting…"

    # --- the run -----------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="index")
    def _load_index(self) -> None:
        self.session.book.load_index(self.session.settings.retrieval)

    def _start_run(self) -> None:
        self._run_worker = self.run_worker(
            self.session.run(self._on_event), group="run", exit_on_error=False
        )

    def _on_event(self, event: object) -> None:
        self._dirty = True
        if isinstance(event, HumanSteer) and event.kind in VERDICTS:
            self._verdict_sent = False  # the debate took it
        if isinstance(event, RunFinished) and event.status == "complete":
            self.notify("The review is complete: press m to read the report.", timeout=8)
        elif isinstance(event, PhaseChanged) and event.phase == "consensus":
            name = self.view.themes[event.theme_id or ""].name if event.theme_id else "The theme"
            self.notify(
                f"{name}: the panel has signed off. m reads the review; y approves it, "
                "b sends it back with a comment. The run waits for you.",
                title="Your approval",
                timeout=15,
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._run_worker:
            return
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.view.status = "failed"
            saved = (
                f"Everything up to here is saved in {self.session.folder}."
                if self.session.folder
                else "Nothing had started, so nothing was saved."
            )
            self.notify(f"The run stopped: {error} {saved}", severity="error", timeout=30)
        self._dirty = True
        self.refresh_bindings()

    async def stop_run(self) -> None:
        """Cancel a live run; it logs itself as interrupted, so --resume continues it."""
        if self._run_worker is not None and self._run_worker.is_running:
            self._run_worker.cancel()
            with suppress(WorkerCancelled, WorkerFailed):
                await self._run_worker.wait()

    @property
    def run_in_progress(self) -> bool:
        return self._run_worker is not None and self._run_worker.is_running

    def _flush(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        debate = self.query_one(DebateLog)
        if debate.filtered and self._shown_of != len(self.view.entries):
            self._apply_filters()  # new entries that pass the filter appear too
        debate.sync()
        self._refresh_agent_choices()
        self.query_one(ThemeList).update_themes(self.view)
        self._refresh_titles()
        self._tick()
        self.refresh_bindings()

    def _tick(self) -> None:
        self.query_one(StatusBar).show(self.view, read_only=not self.session.is_live)

    def action_follow_up(self) -> None:
        def send(answer: tuple[str, str] | None) -> None:
            if answer:
                self._ask(answer[0], answer[1])

        self.app.push_screen(
            AskPanelist("Ask a follow-up question about this run (answered with citations)."), send
        )

    def action_export(self) -> None:
        def chosen(fmt: str | None) -> None:
            if fmt:
                self._export(fmt)

        self.app.push_screen(ExportFormat(), chosen)

    @work(exit_on_error=False, group="export")
    async def _export(self, fmt: str) -> None:
        try:
            path = await self.session.export(fmt)
        except (ValueError, RuntimeError, OSError) as exc:
            self.notify(f"The export failed: {plain_message(exc)}", severity="error", timeout=12)
            return
        self.notify(f"Exported to {path}", timeout=12)

    @work(exit_on_error=False, group="follow-up")
    async def _ask(self, agent: str, question: str) -> None:
        self._dirty = True
        self.notify(f"Asking {agent}…")
        try:
            answer = await self.session.ask(question, agent)
        except (ValueError, RuntimeError, OSError) as exc:
            self.notify(f"The follow-up failed: {plain_message(exc)}", severity="error", timeout=12)
            return
        finally:
            self._dirty = True
        self.notify(f"{agent} answered with {counted(len(answer.citations), 'citation')}.")

    def action_resume_run(self) -> None:
        self.app.resume_run(self.view.run_id)  # type: ignore[attr-defined]

    # --- reading -----------------------------------------------------------------------------
    def action_report(self) -> None:
        theme = self.view.current_theme()
        chosen = self._theme_filter or (theme.id if theme else None)
        self.app.push_screen(ReportScreen(self.session, chosen), self._jump_to_claim)

    def _jump_to_claim(self, jump: ClaimJump | None) -> None:
        if jump is None:
            return
        if not jump.evidence_ids:  # nothing cites it: go to the review that made the claim
            self._evidence_filter = None
            self._theme_filter = jump.theme_id
            self.query_one("#phase-filter", Select).value = "review"
            self._apply_filters()
            self.notify(
                "This claim cites no passage; here is the editor's review that made it. "
                "x clears the filter."
            )
            return
        self._evidence_filter = set(jump.evidence_ids)
        self._theme_filter = jump.theme_id
        self._apply_filters()
        self.query_one(EvidencePane).show(jump.evidence_ids, jump.text, jump.quotes)
        if self.has_class("narrow"):
            self.query_one("#evidence").display = True
        shown = len(self.query_one(DebateLog).shown)
        self.notify(f"{shown} entries cite the passages behind this claim; x clears the filter.")

    def action_filters(self) -> None:
        filters = self.query_one("#filters")
        filters.display = True
        self.query_one("#search", Input).focus()

    def action_clear_filters(self) -> None:
        self._evidence_filter = None
        self._theme_filter = None
        self.query_one("#search", Input).value = ""
        self.query_one("#agent-filter", Select).clear()
        self.query_one("#phase-filter", Select).clear()
        self._apply_filters()

    def action_evidence(self) -> None:
        """Show or hide the evidence pane; on a narrow terminal it takes the theme list's place."""
        pane = self.query_one("#evidence")
        pane.display = not pane.display
        self.set_class(bool(pane.display), "evidence-open")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self._apply_filters()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._apply_filters()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id
        self._theme_filter = None if chosen == ALL_THEMES else chosen
        self._apply_filters()

    def on_debate_log_selected(self, event: DebateLog.Selected) -> None:
        """Show the entry's passages once the cursor rests (scrolling stays smooth)."""
        if self._evidence_timer is not None:
            self._evidence_timer.stop()
        entry = event.entry

        def show() -> None:
            if self.query_one("#evidence").display:
                self.query_one(EvidencePane).show(
                    entry.evidence_ids, entry.text, context_ids=entry.context_ids
                )

        self._evidence_timer = self.set_timer(EVIDENCE_DELAY_S, show)

    def _apply_filters(self) -> None:
        agent = self.query_one("#agent-filter", Select).value
        phase = self.query_one("#phase-filter", Select).value
        text = self.query_one("#search", Input).value
        filtering = any((self._theme_filter, self._evidence_filter, text)) or not (
            agent == Select.NULL and phase == Select.NULL
        )
        debate = self.query_one(DebateLog)
        if not filtering:
            debate.show(None)
        else:
            debate.show(
                self.view.matching(
                    agent=None if agent == Select.NULL else str(agent),
                    theme_id=self._theme_filter,
                    phase=None if phase == Select.NULL else str(phase),
                    text=text,
                    evidence_ids=self._evidence_filter,
                )
            )
        self._shown_of = len(self.view.entries)
        debate.border_subtitle = f"{len(debate.shown)} of {self._shown_of} entries"

    def _refresh_agent_choices(self) -> None:
        agents = self.view.agents()
        if agents == self._agent_choices:
            return
        self._agent_choices = agents
        select = self.query_one("#agent-filter", Select)
        chosen = select.value
        with select.prevent(Select.Changed):
            select.set_options([(agent, agent) for agent in agents])
            if chosen in agents:
                select.value = chosen

    def action_back(self) -> None:
        """Escape: from the filters back to the debate; from the debate to the previous screen."""
        debate = self.query_one(DebateLog)
        if not debate.has_focus:
            debate.focus()
        elif len(self.app.screen_stack) > 2 and not self.run_in_progress:
            self.app.pop_screen()
