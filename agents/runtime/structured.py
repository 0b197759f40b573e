"""Structured replies: a pydantic model out of a chat model, validated, with one repair attempt.

Where the backend supports it the schema constrains decoding (OpenAI ``json_schema``; llama.cpp's
``json_object`` + ``schema``, compiled to a grammar, enums included), so even a 135M model
returns parseable JSON. A reply that still fails validation gets one repair turn; after that the
caller receives a ``StructuredFailure`` to record, never an exception that ends the run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from autogen_core.models import AssistantMessage, LLMMessage, UserMessage
from pydantic import BaseModel, ValidationError

from agents.runtime.metering import MeteredClient
from agents.runtime.models import SchemaMode

T = TypeVar("T", bound=BaseModel)


@dataclass
class StructuredFailure:
    """The model did not produce a valid object, even after a repair attempt."""

    error: str
    raw_replies: list[str]


@dataclass
class StructuredReply(Generic[T]):
    value: T
    raw: str
    attempts: int


def response_format(mode: SchemaMode, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The extra request arguments that constrain a reply to ``schema`` on this backend."""
    if mode == "json_schema":
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": False},
            }
        }
    if mode == "json_object_schema":
        return {"response_format": {"type": "json_object", "schema": schema}}
    return {}


def _parse(model: type[T], raw: str) -> T:
    """Validate a reply; raw newlines inside strings (which llama.cpp grammars allow) are accepted."""
    text = _first_json_object(raw)
    try:
        return model.model_validate_json(text)
    except ValidationError as strict_error:
        try:
            value = json.loads(text, strict=False)
        except json.JSONDecodeError:
            raise strict_error from None
        return model.model_validate(value)


def _first_json_object(text: str) -> str:
    """The JSON object in a reply that wraps it in prose or a code fence."""
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if start != -1 and end > start else text


async def create_structured(
    client: MeteredClient,
    messages: Sequence[LLMMessage],
    model: type[T],
    mode: SchemaMode,
    schema: dict[str, Any] | None = None,
    max_tokens: int | None = None,
) -> StructuredReply[T] | StructuredFailure:
    """Ask for a ``model`` instance.

    Args:
        schema: narrows the model's own JSON schema (e.g. an enum of citable evidence ids).
        max_tokens: a larger budget than a chat turn's, so the JSON is not cut off.
    """
    schema = schema or model.model_json_schema()
    extra = response_format(mode, model.__name__, schema)
    if max_tokens is not None:
        extra["max_tokens"] = max_tokens
    conversation = list(messages)
    if mode == "prompt_only":
        conversation.append(
            UserMessage(
                content="Reply with only a JSON object matching this schema:\n"
                + json.dumps(schema),
                source="system",
            )
        )
    raws: list[str] = []
    error = ""
    for attempt in (1, 2):
        result = await client.create(conversation, extra_create_args=extra)
        raw = (
            result.content
            if isinstance(result.content, str)
            else json.dumps(result.content, default=str)
        )
        raws.append(raw)
        try:
            return StructuredReply(_parse(model, raw), raw, attempt)
        except ValidationError as exc:
            error = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}"
                for e in exc.errors()[:5]
            )
        conversation = [
            *conversation,
            AssistantMessage(content=raw, source=client.agent),
            UserMessage(
                content=f"That reply was not valid ({error}). Reply again with only the corrected "
                "JSON object.",
                source="system",
            ),
        ]
    return StructuredFailure(error=error, raw_replies=raws)
