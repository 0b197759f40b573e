"""What changed between two saved runs (A, the earlier draft, and B, the later), as Markdown:
the strategy's changes, each theme's findings resolved, still open and new with their quoted
evidence, and the coverage labels that moved. The comparison (embeddings) runs off the UI
thread; Escape goes back to the saved runs."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown

from orchestration.plain_errors import plain_message
from orchestration.record.compare import compare_saved_runs
from orchestration.record.compare_models import Comparison
from orchestration.report.comparison_markdown import comparison_markdown
from orchestration.settings import Settings
from tools.embeddings import EmbeddingError


class CompareScreen(Screen[None]):
    CSS_PATH = "compare_screen.tcss"
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, settings: Settings, run_a: str, run_b: str) -> None:
        super().__init__()
        self.settings, self.run_a, self.run_b = settings, run_a, run_b
        self.comparison: Comparison | None = None
        self.problem: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="comparison-scroll"):
            yield Markdown(
                f"Comparing run {self.run_a} (A, earlier) with run {self.run_b} (B, later)…",
                id="comparison",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = f"Compare · {self.run_a} → {self.run_b}"
        self._compare()

    @work(thread=True, exit_on_error=False)
    def _compare(self) -> None:
        try:
            comparison = compare_saved_runs(self.settings, self.run_a, self.run_b)
        except (OSError, ValueError, EmbeddingError) as exc:
            self.app.call_from_thread(self._failed, plain_message(exc))
            return
        self.app.call_from_thread(self._show, comparison)

    def _show(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.query_one("#comparison", Markdown).update(comparison_markdown(comparison))

    def _failed(self, message: str) -> None:
        self.problem = message
        self.query_one("#comparison", Markdown).update(
            f"**The runs could not be compared.** {message}"
        )

    def action_back(self) -> None:
        self.app.pop_screen()
