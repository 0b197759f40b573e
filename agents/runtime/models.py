"""The model seam: builds one AutoGen ``ChatCompletionClient`` per agent from settings.

Backends: ``local`` (the embedded GGUF model behind a managed llama.cpp server), ``openai``,
``azure``, ``openai-compatible`` (vLLM, Ollama, LM Studio, a llama.cpp server...) and ``replay``
(recorded replies). Agents with the same endpoint share one underlying client (and, locally,
one loaded model). Every client is wrapped in ``MeteredClient`` for usage and error handling.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import httpx
from autogen_core.models import ChatCompletionClient, ModelFamily, ModelInfo

from agents.model_settings import ModelEndpoint, ModelSettings
from agents.runtime.compat import MendedTransport
from agents.runtime.errors import ModelCallError
from agents.runtime.local_server import MODEL_ALIAS, ensure_server
from agents.runtime.metering import MeteredClient, UsageLedger

SchemaMode = Literal["json_schema", "json_object_schema", "prompt_only"]


def model_info(endpoint: ModelEndpoint) -> ModelInfo:
    caps = endpoint.capabilities
    return ModelInfo(
        vision=caps.vision,
        function_calling=caps.function_calling,
        json_output=caps.json_output,
        structured_output=caps.structured_output,
        family=caps.family if caps.family != "unknown" else ModelFamily.UNKNOWN,
    )


def schema_mode(endpoint: ModelEndpoint) -> SchemaMode:
    """How to constrain a reply to a JSON schema on this backend.

    llama.cpp's server rejects OpenAI's ``json_schema`` response format but accepts
    ``{"type": "json_object", "schema": ...}`` and turns the schema into a grammar.
    """
    if endpoint.backend == "local":
        return "json_object_schema"
    if endpoint.capabilities.structured_output or endpoint.backend in ("openai", "azure"):
        return "json_schema"
    if endpoint.capabilities.json_output and endpoint.backend == "openai-compatible":
        return "json_object_schema"
    return "prompt_only"


class ModelFactory:
    """Builds and caches clients; one factory per run."""

    def __init__(
        self, settings: ModelSettings, data_dir: Path, ledger: UsageLedger | None = None
    ) -> None:
        self.settings = settings
        self.data_dir = data_dir
        self.ledger = ledger or UsageLedger()
        self._shared: dict[str, tuple[ChatCompletionClient, dict[str, Any]]] = {}

    def endpoint_for(self, agent: str) -> ModelEndpoint:
        return self.settings.for_agent(agent)

    def client_for(self, agent: str) -> MeteredClient:
        """The client ``agent`` talks to (built on first use, shared by equal endpoints)."""
        endpoint = self.endpoint_for(agent)
        key = f"{endpoint.backend}:{endpoint.fingerprint()}"
        if key not in self._shared:
            self._shared[key] = self._build(endpoint)
        inner, extra = self._shared[key]
        stream_extra = (
            {} if endpoint.backend == "replay" else {"stream_options": {"include_usage": True}}
        )
        return MeteredClient(inner, endpoint, agent, self.ledger, extra, stream_extra)

    async def warm_up(self, agents: Iterable[str]) -> None:
        """Build every agent's client off the event loop (starting the local server, if any)."""
        await asyncio.to_thread(lambda: [self.client_for(agent) for agent in agents])

    async def close(self) -> None:
        for inner, _ in self._shared.values():
            await inner.close()
        self._shared.clear()

    def _build(self, endpoint: ModelEndpoint) -> tuple[ChatCompletionClient, dict[str, Any]]:
        """The client for ``endpoint`` and the extra arguments each of its calls takes."""
        common: dict[str, Any] = {
            "max_tokens": endpoint.max_tokens,
            "temperature": endpoint.temperature,
            "timeout": endpoint.timeout_s,
            "max_retries": endpoint.max_retries,
        }
        if endpoint.backend == "replay":
            return _replay_client(endpoint), {}
        # AutoGen warns on every whole (unstreamed) reply whose model name differs from the one
        # asked for: every Azure reply (a deployment is named by its owner, the reply by the
        # model) and many a compatible server's. It only affects AutoGen's own token estimates,
        # never ours. Set here, not on import, so that it holds wherever the client is built.
        warnings.filterwarnings("ignore", message="Resolved model mismatch", category=UserWarning)
        if endpoint.backend == "local":
            return self._local_client(endpoint, common)
        if endpoint.backend == "azure":
            return _azure_client(endpoint, common), {}
        return _openai_client(endpoint, common), {}

    def _local_client(
        self, endpoint: ModelEndpoint, common: dict[str, Any]
    ) -> tuple[ChatCompletionClient, dict[str, Any]]:
        from autogen_ext.models.openai import OpenAIChatCompletionClient

        server = ensure_server(
            endpoint.gguf_path, endpoint.context_tokens(), self.data_dir / "logs"
        )
        client = OpenAIChatCompletionClient(
            model=MODEL_ALIAS,
            base_url=server.base_url,
            api_key="local",
            model_info=model_info(endpoint),
            **common,
        )
        return client, {"extra_body": {"repeat_penalty": endpoint.repeat_penalty}}


def _azure_client(endpoint: ModelEndpoint, common: dict[str, Any]) -> ChatCompletionClient:
    from autogen_ext.models.openai import AzureOpenAIChatCompletionClient

    key, base_url = endpoint.resolved_api_key(), endpoint.resolved_base_url()
    if not base_url or not key:
        raise ModelCallError(
            "Azure OpenAI needs an endpoint and a key: set AZURE_OPENAI_ENDPOINT and "
            "AZURE_OPENAI_API_KEY (or models.default.base_url / api_key).",
            "config",
        )
    return AzureOpenAIChatCompletionClient(
        azure_deployment=endpoint.model,
        model=endpoint.model,
        azure_endpoint=base_url,
        api_version=endpoint.api_version,
        api_key=key,
        model_info=model_info(endpoint),
        **common,
    )


def _openai_client(endpoint: ModelEndpoint, common: dict[str, Any]) -> ChatCompletionClient:
    """OpenAI itself, or any server that speaks its protocol (vLLM, Ollama, llama.cpp)."""
    from autogen_ext.models.openai import OpenAIChatCompletionClient

    key, base_url = endpoint.resolved_api_key(), endpoint.resolved_base_url()
    if endpoint.backend == "openai-compatible" and not base_url:
        raise ModelCallError(
            "The openai-compatible backend needs a base URL: set models.default.base_url "
            "(e.g. http://localhost:8000/v1) or OPENAI_BASE_URL.",
            "config",
        )
    if endpoint.backend == "openai" and not key:
        raise ModelCallError(
            "The openai backend needs an API key: set OPENAI_API_KEY or models.default.api_key.",
            "config",
        )
    kwargs: dict[str, Any] = {"model": endpoint.model, "api_key": key or "not-needed", **common}
    if base_url:
        kwargs["base_url"] = base_url
    if endpoint.backend == "openai-compatible" or base_url:
        kwargs["model_info"] = model_info(endpoint)
    if endpoint.backend == "openai-compatible":
        kwargs["http_client"] = httpx.AsyncClient(transport=MendedTransport())
    return OpenAIChatCompletionClient(**kwargs)


def _replay_client(endpoint: ModelEndpoint) -> ChatCompletionClient:
    from autogen_ext.models.replay import ReplayChatCompletionClient

    if endpoint.replay_file is None:
        raise ModelCallError("The replay backend needs models.default.replay_file.", "config")
    try:
        replies = json.loads(Path(endpoint.replay_file).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelCallError(
            f"Cannot read the replay file {endpoint.replay_file} ({exc}); it must be a JSON list "
            "of reply strings.",
            "config",
        ) from exc
    if not isinstance(replies, list) or not all(isinstance(r, str) for r in replies):
        raise ModelCallError(
            f"{endpoint.replay_file} must be a JSON list of reply strings.", "config"
        )
    return ReplayChatCompletionClient(replies, model_info=model_info(endpoint))


async def ping(client: MeteredClient) -> str:
    """One tiny call, to check that a model answers."""
    from autogen_core.models import UserMessage

    reply = await client.create(
        [UserMessage(content="Reply with the word ready.", source="doctor")],
        extra_create_args={"max_tokens": 8},
    )
    return str(reply.content).strip()
