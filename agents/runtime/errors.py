"""One-sentence explanations of model-call failures, for users (never a traceback)."""

from __future__ import annotations

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
    if isinstance(exc, openai.AuthenticationError):
        return ModelCallError(
            f"{name} rejected the API key; set a valid key in OPENAI_API_KEY "
            "(AZURE_OPENAI_API_KEY for Azure) or models.default.api_key.",
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
