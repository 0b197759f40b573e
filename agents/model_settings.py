"""Model settings: which backend and model each agent uses, with per-agent overrides.

``ModelSettings.for_agent("editor")`` merges ``agents.editor`` over ``default``. Nothing here
imports the agent runtime; ``agents.runtime.models`` turns an endpoint into a client.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

Backend = Literal["local", "openai", "azure", "openai-compatible", "replay"]


class Capabilities(BaseModel):
    """What a model can do (needed for servers whose models the client does not know)."""

    model_config = ConfigDict(extra="forbid")

    function_calling: bool = Field(default=False, description="Can call tools.")
    streams_tool_calls: bool = Field(
        default=True,
        description="Streams its reply to a request that offers tools (llama.cpp's "
        "chatml-function-calling does not: set false and tool turns arrive whole).",
    )
    json_output: bool = Field(default=True, description="Can be asked for JSON output.")
    structured_output: bool = Field(
        default=False, description="Accepts OpenAI's json_schema response format."
    )
    vision: bool = Field(default=False, description="Accepts images.")
    family: str = Field(default="unknown", description="Model family, e.g. gpt-4o, llama-3.")


class Price(BaseModel):
    """Price per million tokens, in the currency of your contract."""

    model_config = ConfigDict(extra="forbid")

    prompt: float = Field(ge=0, description="Price per million prompt tokens.")
    completion: float = Field(ge=0, description="Price per million completion tokens.")
    currency: str = Field(default="GBP", description="Currency code shown with costs.")


class ModelEndpoint(BaseModel):
    """One model as an agent sees it: backend, model, limits and how to reach it."""

    model_config = ConfigDict(extra="forbid")

    backend: Backend = Field(default="local", description="Where the model runs.")
    model: str = Field(
        default="SmolLM2-135M-Instruct", description="Model name (Azure: the deployment name)."
    )
    gguf_path: Path | None = Field(
        default=None, description="GGUF file for the local backend (default: the bundled SmolLM2)."
    )
    base_url: str | None = Field(default=None, description="Server URL (openai-compatible, azure).")
    api_key: SecretStr | None = Field(
        default=None, description="API key; defaults to OPENAI_API_KEY or AZURE_OPENAI_API_KEY."
    )
    api_version: str = Field(default="2024-10-21", description="Azure OpenAI API version.")
    capabilities: Capabilities = Field(default_factory=Capabilities)
    max_tokens: int = Field(default=256, ge=1, description="Hard cap on tokens per turn.")
    temperature: float = Field(default=0.3, ge=0, le=2)
    repeat_penalty: float = Field(
        default=1.3, ge=1, description="llama.cpp repeat penalty (small models loop without it)."
    )
    context_window: int | None = Field(
        default=None,
        ge=512,
        description="The model's context window in tokens, which sets how much evidence and "
        "debate each turn is shown (and the local server's n_ctx). Unset: 4096 for the embedded "
        "model and replay, 128000 for openai and azure, 8192 for other servers.",
    )
    timeout_s: float = Field(default=120.0, gt=0, description="Seconds before a call times out.")
    max_retries: int = Field(
        default=3, ge=0, description="Retries with backoff on 429, 5xx and dropped connections."
    )
    replay_file: Path | None = Field(
        default=None, description="JSON list of recorded replies, for the replay backend."
    )
    price: Price | None = Field(default=None, description="For cost accounting.")

    def context_tokens(self) -> int:
        """The context window, or the backend's default when it is unset."""
        if self.context_window is not None:
            return self.context_window
        return {"openai": 128_000, "azure": 128_000, "openai-compatible": 8192}.get(
            self.backend, 4096
        )

    def resolved_api_key(self) -> str | None:
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        env = "AZURE_OPENAI_API_KEY" if self.backend == "azure" else "OPENAI_API_KEY"
        return os.environ.get(env)

    def resolved_base_url(self) -> str | None:
        if self.base_url:
            return self.base_url
        if self.backend == "azure":
            return os.environ.get("AZURE_OPENAI_ENDPOINT")
        if self.backend in ("openai", "openai-compatible"):
            return os.environ.get("OPENAI_BASE_URL")
        return None

    def describe(self) -> str:
        """``backend:model`` plus where it runs, for logs and ``review doctor`` (no secrets)."""
        where = self.resolved_base_url() if self.backend != "local" else None
        return f"{self.backend}:{self.model}" + (f" @ {where}" if where else "")

    def fingerprint(self) -> str:
        """A hash of everything that decides the model's replies (never the key)."""
        public = self.model_dump(
            mode="json", exclude={"api_key", "timeout_s", "max_retries", "price"}
        )
        return hashlib.sha256(json.dumps(public, sort_keys=True).encode()).hexdigest()[:12]


class ModelSettings(BaseModel):
    """The default endpoint and per-agent overrides (only the fields that differ)."""

    model_config = ConfigDict(extra="forbid")

    default: ModelEndpoint = Field(default_factory=ModelEndpoint)
    agents: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per-agent overrides, e.g. {'editor': {'backend': 'openai', 'model': 'gpt-4o'}}.",
    )

    def for_agent(self, name: str) -> ModelEndpoint:
        override = self.agents.get(name)
        if not override:
            return self.default
        merged = self.default.model_dump() | override
        if override.get("backend") not in (None, self.default.backend) and "model" not in override:
            raise ValueError(
                f"models.agents.{name} changes the backend to {override['backend']}; "
                "also give its model."
            )
        return ModelEndpoint.model_validate(merged)
