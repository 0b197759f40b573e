"""The run's events: everything that happens in a review, as typed pydantic models.

Log events (a discriminated union on ``type``) are what the run records and what a console or
the terminal UI renders. ``MessageDelta`` is a stream-only event (tokens as they arrive): shown,
never logged, since the complete ``AgentMessage`` follows it.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from agents.speaking import Usage
from orchestration.review_models import SetAside, StrategyReview, ThemeReview

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
    "interject", "ask", "redirect", "end_theme", "approve", "send_back", "pause", "resume"
]


class _Event(BaseModel):
    at: float = Field(default_factory=time.time, description="Unix time the event happened.")
    theme_id: str | None = None


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


class RunResumed(_Event):
    type: Literal["run_resumed"] = "run_resumed"
    after_seq: int = Field(description="The last event of the earlier attempt.")
    themes_done: list[str]


class PhaseChanged(_Event):
    type: Literal["phase_changed"] = "phase_changed"
    phase: Phase
    round: int = 0


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


class ToolCalled(_Event):
    type: Literal["tool_call"] = "tool_call"
    agent: str
    tool: str
    arguments: dict[str, Any]
    result_ids: list[str] = Field(default_factory=list)


class EvidencePack(_Event):
    type: Literal["evidence_pack"] = "evidence_pack"
    agent: str
    queries: list[str]
    evidence_ids: list[str]


class HumanSteer(_Event):
    type: Literal["human_steer"] = "human_steer"
    kind: SteerKind
    text: str = ""
    target: str | None = Field(default=None, description="Agent asked directly, if any.")


class UsageRecorded(_Event):
    type: Literal["usage"] = "usage"
    agent: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    cost: float | None = None

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


class ThemeReviewed(_Event):
    type: Literal["theme_review"] = "theme_review"
    review: ThemeReview


class StrategyReviewed(_Event):
    type: Literal["strategy_review"] = "strategy_review"
    review: StrategyReview


class RunFinished(_Event):
    type: Literal["run_finished"] = "run_finished"
    status: Literal["complete", "failed", "interrupted"]
    report_path: str | None = None
    seconds: float = 0.0


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
    | RunFinished,
    Field(discriminator="type"),
]


class MessageDelta(BaseModel):
    """A piece of a reply as it streams (not logged)."""

    type: Literal["message_delta"] = "message_delta"
    theme_id: str | None = None
    agent: str
    text: str
