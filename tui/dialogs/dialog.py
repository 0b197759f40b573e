"""The frame every small dialog shares: centred, in a box, with a muted hint line, and Escape
to cancel (the dialog then returns None)."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT | None], Generic[ResultT]):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical {
        width: 80%; max-width: 90; height: auto; padding: 1 2;
        border: thick $accent; background: $surface;
    }
    Dialog Label { width: 100%; }  /* wraps, where a narrow terminal would cut it */
    Dialog .hint { color: $text-muted; margin: 1 0 0 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)
