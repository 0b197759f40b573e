"""Choose how to export a run: the report with its full transcript as Markdown, a web page to
circulate, the data as JSON, the report as a board pack in Word or PDF, or the chair's action
list."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.dialogs.dialog import Dialog

FORMATS = {
    "html": "A web page to circulate (report and transcript)",
    "md": "Markdown (report and transcript)",
    "json": "JSON (the report and every event, for other tools)",
    "docx": "A Word board pack (the report for a board, evidence in an annex)",
    "pdf": "A PDF board pack (the same, to print or send)",
    "csv": "The action list: recommendations the chair accepted (a spreadsheet)",
}


class ExportFormat(Dialog[str]):
    """Returns the chosen format (a key of ``FORMATS``), or None when cancelled."""

    DEFAULT_CSS = """
    ExportFormat > Vertical { max-width: 70; }
    ExportFormat OptionList { height: auto; margin: 1 0; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export this run: choose a format (Enter), or Escape.")
            yield OptionList(*(Option(text, id=fmt) for fmt, text in FORMATS.items()))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
