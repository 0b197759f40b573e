"""Scripted panels for tests: a speaker with replies queued per agent (every request recorded),
one that paces its turns, and the recorded replies of a one-theme run for the replay backend."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel

from agents.speaking import Decided, Delta, Said, TurnRequest, Undecided


class ScriptedSpeaker:
    """Implements ``agents.speaking.Speaker`` from queued replies (tests only)."""

    def __init__(self) -> None:
        self.replies: dict[str, list[str]] = defaultdict(list)
        self.decisions: dict[str, list[dict[str, Any] | str]] = defaultdict(list)
        self.requests: list[TurnRequest] = []

    def enqueue(self, agent: str, *replies: str) -> ScriptedSpeaker:
        self.replies[agent].extend(replies)
        return self

    def enqueue_decision(self, agent: str, *values: dict[str, Any] | str) -> ScriptedSpeaker:
        """A dict is a valid structured reply; a string is a failure with that error."""
        self.decisions[agent].extend(values)
        return self

    def can_use_tools(self, agent: str) -> bool:
        return False

    async def speak(self, request: TurnRequest) -> AsyncIterator[Delta | Said]:
        self.requests.append(request)
        queue = self.replies[request.agent]
        text = queue.pop(0) if queue else "Nothing to add on this theme (no evidence in corpus)."
        for word in text.split(" "):
            yield Delta(word + " ")
        yield Said(text)

    async def decide(
        self, request: TurnRequest, model: type[BaseModel], schema: dict[str, Any] | None = None
    ) -> Decided | Undecided:
        self.requests.append(request)
        queue = self.decisions[request.agent]
        default: dict[str, Any] = (
            {"stance": "agree", "reason": "Well evidenced."}
            if "stance" in model.model_fields
            else {"coverage_summary": "The theme is partly supported by the corpus."}
        )
        value = queue.pop(0) if queue else default
        if isinstance(value, str):
            return Undecided(value, [value])
        return Decided(model.model_validate(value), str(value))

    def tasks_for(self, agent: str) -> list[str]:
        return [r.task for r in self.requests if r.agent == agent]


class PacedSpeaker(ScriptedSpeaker):
    """A scripted speaker whose turns wait to be released, so a test can steer mid-debate.

    ``pending`` lists every request as it arrives (before it waits); ``release(n)`` lets ``n``
    turns through; ``run_freely()`` stops the pacing.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[TurnRequest] = []
        self.paced = True
        self._gate: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        if self._gate is None:
            self._gate = asyncio.Semaphore(0)
        return self._gate

    def release(self, turns: int = 1) -> None:
        for _ in range(turns):
            self._semaphore().release()

    def run_freely(self) -> None:
        self.paced = False
        self.release(100)

    async def _wait(self, request: TurnRequest) -> None:
        self.pending.append(request)
        if self.paced:
            await self._semaphore().acquire()

    async def speak(self, request: TurnRequest) -> AsyncIterator[Delta | Said]:
        await self._wait(request)
        async for item in super().speak(request):
            yield item

    async def decide(
        self, request: TurnRequest, model: type[BaseModel], schema: dict[str, Any] | None = None
    ) -> Decided | Undecided:
        await self._wait(request)
        return await super().decide(request, model, schema)


# A one-theme run ("talent") through the replay backend, which answers in this order: three
# openings, a critique that closes the debate, the editor's draft and the four sign-offs.
EDITOR_DRAFT = {
    "coverage_summary": "Pipelines are supported; the applicant tracking system has little evidence.",
    "gaps": [
        {
            "kind": "emerging",
            "text": "Ethical international recruitment is not in the objectives.",
            "evidence": ["WY-HCP-WF-2022#30"],
        }
    ],
    "recommendations": [
        {
            "action": "add",
            "text": "Add an objective on ethical international recruitment.",
            "priority": "high",
            "evidence": ["WY-HCP-WF-2022#30"],
        }
    ],
}
REPLAYED_TALENT_RUN = [
    "- Apprenticeships match regional plans [WY-HCP-WF-2022#28]",
    "- Leeds pipelines work [LEEDS-OWS-2024#15]",
    "- Who is left out? [LEEDS-SCRUTINY-2022#21]",
    "The claims are supported. OPEN OBJECTIONS: 0",
    json.dumps(EDITOR_DRAFT),
    '{"stance": "agree", "reason": "Well evidenced."}',
    '{"stance": "agree", "reason": "Fits Leeds."}',
    '{"stance": "dissent", "reason": "Nothing on disabled staff."}',
    '{"stance": "agree", "reason": "Objections answered."}',
]
