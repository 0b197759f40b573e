"""The seam between the debate protocol and the agent runtime: what a turn asks, what it yields.

The protocol (``orchestration``) builds a ``TurnRequest`` and consumes ``Delta``/``ToolUse``/
``Said`` items; ``agents.runtime.panelist`` is today's implementation on AutoGen. The ``Usage``
of every model call a turn made comes back with that turn's reply, never from a shared ledger.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


class Usage(BaseModel):
    """One model call: it travels with the reply of the turn that made it."""

    agent: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    cost: float | None = None
    estimated: bool = False


@dataclass(frozen=True)
class TurnRequest:
    """One agent's turn. ``shared`` comes first so agents share a cached prompt prefix."""

    agent: str
    shared: str
    transcript: str
    task: str
    max_tokens: int | None = None
    allow_tools: bool = True
    theme_id: str = ""


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class ToolUse:
    tool: str
    arguments: dict[str, Any]
    result_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Said:
    text: str
    usage: tuple[Usage, ...] = ()


@dataclass(frozen=True)
class Decided:
    value: BaseModel
    raw: str
    usage: tuple[Usage, ...] = ()


@dataclass(frozen=True)
class Undecided:
    error: str
    raw_replies: list[str]
    usage: tuple[Usage, ...] = ()


class Speaker(Protocol):
    """Runs turns for the panel's agents."""

    def speak(self, request: TurnRequest) -> AsyncIterator[Delta | ToolUse | Said]: ...

    async def decide(
        self, request: TurnRequest, model: type[T], schema: dict[str, Any] | None = None
    ) -> Decided | Undecided: ...

    def can_use_tools(self, agent: str) -> bool: ...
