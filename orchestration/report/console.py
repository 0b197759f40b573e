"""The headless view of a run: the debate streamed to the terminal with rich.

Agents speak in their own colours under phase headings; replies stream as they are generated;
a progress line follows each finished theme.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.markup import escape
from rich.rule import Rule

from agents.panel import SPECS
from orchestration.events import (
    AgentMessage,
    ErrorRaised,
    EvidencePack,
    HumanSteer,
    MessageDelta,
    PhaseChanged,
    RunFinished,
    RunStarted,
    StrategyReviewed,
    ThemeReviewed,
    ToolCalled,
    UsageRecorded,
)


def colour(agent: str) -> str:
    return SPECS[agent].colour if agent in SPECS else "white"


class ConsoleView:
    """A sink for run events that prints them as they arrive."""

    def __init__(self, console: Console | None = None, show_brief: bool = True) -> None:
        self.console = console or Console()
        self.show_brief = show_brief
        self.streaming: str | None = None
        self.themes_total = 0
        self.themes_done = 0
        self.tokens = 0
        self.started = time.monotonic()
        self.names: dict[str, str] = {}
        self.run_id = ""

    def __call__(self, item: object) -> None:
        c = self.console
        if isinstance(item, MessageDelta):
            if self.streaming != item.agent:
                self._end_stream()
                c.print(f"[bold {colour(item.agent)}]{item.agent}[/] ", end="")
                self.streaming = item.agent
            c.print(escape(item.text), end="", style=colour(item.agent), highlight=False)
            return
        if isinstance(item, AgentMessage) and self.streaming == item.agent:
            self._end_stream()
            if item.evidence_ids:
                c.print(f"  [dim]cites {', '.join(item.evidence_ids)}[/]")
            return
        self._end_stream()
        if isinstance(item, RunStarted):
            self.themes_total = len(item.themes)
            self.run_id = item.run_id
            c.print(Rule(f"[bold]{escape(item.strategy_title)}[/] · run {item.run_id}"))
            c.print(
                f"[dim]Models: {escape('; '.join(f'{a}: {m}' for a, m in item.models.items()))}[/]"
            )
        elif isinstance(item, PhaseChanged):
            c.print(Rule(f"{item.theme_id} · {item.to_text()}", style="dim", align="left"))
        elif isinstance(item, AgentMessage):
            if item.agent == "moderator" and not self.show_brief:
                return
            style = "dim" if item.agent == "moderator" else colour(item.agent)
            c.print(
                f"[bold {style}]{item.agent}[/] [{style}]{escape(item.content)}[/]", highlight=False
            )
        elif isinstance(item, EvidencePack):
            c.print(f"  [dim]{item.agent} {escape(item.to_text())}[/]")
        elif isinstance(item, ToolCalled):
            c.print(f"  [dim]{item.agent} → {escape(item.to_text())}[/]")
        elif isinstance(item, HumanSteer):
            c.print(f"[bold white on blue] chair [/] {escape(item.to_text())}")
        elif isinstance(item, UsageRecorded):
            self.tokens += item.prompt_tokens + item.completion_tokens
        elif isinstance(item, ErrorRaised):
            c.print(f"[red]⚠ {escape(item.to_text())}[/]")
        elif isinstance(item, ThemeReviewed | StrategyReviewed | RunFinished):
            self._milestone(item)

    def _milestone(self, item: ThemeReviewed | StrategyReviewed | RunFinished) -> None:
        """A theme reviewed, the whole-strategy pass, the end of the run."""
        c = self.console
        if isinstance(item, ThemeReviewed):
            self.themes_done += 1
            review = item.review
            c.print(
                f"[bold green]✓ {escape(review.theme_name)}[/] — {len(review.gaps)} gaps, "
                f"{len(review.recommendations)} recommendations, {len(review.dissent)} dissent · "
                f"theme {self.themes_done}/{self.themes_total} · {self.tokens:,} tokens · "
                f"{time.monotonic() - self.started:.0f} s"
            )
        elif isinstance(item, StrategyReviewed):
            c.print(Rule("Whole strategy"))
            for m in item.review.missing_themes:
                c.print(
                    f"[bold]{escape(m.theme)}[/]: {m.verdict.replace('_', ' ')} — {escape(m.rationale)}"
                )
            c.print(item.to_text())
        else:
            c.print(Rule(item.to_text()))
            if item.report_path:
                c.print(f"Report: [bold]{item.report_path}[/]")
            elif self.run_id:
                c.print(
                    f"Everything so far is saved; continue with `review run --resume {self.run_id}`."
                )

    def _end_stream(self) -> None:
        if self.streaming is not None:
            self.console.print()
            self.streaming = None
