"""Prompt size per debate phase with a capable model: a recorded run ("before") against the
current code ("after"), whose evidence budget follows ``models.*.context_window``.

"Before" is the usage recorded in a capable run's log (default: the one beside this repository,
``../shared/fixtures/capable-run/events.jsonl``; ``--recorded PATH``). "After" runs
the panel in-process over the bundled strategy, every agent on an ``openai-compatible`` backend
pointed at a fake OpenAI-compatible server started here on 127.0.0.1: it answers each request with
the reply the recorded run gave for the same theme, agent and turn order, and counts the prompt as
its characters // 4, so the run's usage events carry the prompt size. Each phase's prompt tokens
are then compared: calls, mean and max. "Before" was counted by the real model's tokenizer, "after"
is the 4-characters estimate; the wall time is the panel's own work (the fake model answers at
once).

Run: ``.venv/bin/python bench/prompt_sizes.py [--context-window N]`` (default 128000; 4096 shows
the embedded model's budget). The corpus must be indexed first (``.venv/bin/review ingest``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from agents.panel import PANEL, persona_text
from orchestration.engine.run import run_review
from orchestration.record.event_log import read_log
from orchestration.settings import Settings, load_settings
from orchestration.strategy import load_strategy

RECORDED = Path(__file__).resolve().parents[2] / "shared/fixtures/capable-run/events.jsonl"
PHASES = ("opening", "critique", "rebuttal", "review", "sign_off")
GENERIC_SIGN_OFF = json.dumps(
    {"stance": "agree", "reason": "The review is fair to the debate and to its evidence."}
)
GENERIC_TURN = "I have nothing to add beyond the points and evidence already given."
_BASE = {"id": "fake", "created": 0, "model": "capable"}  # every completion and chunk carries it


def recorded_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line)["event"] for line in path.read_text().splitlines() if line]


def recorded_replies(events: Iterable[dict[str, Any]]) -> dict[tuple[str, str], deque[str]]:
    """The replies of the recorded run, in turn order, by (theme id, agent)."""
    replies: dict[tuple[str, str], deque[str]] = defaultdict(deque)
    for e in events:
        if e["type"] != "agent_message" or e["agent"] == "moderator":
            continue
        reply = json.dumps(e["data"]) if e.get("data") else e.get("reply") or e["content"]
        replies[(e["theme_id"], e["agent"])].append(reply)
    return replies


def prompt_tokens_by_phase(events: Iterable[dict[str, Any]]) -> dict[str, list[int]]:
    """Each model call's prompt tokens under the phase its theme was in (the latest
    phase_changed of that theme; in the recorded run a call's usage follows its message, in the
    current code it comes before it, so the neighbouring message is no guide)."""
    phase_of: dict[str, str] = {}
    sizes: dict[str, list[int]] = defaultdict(list)
    for e in events:
        if e["type"] == "phase_changed":
            phase_of[e["theme_id"]] = e["phase"]
        elif e["type"] == "usage":
            sizes[phase_of.get(e["theme_id"], "none")].append(e["prompt_tokens"])
    return sizes


class FakeModelServer(ThreadingHTTPServer):
    """An OpenAI-compatible chat server that replays recorded replies by theme and agent."""

    def __init__(self, replies: dict[tuple[str, str], deque[str]], themes: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), FakeModelHandler)
        self.replies = replies
        self.themes = themes  # theme name -> theme id
        self.personas = {agent: persona_text(agent).splitlines()[0] for agent in PANEL}
        self.unmatched: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def answer(self, body: dict[str, Any]) -> str:
        """The recorded reply for the request's theme and agent, or a generic one."""
        messages = body.get("messages", [])
        theme, agent = self._theme(messages), self._agent(messages)
        with self.lock:
            queue = self.replies.get((theme, agent)) if theme and agent else None
            if queue:
                return queue.popleft()
            self.unmatched[f"{theme or '?'}/{agent or '?'}"] += 1
        return GENERIC_SIGN_OFF if "response_format" in body else GENERIC_TURN

    def _theme(self, messages: list[dict[str, Any]]) -> str | None:
        system = next((_text(m) for m in messages if m.get("role") == "system"), "")
        for line in system.splitlines():
            for name, theme_id in self.themes.items():
                if line.startswith(f"THEME: {name}."):
                    return theme_id
        return None

    def _agent(self, messages: list[dict[str, Any]]) -> str | None:
        """The agent whose persona opens the last user message that opens with one (a repair
        request ends the conversation with a user message of its own)."""
        for message in reversed(messages):
            if message.get("role") == "user":
                text = _text(message)
                for agent, first_line in self.personas.items():
                    if text.startswith(first_line):
                        return agent
        return None


def _text(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


class FakeModelHandler(BaseHTTPRequestHandler):
    server: FakeModelServer

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        reply = self.server.answer(body)
        usage = {
            "prompt_tokens": sum(len(_text(m)) for m in body.get("messages", [])) // 4,
            "completion_tokens": len(reply) // 4,
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if body.get("stream"):
            self._stream(reply, usage)
        else:
            self._complete(reply, usage)

    def _complete(self, reply: str, usage: dict[str, int]) -> None:
        message = {"role": "assistant", "content": reply}
        payload = json.dumps(
            {
                **_BASE,
                "object": "chat.completion",
                "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
                "usage": usage,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _stream(self, reply: str, usage: dict[str, int]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        chunks: list[dict[str, Any]] = [
            {"choices": [{"index": 0, "delta": {"content": reply}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
            {"choices": [], "usage": usage},
        ]
        for chunk in chunks:
            data = json.dumps({**_BASE, "object": "chat.completion.chunk", **chunk})
            self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


def capable_settings(base_url: str, transcripts: Path, context_window: int) -> Settings:
    """The recorded run's settings (its review.toml), on the fake server."""
    return load_settings(
        {
            "transcripts_dir": transcripts,
            "models": {
                "default": {
                    "backend": "openai-compatible",
                    "model": "capable",
                    "base_url": base_url,
                    "api_key": "x",
                    "context_window": context_window,
                    "capabilities": {
                        "function_calling": False,
                        "json_output": True,
                        "structured_output": True,
                    },
                    "max_tokens": 1600,
                }
            },
            "panel": {
                "max_rounds": 2,
                "max_turns": 16,
                "max_seconds": 5000,
                "turn_tokens": 260,
                "review_tokens": 1500,
                "sign_off_tokens": 100,
            },
        }
    )


def run_current(
    replies: dict[tuple[str, str], deque[str]], context_window: int
) -> tuple[list[dict[str, Any]], Counter[str], float]:
    """The current code's run on the fake server: its events, the requests answered with a
    generic reply (by theme/agent), and its wall time in seconds."""
    strategy_path = load_settings().strategy
    themes = {t.name: t.id for t in load_strategy(strategy_path).themes}
    server = FakeModelServer(replies, themes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as transcripts:
            settings = capable_settings(server.base_url, Path(transcripts), context_window)
            started = time.perf_counter()
            result = asyncio.run(run_review(settings, strategy_path))
            wall = time.perf_counter() - started
            events = [e.model_dump() for e in read_log(result.folder / "events.jsonl").events]
    finally:
        server.shutdown()
    return events, server.unmatched, wall


def _cells(sizes: list[int]) -> str:
    if not sizes:
        return f"{0:>4} {'-':>6} {'-':>6}"
    return f"{len(sizes):>4} {statistics.mean(sizes):>6.0f} {max(sizes):>6}"


def print_table(before: dict[str, list[int]], after: dict[str, list[int]]) -> None:
    extra = sorted((set(before) | set(after)) - set(PHASES))
    columns = f"{'n':>4} {'mean':>6} {'max':>6}"
    print(f"{'':<10} {'before':^18}   {'after':^18}")
    print(f"{'phase':<10} {columns}   {columns}")
    for phase in (*PHASES, *extra):
        print(f"{phase:<10} {_cells(before.get(phase, []))}   {_cells(after.get(phase, []))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--context-window", type=int, default=128_000, help="the capable model's context window"
    )
    parser.add_argument("--recorded", type=Path, default=RECORDED, help="a capable run's log")
    args = parser.parse_args()
    recorded = recorded_events(args.recorded)
    events, unmatched, wall = run_current(recorded_replies(recorded), args.context_window)
    before, after = prompt_tokens_by_phase(recorded), prompt_tokens_by_phase(events)
    print(f"Prompt tokens per call (after: context_window = {args.context_window})")
    print_table(before, after)
    total_before = sum(map(sum, before.values()))
    total_after = sum(map(sum, after.values()))
    print(f"total prompt tokens: before {total_before}, after {total_after}")
    print(f"run wall time: {wall:.1f} s")
    unanswered = ", ".join(f"{key} x{n}" for key, n in sorted(unmatched.items())) or "none"
    print(f"requests with no recorded reply (answered generically): {unanswered}")


if __name__ == "__main__":
    main()
