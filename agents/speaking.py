"""The seam between the debate protocol and the agent runtime: what a turn asks, what it yields.

The protocol (``orchestration``) builds a ``TurnRequest`` and consumes ``Delta``/``ToolUse``/
``Said`` items; ``agents.runtime.panelist`` is today's implementation on AutoGen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


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


@dataclass(frozen=True)
class Decided:
    value: BaseModel
    raw: str


@dataclass(frozen=True)
class Undecided:
    error: str
    raw_replies: list[str]


class Speaker(Protocol):
    """Runs turns for the panel's agents."""

    def speak(self, request: TurnRequest) -> AsyncIterator[Delta | ToolUse | Said]: ...

    async def decide(
        self, request: TurnRequest, model: type[T], schema: dict[str, Any] | None = None
    ) -> Decided | Undecided: ...

    def can_use_tools(self, agent: str) -> bool: ...
