"""Chat requests and replies mended for OpenAI-compatible servers (agents/runtime/compat.py)."""

from __future__ import annotations

import json

import httpx

from agents.runtime.compat import MendedTransport

_TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


async def _exchange(sent: dict, reply: dict, path: str = "/v1/chat/completions"):
    seen: list[dict] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=reply)

    async with httpx.AsyncClient(transport=MendedTransport(httpx.MockTransport(server))) as client:
        response = await client.post(f"http://server{path}", json=sent)
    return seen[0], response.json()


async def test_an_assistant_tool_call_without_content_is_sent_with_empty_content():
    sent = {
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "tool_calls": [_TOOL_CALL]},
        ]
    }
    arrived, _ = await _exchange(sent, {"choices": []})
    assert arrived["messages"][1]["content"] == ""
    assert "content" in arrived["messages"][0] and arrived["messages"][0]["content"] == "hi"


async def test_the_deprecated_function_call_beside_tool_calls_is_dropped():
    message = {"role": "assistant", "content": None, "tool_calls": [_TOOL_CALL]}
    mirrored = {"choices": [{"message": message | {"function_call": _TOOL_CALL["function"]}}]}
    _, reply = await _exchange({"messages": []}, mirrored)
    assert reply["choices"][0]["message"] == message


async def test_a_lone_function_call_and_other_routes_pass_untouched():
    alone = {"choices": [{"message": {"role": "assistant", "function_call": {"name": "f"}}}]}
    _, reply = await _exchange({"messages": []}, alone)
    assert reply == alone
    sent = {"messages": [{"role": "assistant", "tool_calls": [_TOOL_CALL]}]}
    arrived, reply = await _exchange(sent, {"data": []}, path="/v1/embeddings")
    assert arrived == sent and reply == {"data": []}
