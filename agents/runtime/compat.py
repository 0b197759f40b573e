"""Chat requests and replies mended where an OpenAI-compatible server and AutoGen disagree.

llama.cpp's server (the one users run for tool calls on their own hardware) differs from
OpenAI in two ways that break a tool-calling turn:

* it refuses an assistant message that carries tool calls but no ``content``, which is how
  AutoGen sends one back in the next request: such a message gets ``content: ""``;
* it answers a tool call with both ``tool_calls`` and the deprecated ``function_call`` that
  mirrors it, and AutoGen rejects any message carrying ``function_call``: the mirror is dropped.

Everything else, streams included, passes through as it came.
"""

from __future__ import annotations

import json
from typing import Any

import httpx


class MendedTransport(httpx.AsyncBaseTransport):
    """An httpx transport for ``/chat/completions`` that makes the two mends above."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/chat/completions"):
            return await self.inner.handle_async_request(request)
        request = _with_content_beside_tool_calls(request)
        response = await self.inner.handle_async_request(request)
        if "json" not in response.headers.get("content-type", ""):
            return response  # a stream, or an error page
        body = _without_mirrored_function_call(await response.aread())
        headers = [
            (k, v) for k, v in response.headers.multi_items() if k.lower() != "content-length"
        ]
        return httpx.Response(response.status_code, headers=headers, content=body)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _with_content_beside_tool_calls(request: httpx.Request) -> httpx.Request:
    sent = _json(request.content)
    changed = False
    for message in sent.get("messages") or []:
        if isinstance(message, dict) and message.get("tool_calls") and not message.get("content"):
            message["content"] = ""
            changed = True
    if not changed:
        return request
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
    return httpx.Request(
        request.method,
        request.url,
        headers=headers,
        content=json.dumps(sent).encode(),
        extensions=request.extensions,
    )


def _without_mirrored_function_call(body: bytes) -> bytes:
    reply = _json(body)
    changed = False
    for choice in reply.get("choices") or []:
        message = choice.get("message") if isinstance(choice, dict) else None
        if isinstance(message, dict) and message.get("tool_calls") and "function_call" in message:
            del message["function_call"]
            changed = True
    return json.dumps(reply).encode() if changed else body


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
