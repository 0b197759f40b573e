"""The debate protocol as a pure, rule-based moderator: who speaks next, and when a theme ends.

Phases: brief -> openings (national-policy, leeds-local, inclusion) -> critique -> rebuttals,
with critique and rebuttal repeating while the critic has open objections (up to ``max_rounds``)
-> the editor's review -> sign-off by each panelist. A model never picks the speaker. A human
chair's steer (interject, ask, redirect, end the theme, send the review back) changes what comes
next; in a run held for the chair's approval, a finished theme waits for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orchestration.events import Phase
from orchestration.wording import counted

OPENERS: tuple[str, ...] = ("national-policy", "leeds-local", "inclusion")
DEBATERS: tuple[str, ...] = (*OPENERS, "critic")  # who argues (and may be asked directly)
SIGNERS = DEBATERS  # who signs off the editor's review
_OPEN = re.compile(r"OPEN OBJECTIONS\s*:\s*(\d+)", re.IGNORECASE)
_OBJECTION = re.compile(r"^\W*OBJECTION\b[:\s]*(.*)$", re.IGNORECASE | re.MULTILINE)


class Limits(BaseModel):
    """How long a theme's debate may run."""

    model_config = ConfigDict(extra="forbid")

    max_rounds: int = Field(default=1, ge=1, description="Critique/rebuttal rounds at most.")
    max_rebuttals: int = Field(
        default=2, ge=1, description="Panelists who rebut per round, at most."
    )
    max_turns: int = Field(
        default=14, ge=4, description="Model turns per theme, sign-off included."
    )
    max_seconds: float = Field(
        default=600.0, gt=0, description="Debate time per theme before review."
    )
    turn_tokens: int = Field(default=120, ge=16, description="Tokens per debate turn.")
    review_tokens: int = Field(default=640, ge=64, description="Tokens for the editor's review.")
    sign_off_tokens: int = Field(default=64, ge=16, description="Tokens per sign-off.")
    structured_turns: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Debate turns as one or two short points, each tied to one evidence id of "
        "the agent's pack, by constrained decoding. 'auto': for agents on the embedded local "
        "model, whose free prose is unreliable; capable models keep free prose.",
    )
    point_tokens: int = Field(
        default=160, ge=32, description="Tokens for a debate turn written as JSON points."
    )

    @classmethod
    def recorded(cls, panel: dict[str, object]) -> Limits | None:
        """The limits a run recorded (``RunStarted.panel``), or None when it recorded none."""
        known = {k: v for k, v in panel.items() if k in cls.model_fields}
        return cls.model_validate(known) if known else None


def most_turns(limits: Limits) -> int:
    """The most turns a theme can take under ``limits``: openings, rounds of critique and
    rebuttals, the review and the sign-offs (fewer when the critic closes early)."""
    rebuttals = min(limits.max_rebuttals, len(OPENERS))
    planned = len(OPENERS) + limits.max_rounds * (1 + rebuttals) + 1 + len(SIGNERS)
    return min(planned, limits.max_turns)


@dataclass(frozen=True)
class Turn:
    agent: str
    phase: Phase
    round: int = 0
    answering_chair: bool = False


def open_objections(critique: str) -> tuple[int, list[str]]:
    """How many objections the critic left open, and which panelists they name.

    Uses the critic's "OPEN OBJECTIONS: N" line; without one, counts its OBJECTION lines.
    """
    lines = _OBJECTION.findall(critique)
    named = [agent for agent in OPENERS if any(agent in line.lower() for line in lines)]
    match = _OPEN.search(critique)
    return (int(match.group(1)) if match else len(lines)), named


@dataclass
class DebateState:
    """Where a theme's debate stands: the phase, the round and the planned turns.

    When the planned turns run out, ``next_turn`` moves to the next phase; a chair's steer puts
    a turn at the front of the plan; running out of turns or time skips to the review.
    """

    limits: Limits
    phase: Phase = "brief"
    round: int = 0
    planned: list[Turn] = field(default_factory=list)
    turns_taken: int = 0
    open_count: int = 0
    targeted: list[str] = field(default_factory=list)
    rebuttals: list[str] = field(default_factory=list)  # who was given each rebuttal turn so far
    left_out: list[str] = field(default_factory=list)  # named, but past the cap, this round
    skipped_because: str = ""  # why the debate went to the review (when the protocol cut it)
    ended_early: bool = False

    def insert(self, turn: Turn) -> None:
        self.planned.insert(0, turn)

    def end_early(self) -> None:
        """The chair ended the theme: the editor still writes its review."""
        self.ended_early = True
        if self.phase in ("brief", "opening", "critique", "rebuttal"):
            self.planned = []

    def reopen_review(self) -> None:
        """The chair sent the review back: the editor revises it and the panel signs off again."""
        self.phase = "review"
        self.planned = [Turn("editor", "review", self.round)]

    def answer_chair(self, agent: str) -> None:
        """Give ``agent`` the next turn to answer the chair (after the debate: a follow-up)."""
        debating = self.phase in ("brief", "opening", "critique", "rebuttal")
        phase: Phase = (
            ("opening" if self.phase == "brief" else self.phase) if debating else "follow_up"
        )
        self.insert(Turn(agent, phase, self.round, answering_chair=True))

    def record_critique(self, critique: str) -> None:
        self.open_count, self.targeted = open_objections(critique)

    def out_of_budget(self, elapsed_s: float) -> bool:
        reserved = 1 + len(SIGNERS)  # the review and the sign-offs always happen
        return (
            self.turns_taken + reserved >= self.limits.max_turns
            or elapsed_s >= self.limits.max_seconds
        )


def next_turn(state: DebateState, elapsed_s: float = 0.0) -> Turn | None:
    """The next turn under the protocol, or None when the theme is finished."""
    debating = state.phase in ("brief", "opening", "critique", "rebuttal")
    if debating and (state.ended_early or state.out_of_budget(elapsed_s)):
        state.planned = []
        limits = state.limits
        state.skipped_because = (
            "the chair ended the debate"
            if state.ended_early
            else f"the theme's budget ({limits.max_turns} turns or {limits.max_seconds:.0f} s, "
            "panel.max_turns and panel.max_seconds) is spent"
        )
        _enter(state, "review")
    elif not state.planned:
        _advance(state)
    if not state.planned:
        return None
    state.turns_taken += 1
    return state.planned.pop(0)


def _advance(state: DebateState) -> None:
    limits = state.limits
    if state.phase == "brief":
        _enter(state, "opening")
    elif state.phase == "opening":
        state.round = 1
        _enter(state, "critique")
    elif state.phase == "critique":
        if state.open_count == 0:
            state.skipped_because = "the critic left no objection open, so there are no rebuttals"
        _enter(state, "rebuttal" if state.open_count > 0 else "review")
    elif state.phase == "rebuttal":
        if state.round < limits.max_rounds:
            state.round += 1
            _enter(state, "critique")
        else:
            state.skipped_because = (
                f"{counted(limits.max_rounds, 'round')} of critique is the limit (panel.max_rounds)"
            )
            _enter(state, "review")
    elif state.phase == "review":
        _enter(state, "sign_off")
    else:
        state.phase = "done"


def _enter(state: DebateState, phase: Phase) -> None:
    state.phase = phase
    if phase == "opening":
        state.planned = [Turn(agent, "opening") for agent in OPENERS]
    elif phase == "critique":
        state.planned = [Turn("critic", "critique", state.round)]
    elif phase == "rebuttal":
        state.planned = [Turn(agent, "rebuttal", state.round) for agent in _rebutters(state)]
    elif phase == "review":
        state.planned = [Turn("editor", "review", state.round)]
    elif phase == "sign_off":
        state.planned = [Turn(agent, "sign_off", state.round) for agent in SIGNERS]


def _rebutters(state: DebateState) -> list[str]:
    """Each panelist the critic named (or, naming none, every panelist), up to the cap; when the
    cap bites, those who have rebutted least go first, and the rest are noted as left out."""
    named = state.targeted or list(OPENERS)
    fairest = sorted(named, key=lambda agent: state.rebuttals.count(agent))  # stable: named order
    chosen = fairest[: state.limits.max_rebuttals]
    state.left_out = fairest[len(chosen) :]
    state.rebuttals += chosen
    return chosen
