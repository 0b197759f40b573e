"""One-sentence explanations of model-call failures, for users (never a traceback)."""

from __future__ import annotations

from urllib.parse import urlsplit

import openai

from agents.model_settings import ModelEndpoint


class ModelCallError(RuntimeError):
    """A model call failed for good (after retries); ``str()`` says what to do."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def cut_reply(endpoint: ModelEndpoint) -> ModelCallError:
    """Every try of a streamed reply was cut off before the model finished it."""
    return ModelCallError(
        f"{endpoint.describe()} cut its reply off part-way {endpoint.max_retries + 1} times (the "
        "stream ended before the model finished); check the server's log, then resume the run.",
        "cut_reply",
    )


def explain(exc: BaseException, endpoint: ModelEndpoint) -> ModelCallError:
    """Turn an exception from a model call into a ModelCallError with a plain message."""
    name = endpoint.describe()
    where = endpoint.resolved_base_url() or endpoint.backend
    if isinstance(exc, ModelCallError):
        return exc
    if endpoint.backend == "azure" and isinstance(exc, openai.APIStatusError):
        azure = _azure(exc, endpoint)
        if azure is not None:
            return azure
    if isinstance(exc, openai.AuthenticationError):
        return ModelCallError(
            f"{name} rejected the API key; set a valid key in OPENAI_API_KEY or "
            "models.default.api_key.",
            "auth",
        )
    if isinstance(exc, openai.NotFoundError):
        return ModelCallError(
            f"The model '{endpoint.model}' was not found at {where}; check the model name "
            "(`review doctor` shows what each agent uses).",
            "unknown_model",
        )
    if isinstance(exc, openai.APITimeoutError):
        return ModelCallError(
            f"{name} did not answer within {endpoint.timeout_s:.0f} s; raise models.default.timeout_s "
            "or use a faster model.",
            "timeout",
        )
    if isinstance(exc, openai.APIConnectionError):
        return ModelCallError(
            f"Cannot reach {where} for {endpoint.model}; check the server is running and the base URL.",
            "connection",
        )
    if isinstance(exc, openai.RateLimitError):
        return ModelCallError(
            f"{name} is still rate-limiting after {endpoint.max_retries} retries; wait a minute and "
            "resume the run.",
            "rate_limit",
        )
    if isinstance(exc, openai.APIStatusError):
        return ModelCallError(
            f"{name} answered HTTP {exc.status_code} after {endpoint.max_retries} retries; "
            "check the server's log, then resume the run.",
            "server_error",
        )
    if isinstance(exc, openai.APIResponseValidationError | ValueError | KeyError | TypeError):
        return ModelCallError(
            f"{name} returned a malformed response ({type(exc).__name__}); check that {where} "
            "speaks the OpenAI chat completions protocol.",
            "malformed",
        )
    return ModelCallError(f"{name} failed: {type(exc).__name__}: {exc}", "other")


def _azure(exc: openai.APIStatusError, endpoint: ModelEndpoint) -> ModelCallError | None:
    """Azure OpenAI's own answers to the three usual mistakes (a wrong deployment name, API
    version or key), told by its error codes; ``None`` for anything else."""
    where = f"Azure OpenAI at {endpoint.resolved_base_url()}"
    version = endpoint.api_version
    supported = ModelEndpoint.model_fields["api_version"].default
    body = exc.body if isinstance(exc.body, dict) else {}
    said = str(body.get("message") or "").strip().rstrip(".")
    if exc.status_code == 401:
        return ModelCallError(
            f"{where} rejected the API key (access denied); set models.default.api_key (or "
            "AZURE_OPENAI_API_KEY) to KEY 1 or KEY 2 of this resource, shown under Keys and "
            "Endpoint in Azure AI Foundry or the Azure portal.",
            "auth",
        )
    if exc.code == "DeploymentNotFound":
        return ModelCallError(
            f"{where} has no deployment named '{endpoint.model}'; set models.default.model to the "
            "deployment's name as shown in Azure AI Foundry (Deployments), which need not be the "
            "model's name (a deployment made in the last few minutes may not be ready yet).",
            "unknown_model",
        )
    not_found = exc.status_code == 404 and said.lower() == "resource not found"
    if not_found and urlsplit(endpoint.resolved_base_url() or "").path.strip("/"):
        return ModelCallError(
            f"{where} answered 404 Resource not found; set models.default.base_url to the "
            "resource's endpoint alone, with nothing after the host (https://NAME.openai.azure.com"
            ", as Keys and Endpoint shows it), not a full request address.",
            "config",
        )
    if not_found or (exc.status_code == 400 and "api version" in said.lower()):
        answer = "404 Resource not found" if not_found else said
        return ModelCallError(
            f"{where} does not accept the API version '{version}' (it answered {answer}); set "
            f"models.default.api_version to a version it supports, such as {supported}.",
            "api_version",
        )
    return None
