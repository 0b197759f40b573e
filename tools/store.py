"""The corpus index in ChromaDB: an embedded on-disk database by default, a shared server by choice.

Two collections: ``<name>`` holds one record per passage (vector, text, metadata) and
``<name>-documents`` one record per source document (its normalised text, content hash and
catalog metadata), so incremental ingestion and ``review show`` work the same against a server.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from tools.chunker import sentence_windows
from tools.embeddings import ReviewEmbeddingFunction
from tools.evidence import Passage
from tools.quality import LOW_QUALITY_BELOW
from tools.settings import RetrievalSettings

CHUNKER_VERSION = "5"  # 4: a text-quality score; 5: a flag for instructions to a model
OVERFETCH = 4  # filtered dense queries fetch this many times more, then filter locally


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
        self._passages: Any = None  # collection handles, cached for the life of the store
        self._windows: Any = None

    # -- collections -------------------------------------------------------------------------
    def _names(self) -> set[str]:
        return {getattr(c, "name", c) for c in self.client.list_collections()}

    def exists(self) -> bool:
        return self.settings.collection in self._names()

    def passages(self, create: bool = False) -> Any:
        name = self.settings.collection
        if not create:
            if self._passages is not None:
                return self._passages
            if not self.exists():
                raise NoIndexError("The corpus is not indexed yet; run `review ingest` first.")
            collection = self.client.get_collection(
                name, embedding_function=self.embedding_function
            )
            self._check_embedding_model(collection)
            self._passages = collection
            return collection
        collection = self.client.get_or_create_collection(
            name,
            embedding_function=self.embedding_function,
            metadata=self._collection_metadata(),
        )
        self._check_embedding_model(collection)
        return collection

    def windows(self) -> Any:
        """Vectors of sentence windows, each pointing at its passage (``passage_id``)."""
        if self._windows is None:
            self._windows = self._open_windows()
        return self._windows

    def _open_windows(self) -> Any:
        return self.client.get_or_create_collection(
            f"{self.settings.collection}-windows",
            embedding_function=self.embedding_function,
            metadata=self._collection_metadata(),
        )

    def _collection_metadata(self) -> dict[str, Any]:
        """Metadata of a new vector collection: the embedding model and the HNSW index's
        parameters (Chroma fixes these when the collection is created)."""
        ef = self.settings.hnsw_ef
        return {
            "embedding_model": self.embedder.identity,
            "hnsw:space": "cosine",
            "hnsw:construction_ef": ef,
            "hnsw:search_ef": ef,
        }

    def built_hnsw_ef(self) -> int | None:
        """The HNSW construction ef the passages were indexed with (None: not known)."""
        configuration = getattr(self.passages(), "configuration", None) or {}
        ef = (configuration.get("hnsw") or {}).get("ef_construction")
        return int(ef) if ef is not None else None

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
        self._passages = self._windows = None
        base = self.settings.collection
        for name in (base, f"{base}-windows", f"{base}-documents"):
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
        self.windows().delete(where={"doc_id": doc_id})
        self.documents().delete(ids=[doc_id])

    def index_version(self) -> str:
        """A hash that changes whenever the indexed content or the way it was built changes."""
        records = self.document_records()
        basis = sorted(
            (doc_id, m.get("sha256", ""), m.get("chunker", ""), m.get("n_chunks", 0))
            for doc_id, m in records.items()
        )
        payload = json.dumps([CHUNKER_VERSION, self.embedder.identity, basis])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    # -- passages ----------------------------------------------------------------------------
    def add_passages(
        self, passages: list[Passage], progress: Callable[[int], None] | None = None
    ) -> None:
        """Embed and store passages, and the sentence windows inside each of them.

        All the texts are embedded in one call (each distinct text once), so the embedder can
        batch them by length; ``progress(n)`` says how many passages' worth of that work is done,
        rising to ``len(passages)``.
        """
        texts = [p.context_text() for p in passages]
        windows = [
            (p, i, f"{p.title}\n{p.section}\n{w}")
            for p in passages
            for i, w in enumerate(sentence_windows(p.text))
        ]
        texts += [text for _, _, text in windows]
        distinct = list(dict.fromkeys(texts))  # overlapping passages repeat some windows

        def report(done: int, total: int) -> None:
            if progress:
                progress(len(passages) * done // max(total, 1))

        found = self.embedder.embed(distinct, progress=report if progress else None)
        row = {text: i for i, text in enumerate(distinct)}
        vectors = found[[row[text] for text in texts]]
        self.passages(create=True).upsert(
            ids=[p.id for p in passages],
            embeddings=vectors[: len(passages)],
            documents=[p.text for p in passages],
            metadatas=[_metadata(p) for p in passages],
        )
        if windows:
            self.windows().upsert(
                ids=[f"{p.id}/{i}" for p, i, _ in windows],
                embeddings=vectors[len(passages) :],
                metadatas=[
                    {"passage_id": p.id, "doc_id": p.doc_id, "scope": p.scope}
                    for p, _, _ in windows
                ],
            )
        if progress:
            progress(len(passages))

    def low_quality_counts(self, below: float = LOW_QUALITY_BELOW) -> dict[str, int]:
        """Per document id, how many passages have a text-quality score under ``below``."""
        got = self.passages().get(where={"quality": {"$lt": below}}, include=["metadatas"])
        return dict(Counter(str(meta["doc_id"]) for meta in got["metadatas"] or []))

    def addressing_model_counts(self) -> dict[str, int]:
        """Per document id, how many passages hold instructions to a model."""
        got = self.passages().get(where={"addresses_model": True}, include=["metadatas"])
        return dict(Counter(str(meta["doc_id"]) for meta in got["metadatas"] or []))

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

    def dense_query(
        self,
        vectors: Any,
        n: int,
        where: dict[str, Any] | None = None,
        keep: Callable[[str], bool] | None = None,
    ) -> list[list[tuple[str, float]]]:
        """Nearest passages per query vector, best first, as (id, similarity) pairs.

        A passage's similarity mixes its own vector's cosine with the best cosine of the
        sentence windows inside it (``search.window_weight``); see ``tools.chunker.sentence_windows``.
        With filters, ``keep`` (a fast local check) is applied to an over-fetched unfiltered
        result, since Chroma's ``where`` is slow on large collections; ``where`` is the fallback
        when too few results survive.
        """
        if keep is None or where is None:
            return self._dense(vectors, n, where, None)
        results = self._dense(vectors, n, None, keep, fetch=OVERFETCH * n)
        short = [q for q, hits in enumerate(results) if len(hits) < n]
        if short:
            redo = self._dense([vectors[q] for q in short], n, where, None)
            for q, hits in zip(short, redo, strict=True):
                results[q] = hits
        return results

    def _dense(
        self,
        vectors: Any,
        n: int,
        where: dict[str, Any] | None,
        keep: Callable[[str], bool] | None,
        fetch: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        fetch = fetch or n
        # Chroma returns fewer results (none for an empty collection) when n_results is larger.
        whole = self.passages().query(
            query_embeddings=vectors, n_results=fetch, where=where, include=["distances"]
        )
        parts = self.windows().query(
            query_embeddings=vectors, n_results=4 * fetch, where=where, include=["distances"]
        )
        results = []
        for q in range(len(vectors)):
            own = {
                pid: 1.0 - d for pid, d in zip(whole["ids"][q], whole["distances"][q], strict=True)
            }
            best: dict[str, float] = {}
            for window_id, d in zip(parts["ids"][q], parts["distances"][q], strict=True):
                pid = window_id.rpartition("/")[0]
                best[pid] = max(best.get(pid, -1.0), 1.0 - d)
            weight = self.settings.search.window_weight
            floor_own = min(own.values(), default=0.0)
            floor_win = min(best.values(), default=floor_own)
            scores = {
                pid: (1 - weight) * own.get(pid, floor_own) + weight * best.get(pid, floor_win)
                for pid in own.keys() | best.keys()
                if keep is None or keep(pid)
            }
            ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:n]
            results.append([(pid, float(score)) for pid, score in ranked])
        return results


def _metadata(passage: Passage) -> dict[str, Any]:
    meta = passage.model_dump(exclude={"id", "text", "page"})
    return meta | ({"page": passage.page} if passage.page else {})
