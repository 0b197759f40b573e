"""Retrieval settings: where the index lives, which Chroma to use, which embedding model.

The root settings object (``orchestration.settings.Settings``) nests these under ``retrieval``,
so an environment variable such as ``REVIEW_RETRIEVAL__DATA_DIR`` sets ``data_dir``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from corpus import bundled
from tools.quality import LOW_QUALITY_BELOW, READABLE_MIN_KNOWN, READABLE_MIN_WORDS
from tools.quotes import MAX_QUOTE_CHARS


def default_data_dir() -> Path:
    """The per-user data directory (XDG), never inside the installed package."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "strategy-review"


class ChromaServer(BaseModel):
    """A shared Chroma server, for a team (``chroma run --path DIR --host H --port P``)."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(description="Host name or address of the Chroma server.")
    port: int = Field(default=8000, description="Port of the Chroma server.")
    ssl: bool = Field(default=False, description="Use HTTPS to reach the server.")


class EmbeddingSettings(BaseModel):
    """Which model turns passages and queries into vectors."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["local", "openai", "azure", "openai-compatible"] = Field(
        default="local",
        description="'local' runs all-MiniLM-L6-v2 offline; the others call a /v1/embeddings API.",
    )
    model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Embedding model (or Azure deployment) name.",
    )
    base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible or Azure endpoint."
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key; falls back to OPENAI_API_KEY / AZURE_OPENAI_API_KEY."
    )
    api_version: str = Field(default="2024-10-21", description="Azure OpenAI API version.")
    batch_size: int = Field(
        default=32,
        ge=1,
        description="Texts embedded per call: per API request, or per run of the local model "
        "(which also caps a batch at 512 padded tokens, and runs int8 one text at a time).",
    )
    precision: Literal["fp32", "int8"] = Field(
        default="fp32",
        description="Local model only: 'fp32' runs the bundled weights as they are; 'int8' runs a "
        "copy quantised once on first use (kept beside the ONNX export in the data directory), "
        "ingests about twice as fast, and gives vectors within 0.99 cosine of fp32 ones, which "
        "moves some rankings a place or two. An index is searched at the precision it was built "
        "with: changing this needs `review ingest --rebuild`.",
    )
    threads: int = Field(
        default=0,
        ge=0,
        description="Local model only: batches embedded side by side, one CPU thread each "
        "(0: one per CPU core).",
    )


class CoverageSettings(BaseModel):
    """Thresholds of the computed coverage (cosine similarities for all-MiniLM-L6-v2)."""

    model_config = ConfigDict(extra="forbid")

    strong: float = Field(
        default=0.55, description="An objective's best passage at least this close: strong support."
    )
    partial: float = Field(
        default=0.40, description="At least this close: partial support (below: weak)."
    )
    strong_margin: float = Field(
        default=0.20,
        description="Strong support also needs the best passage this far above the objective's "
        "median similarity over the corpus, and a second passage at least partially close.",
    )
    partial_margin: float = Field(
        default=0.13,
        description="Partial support also needs the best passage this far above that median.",
    )
    passages_per_objective: int = Field(
        default=3, ge=1, description="Best passages kept per objective."
    )
    relevant_topic: float = Field(
        default=0.30, description="A corpus topic this close to a theme is relevant to it."
    )
    covered_topic: float = Field(
        default=0.50, description="A topic this close to an objective is covered by it."
    )
    min_topic_size: int = Field(
        default=2, ge=1, description="Passages a topic needs (one passage is not a topic)."
    )
    shown_gaps: int = Field(
        default=3, ge=0, description="Candidate gaps shown in a theme's brief and report."
    )
    spare_gaps: int = Field(
        default=3, ge=0, description="Further candidate gaps a thin review may be filled from."
    )
    duplicate_recommendations: float = Field(
        default=0.8,
        description="Recommendations this similar across themes are one, kept under the first.",
    )
    theme_supported: float = Field(
        default=0.5,
        description="A dropped theme with a passage this close has real corpus support.",
    )
    covered_by_theme: float = Field(
        default=0.5,
        description="A dropped theme this close to a current theme can be folded into it.",
    )
    theme_unsupported: float = Field(
        default=0.35, description="Below this, the corpus says little about a dropped theme."
    )


class SearchSettings(BaseModel):
    """How hybrid search ranks passages (tuned on the tune split of bench/retrieval.py)."""

    model_config = ConfigDict(extra="forbid")

    candidates: int = Field(
        default=50, ge=1, description="Passages each ranker (dense, BM25) offers to fusion."
    )
    rrf_k: int = Field(
        default=60, ge=1, description="Reciprocal rank fusion's k: larger flattens rank gaps."
    )
    lexical_weight: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="BM25's weight in fusion for a question in other words than the corpus's "
        "(dense is stronger there); it rises towards 1 as the question's own words all occur in "
        "BM25's top passage.",
    )
    coverage_power: float = Field(
        default=6.0,
        gt=0,
        description="How sharply BM25's weight rises with that coverage (higher: only near-total "
        "coverage counts).",
    )
    decisive_margin: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="BM25's top passage goes first when it outscores BM25's second by this share "
        "of its score and holds `decisive_coverage` of the query's terms.",
    )
    decisive_coverage: float = Field(default=0.7, ge=0, le=1, description="See `decisive_margin`.")
    window_weight: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="A passage's dense score mixes its own vector's similarity with its best "
        "sentence window's; this is the window's share.",
    )
    follow_lists: int = Field(
        default=3,
        ge=0,
        description="A hit that stops inside a list brings up to this many following passages "
        "that carry the list on, right after it (not counted in k); 0 turns this off.",
    )


class RetrievalSettings(BaseModel):
    """Everything the corpus index and search need."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the index, the lexical index and exported models are kept.",
    )
    corpus_dir: Path = Field(
        default_factory=lambda: bundled("documents"),
        description="Folder ingested when `review ingest` is given no paths.",
    )
    catalog: Path = Field(
        default_factory=lambda: bundled("catalog.toml"),
        description="Catalog of document ids, titles, publishers, years and scopes.",
    )
    collection: str = Field(default="corpus", description="Name of the Chroma collection.")
    chroma_server: ChromaServer | None = Field(
        default=None, description="Use a shared Chroma server instead of the embedded index."
    )
    hnsw_ef: int = Field(
        default=200,
        ge=10,
        description="Candidates Chroma's HNSW index weighs when building and searching: higher is "
        "more exact and slower (with Chroma's defaults a passage could drop out of one build's "
        "results and not another's). Set when the index is created: changing it needs "
        "`review ingest --rebuild`.",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    coverage: CoverageSettings = Field(default_factory=CoverageSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    chunk_words: int = Field(default=170, ge=40, description="Target words per chunk.")
    overlap_words: int = Field(default=30, ge=0, description="Words of overlap between chunks.")
    max_file_mb: float = Field(
        default=40.0, gt=0, description="Files larger than this are skipped with a message."
    )
    readable_min_words: int = Field(
        default=READABLE_MIN_WORDS,
        ge=1,
        description="Words a sentence needs to count as readable (a quote, or prose when scoring "
        "a passage's text quality at ingest).",
    )
    readable_min_known: float = Field(
        default=READABLE_MIN_KNOWN,
        ge=0,
        le=1,
        description="Share of a sentence's lower-case words that must be English words for it to "
        "count as readable; garbled slide text falls below it.",
    )
    low_quality_below: float = Field(
        default=LOW_QUALITY_BELOW,
        ge=0,
        le=1,
        description="Passages whose text-quality score (0-1, set at ingest) is below this are low "
        "quality (slide debris, contents pages, strings of fragments): `review documents` counts "
        "them and their sentences are not offered as readable quotes.",
    )
    quote_max_chars: int = Field(
        default=MAX_QUOTE_CHARS,
        ge=20,
        description="Longest quote preferred; a longer sentence is quoted whole only when no "
        "shorter one will do.",
    )
