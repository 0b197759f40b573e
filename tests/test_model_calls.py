"""Model calls against a small local HTTP server that misbehaves on purpose.

The openai-compatible backend must retry 429/5xx with backoff, time out, and turn every failure
into one plain sentence (``ModelCallError``) instead of a traceback.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from autogen_core.models import UserMessage

from agents.model_settings import ModelEndpoint, ModelSettings, Price
from agents.runtime.errors import ModelCallError
from agents.runtime.metering import metered_turn
from agents.runtime.models import ModelFactory
from agents.runtime.panelist import AutoGenSpeaker
from agents.speaking import TurnRequest


def _completion(text: str) -> bytes:
    return json.dumps(
        {
            "id": "cmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "fake",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": text},
                }
            ],
            "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14},
        }
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[Counter[str]] = Counter()

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, text: str, cut: str | None = None) -> None:
        """``text`` as a server-sent event stream, whole, or cut off after its first chunk: the
        connection closed (``"close"``) or a chunk left half-sent (``"chunked"``)."""
        chunked = cut == "chunked"
        self.protocol_version = "HTTP/1.1" if chunked else "HTTP/1.0"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {"id": "c1", "created": 0, "model": "fake", "object": "chat.completion.chunk"}
        pieces = [
            {"index": 0, "delta": {"content": text[:5]}, "finish_reason": None},
            {"index": 0, "delta": {"content": text[5:]}, "finish_reason": None},
            {"index": 0, "delta": {}, "finish_reason": "stop"},
        ]
        events = [f"data: {json.dumps({**base, 'choices': [p]})}\n\n" for p in pieces]
        events.append("data: [DONE]\n\n")
        for number, event in enumerate(events):
            if cut and number == 1:
                if chunked:  # a chunk announced, half of it sent, and the connection dropped
                    self.wfile.write(f"{len(event):x}\r\n{event[:10]}".encode())
                self.close_connection = True
                return
            data = event.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        scenario = self.path.split("/")[1]
        self.hits[scenario] += 1
        count = self.hits[scenario]
        error = b'{"error": {"message": "nope", "type": "x"}}'
        if scenario.startswith("cut") and json.loads(body).get("stream"):
            how = "chunked" if "chunked" in scenario else "close"
            always = scenario.startswith("cutalways")
            self._stream("The whole reply.", how if always or count == 1 else None)
        elif scenario == "flaky429":
            if count == 1:
                self._send(429, error, {"retry-after-ms": "10"})
            else:
                self._send(200, _completion("recovered"))
        elif scenario == "always500":
            self._send(500, error, {"retry-after-ms": "10"})
        elif scenario == "slow":
            time.sleep(2)
            self._send(200, _completion("too late"))
        elif scenario == "malformed":
            self._send(200, b'{"this is": "not a chat completion"')
        elif scenario == "badkey":
            self._send(401, b'{"error": {"message": "invalid api key", "type": "auth"}}')
        elif scenario == "nomodel":
            self._send(404, b'{"error": {"message": "model not found", "type": "x"}}')
        elif json.loads(body).get("stream"):
            self._stream("hello there")
        else:
            self._send(200, _completion("hello"))


@pytest.fixture(scope="module")
def fake_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _factory(base: str, scenario: str, tmp_path: Path, **extra: object) -> ModelFactory:
    fields: dict[str, object] = {
        "backend": "openai-compatible",
        "model": "fake",
        "base_url": f"{base}/{scenario}/v1",
        "api_key": "sk-test-secret",
        "timeout_s": 0.5,
        "max_retries": 2,
        **extra,
    }
    endpoint = ModelEndpoint.model_validate(fields)
    return ModelFactory(ModelSettings(default=endpoint), tmp_path)


async def _ask(factory: ModelFactory, agent: str = "critic") -> str:
    result = await factory.client_for(agent).create([UserMessage(content="hi", source="chair")])
    return str(result.content)


async def test_a_429_is_retried_and_the_call_succeeds(fake_server, tmp_path):
    assert await _ask(_factory(fake_server, "flaky429", tmp_path)) == "recovered"
    assert _Handler.hits["flaky429"] == 2


async def test_persistent_500_is_retried_then_explained(fake_server, tmp_path):
    with pytest.raises(ModelCallError) as error:
        await _ask(_factory(fake_server, "always500", tmp_path))
    assert error.value.kind == "server_error"
    assert _Handler.hits["always500"] == 3  # the first try and two retries
    assert "HTTP 500" in str(error.value) and "\n" not in str(error.value)


async def test_a_slow_server_times_out_with_a_plain_message(fake_server, tmp_path):
    factory = _factory(fake_server, "slow", tmp_path, max_retries=0)
    with pytest.raises(ModelCallError) as error:
        await _ask(factory)
    assert error.value.kind == "timeout"
    assert "did not answer within" in str(error.value)


@pytest.mark.parametrize(
    ("scenario", "kind", "words"),
    [
        ("malformed", "malformed", "malformed response"),
        ("badkey", "auth", "rejected the API key"),
        ("nomodel", "unknown_model", "'fake' was not found"),
    ],
)
async def test_failures_become_one_sentence(fake_server, tmp_path, scenario, kind, words):
    with pytest.raises(ModelCallError) as error:
        await _ask(_factory(fake_server, scenario, tmp_path))
    assert error.value.kind == kind
    assert words in str(error.value)
    assert "sk-test-secret" not in str(error.value)


async def test_usage_is_recorded_per_agent_with_cost(fake_server, tmp_path):
    factory = _factory(fake_server, "ok", tmp_path, price=Price(prompt=1000.0, completion=2000.0))
    await _ask(factory, "critic")
    await _ask(factory, "critic")
    await _ask(factory, "editor")
    by_agent = factory.ledger.by_agent()
    assert by_agent["critic"].calls == 2
    assert by_agent["critic"].prompt_tokens == 22 and by_agent["critic"].completion_tokens == 6
    assert by_agent["editor"].cost == pytest.approx((11 * 1000 + 3 * 2000) / 1e6)
    assert factory.ledger.totals().calls == 3
    assert [r.agent for r in factory.ledger.records] == ["critic", "critic", "editor"]
    assert all(record.latency_s > 0 for record in factory.ledger.records)  # each call is timed


def test_missing_configuration_is_explained_before_any_call(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    factory = ModelFactory(
        ModelSettings(default=ModelEndpoint(backend="openai", model="gpt-4o")), tmp_path
    )
    with pytest.raises(ModelCallError, match="OPENAI_API_KEY"):
        factory.client_for("editor")
    compatible = ModelFactory(
        ModelSettings(default=ModelEndpoint(backend="openai-compatible", model="m")), tmp_path
    )
    with pytest.raises(ModelCallError, match="base URL"):
        compatible.client_for("editor")


async def test_each_turn_gets_the_usage_of_its_own_calls_when_turns_run_at_once(
    fake_server, tmp_path
):
    """Usage travels with a turn's reply: three turns at once, each counted once, as its own
    (the server counts the calls it answered)."""
    factory = _factory(fake_server, "counted", tmp_path)
    speaker = AutoGenSpeaker(factory)
    before = _Handler.hits["counted"]

    async def turn(agent: str, calls: int) -> tuple[str, ...]:
        with metered_turn() as usage:
            for _ in range(calls):
                await _ask(factory, agent)
                await asyncio.sleep(0)  # let the other turns interleave
        return tuple(u.agent for u in usage)

    got = await asyncio.gather(turn("critic", 1), turn("editor", 3), turn("inclusion", 2))
    assert got == [("critic",), ("editor",) * 3, ("inclusion",) * 2]
    assert _Handler.hits["counted"] - before == 6 == len(factory.ledger.records)
    said = [i async for i in speaker.speak(TurnRequest("critic", "shared", "", "task"))][-1]
    assert [u.agent for u in said.usage] == ["critic"]  # the streamed turn carries its call


async def _streamed(factory: ModelFactory) -> str:
    speaker = AutoGenSpeaker(factory)
    said = [i async for i in speaker.speak(TurnRequest("critic", "shared", "", "task"))][-1]
    return said.text


@pytest.mark.parametrize("how", ["close", "chunked"])
async def test_a_reply_cut_off_part_way_is_asked_for_again(fake_server, tmp_path, how):
    scenario = f"cut{how}"
    assert await _streamed(_factory(fake_server, scenario, tmp_path)) == "The whole reply."
    assert _Handler.hits[scenario] == 2


@pytest.mark.parametrize("how", ["close", "chunked"])
async def test_a_reply_cut_off_every_time_fails_the_turn_with_a_true_message(
    fake_server, tmp_path, how
):
    scenario = f"cutalways{how}"
    with pytest.raises(ModelCallError) as error:
        await _streamed(_factory(fake_server, scenario, tmp_path, max_retries=1))
    assert error.value.kind == "cut_reply"
    assert "cut its reply off part-way 2 times" in str(error.value)
    assert "Cannot reach" not in str(error.value)
    assert _Handler.hits[scenario] == 2
