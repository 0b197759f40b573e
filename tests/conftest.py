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
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.embeddings import LocalMiniLM, local_model_dir
from tools.ingest import IngestReport, ingest
from tools.settings import RetrievalSettings

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "corpus" / "documents"
CATALOG = ROOT / "corpus" / "catalog.toml"
SEED_FILES = sorted(CORPUS_DIR.iterdir())

_BOX = re.compile(r"[│╭╮╰╯─┃┏┓┗┛━┡┩┣┫╇╈┼┬┴├┤┌┐└┘═║╔╗╚╝╞╡╪]")


def squash(text: str) -> str:
    """Console output with box-drawing characters gone and whitespace collapsed.

    Rich wraps long lines at spaces and draws panels and tables; squashing both the output and
    the expected text lets a test look for a sentence regardless of the terminal width.
    """
    return " ".join(_BOX.sub(" ", text).split())


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
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
    model_dir = local_model_dir(tmp_path_factory.mktemp("model-export"))
    embedder = LocalMiniLM(model_dir)
    vector = embedder.embed(["warm up"])
    assert vector.shape == (1, 384)
    assert (model_dir / "model.onnx").is_file()
    return model_dir


def _link_model(data_dir: Path, model_dir: Path) -> None:
    target = local_model_dir(data_dir)
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


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# Small documents for synthetic corpora: distinct vocabulary so searches can tell them apart.
DOC_ALPHA = """# Alpha workforce plan

## Retention

We will keep experienced nurses by offering flexible rotas and career conversations.
Retention of district nurses is our first priority for the coming year.

## Apprenticeships

Apprenticeships in social care open routes for school leavers into paid work.
"""

DOC_BETA = """Beta pharmacy workforce review

Community pharmacists face rising demand for prescriptions across rural towns.
The review recommends shared training posts between hospital and community pharmacy.
"""

DOC_GAMMA = """Gamma digital skills note

Digital literacy training helps care staff use electronic care records confidently.
Every care home will have a digital champion by the end of the programme.
"""


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A folder of three short documents (two .md, one .txt)."""
    folder = tmp_path / "corpus"
    write(folder / "alpha.md", DOC_ALPHA)
    write(folder / "beta.txt", DOC_BETA)
    write(folder / "gamma.md", DOC_GAMMA)
    return folder
