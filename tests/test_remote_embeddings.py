"""Remote embeddings through an OpenAI-compatible /v1/embeddings server (a small local one)."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest

from tools.ingest import ingest
from tools.search import Searcher
from tools.settings import EmbeddingSettings, RetrievalSettings
from tools.store import IndexError_

DIMS = 64


def bag_of_words(text: str) -> list[float]:
    vector = np.zeros(DIMS)
    for word in text.lower().split():
        vector[int(hashlib.md5(word.strip(".,").encode()).hexdigest(), 16) % DIMS] += 1.0
    return list(vector / (np.linalg.norm(vector) or 1.0))


class _Embeddings(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        payload = json.dumps(
            {
                "object": "list",
                "model": body["model"],
                "data": [
                    {"object": "embedding", "index": i, "embedding": bag_of_words(t)}
                    for i, t in enumerate(inputs)
                ],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture()
def embedding_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Embeddings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_ingest_and_search_with_an_openai_compatible_embedding_server(embedding_server, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "nursing.md").write_text(
        "# Nursing\n\nNurse retention improved after flexible rotas were introduced.\n"
    )
    (docs / "estates.md").write_text(
        "# Estates\n\nThe car park at the main site will be resurfaced in spring.\n"
    )
    remote = EmbeddingSettings(
        backend="openai-compatible", model="bow-64", base_url=embedding_server, api_key="sk-embed"
    )
    settings = RetrievalSettings(
        data_dir=tmp_path / "data", catalog=tmp_path / "none.toml", embedding=remote
    )

    report = ingest([docs], settings)
    assert sorted(report.added) == ["estates.md", "nursing.md"]
    hits = Searcher(settings).search(["flexible rotas nurse retention"], k=1, mode="dense")[0].hits
    assert hits[0].doc_id == "NURSING"
    assert {r["model"] for r in _Embeddings.requests} == {"bow-64"}
    assert all(r["auth"] == "Bearer sk-embed" for r in _Embeddings.requests)

    # The index remembers its embedding model: the local model may not query it.
    local = settings.model_copy(update={"embedding": EmbeddingSettings()})
    with pytest.raises(IndexError_, match="review ingest --rebuild"):
        Searcher(local)
