"""Put a question to one panelist: choose who (arrows, Enter), then type the question."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from agents.panel import PANEL, SPECS
from tui.dialogs.dialog import Dialog


class _Choices(OptionList):
    """An option list that stops at its ends instead of wrapping round (counting presses works)."""

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()


class AskPanelist(Dialog[tuple[str, str]]):
    """Returns (agent, question), or None when cancelled. Offers ``agents`` (each with its role
    in a few words), starting on the first."""

    DEFAULT_CSS = """
    AskPanelist OptionList { height: auto; max-height: 7; margin-bottom: 1; }
    """

    def __init__(self, title: str, agents: tuple[str, ...] = PANEL) -> None:
        super().__init__()
        self.title_text, self.agents = title, agents

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield _Choices(
                *(
                    Option(f"[{SPECS[a].colour}]●[/] {a} [dim]· {SPECS[a].role}[/]", id=a)
                    for a in self.agents
                ),
                id="agent",
            )
            yield Input(placeholder="Your question", id="question")
            yield Label("↑↓ choose who · Enter · type the question · Enter", classes="hint")

    def on_mount(self) -> None:
        agents = self.query_one("#agent", OptionList)
        agents.highlighted = 0
        agents.focus()

    @property
    def agent(self) -> str:
        agents = self.query_one("#agent", OptionList)
        return self.agents[agents.highlighted or 0]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#question", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:  # an empty question is refused with a word, not a silent close
            self.notify("Type a question first, or press Escape to cancel.", severity="warning")
            return
        self.dismiss((self.agent, question))
