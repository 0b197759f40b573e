"""The ``azure`` backend end to end, against a small local server that answers Azure OpenAI's
own routes: ``POST /openai/deployments/{deployment}/chat/completions?api-version=...`` with an
``api-key`` header, Azure's error bodies for a wrong deployment, API version or key, and chat
completions in OpenAI's shape (Azure's content-filter fields included), streamed or whole.

A theme is reviewed through it with ``review run``, and ``review doctor`` is shown each of the
three mistakes an Azure user makes most, each of which it must name in one sentence.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest

from orchestration.cli.entry import main
from orchestration.record.event_log import read_log
from tests.helpers import squash

DEPLOYMENT = "review-gpt-4o"  # the deployment's name, which need not be the model's
API_KEY = "azure-test-key-0123"
API_VERSIONS = frozenset({"2024-06-01", "2024-10-21", "2025-04-01-preview"})
ROUTE = re.compile(r"^/openai/deployments/([^/]+)/chat/completions$")

# Azure's error bodies, as its service writes them.
DEPLOYMENT_NOT_FOUND = {
    "error": {
        "code": "DeploymentNotFound",
        "message": "The API deployment for this resource does not exist. If you created the "
        "deployment within the last 5 minutes, please wait a moment and try again.",
    }
}
RESOURCE_NOT_FOUND = {"error": {"code": "404", "message": "Resource not found"}}
VERSION_NOT_SUPPORTED = {"error": {"code": "BadRequest", "message": "API version not supported"}}
ACCESS_DENIED = {
    "error": {
        "code": "401",
        "message": "Access denied due to invalid subscription key or wrong API endpoint. Make "
        "sure to provide a valid key for an active subscription and use a correct regional API "
        "endpoint for your resource.",
    }
}
_FILTERED = {
    name: {"filtered": False, "severity": "safe"}
    for name in ("hate", "self_harm", "sexual", "violence")
}


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    api_version: str | None
    api_key: str | None
    authorization: str | None
    stream: bool
    include_usage: bool
    schema_name: str | None
    status: int
    reply_matches_schema: bool | None = None
    usage: tuple[int, int] | None = None  # the tokens the reply said it used


class AzureServer(ThreadingHTTPServer):
    """An Azure OpenAI resource with one deployment; it records every request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _AzureHandler)
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _text(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def _enum(schema: dict[str, Any], definition: str, field: str) -> list[str]:
    """The values a field of a ``$defs`` definition may take (an array's items, or itself)."""
    spec = schema.get("$defs", {}).get(definition, {}).get("properties", {}).get(field, {})
    return list(spec.get("items", spec).get("enum", []))


def scripted_reply(body: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """What the deployment answers, keyed on what the request asks: a JSON object for the
    schema it was sent (by the schema's name), an objection count for the critic, a short turn
    for any other panelist, "ready" for doctor's ping. Returns the reply and the schema."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        named = response_format["json_schema"]
        schema = named["schema"]
        if named["name"] == "EditorDraft":
            ids = _enum(schema, "DraftGap", "evidence")[:1]
            draft = {
                "coverage_summary": "The panel found the talent objectives partly supported by "
                "the evidence it examined.",
                "gaps": [
                    {
                        "kind": _enum(schema, "DraftGap", "kind")[0],
                        "text": "The strategy does not say how training places will be funded.",
                        "evidence": ids,
                    }
                ],
                "recommendations": [
                    {
                        "action": "add",
                        "text": "Add an objective on funding training places for care staff.",
                        "priority": "high",
                        "evidence": ids,
                    }
                ],
            }
            return json.dumps(draft), schema
        if named["name"] == "SignOff":
            sign_off = {"stance": "agree", "reason": "The review is fair to the debate."}
            return json.dumps(sign_off), schema
        return json.dumps({}), schema  # unscripted: recorded as not matching its schema
    messages = body.get("messages", [])
    task = _text(messages[-1]) if messages else ""
    if "Reply with the word ready" in task:
        return "ready", None
    if "OPEN OBJECTIONS" in task:
        return "The objectives are supported by the evidence given.\nOPEN OBJECTIONS: 0", None
    return "I have nothing to add beyond the points and evidence already given.", None


class _AzureHandler(BaseHTTPRequestHandler):
    server: AzureServer

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        version = parse_qs(url.query).get("api-version", [None])[0]
        seen = Seen(
            path=url.path,
            api_version=version,
            api_key=self.headers.get("api-key"),
            authorization=self.headers.get("Authorization"),
            stream=bool(body.get("stream")),
            include_usage=bool((body.get("stream_options") or {}).get("include_usage")),
            schema_name=((body.get("response_format") or {}).get("json_schema") or {}).get("name"),
            status=200,
        )
        with self.server.lock:
            self.server.seen.append(seen)
        route = ROUTE.match(url.path)
        if seen.api_key != API_KEY:
            seen.status = 401
            self._json(401, ACCESS_DENIED)
        elif route and version not in API_VERSIONS and (version or "").endswith("-preview"):
            # Azure answers an unknown API version in one of two ways (older resources 404,
            # newer ones 400): this server answers unknown previews the newer way
            seen.status = 400
            self._json(400, VERSION_NOT_SUPPORTED)
        elif route is None or version not in API_VERSIONS:
            seen.status = 404
            self._json(404, RESOURCE_NOT_FOUND)
        elif route.group(1) != DEPLOYMENT:
            seen.status = 404
            self._json(404, DEPLOYMENT_NOT_FOUND)
        else:
            reply, schema = scripted_reply(body)
            if schema is not None:
                seen.reply_matches_schema = _matches(json.loads(reply), schema)
            # tokens counted as words: never what the client's own estimate (characters / 4)
            # would give, so the logged usage shows whether the server's was used
            usage = {
                "prompt_tokens": sum(len(_text(m).split()) for m in body.get("messages", [])),
                "completion_tokens": len(reply.split()),
            }
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            seen.usage = (usage["prompt_tokens"], usage["completion_tokens"])
            if seen.stream:
                self._stream(reply, usage if seen.include_usage else None)
            else:
                self._complete(reply, usage)

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _complete(self, reply: str, usage: dict[str, int]) -> None:
        self._json(
            200,
            {
                "id": "chatcmpl-azure",
                "object": "chat.completion",
                "created": 0,
                "model": "gpt-4o-2024-11-20",
                "system_fingerprint": "fp_azure",
                "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": _FILTERED}],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "logprobs": None,
                        "message": {"role": "assistant", "content": reply, "refusal": None},
                        "content_filter_results": _FILTERED,
                    }
                ],
                "usage": usage,
            },
        )

    def _stream(self, reply: str, usage: dict[str, int] | None) -> None:
        """Azure's stream: a chunk of prompt-filter results with no choices, the reply in
        pieces, the finish reason, then (when asked for) a usage chunk with no choices."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        base = {
            "id": "chatcmpl-azure",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "gpt-4o-2024-11-20",
            "system_fingerprint": "fp_azure",
        }
        filters = {
            "choices": [],
            "created": 0,
            "id": "",
            "model": "",
            "object": "",
            "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": _FILTERED}],
        }
        chunks: list[dict[str, Any]] = [filters]
        middle = len(reply) // 2
        for delta in (
            {"role": "assistant", "content": ""},
            *({"content": piece} for piece in (reply[:middle], reply[middle:])),
        ):
            choice = {"index": 0, "delta": delta, "finish_reason": None, "logprobs": None}
            chunks.append({**base, "choices": [{**choice, "content_filter_results": _FILTERED}]})
        finish = {"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}
        chunks.append({**base, "choices": [{**finish, "content_filter_results": {}}]})
        if usage is not None:
            chunks.append({**base, "choices": [], "usage": usage})
        for chunk in chunks:
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


def _matches(value: object, schema: dict[str, Any]) -> bool:
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError:
        return False
    return True


@pytest.fixture()
def azure(monkeypatch: pytest.MonkeyPatch) -> Iterator[AzureServer]:
    """The server, and every agent on the ``azure`` backend pointed at it correctly."""
    server = AzureServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for name in ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = {
        "BACKEND": "azure",
        "MODEL": DEPLOYMENT,
        "BASE_URL": server.endpoint,
        "API_KEY": API_KEY,
        "API_VERSION": "2024-10-21",
        "MAX_RETRIES": "0",
    }
    for name, value in settings.items():
        monkeypatch.setenv(f"REVIEW_MODELS__DEFAULT__{name}", value)
    yield server
    server.shutdown()
    server.server_close()


def test_a_theme_is_reviewed_through_an_azure_deployment(
    corpus_index, azure, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(tmp_path / "transcripts"))
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    assert main([*data, "run", "--themes", "talent", "--rounds", "1"]) == 0
    capsys.readouterr()
    [folder] = list((tmp_path / "transcripts").iterdir())
    events = read_log(folder / "events.jsonl").events

    # every call went to the deployment's route, with the API version and Azure's key header
    assert azure.seen and all(s.status == 200 for s in azure.seen)
    assert {s.path for s in azure.seen} == {f"/openai/deployments/{DEPLOYMENT}/chat/completions"}
    assert {s.api_version for s in azure.seen} == {"2024-10-21"}
    assert {s.api_key for s in azure.seen} == {API_KEY}
    assert not any(s.authorization for s in azure.seen)  # Azure's key goes in api-key only
    streamed = [s for s in azure.seen if s.stream]
    structured = [s for s in azure.seen if s.schema_name]
    assert streamed and all(s.include_usage for s in streamed)  # the debate turns
    assert {s.schema_name for s in structured} >= {"EditorDraft", "SignOff"}
    assert all(s.reply_matches_schema for s in structured)

    # each call's usage is logged, as the server counted it (the streams' usage chunks too)
    usage = [e for e in events if e.type == "usage"]
    logged = sorted((e.prompt_tokens, e.completion_tokens) for e in usage)
    assert logged == sorted(s.usage for s in azure.seen if s.usage)
    assert len(usage) == len(azure.seen)
    assert all(e.model == f"azure:{DEPLOYMENT} @ {azure.endpoint}" for e in usage)
    assert not [e for e in events if e.type == "error"]
    assert events[-1].type == "run_finished" and events[-1].status == "complete"

    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    [theme] = report["themes"]
    assert theme["theme_id"] == "talent"
    # the editor's draft went through the claim checks into the review the panel signed off:
    # each of its statements is in the review or set aside with a reason
    written = {
        "summary": "The panel found the talent objectives partly supported",
        "gap": "how training places will be funded",
        "recommendation": "Add an objective on funding training places",
    }
    kept = {
        "summary": [c["text"] for c in theme["summary"]],
        "gap": [g["text"] for g in theme["gaps"] if g["origin"] == "panel"],
        "recommendation": [r["text"] for r in theme["recommendations"] if r["origin"] == "panel"],
    }
    set_aside = {(s["where"], s["text"]) for s in theme["set_aside"] if s["reasons"]}
    for where, words in written.items():
        assert any(words in text for text in kept[where]) or any(
            place == where and words in text for place, text in set_aside
        ), where
    assert kept["recommendation"]  # a supported statement of the editor's is in the review
    assert sorted(theme["agreed"]) == ["critic", "inclusion", "leeds-local", "national-policy"]


def _doctor(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[int, str]:
    code = main(["doctor", "--data-dir", str(tmp_path / "data")])
    captured = capsys.readouterr()
    out = squash(captured.out + captured.err)
    assert "Traceback" not in out and "Error code:" not in out
    return code, out


def test_doctor_says_all_good_for_a_right_deployment(azure, capsys, tmp_path, recwarn):
    code, out = _doctor(capsys, tmp_path)
    # the reply names the model, not the deployment: AutoGen's warning about it is not shown
    assert not [w for w in recwarn if "Resolved model mismatch" in str(w.message)]
    assert "answered in" in out and "'ready'" in out
    assert azure.seen[0].path == f"/openai/deployments/{DEPLOYMENT}/chat/completions"
    assert "nothing indexed" in out and code == 1  # only the index is missing


def test_doctor_names_a_wrong_deployment(azure, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__MODEL", "gpt-4o")  # the model, not the deployment
    code, out = _doctor(capsys, tmp_path)
    assert code == 1
    assert (
        f"Azure OpenAI at {azure.endpoint} has no deployment named 'gpt-4o'; set "
        "models.default.model to the deployment's name as shown in Azure AI Foundry" in out
    )
    assert [s.status for s in azure.seen] == [404]  # asked once: doctor shares the endpoint


@pytest.mark.parametrize(
    ("version", "status", "answer"),
    [
        ("2023-13-01", 404, "404 Resource not found"),
        ("2023-13-01-preview", 400, "API version not supported"),
    ],
)
def test_doctor_names_a_wrong_api_version(
    azure, capsys, tmp_path, monkeypatch, version, status, answer
):
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__API_VERSION", version)
    code, out = _doctor(capsys, tmp_path)
    assert code == 1
    assert (
        f"Azure OpenAI at {azure.endpoint} does not accept the API version '{version}' (it "
        f"answered {answer}); set models.default.api_version to a version it supports, such as "
        "2024-10-21." in out
    )
    assert [s.status for s in azure.seen] == [status]


def test_doctor_names_a_base_url_that_is_a_whole_request_address(
    azure, capsys, tmp_path, monkeypatch
):
    """The target URI Azure AI Foundry shows a deployment with, pasted as the base URL."""
    pasted = f"{azure.endpoint}/openai/deployments/{DEPLOYMENT}/chat/completions"
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__BASE_URL", pasted)
    code, out = _doctor(capsys, tmp_path)
    assert code == 1
    assert (
        "answered 404 Resource not found; set models.default.base_url to the resource's "
        "endpoint alone" in out
    )


def test_doctor_names_a_wrong_key(azure, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__API_KEY", "not-the-key")
    code, out = _doctor(capsys, tmp_path)
    assert code == 1
    assert f"Azure OpenAI at {azure.endpoint} rejected the API key" in out
    assert "set models.default.api_key (or AZURE_OPENAI_API_KEY)" in out
    assert "not-the-key" not in out
    assert [s.status for s in azure.seen] == [401]
