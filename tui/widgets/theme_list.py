"""The themes of the run with their state (waiting, debating, awaiting approval, done) and
phase; choosing one narrows the debate to it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from orchestration.events import PHASE_TITLES
from tui.run_view import RunView

ALL_THEMES = "__all__"
MARKS = {
    "waiting": ("○", "dim"),
    "debating": ("◐", "bold yellow"),
    "consensus": ("◆", "bold magenta"),
    "done": ("✔", "bold green"),
}
STATE_WORDS = {
    "waiting": "waiting",
    "debating": "debating",
    "consensus": "awaiting you",
    "done": "done",
}


class ThemeList(OptionList):
    """One option per theme, plus "All themes"."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Themes"
        self._shown: list[tuple[str, str, str]] = []

    def update_themes(self, view: RunView) -> None:
        rows: list[tuple[str, str, str]] = [(t.id, t.state, t.phase) for t in view.themes.values()]
        if rows == self._shown:
            return
        self._shown = rows
        highlighted = self.highlighted
        options = [Option(Text("All themes", style="bold"), id=ALL_THEMES)]
        for theme in view.themes.values():
            mark, style = MARKS[theme.state]
            label = Text.assemble((f"{mark} ", style), (theme.name, "bold"))
            detail = STATE_WORDS[theme.state]
            if theme.state == "debating" and theme.phase:
                detail = PHASE_TITLES.get(theme.phase, theme.phase).lower()
            label.append(f"\n  {detail}", style="dim")
            options.append(Option(label, id=theme.id))
        self.set_options(options)
        if highlighted is not None and highlighted < len(options):
            self.highlighted = highlighted
