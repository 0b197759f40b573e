"""The status line: run state, the theme in progress (and which agent's model is working, for
how long), tokens, cost and elapsed time."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from orchestration.events import PHASE_TITLES
from tui.run_view import RunView

STATUS_STYLES = {
    "running": "bold green",
    "complete": "bold green",
    "interrupted": "bold yellow",
    "failed": "bold red",
    "starting": "bold yellow",
}


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def status_text(view: RunView, read_only: bool) -> Text:
    status = "paused" if view.paused and view.status == "running" else view.status
    text = Text.assemble((f" ● {status}", STATUS_STYLES.get(status, "bold yellow")))
    if read_only:
        text.append("  (saved run, read-only)", style="dim")
    done = sum(t.state == "done" for t in view.themes.values())
    text.append(f"  themes {done}/{len(view.themes)}")
    if (theme := view.current_theme()) is not None and theme.state == "consensus":
        text.append(f"  {theme.name} awaits your approval: y / b", style="bold magenta")
    elif theme is not None:
        text.append(f"  {theme.name}: {PHASE_TITLES.get(theme.phase, theme.phase)}")
        if view.turns_per_theme and not read_only:
            text.append(f", turn {theme.turns} of ≤{view.turns_per_theme}")
        if not read_only and (working := view.working.get(theme.id)) is not None:
            agent, since = working
            text.append(f"  {agent} working {_clock(time.time() - since)}", style="bold")
    text.append(f"  {_clock(view.elapsed())}", style="dim")
    if not read_only and (left := view.seconds_left()) is not None:
        text.append(f", about {max(1, round(left / 60))} min left", style="dim")
    totals = view.totals  # last: a narrow terminal cuts the line here first
    about = "~" if totals.streaming else ""  # a reply is streaming: its tokens are estimated
    text.append(f"  {about}{totals.estimate:,} tokens", style="dim")
    if totals.cost is not None:
        text.append(f"  ${totals.cost:.4f}", style="dim")
    return text


class StatusBar(Static):
    def show(self, view: RunView, read_only: bool) -> None:
        self.update(status_text(view, read_only))
