"""What the terminal UI shows of a run, folded from its events: the themes and their state, the
debate as a list of entries (messages, tool calls, steers, errors), the reviews and the totals.

Plain Python (no Textual), so it is fast to test and the same for a live run and a saved one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from orchestration.engine.protocol import Limits, most_turns
from orchestration.events import (
    AgentMessage,
    ErrorRaised,
    EvidencePack,
    HumanSteer,
    MessageDelta,
    PhaseChanged,
    RunFinished,
    RunResumed,
    RunStarted,
    StrategyReviewed,
    ThemeReviewed,
    ToolCalled,
    UsageRecorded,
)
from orchestration.record.decisions import VERDICT_OF, decisions_in
from orchestration.review_models import Decision, StrategyReview, ThemeReview

EntryKind = Literal["phase", "message", "tool", "steer", "error", "note"]
ThemeStateName = Literal["waiting", "debating", "consensus", "done"]


FINISH_MARKS = {"complete": "✔", "interrupted": "⏸"}


@dataclass
class Entry:
    """One line of the debate as shown: a message, a compact tool call, a steer..."""

    kind: EntryKind
    text: str
    theme_id: str | None = None
    agent: str | None = None
    phase: str | None = None
    evidence_ids: list[str] = field(default_factory=list)
    context_ids: list[str] = field(default_factory=list)  # the evidence pack the agent was given
    detail: str = ""  # shown when the entry is expanded
    streaming: bool = False
    version: int = 0  # bumped whenever the entry changes, for render caches
    mark: str = "✔"  # a note's sign: done, resumed, interrupted

    def searchable(self) -> str:
        return f"{self.agent or ''} {self.text} {self.detail}".lower()


@dataclass
class ThemeState:
    id: str
    name: str
    state: ThemeStateName = "waiting"
    phase: str = ""
    round: int = 0
    turns: int = 0  # the panel's replies so far


CHARS_PER_TOKEN = 4  # for the running estimate while a reply streams


@dataclass
class Totals:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    streaming: dict[tuple[str | None, str], int] = field(default_factory=dict)
    """Characters streamed by each (theme, agent) whose call's usage has not arrived yet."""

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def estimate(self) -> int:
        """The tokens so far, counting replies still streaming at about four characters a
        token (their usage arrives when the call ends)."""
        return self.tokens + sum(self.streaming.values()) // CHARS_PER_TOKEN


class RunView:
    """Folds run events into what the screens display; ``apply`` takes each event in order."""

    def __init__(self, theme_names: dict[str, str] | None = None) -> None:
        self.theme_names = dict(theme_names or {})
        self.run_id = ""
        self.title = ""
        self.models: dict[str, str] = {}
        self.themes: dict[str, ThemeState] = {}
        self.entries: list[Entry] = []
        self.reviews: dict[str, ThemeReview] = {}
        self.drafts: dict[str, str] = {}  # the editor's latest draft, shown while awaiting approval
        self.whole: StrategyReview | None = None
        self._decided: list[HumanSteer] = []  # the chair's decisions on recommendations
        self.totals = Totals()
        self.status = "starting"
        self.paused = False
        self.started_at: float | None = None
        self.finished_seconds: float | None = None
        self.report_path: str | None = None
        self._streaming: dict[tuple[str | None, str], int] = {}
        self._packs: dict[tuple[str | None, str], list[str]] = {}
        self.working: dict[str | None, tuple[str, float]] = {}  # theme -> (agent, since when)
        self.turns_per_theme = 0  # at most, under the run's debate limits

    # --- folding events -------------------------------------------------------------------
    def apply(self, event: object) -> None:
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(event)

    def _on_RunStarted(self, event: RunStarted) -> None:
        self.run_id, self.title, self.models = event.run_id, event.strategy_title, event.models
        self.started_at = event.at
        self.status = "running"
        self.turns_per_theme = most_turns(Limits.recorded(event.panel) or Limits())
        for theme_id in event.themes:
            name = self.theme_names.get(theme_id, theme_id)
            self.themes.setdefault(theme_id, ThemeState(theme_id, name))

    def _on_RunResumed(self, event: RunResumed) -> None:
        self.status = "running"
        self.started_at = event.at
        self.finished_seconds = None
        self._add(Entry("note", event.to_text(), mark="↻"))

    def _on_PhaseChanged(self, event: PhaseChanged) -> None:
        theme = self._theme(event.theme_id)
        if theme is not None:
            theme.phase, theme.round = event.phase, event.round
            theme.state = _state_in(event.phase)
        if event.phase == "done":
            return
        name = theme.name if theme else ""
        self._add(Entry("phase", f"{name} · {event.to_text()}", event.theme_id, phase=event.phase))

    def _on_MessageDelta(self, event: MessageDelta) -> None:
        key = (event.theme_id, event.agent)
        if (index := self._streaming.get(key)) is None:
            theme = self._theme(event.theme_id)
            index = self._add(
                Entry(
                    "message",
                    "",
                    event.theme_id,
                    event.agent,
                    theme.phase if theme else None,
                    context_ids=self._packs.get(key, []),
                    streaming=True,
                )
            )
            self._streaming[key] = index
        entry = self.entries[index]
        entry.text += event.text
        entry.version += 1
        self.totals.streaming[key] = self.totals.streaming.get(key, 0) + len(event.text)

    def _on_AgentMessage(self, event: AgentMessage) -> None:
        self.working.pop(event.theme_id, None)
        if event.agent != "moderator" and (theme := self._theme(event.theme_id)) is not None:
            theme.turns += 1
        if event.phase == "review":
            self.drafts[event.theme_id or ""] = event.content
        if event.agent == "moderator" and event.phase == "brief":
            self._add(
                Entry(
                    "message",
                    "The computed brief: how strongly the corpus supports each objective, and "
                    "corpus topics no objective covers.",
                    event.theme_id,
                    "moderator",
                    "brief",
                    event.evidence_ids,
                    detail=event.content,
                )
            )
            return
        key = (event.theme_id, event.agent)
        index = self._streaming.pop(key, None)
        if index is None:
            self._add(
                Entry(
                    "message",
                    event.content,
                    event.theme_id,
                    event.agent,
                    event.phase,
                    event.evidence_ids,
                    context_ids=self._packs.get(key, []),
                )
            )
            return
        entry = self.entries[index]
        entry.text, entry.phase, entry.evidence_ids = event.content, event.phase, event.evidence_ids
        entry.streaming = False
        entry.version += 1

    def _on_ToolCalled(self, event: ToolCalled) -> None:
        arguments = ", ".join(f"{k}={v!r}" for k, v in event.arguments.items())
        self._add(
            Entry(
                "tool",
                event.to_text(),
                event.theme_id,
                event.agent,
                evidence_ids=event.result_ids,
                detail=f"arguments: {arguments}\nresults: {', '.join(event.result_ids) or '-'}",
            )
        )

    def _on_EvidencePack(self, event: EvidencePack) -> None:
        self._packs[(event.theme_id, event.agent)] = event.evidence_ids
        self.working[event.theme_id] = (event.agent, event.at)  # its model is asked next
        self._add(
            Entry(
                "tool",
                event.to_text(),
                event.theme_id,
                event.agent,
                evidence_ids=event.evidence_ids,
                detail="queries:\n" + "\n".join(f"- {q}" for q in event.queries),
            )
        )

    def _on_HumanSteer(self, event: HumanSteer) -> None:
        if event.kind in ("pause", "resume"):
            self.paused = event.kind == "pause"
        if event.kind in VERDICT_OF:
            self._decided.append(event)
        self._add(Entry("steer", event.to_text(), event.theme_id, "chair"))

    @property
    def decisions(self) -> list[Decision]:
        """The chair's decision standing on each recommendation (a finished run's)."""
        return decisions_in(self._decided, self.whole) if self.whole is not None else []

    def decided_report(self) -> StrategyReview | None:
        """The whole-strategy report with the chair's decisions in it."""
        if self.whole is None:
            return None
        return self.whole.model_copy(update={"decisions": self.decisions})

    def _on_UsageRecorded(self, event: UsageRecorded) -> None:
        self.totals.prompt_tokens += event.prompt_tokens
        self.totals.completion_tokens += event.completion_tokens
        self.totals.streaming.pop((event.theme_id, event.agent), None)
        if event.cost is not None:
            self.totals.cost = (self.totals.cost or 0.0) + event.cost

    def _on_ErrorRaised(self, event: ErrorRaised) -> None:
        if event.agent is not None:
            self.working.pop(event.theme_id, None)
        self._add(Entry("error", event.to_text(), event.theme_id, event.agent, detail=event.detail))

    def _on_ThemeReviewed(self, event: ThemeReviewed) -> None:
        review = event.review
        self.reviews[review.theme_id] = review
        theme = self._theme(review.theme_id)
        if theme is not None:
            theme.state, theme.phase = "done", "done"
        self._add(Entry("note", event.to_text(), review.theme_id))

    def _on_StrategyReviewed(self, event: StrategyReviewed) -> None:
        self.whole = event.review

    def _on_RunFinished(self, event: RunFinished) -> None:
        self.status = event.status
        self.finished_seconds = event.seconds
        self.report_path = event.report_path
        if event.status == "failed":
            self._add(Entry("error", event.to_text()))
        else:
            self._add(Entry("note", event.to_text(), mark=FINISH_MARKS[event.status]))

    def apply_waiting(self, theme_id: str) -> None:
        """List a theme before the run starts (it waits its turn)."""
        self._theme(theme_id)

    # --- reading -----------------------------------------------------------------------------
    def seconds_left(self, now: float | None = None) -> float | None:
        """The time the run still needs, from this run's measured seconds per turn and the turns
        its debate limits leave (None until two turns have been timed)."""
        done = sum(t.turns for t in self.themes.values())
        if done < 2 or self.status != "running" or not self.turns_per_theme:
            return None
        left = sum(
            max(0, self.turns_per_theme - t.turns)
            for t in self.themes.values()
            if t.state != "done"
        )
        return left * self.elapsed(now) / done

    def elapsed(self, now: float | None = None) -> float:
        if self.finished_seconds is not None:
            return self.finished_seconds
        if self.started_at is None:
            return 0.0
        return (now or time.time()) - self.started_at

    def current_theme(self) -> ThemeState | None:
        """The theme being debated or awaiting approval: the UI addresses steers to it."""
        live = [t for t in self.themes.values() if t.state in ("debating", "consensus")]
        return live[0] if live else None

    def matching(
        self,
        agent: str | None = None,
        theme_id: str | None = None,
        phase: str | None = None,
        text: str = "",
        evidence_ids: set[str] | None = None,
    ) -> list[int]:
        """Indices of the entries that pass every filter given."""
        needle = text.lower().strip()
        return [
            i
            for i, e in enumerate(self.entries)
            if (agent is None or e.agent == agent)
            and (theme_id is None or e.theme_id == theme_id)
            and (phase is None or e.phase == phase)
            and (not needle or needle in e.searchable())
            and (evidence_ids is None or bool(evidence_ids & set(e.evidence_ids)))
        ]

    def agents(self) -> list[str]:
        return sorted({e.agent for e in self.entries if e.agent})

    def _theme(self, theme_id: str | None) -> ThemeState | None:
        if theme_id is None:
            return None
        if theme_id not in self.themes:
            self.themes[theme_id] = ThemeState(theme_id, self.theme_names.get(theme_id, theme_id))
        return self.themes[theme_id]

    def _add(self, entry: Entry) -> int:
        self.entries.append(entry)
        return len(self.entries) - 1


def _state_in(phase: str) -> ThemeStateName:
    if phase == "consensus":
        return "consensus"
    return "done" if phase == "done" else "debating"
