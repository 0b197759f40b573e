"""The run's events: everything that happens in a review, as typed pydantic models.

Log events (a discriminated union on ``type``) are what the run records and what a console or
the terminal UI renders; each says itself in one line of plain text with ``to_text()`` (the
console, the exports and the terminal UI add only their own styling). ``MessageDelta`` is a
stream-only event (tokens as they arrive): shown, never logged, since the complete
``AgentMessage`` follows it.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from agents.speaking import Usage
from orchestration.review_models import SetAside, StrategyReview, ThemeReview
from orchestration.wording import counted

Phase = Literal[
    "brief",
    "opening",
    "critique",
    "rebuttal",
    "review",
    "sign_off",
    "consensus",
    "done",
    "follow_up",
]
SteerKind = Literal[
    "interject",
    "ask",
    "redirect",
    "end_theme",
    "approve",
    "send_back",
    "pause",
    "resume",
    "accept",  # the chair's decisions on a recommendation (orchestration/record/decisions.py)
    "reject",
    "defer",
]


PHASE_TITLES = {
    "brief": "Brief",
    "opening": "Openings",
    "critique": "Critique",
    "rebuttal": "Rebuttals",
    "review": "Editor's review",
    "sign_off": "Sign-off",
    "consensus": "Awaiting the chair's approval",
    "done": "Done",
    "follow_up": "Follow-up",
}
STEER_TITLES = {
    "interject": "interjects",
    "ask": "asks",
    "redirect": "redirects the theme to",
    "end_theme": "ends the theme",
    "approve": "approves the review",
    "send_back": "sends the review back",
    "pause": "pauses the debate",
    "resume": "resumes the debate",
    "accept": "accepts recommendation",
    "reject": "rejects recommendation",
    "defer": "defers recommendation",
}


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


class _Event(BaseModel):
    at: float = Field(default_factory=time.time, description="Unix time the event happened.")
    theme_id: str | None = None

    def to_text(self) -> str:
        """The event in one line of plain text, for a person."""
        return type(self).__name__


class RunStarted(_Event):
    type: Literal["run_started"] = "run_started"
    run_id: str
    strategy_title: str
    strategy_path: str
    strategy_sha256: str
    themes: list[str]
    models: dict[str, str] = Field(description="Agent -> backend:model (no secrets).")
    embedding_model: str
    index_version: str
    settings_sha256: str
    panel: dict[str, Any] = Field(default_factory=dict, description="The debate limits in force.")
    chair_approval: bool = Field(
        default=False, description="Each theme's review was held for the chair's approval."
    )

    def held_for_approval(self) -> bool:
        """Whether the run held each theme for the chair (older logs said so in ``panel``)."""
        return self.chair_approval or bool(self.panel.get("chair_approval"))

    def to_text(self) -> str:
        return f"Run {self.run_id} of {self.strategy_title}: {', '.join(self.themes)}."


class RunResumed(_Event):
    type: Literal["run_resumed"] = "run_resumed"
    after_seq: int = Field(description="The last event of the earlier attempt.")
    themes_done: list[str]

    def to_text(self) -> str:
        return f"Run resumed after event {self.after_seq}."


class PhaseChanged(_Event):
    type: Literal["phase_changed"] = "phase_changed"
    phase: Phase
    round: int = 0
    left_out: list[str] = Field(
        default_factory=list,
        description="Panelists the critic named who get no rebuttal this round (the cap bit).",
    )
    because: str = Field(default="", description="Why the protocol moved on here, if it cut short.")

    def to_text(self) -> str:
        title = PHASE_TITLES.get(self.phase, self.phase)
        if self.round > 1 and self.phase in ("critique", "rebuttal"):
            title += f" (round {self.round})"
        if self.left_out:
            title += f"; no rebuttal turn left for {', '.join(self.left_out)} (panel.max_rebuttals)"
        if self.because:
            title += f": {self.because}"
        return title


class AgentMessage(_Event):
    type: Literal["agent_message"] = "agent_message"
    agent: str
    phase: Phase
    content: str
    evidence_ids: list[str] = Field(
        default_factory=list, description="Valid ids the message cites."
    )
    data: dict[str, Any] | None = Field(
        default=None, description="The structured reply (editor's draft, a sign-off), for replay."
    )
    reply: str | None = Field(
        default=None,
        description="The model's reply as written, when the claim checks changed what is shown.",
    )
    set_aside: list[SetAside] = Field(
        default_factory=list, description="Points of the reply the claim checks set aside."
    )

    def to_text(self) -> str:
        return self.content


class ToolCalled(_Event):
    type: Literal["tool_call"] = "tool_call"
    agent: str
    tool: str
    arguments: dict[str, Any]
    result_ids: list[str] = Field(default_factory=list)

    def to_text(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.arguments.items())
        found = counted(len(self.result_ids), "passage") if self.result_ids else "no passages"
        return f"{self.tool}({_clip(arguments, 60)}) → {found}"


class EvidencePack(_Event):
    type: Literal["evidence_pack"] = "evidence_pack"
    agent: str
    queries: list[str]
    evidence_ids: list[str]

    def to_text(self) -> str:
        return f"evidence pack → {', '.join(self.evidence_ids) or 'no passages'}"


class HumanSteer(_Event):
    type: Literal["human_steer"] = "human_steer"
    kind: SteerKind
    text: str = ""
    target: str | None = Field(
        default=None,
        description="The agent asked directly, or the recommendation decided on "
        "(THEME_ID#N, its number in the theme's review), if any.",
    )
    step: int | None = Field(
        default=None,
        description="The theme's step that took the steer (one before each turn, one for each "
        "wait for the chair), so a resume or replay takes it again at the same point.",
    )

    def to_text(self) -> str:
        target = f" {self.target}" if self.target else ""
        said = f": {self.text}" if self.text else ""
        return f"chair {STEER_TITLES.get(self.kind, self.kind)}{target}{said}"


class UsageRecorded(_Event):
    type: Literal["usage"] = "usage"
    agent: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    cost: float | None = None

    def to_text(self) -> str:
        return f"{self.agent}: {self.prompt_tokens} + {self.completion_tokens} tokens"

    @classmethod
    def of(cls, usage: Usage, theme_id: str | None = None) -> UsageRecorded:
        """The log event for one model call, as it came back with its turn's reply."""
        return cls(theme_id=theme_id, **usage.model_dump(exclude={"estimated"}))


class ErrorRaised(_Event):
    type: Literal["error"] = "error"
    message: str
    kind: str = "error"
    agent: str | None = None
    detail: str = Field(default="", description="For people auditing the run: what exactly failed.")

    def to_text(self) -> str:
        return self.message


class ThemeReviewed(_Event):
    type: Literal["theme_review"] = "theme_review"
    review: ThemeReview

    def to_text(self) -> str:
        review = self.review
        verdict = " Approved by the chair." if review.chair_approved else ""
        signed = f"{len(review.agreed)} agreed, {len(review.dissent)} dissented" + (
            f", {len(review.invalid_sign_offs)} gave no valid sign-off"
            if review.invalid_sign_offs
            else ""
        )
        return (
            f"{review.theme_name} reviewed: {counted(len(review.gaps), 'gap')}, "
            f"{counted(len(review.recommendations), 'recommendation')}; {signed}.{verdict}"
        )


class StrategyReviewed(_Event):
    type: Literal["strategy_review"] = "strategy_review"
    review: StrategyReview

    def to_text(self) -> str:
        count = len(self.review.priorities)
        return f"{count} recommendations after merging duplicates across themes."


class RunFinished(_Event):
    type: Literal["run_finished"] = "run_finished"
    status: Literal["complete", "failed", "interrupted"]
    report_path: str | None = None
    seconds: float = 0.0
    files: dict[str, str] = Field(
        default_factory=dict, description="The sha256 of each file the run wrote, sealed here."
    )

    def to_text(self) -> str:
        return f"Run {self.status} after {self.seconds:.0f} s."


class FilesSealed(_Event):
    """The run folder's files changed after the run (a follow-up added cited passages): their
    new hashes, sealed in the log."""

    type: Literal["files_sealed"] = "files_sealed"
    files: dict[str, str]

    def to_text(self) -> str:
        return "Sealed " + ", ".join(sorted(self.files)) + "."


Event = Annotated[
    RunStarted
    | RunResumed
    | PhaseChanged
    | AgentMessage
    | ToolCalled
    | EvidencePack
    | HumanSteer
    | UsageRecorded
    | ErrorRaised
    | ThemeReviewed
    | StrategyReviewed
    | RunFinished
    | FilesSealed,
    Field(discriminator="type"),
]


class MessageDelta(BaseModel):
    """A piece of a reply as it streams (not logged)."""

    type: Literal["message_delta"] = "message_delta"
    theme_id: str | None = None
    agent: str
    text: str
