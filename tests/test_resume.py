"""Resume after kill -9: a real subprocess run against a small OpenAI-compatible server is
killed mid-run, resumed, and compared with an uninterrupted run."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from orchestration.cli.entry import main
from orchestration.record.event_log import read_log

pytestmark = pytest.mark.slow

# One reply that every turn accepts: a debate message, an editor draft and a sign-off at once.
REPLY = (
    '{"stance": "agree", "reason": "Supported.", "coverage_summary": "The theme is partly supported '
    'by the corpus.", "gaps": [], "recommendations": []} OPEN OBJECTIONS: 0'
)


class _SlowModel(BaseHTTPRequestHandler):
    calls: ClassVar[Counter[str]] = Counter()  # calls answered, by the theme in the prompt

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
        self.calls[next(iter(re.findall(r"THEME: ([^.]+)\.", prompt)), "")] += 1
        time.sleep(0.15)
        base = {"id": "c1", "created": 0, "model": "fake"}
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in (REPLY[:40], REPLY[40:]):
                chunk = {
                    **base,
                    "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            done = {
                **base,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
            usage = {
                **base,
                "object": "chat.completion.chunk",
                "choices": [],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
            self.wfile.write(
                f"data: {json.dumps(done)}\n\ndata: {json.dumps(usage)}\n\ndata: [DONE]\n\n".encode()
            )
            return
        payload = json.dumps(
            {
                **base,
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": REPLY},
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture()
def model_server(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowModel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__BACKEND", "openai-compatible")
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__MODEL", "fake")
    monkeypatch.setenv(
        "REVIEW_MODELS__DEFAULT__BASE_URL", f"http://127.0.0.1:{server.server_address[1]}/v1"
    )
    yield
    server.shutdown()


def _messages(folder: Path) -> list[tuple]:
    events = read_log(folder / "events.jsonl").events
    return [(e.theme_id, e.agent, e.phase, e.content) for e in events if e.type == "agent_message"]


def test_a_killed_run_resumes_with_nothing_lost_or_duplicated(
    corpus_index, tmp_path, monkeypatch, model_server, capsys
):
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    themes = ["--themes", "talent", "staff-experience"]
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(tmp_path / "whole"))
    assert main(["run", *themes, *data]) == 0
    [whole] = list((tmp_path / "whole").iterdir())

    killed_dir = tmp_path / "killed"
    env = {**os.environ, "REVIEW_TRANSCRIPTS_DIR": str(killed_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli.entry", "run", *themes, *data],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill it once the second theme has started talking
        logs = list(killed_dir.glob("*/events.jsonl"))
        if logs and '"theme_id":"staff-experience","type":"agent_message"' in logs[
            0
        ].read_text().replace('"phase":"brief",', "").replace('"agent":"moderator",', ""):
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    [killed] = list(killed_dir.iterdir())
    assert read_log(killed / "events.jsonl").events[-1].type != "run_finished"
    before = _messages(killed)
    assert any(theme == "staff-experience" for theme, *_ in before)

    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(killed_dir))
    assert main(["run", "--resume", killed.name, *data]) == 0
    capsys.readouterr()
    check = read_log(killed / "events.jsonl")
    assert check.intact
    assert [e.type for e in check.events].count("run_started") == 1
    assert "run_resumed" in [e.type for e in check.events]
    assert _messages(killed) == _messages(whole)  # the same debate, every message once
    assert json.loads((killed / "report.json").read_text()) == json.loads(
        (whole / "report.json").read_text()
    )


def test_usage_under_concurrency_is_one_event_per_call_under_its_own_theme(
    corpus_index, tmp_path, monkeypatch, model_server, capsys
):
    themes = ["talent", "staff-experience", "inclusion"]
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(tmp_path))
    _SlowModel.calls.clear()
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    assert main(["run", "--themes", *themes, "--concurrency", "3", *data]) == 0
    capsys.readouterr()
    [folder] = list(tmp_path.iterdir())
    events = read_log(folder / "events.jsonl").events
    names = {e.theme_id: e.review.theme_name for e in events if e.type == "theme_review"}
    logged = Counter(names[e.theme_id] for e in events if e.type == "usage")
    answered = {theme: n for theme, n in _SlowModel.calls.items() if theme}
    assert len(answered) == 3 and logged == answered
