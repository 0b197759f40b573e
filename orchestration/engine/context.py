"""What a theme's debate works with: the run-wide ``PanelContext`` and the ``ThemeRun`` (one
theme's state as its debate goes on)."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.speaking import Speaker
from orchestration.engine.budget import SMALL_CONTEXT, EvidenceBudget, ResolvedBudget
from orchestration.engine.claims.checker import ClaimChecker
from orchestration.engine.drafts import EditorDraft, SignOff
from orchestration.engine.protocol import DebateState, Limits
from orchestration.engine.reviewing import ThemeEvidence
from orchestration.events import (
    AgentMessage,
    ErrorRaised,
    EvidencePack,
    HumanSteer,
    MessageDelta,
    PhaseChanged,
    ThemeReviewed,
    ToolCalled,
    UsageRecorded,
)
from orchestration.strategy import Strategy, Theme
from tools.coverage import CoverageAnalyzer
from tools.evidence import Passage
from tools.search import Searcher

DebateItem = (
    AgentMessage
    | EvidencePack
    | PhaseChanged
    | ToolCalled
    | HumanSteer
    | UsageRecorded
    | ErrorRaised
    | ThemeReviewed
    | MessageDelta
)


@dataclass
class PanelContext:
    """What every theme's debate shares within a run."""

    strategy: Strategy
    searcher: Searcher
    coverage: CoverageAnalyzer
    speaker: Speaker
    checker: ClaimChecker
    limits: Limits = field(default_factory=Limits)
    budget: EvidenceBudget = field(default_factory=EvidenceBudget)
    context_windows: dict[str, int] = field(default_factory=dict)  # agent -> its prompt's room
    chair_approval: bool = False  # hold each theme's review until the chair approves it
    structured_agents: frozenset[str] = frozenset()  # debate turns as JSON points (small models)
    corpus_notes: list[str] = field(default_factory=list)  # what the corpus cannot speak to

    def budget_for(self, agent: str) -> ResolvedBudget:
        """What ``agent`` is shown, for the context window of its model."""
        return self.budget.for_context(self.context_windows.get(agent, SMALL_CONTEXT))


@dataclass
class ThemeRun:
    """One theme as its debate goes on: the protocol's state, what was said and seen, the
    chair's steers, and the editor's draft and the sign-offs so far."""

    theme: Theme
    state: DebateState
    evidence: ThemeEvidence
    objective_texts: list[str] = field(default_factory=list)  # as searched (see _prepare)
    entries: list[tuple[str, str, str]] = field(default_factory=list)
    seen: dict[str, Passage] = field(default_factory=dict)
    examined: set[str] = field(default_factory=set)  # passages a panelist was shown or found
    given: dict[str, set[str]] = field(default_factory=dict)  # agent -> passages in its packs
    focus: list[str] = field(default_factory=list)
    chair_question: str | None = None
    chair_comments: list[str] = field(default_factory=list)  # each send-back, in order
    approved: bool = False
    draft: EditorDraft | None = None
    review_text: str = ""
    review_cites: list[str] = field(default_factory=list)  # passages the checked draft cites
    sign_offs: dict[str, SignOff] = field(default_factory=dict)
    steps: int = 0  # the points so far at which the debate took the chair's steers

    def next_step(self) -> int:
        """Number the debate's next point of taking steers (see ``engine.steering``)."""
        self.steps += 1
        return self.steps - 1

    def awaiting_chair(self, chair_approval: bool) -> bool:
        return chair_approval and not self.approved

    def seen_evidence(self) -> ThemeEvidence:
        """The computed evidence, with every passage the debate has seen so far."""
        e = self.evidence
        return ThemeEvidence(e.support, e.gaps, e.spare_gaps, list(self.seen.values()))
