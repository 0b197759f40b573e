"""Usage accounting: every model call's tokens, latency and cost, per agent and per run.

``MeteredClient`` wraps any AutoGen ``ChatCompletionClient``; it adds our per-call defaults
(extra request arguments), records each call in a ``UsageLedger`` and turns failures into a
``ModelCallError`` with a one-line message.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from autogen_core import CancellationToken
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelCapabilities,
    ModelInfo,
    RequestUsage,
)
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel, Field

from agents.model_settings import ModelEndpoint
from agents.runtime.errors import cut_reply, explain
from agents.speaking import Usage

UsageRecord = Usage  # one model call (agents.speaking.Usage)

_TURN_CALLS: ContextVar[list[Usage] | None] = ContextVar("turn_calls", default=None)


@contextmanager
def metered_turn() -> Iterator[list[Usage]]:
    """Collect the usage of every model call made inside the block (in this task and the tasks
    it starts), so a turn's usage travels with its reply even when themes run at once."""
    calls: list[Usage] = []
    token = _TURN_CALLS.set(calls)
    try:
        yield calls
    finally:
        with suppress(ValueError):  # an async generator closed from another context
            _TURN_CALLS.reset(token)


class UsageTotals(BaseModel):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost: float | None = None


class UsageLedger(BaseModel):
    """All model calls of a run."""

    records: list[Usage] = Field(default_factory=list)

    def add(self, record: Usage) -> None:
        self.records.append(record)

    def totals(self, agent: str | None = None) -> UsageTotals:
        totals = UsageTotals()
        for r in self.records:
            if agent is not None and r.agent != agent:
                continue
            totals.calls += 1
            totals.prompt_tokens += r.prompt_tokens
            totals.completion_tokens += r.completion_tokens
            totals.latency_s += r.latency_s
            if r.cost is not None:
                totals.cost = (totals.cost or 0.0) + r.cost
        return totals

    def by_agent(self) -> dict[str, UsageTotals]:
        return {agent: self.totals(agent) for agent in dict.fromkeys(r.agent for r in self.records)}


def _cost(endpoint: ModelEndpoint, usage: RequestUsage) -> float | None:
    price = endpoint.price
    if price is None:
        return None
    return (usage.prompt_tokens * price.prompt + usage.completion_tokens * price.completion) / 1e6


class _CutReply(Exception):
    """A streamed reply ended before the model finished it."""


class MeteredClient(ChatCompletionClient):
    """Delegates to ``inner``; records usage and explains failures."""

    component_type = "model"

    def __init__(
        self,
        inner: ChatCompletionClient,
        endpoint: ModelEndpoint,
        agent: str,
        ledger: UsageLedger,
        default_extra: Mapping[str, Any] | None = None,
        stream_extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.inner = inner
        self.endpoint = endpoint
        self.agent = agent
        self.ledger = ledger
        self.default_extra = dict(default_extra or {})
        self.stream_extra = dict(stream_extra or {})

    def _record(self, usage: RequestUsage, started: float, estimated: bool = False) -> None:
        record = Usage(
            agent=self.agent,
            model=self.endpoint.describe(),
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            latency_s=round(time.perf_counter() - started, 4),
            cost=_cost(self.endpoint, usage),
            estimated=estimated,
        )
        self.ledger.add(record)
        if (turn := _TURN_CALLS.get()) is not None:
            turn.append(record)

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | str = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        started = time.perf_counter()
        try:
            result = await self.inner.create(
                messages,
                tools=tools,
                tool_choice=tool_choice,  # type: ignore[arg-type]
                json_output=json_output,
                extra_create_args={**self.default_extra, **extra_create_args},
                cancellation_token=cancellation_token,
            )
        except Exception as exc:
            raise explain(exc, self.endpoint) from exc
        self._record(result.usage, started)
        return result

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | str = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        """The inner stream; a reply cut off part-way (the stream ends with no finish reason, or
        the connection drops after the first chunk) is asked for again, like a 5xx."""
        extra = {**self.default_extra, **self.stream_extra, **extra_create_args}
        for attempt in range(self.endpoint.max_retries + 1):
            started = time.perf_counter()
            streamed = False
            try:
                async for item in self.inner.create_stream(
                    messages,
                    tools=tools,
                    tool_choice=tool_choice,  # type: ignore[arg-type]
                    json_output=json_output,
                    extra_create_args=extra,
                    cancellation_token=cancellation_token,
                ):
                    if not isinstance(item, CreateResult):
                        streamed = True
                        yield item
                        continue
                    if item.finish_reason == "unknown":
                        raise _CutReply
                    usage = self._usage_of(item, messages)
                    self._record(usage, started, estimated=usage is not item.usage)
                    item.usage = usage
                    yield item
                return
            except _CutReply:
                pass
            except Exception as exc:
                if not streamed:
                    raise explain(exc, self.endpoint) from exc
            if attempt < self.endpoint.max_retries:
                await asyncio.sleep(min(8.0, 0.5 * 2**attempt))
        raise cut_reply(self.endpoint)

    @staticmethod
    def _usage_of(result: CreateResult, messages: Sequence[LLMMessage]) -> RequestUsage:
        """The call's usage; llama.cpp sends none on streams, so it is estimated (~4 characters
        a token)."""
        if result.usage.prompt_tokens or result.usage.completion_tokens:
            return result.usage
        prompt = "".join(str(m.content) for m in messages)
        return RequestUsage(
            prompt_tokens=len(prompt) // 4, completion_tokens=len(str(result.content)) // 4
        )

    async def close(self) -> None:
        await self.inner.close()

    def actual_usage(self) -> RequestUsage:
        return self.inner.actual_usage()

    def total_usage(self) -> RequestUsage:
        return self.inner.total_usage()

    def count_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:
        return self.inner.count_tokens(messages, tools=tools)

    def remaining_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:
        return self.inner.remaining_tokens(messages, tools=tools)

    @property
    def capabilities(self) -> ModelCapabilities:
        return self.inner.capabilities

    @property
    def model_info(self) -> ModelInfo:
        return self.inner.model_info
