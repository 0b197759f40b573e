"""The corpus index in ChromaDB: an embedded on-disk database by default, a shared server by choice.

Two collections: ``<name>`` holds one record per passage (vector, text, metadata) and
``<name>-documents`` one record per source document (its normalised text, content hash and
catalog metadata), so incremental ingestion and ``review show`` work the same against a server.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from tools.embeddings import ReviewEmbeddingFunction
from tools.evidence import Passage
from tools.settings import RetrievalSettings

CHUNKER_VERSION = "2"


class IndexError_(RuntimeError):
    """The index cannot be used as configured; the message says what to run."""


class NoIndexError(IndexError_):
    """Nothing has been ingested yet."""


def connect(settings: RetrievalSettings) -> Any:
    """A Chroma client: persistent under the data directory, or HTTP to a shared server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    server = settings.chroma_server
    if server is not None:
        try:
            return chromadb.HttpClient(
                host=server.host, port=server.port, ssl=server.ssl, settings=chroma_settings
            )
        except Exception as exc:
            raise IndexError_(
                f"Cannot reach the Chroma server at {server.host}:{server.port} ({exc}); "
                "start it with `chroma run` or remove retrieval.chroma_server."
            ) from exc
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class CorpusStore:
    """Read and write passages and document records in Chroma."""

    def __init__(self, settings: RetrievalSettings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else connect(settings)
        self.embedding_function = ReviewEmbeddingFunction(settings.embedding, settings.data_dir)
        self.embedder = self.embedding_function.embedder

    # -- collections -------------------------------------------------------------------------
    def _names(self) -> set[str]:
        return {getattr(c, "name", c) for c in self.client.list_collections()}

    def exists(self) -> bool:
        return self.settings.collection in self._names()

    def passages(self, create: bool = False) -> Any:
        name = self.settings.collection
        if not create:
            if not self.exists():
                raise NoIndexError("The corpus is not indexed yet; run `review ingest` first.")
            collection = self.client.get_collection(name, embedding_function=self.embedding_function)
            self._check_embedding_model(collection)
            return collection
        collection = self.client.get_or_create_collection(
            name,
            embedding_function=self.embedding_function,
            metadata={"embedding_model": self.embedder.identity, "hnsw:space": "cosine"},
        )
        self._check_embedding_model(collection)
        return collection

    def documents(self) -> Any:
        return self.client.get_or_create_collection(
            f"{self.settings.collection}-documents", embedding_function=None
        )

    def _check_embedding_model(self, collection: Any) -> None:
        built_with = (collection.metadata or {}).get("embedding_model")
        if built_with and built_with != self.embedder.identity:
            raise IndexError_(
                f"The index was built with {built_with} but the settings ask for "
                f"{self.embedder.identity}; run `review ingest --rebuild` to re-ingest the corpus "
                "with the new model, or change retrieval.embedding back."
            )

    def drop(self) -> None:
        for name in (self.settings.collection, f"{self.settings.collection}-documents"):
            if name in self._names():
                self.client.delete_collection(name)

    # -- document records --------------------------------------------------------------------
    def document_records(self) -> dict[str, dict[str, Any]]:
        """Metadata of every ingested document, keyed by document id."""
        got = self.documents().get(include=["metadatas"])
        return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)}

    def document_text(self, doc_id: str) -> str | None:
        got = self.documents().get(ids=[doc_id], include=["documents"])
        docs = got.get("documents") or []
        return docs[0] if docs else None

    def put_document(self, doc_id: str, text: str, metadata: dict[str, Any]) -> None:
        self.documents().upsert(
            ids=[doc_id], documents=[text], metadatas=[metadata], embeddings=[[1.0]]
        )

    def delete_document(self, doc_id: str) -> None:
        self.passages(create=True).delete(where={"doc_id": doc_id})
        self.documents().delete(ids=[doc_id])

    def index_version(self) -> str:
        """A hash that changes whenever the indexed content or the way it was built changes."""
        records = self.document_records()
        basis = sorted((doc_id, m.get("sha256", ""), m.get("n_chunks", 0)) for doc_id, m in records.items())
        payload = json.dumps([CHUNKER_VERSION, self.embedder.identity, basis])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    # -- passages ----------------------------------------------------------------------------
    def add_passages(self, passages: list[Passage], vectors: Any) -> None:
        self.passages(create=True).upsert(
            ids=[p.id for p in passages],
            embeddings=[list(map(float, v)) for v in vectors],
            documents=[p.text for p in passages],
            metadatas=[p.model_dump(exclude={"id", "text", "page"}) | ({"page": p.page} if p.page else {}) for p in passages],
        )

    def iter_passages(self, page_size: int = 5000) -> Iterator[Passage]:
        """Every stored passage (in pages, so a large index does not load at once)."""
        collection = self.passages()
        offset = 0
        while True:
            got = collection.get(include=["documents", "metadatas"], limit=page_size, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            for pid, text, meta in zip(ids, got["documents"], got["metadatas"], strict=True):
                yield Passage(id=pid, text=text, **meta)
            offset += len(ids)

    def dense_query(self, vectors: Any, n: int, where: dict[str, Any] | None) -> list[list[tuple[str, float]]]:
        """Nearest passages per query vector, as (id, cosine similarity) pairs."""
        collection = self.passages()
        count = collection.count()
        if count == 0:
            return [[] for _ in range(len(vectors))]
        result = collection.query(
            query_embeddings=[list(map(float, v)) for v in vectors],
            n_results=min(n, count),
            where=where,
            include=["distances"],
        )
        return [
            [(pid, 1.0 - float(d)) for pid, d in zip(ids, dists, strict=True)]
            for ids, dists in zip(result["ids"], result["distances"], strict=True)
        ]
