"""The embedded model end to end: a real llama.cpp server on 127.0.0.1 with the bundled GGUF.

The server is reached through the same ``openai-compatible`` backend users point at vLLM or
Ollama, so this exercises the real OpenAI protocol (streaming and constrained JSON included).
"""

from __future__ import annotations

import json
from typing import Literal

import pytest
from autogen_core.models import CreateResult, UserMessage
from pydantic import BaseModel, Field

from agents.model_settings import ModelEndpoint, ModelSettings
from agents.runtime.models import ModelFactory, schema_mode
from agents.runtime.structured import StructuredReply, create_structured
from tests.helpers import running_llama_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llama_server():
    with running_llama_server() as base:
        yield base


def _compatible(base: str, tmp_path) -> ModelFactory:
    endpoint = ModelEndpoint(
        backend="openai-compatible", model="smollm2", base_url=base, max_tokens=40, temperature=0.0
    )
    return ModelFactory(ModelSettings(default=endpoint), tmp_path)


async def test_chat_completion_through_the_openai_compatible_backend(llama_server, tmp_path):
    factory = _compatible(llama_server, tmp_path)
    result = await factory.client_for("critic").create(
        [UserMessage(content="What is the capital of France? One word.", source="chair")]
    )
    assert isinstance(result.content, str) and result.content.strip()
    assert "paris" in result.content.lower()
    usage = factory.ledger.totals("critic")
    assert usage.prompt_tokens > 5 and 0 < usage.completion_tokens <= 40


async def test_streaming_yields_pieces_then_the_whole_reply(llama_server, tmp_path):
    factory = _compatible(llama_server, tmp_path)
    pieces: list[str] = []
    final: CreateResult | None = None
    async for item in factory.client_for("editor").create_stream(
        [UserMessage(content="Count from one to five in words.", source="chair")]
    ):
        if isinstance(item, str):
            pieces.append(item)
        else:
            final = item
    assert final is not None and len(pieces) > 3
    assert "".join(pieces) == final.content
    assert factory.ledger.totals("editor").calls == 1


class Verdict(BaseModel):
    cite: Literal["LEEDS-OWS-2024#3", "WY-HCP-WF-2022#30"]
    stance: Literal["agree", "dissent"]
    reason: str = Field(max_length=200)


async def test_schema_constrained_decoding_keeps_enums(llama_server, tmp_path):
    factory = _compatible(llama_server, tmp_path)
    client = factory.client_for("critic")
    reply = await create_structured(
        client,
        [
            UserMessage(
                content="Pick the passage about international recruitment and say if you agree.",
                source="chair",
            )
        ],
        Verdict,
        schema_mode(client.endpoint),
        max_tokens=200,
    )
    assert isinstance(reply, StructuredReply), reply
    # the grammar kept the model to the schema: valid at the first try, and nothing but JSON
    assert reply.attempts == 1, reply
    assert Verdict.model_validate(json.loads(reply.raw)) == reply.value


async def test_local_backend_starts_and_shares_one_server(tmp_path):
    factory = ModelFactory(ModelSettings(default=ModelEndpoint(max_tokens=16)), tmp_path)
    first, second = factory.client_for("critic"), factory.client_for("editor")
    assert first.inner is second.inner  # one client, one loaded model, one prompt cache
    result = await first.create([UserMessage(content="Say ready.", source="chair")])
    assert str(result.content).strip()
    assert (tmp_path / "logs" / "llama-server.log").exists()
    await factory.close()
