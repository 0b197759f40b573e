"""Team scale: ingest and search through a real Chroma server started on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.cli.entry import main

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def chroma_server(tmp_path: Path):
    port = _free_port()
    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server-db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("The Chroma server did not start within 30 s.")
            time.sleep(0.2)
    yield f"127.0.0.1:{port}", tmp_path / "server-db"
    process.terminate()
    process.wait(timeout=10)


def test_ingest_and_search_through_a_chroma_server(
    chroma_server, tmp_path, capsys, local_model_dir
):
    address, server_db = chroma_server
    data_dir = tmp_path / "client-data"
    shutil.copytree(local_model_dir, data_dir / "models" / local_model_dir.name)
    corpus = tmp_path / "docs"
    corpus.mkdir()
    shutil.copy(Path("corpus/documents/001_89b7e46f1cb73dbb.txt"), corpus)
    base = ["--data-dir", str(data_dir), "--chroma", address]

    assert main([*base, "ingest", str(corpus)]) == 0
    capsys.readouterr()
    assert main([*base, "search", "Health and Care Academy", "--k", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)[0]["hits"]
    assert hits and all(h["doc_id"] == "LEEDS-OWS-2024" for h in hits)

    # The passages live on the server, not in the client's data directory.
    assert not (data_dir / "chroma").exists()
    assert server_db.exists() and any(server_db.iterdir())

    # A second client with an empty data directory sees the same index (mirror rebuilt).
    other = tmp_path / "other-client"
    shutil.copytree(local_model_dir, other / "models" / local_model_dir.name)
    assert main(["--data-dir", str(other), "--chroma", address, "show", hits[0]["id"]]) == 0
    assert hits[0]["id"] in capsys.readouterr().out
