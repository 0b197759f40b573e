"""The embedded model's server stops when the process that started it dies, kill -9 included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow

STARTER = """
import sys, time
from pathlib import Path
from agents.runtime.local_server import ensure_server
server = ensure_server(None, 512, Path(sys.argv[1]))
print(server.process.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return bool(state.stdout.strip()) and not state.stdout.strip().startswith("Z")


def test_the_model_server_does_not_outlive_a_killed_app(tmp_path):
    app = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        line = app.stdout.readline() if app.stdout else ""
        server_pid = int(line)
        assert _alive(server_pid)
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _alive(server_pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(server_pid), "the model server outlived the app"
    finally:
        app.kill()


async def test_two_replies_asked_at_once_both_finish(tmp_path):
    """A follow-up asked during a debate turn must not cut the turn's reply off, nor the
    turn the follow-up's."""
    import asyncio

    from openai import AsyncOpenAI

    from agents.runtime.local_server import MODEL_ALIAS, ensure_server

    server = await asyncio.to_thread(ensure_server, None, 1024, tmp_path)
    client = AsyncOpenAI(base_url=server.base_url, api_key="local", max_retries=0)

    async def streamed(question: str) -> str | None:
        stream = await client.chat.completions.create(
            model=MODEL_ALIAS,
            messages=[{"role": "user", "content": question}],
            max_tokens=48,
            stream=True,
        )
        finish = None
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].finish_reason:
                finish = chunk.choices[0].finish_reason
        return finish

    try:
        finishes = await asyncio.gather(
            streamed("Describe a hospital ward in three sentences."),
            streamed("Describe a community nursing team in three sentences."),
        )
    finally:
        await client.close()
        server.stop()
    assert all(f in ("stop", "length") for f in finishes), finishes  # None: cut off part-way
