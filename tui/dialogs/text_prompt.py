"""Ask the chair for one line of text (an interjection, a focus, a comment)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from tui.dialogs.dialog import Dialog


class TextPrompt(Dialog[str]):
    """Returns the text typed (Enter), or None (Escape); Enter on nothing says so."""

    DEFAULT_CSS = """
    TextPrompt Label { margin-bottom: 1; }
    """

    def __init__(self, title: str, placeholder: str = "", hint: str = "") -> None:
        super().__init__()
        self.title_text, self.placeholder, self.hint = title, placeholder, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield Input(placeholder=self.placeholder, id="text")
            yield Label(self.hint or "Enter to send · Escape to cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():  # an empty send is refused with a word, not a silent close
            self.notify("Type something first, or press Escape to cancel.", severity="warning")
            return
        self.dismiss(event.value.strip())
