"""Replay and resume from a run's log.

``RecordedSpeaker`` answers each turn with the reply recorded for that theme and agent (in
order), falling through to a live speaker when the recording runs out (resume) or failing
(replay). ``DuplicateFilter`` recognises the events a resumed theme re-produces while it catches
up with its recording, so none is written twice.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agents.speaking import Decided, Delta, Said, Speaker, T, ToolUse, TurnRequest, Undecided
from orchestration.events import AgentMessage, ErrorRaised, MessageDelta, RunStarted
from orchestration.record.event_log import read_log

NOT_REPRODUCED = {"usage", "tool_call"}  # a recorded reply calls no model and no tool


class ReplayExhausted(RuntimeError):
    """A replay needed a reply the log does not hold."""


@dataclass
class _Reply:
    content: str
    data: dict[str, Any] | None
    failed: bool


class RecordedSpeaker:
    """A ``Speaker`` fed the replies recorded in a log; see the module docstring."""

    def __init__(self, events: list[Any], live: Speaker | None = None) -> None:
        self.live = live
        self._replies: dict[tuple[str, str], deque[_Reply]] = {}
        for event in events:
            if isinstance(event, AgentMessage) and event.agent != "moderator":
                said = event.content if event.reply is None else event.reply  # as written
                reply = _Reply(said, event.data, failed=False)
            elif (
                isinstance(event, ErrorRaised) and event.kind == "structured_output" and event.agent
            ):
                reply = _Reply("", None, failed=True)
            else:
                continue
            self._replies.setdefault((event.theme_id or "", event.agent), deque()).append(reply)

    def _next(self, request: TurnRequest) -> _Reply | None:
        queue = self._replies.get((request.theme_id, request.agent))
        return queue.popleft() if queue else None

    def can_use_tools(self, agent: str) -> bool:
        return self.live.can_use_tools(agent) if self.live is not None else False

    async def speak(self, request: TurnRequest) -> AsyncIterator[Delta | ToolUse | Said]:
        reply = self._next(request)
        if reply is not None:
            yield Delta(reply.content)
            yield Said(reply.content)
        elif self.live is not None:
            async for item in self.live.speak(request):
                yield item
        else:
            raise ReplayExhausted(
                f"The log holds no more replies for {request.agent} in {request.theme_id}."
            )

    async def decide(
        self, request: TurnRequest, model: type[T], schema: dict[str, Any] | None = None
    ) -> Decided | Undecided:
        reply = self._next(request)
        if reply is not None:
            if reply.failed or reply.data is None:
                return Undecided("recorded failure", [])
            value: BaseModel = model.model_validate(reply.data)
            return Decided(value, json.dumps(reply.data))
        if self.live is not None:
            return await self.live.decide(request, model, schema)
        raise ReplayExhausted(
            f"The log holds no more replies for {request.agent} in {request.theme_id}."
        )


class DuplicateFilter:
    """Drops the events a resumed theme re-produces before it reaches new ground."""

    def __init__(self, recorded: list[Any]) -> None:
        self._pending: dict[str, deque[Any]] = {}
        for event in recorded:
            if event.theme_id:
                self._pending.setdefault(event.theme_id, deque()).append(event)

    def is_duplicate(self, event: Any) -> bool:
        queue = self._pending.get(event.theme_id or "")
        if not queue:
            return False
        if isinstance(event, MessageDelta):
            return True
        while queue and queue[0].type in NOT_REPRODUCED:
            queue.popleft()
        if queue and queue[0].type == event.type:
            queue.popleft()
            return True
        queue.clear()  # the resumed theme has gone its own way: from here every event is new
        return False


@dataclass
class PriorRun:
    """What a run folder's log says, for resuming or replaying it."""

    started: Any  # RunStarted
    events: list[Any]
    last_seq: int
    last_hash: str

    def reviewed_themes(self) -> dict[str, Any]:
        return {e.theme_id: e.review for e in self.events if e.type == "theme_review"}

    def elapsed(self) -> float:
        """Seconds the run has worked so far, over every attempt (each from its start or resume
        to its last event)."""
        total, begun, last = 0.0, None, None
        for event in self.events:
            if event.type in ("run_started", "run_resumed"):
                if begun is not None and last is not None:
                    total += last - begun
                begun = event.at
            last = event.at
        return total + (last - begun if begun is not None and last is not None else 0.0)

    def strategy_reviewed(self) -> Any | None:
        """The whole-strategy review, when the run got that far (every theme was done)."""
        return next((e.review for e in self.events if e.type == "strategy_review"), None)

    def unfinished_theme_events(self) -> list[Any]:
        done = set(self.reviewed_themes())
        return [e for e in self.events if e.theme_id and e.theme_id not in done]


def load_prior(log_path: Path, repair: bool) -> PriorRun:
    """Read a run's log. A torn last line is cut off when ``repair``; a damaged line is refused."""
    check = read_log(log_path)
    if check.problems:
        raise ValueError(
            f"The log of {log_path.parent.name} is damaged ({check.problems[0]}), so the run cannot be "
            "continued safely; `review audit` shows the damage. Start a new run instead."
        )
    if check.torn_tail and repair:
        good = b"".join(
            line + b"\n" for line in log_path.read_bytes().split(b"\n")[: check.last_seq]
        )
        log_path.write_bytes(good)
    started = next((e for e in check.events if isinstance(e, RunStarted)), None)
    if started is None:
        raise ValueError(f"{log_path} has no run_started event; it is not a run log.")
    return PriorRun(started, check.events, check.last_seq, check.last_hash)
