"""Structured replies: validation, one repair attempt, then a recorded failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from autogen_core.models import UserMessage
from pydantic import BaseModel

from agents.model_settings import ModelEndpoint, ModelSettings
from agents.runtime.models import ModelFactory, schema_mode
from agents.runtime.structured import (
    StructuredFailure,
    StructuredReply,
    create_structured,
    response_format,
)


class SignOff(BaseModel):
    stance: Literal["agree", "dissent"]
    reason: str


def _factory(tmp_path: Path, replies: list[str]) -> ModelFactory:
    replay = tmp_path / "replies.json"
    replay.write_text(json.dumps(replies))
    return ModelFactory(
        ModelSettings(default=ModelEndpoint(backend="replay", replay_file=replay)), tmp_path
    )


async def test_valid_reply_in_prose_is_parsed(tmp_path):
    client = _factory(
        tmp_path, ['Sure: {"stance": "agree", "reason": "well evidenced"}']
    ).client_for("critic")
    reply = await create_structured(
        client, [UserMessage(content="sign off", source="chair")], SignOff, "prompt_only"
    )
    assert isinstance(reply, StructuredReply)
    assert reply.value == SignOff(stance="agree", reason="well evidenced")
    assert reply.attempts == 1


async def test_one_repair_attempt_fixes_a_bad_reply(tmp_path):
    factory = _factory(
        tmp_path, ['{"stance": "maybe"}', '{"stance": "dissent", "reason": "no local data"}']
    )
    reply = await create_structured(
        factory.client_for("critic"),
        [UserMessage(content="sign off", source="chair")],
        SignOff,
        "prompt_only",
    )
    assert isinstance(reply, StructuredReply)
    assert reply.value.stance == "dissent" and reply.attempts == 2
    assert factory.ledger.totals().calls == 2


async def test_two_bad_replies_give_a_failure_not_an_exception(tmp_path):
    factory = _factory(tmp_path, ["not json at all", '{"stance": "agree"}'])
    reply = await create_structured(
        factory.client_for("critic"),
        [UserMessage(content="sign off", source="chair")],
        SignOff,
        "prompt_only",
    )
    assert isinstance(reply, StructuredFailure)
    assert "reason" in reply.error
    assert reply.raw_replies == ["not json at all", '{"stance": "agree"}']


def test_schema_is_sent_the_way_each_backend_accepts_it():
    schema = SignOff.model_json_schema()
    local = ModelEndpoint(backend="local")
    assert schema_mode(local) == "json_object_schema"
    assert response_format("json_object_schema", "SignOff", schema) == {
        "response_format": {"type": "json_object", "schema": schema}
    }
    openai = ModelEndpoint(backend="openai", model="gpt-4o")
    assert schema_mode(openai) == "json_schema"
    sent = response_format("json_schema", "SignOff", schema)["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["schema"] == schema


async def test_raw_newlines_inside_strings_are_accepted(tmp_path):
    client = _factory(tmp_path, ['{"stance": "dissent", "reason": "two\nlines"}']).client_for(
        "critic"
    )
    reply = await create_structured(
        client, [UserMessage(content="sign off", source="chair")], SignOff, "prompt_only"
    )
    assert isinstance(reply, StructuredReply) and reply.value.reason == "two\nlines"
