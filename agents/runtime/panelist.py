"""Turns on AutoGen: an ``AssistantAgent`` per turn (with the shared retrieval tools when the
model can call them), its stream mapped to our ``Delta``/``ToolUse``/``Said`` items.

Each turn gets a fresh agent so the protocol, not AutoGen's memory, decides what the model sees:
the shared part of the prompt goes first (the system message), then the debate so far, then the
agent's own persona, evidence and task, so successive turns reuse the model's cached prefix.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.base import Response
from autogen_agentchat.messages import (
    ModelClientStreamingChunkEvent,
    TextMessage,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
)
from autogen_core import CancellationToken
from autogen_core.models import LLMMessage, SystemMessage, UserMessage

from agents.runtime.metering import metered_turn
from agents.runtime.models import ModelFactory, schema_mode
from agents.runtime.structured import StructuredReply, T, create_structured
from agents.runtime.tools import corpus_tools
from agents.speaking import Decided, Delta, Said, ToolUse, TurnRequest, Undecided
from tools.coverage import CoverageAnalyzer
from tools.search import Searcher

_EVIDENCE_ID = re.compile(r'"id"\s*:\s*"([^"]+#\d+)"')


class AutoGenSpeaker:
    """The ``agents.speaking.Speaker`` implementation on AutoGen AgentChat."""

    def __init__(
        self,
        factory: ModelFactory,
        searcher: Searcher | None = None,
        coverage: CoverageAnalyzer | None = None,
        passage_words: int | None = None,
    ) -> None:
        self.factory = factory
        self.tools = corpus_tools(searcher, coverage, passage_words) if searcher is not None else []

    def can_use_tools(self, agent: str) -> bool:
        return self.factory.endpoint_for(agent).capabilities.function_calling

    def _streams(self, agent: str, with_tools: bool) -> bool:
        return not with_tools or self.factory.endpoint_for(agent).capabilities.streams_tool_calls

    async def speak(self, request: TurnRequest) -> AsyncIterator[Delta | ToolUse | Said]:
        client = self.factory.client_for(request.agent)
        tools = self.tools if request.allow_tools and self.can_use_tools(request.agent) else None
        if request.max_tokens is not None:
            client.default_extra["max_tokens"] = request.max_tokens
        streams = self._streams(request.agent, bool(tools))
        agent = AssistantAgent(
            request.agent.replace("-", "_"),
            client,
            tools=tools,  # type: ignore[arg-type]
            system_message=request.shared,
            model_client_stream=streams,
            reflect_on_tool_use=bool(tools),
            max_tool_iterations=2,
        )
        messages = [
            TextMessage(
                content=request.transcript or "(The debate has not started yet.)",
                source="moderator",
            ),
            TextMessage(content=request.task, source="moderator"),
        ]
        arguments: dict[str, dict[str, Any]] = {}
        with metered_turn() as calls:
            async for item in agent.on_messages_stream(messages, CancellationToken()):
                if isinstance(item, ModelClientStreamingChunkEvent):
                    yield Delta(item.content)
                elif isinstance(item, ToolCallRequestEvent):
                    for call in item.content:
                        arguments[call.id] = _parse_arguments(call.arguments)
                elif isinstance(item, ToolCallExecutionEvent):
                    for result in item.content:
                        ids = list(dict.fromkeys(_EVIDENCE_ID.findall(result.content)))
                        yield ToolUse(result.name, arguments.get(result.call_id, {}), ids)
                elif isinstance(item, Response):
                    text = item.chat_message.to_model_text()
                    if not streams:  # the reply arrived whole: show it as one piece
                        yield Delta(text)
                    yield Said(text, tuple(calls))

    async def decide(
        self, request: TurnRequest, model: type[T], schema: dict[str, Any] | None = None
    ) -> Decided | Undecided:
        client = self.factory.client_for(request.agent)
        messages: list[LLMMessage] = [
            SystemMessage(content=request.shared),
            UserMessage(content=request.transcript or "(no debate)", source="moderator"),
            UserMessage(content=request.task, source="moderator"),
        ]
        with metered_turn() as calls:
            reply = await create_structured(
                client,
                messages,
                model,
                schema_mode(client.endpoint),
                schema,
                max_tokens=request.max_tokens,
            )
        if isinstance(reply, StructuredReply):
            return Decided(reply.value, reply.raw, tuple(calls))
        return Undecided(reply.error, reply.raw_replies, tuple(calls))


def _parse_arguments(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {"raw": raw}
    return value if isinstance(value, dict) else {"value": value}
