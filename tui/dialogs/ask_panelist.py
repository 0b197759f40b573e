"""Put a question to one panelist: choose who, then type the question."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from agents.panel import PANEL


class AskPanelist(ModalScreen[tuple[str, str] | None]):
    """Returns (agent, question), or None when cancelled."""

    DEFAULT_CSS = """
    AskPanelist { align: center middle; }
    AskPanelist > Vertical {
        width: 80%; max-width: 90; height: auto; padding: 1 2;
        border: thick $accent; background: $surface;
    }
    AskPanelist Select { margin-bottom: 1; }
    AskPanelist .hint { color: $text-muted; margin: 1 0 0 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: str = "editor") -> None:
        super().__init__()
        self.title_text, self.default = title, default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield Select(
                [(agent, agent) for agent in PANEL],
                value=self.default,
                allow_blank=False,
                id="agent",
            )
            yield Input(placeholder="Your question", id="question")
            yield Label("Enter to ask · Escape to cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#question", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        agent = self.query_one("#agent", Select).value
        self.dismiss((str(agent), question) if question else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
