"""Shared fixtures for the corpus tests.

- Every test runs with the repository root as its working directory (the catalog and corpus
  defaults are relative paths), with ``XDG_DATA_HOME`` pointed at a temporary folder and no
  ``REVIEW_*`` variables, so nothing ever reads or writes the user's real data directory.
- The ONNX export of MiniLM is built once per session and symlinked into each test's data dir.
- The bundled corpus is ingested once per session (``corpus_index``) for read-only tests; tests
  that change an index use small synthetic corpora in their own data dirs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import CATALOG, CORPUS_DIR, DOC_ALPHA, DOC_BETA, DOC_GAMMA, ROOT, write
from tools.embeddings import LocalMiniLM
from tools.embeddings import local_model_dir as model_dir_under
from tools.ingest import IngestReport, ingest
from tools.settings import RetrievalSettings


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for name in list(os.environ):
        if name.startswith("REVIEW_"):
            monkeypatch.delenv(name)
    home = tmp_path_factory.getbasetemp() / "xdg-data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("REVIEW_CONFIG", str(tmp_path_factory.getbasetemp() / "no-review.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def shared_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The MiniLM ONNX export, built once for the whole session."""
    model_dir = model_dir_under(tmp_path_factory.mktemp("model-export"))
    embedder = LocalMiniLM(model_dir)
    vector = embedder.embed(["warm up"])
    assert vector.shape == (1, 384)
    assert (model_dir / "model.onnx").is_file()
    return model_dir


@pytest.fixture(scope="session")
def local_model_dir(shared_model_dir: Path) -> Path:
    """The session's MiniLM export folder (named all-MiniLM-L6-v2); copy it, do not change it."""
    return shared_model_dir


def _link_model(data_dir: Path, model_dir: Path) -> None:
    target = model_dir_under(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.symlink_to(model_dir, target_is_directory=True)


@pytest.fixture
def data_dir(tmp_path: Path, shared_model_dir: Path) -> Path:
    """An empty data directory for one test, with the model export already in place."""
    path = tmp_path / "data"
    _link_model(path, shared_model_dir)
    return path


@pytest.fixture
def make_settings(data_dir: Path, tmp_path: Path) -> Callable[..., RetrievalSettings]:
    """Settings for a test's own data dir; the catalog defaults to an empty (missing) one."""

    def make(**overrides: object) -> RetrievalSettings:
        values: dict[str, object] = {
            "data_dir": data_dir,
            "catalog": tmp_path / "catalog.toml",
            "corpus_dir": tmp_path / "corpus",
        }
        values.update(overrides)
        return RetrievalSettings(**values)

    return make


@dataclass
class IndexedCorpus:
    settings: RetrievalSettings
    report: IngestReport


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path) -> IndexedCorpus:
    """The bundled corpus, ingested once; tests using it must not change it."""
    data = tmp_path_factory.mktemp("corpus-index") / "data"
    _link_model(data, shared_model_dir)
    settings = RetrievalSettings(data_dir=data, corpus_dir=CORPUS_DIR, catalog=CATALOG)
    report = ingest([CORPUS_DIR], settings)
    return IndexedCorpus(settings, report)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A folder of three short documents (two .md, one .txt)."""
    folder = tmp_path / "corpus"
    write(folder / "alpha.md", DOC_ALPHA)
    write(folder / "beta.txt", DOC_BETA)
    write(folder / "gamma.md", DOC_GAMMA)
    return folder
