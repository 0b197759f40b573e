"""Shared fixtures for the corpus tests.

- Every test runs with the repository root as its working directory (the catalog and corpus
  defaults are relative paths), with ``XDG_DATA_HOME`` pointed at a temporary folder and no
  ``REVIEW_*`` variables, so nothing ever reads or writes the user's real data directory.
- The ONNX export of MiniLM is built once per session and symlinked into each test's data dir.
- The bundled corpus is ingested once per session (``corpus_index``) for read-only tests; tests
  that change an index use small synthetic corpora in their own data dirs. That ingest (every
  passage's embeddings) is the slowest setup of all, so when a session has tests that need it,
  it starts in a separate, low-priority process as the session starts, and the test modules that
  need it run after the others (each module in one piece, in the usual order otherwise): the
  index is built on the CPU time the other tests leave spare.
- Module-scoped fixtures that build something once for a module's tests (an index, a run) apply
  the same isolated environment themselves (``tests.helpers.isolate``); the tests sharing one
  only read it.
"""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import (
    CATALOG,
    CORPUS_DIR,
    ROOT,
    IndexedCorpus,
    isolate,
    write_small_corpus,
)
from tools.embeddings import LocalMiniLM
from tools.embeddings import local_model_dir as model_dir_under
from tools.ingest import ingest
from tools.settings import RetrievalSettings


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    isolate(monkeypatch, tmp_path_factory.getbasetemp())


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


@pytest.fixture(scope="session")
def build_index(
    tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path
) -> Callable[..., IndexedCorpus]:
    """Ingest a folder into a data dir of its own (no catalog unless given), for indexes that
    module- or session-scoped fixtures build once; tests sharing one must not change it."""

    def build(folder: Path, **overrides: object) -> IndexedCorpus:
        data = tmp_path_factory.mktemp("index") / "data"
        _link_model(data, shared_model_dir)
        values: dict[str, object] = {
            "data_dir": data,
            "catalog": data.parent / "catalog.toml",
            "corpus_dir": folder,
        }
        values.update(overrides)
        settings = RetrievalSettings(**values)
        return IndexedCorpus(settings, ingest([folder], settings))

    return build


def _needs_corpus_index(item: pytest.Item) -> bool:
    return "corpus_index" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules with tests that need ``corpus_index`` go last, so that the index can be built
    while the other modules run (the sort is stable: the order is otherwise the usual one)."""
    late = {item.nodeid.split("::")[0] for item in items if _needs_corpus_index(item)}
    items.sort(key=lambda item: item.nodeid.split("::")[0] in late)


def pytest_collection_finish() -> None:
    """Keep the garbage collector's work proportionate: what collection imported lives all
    session (frozen, so never scanned again), and collections come less often than by default.
    The UI and index tests allocate a great deal, and with the default thresholds a fast run
    spent some 10 s of its time in full collections; nothing in the suite relies on them."""
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


_CORPUS_BUILD = pytest.StashKey[tuple[subprocess.Popen[bytes], RetrievalSettings, Path]]()
_INGEST_BUNDLED_CORPUS = """
import os, pickle, sys
if hasattr(os, "nice"):
    os.nice(19)  # the tests running meanwhile come first: this takes the spare CPU
from pathlib import Path
from tools.ingest import ingest
from tools.settings import RetrievalSettings
settings = RetrievalSettings.model_validate_json(sys.argv[1])
Path(sys.argv[2]).write_bytes(pickle.dumps(ingest([settings.corpus_dir], settings)))
"""


@pytest.fixture(scope="session", autouse=True)
def _bundled_corpus_ingest_starts_early(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Start ingesting the bundled corpus in another process if any test of this session needs
    it (``corpus_index`` waits for it); the model export it needs is built there too."""
    if not any(_needs_corpus_index(item) for item in request.session.items):
        yield
        return
    folder = tmp_path_factory.mktemp("corpus-index")
    settings = RetrievalSettings(data_dir=folder / "data", corpus_dir=CORPUS_DIR, catalog=CATALOG)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_")}
    environment["XDG_DATA_HOME"] = str(tmp_path_factory.getbasetemp() / "xdg-data-home")
    report = folder / "report.pickle"
    with (folder / "ingest.log").open("w") as log:  # a file: a full pipe would stall it
        process = subprocess.Popen(
            [sys.executable, "-c", _INGEST_BUNDLED_CORPUS, settings.model_dump_json(), str(report)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    request.config.stash[_CORPUS_BUILD] = (process, settings, folder)
    yield
    if process.poll() is None:  # the session ended before any test needed it
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def corpus_index(request: pytest.FixtureRequest) -> IndexedCorpus:
    """The bundled corpus, ingested once; tests using it must not change it."""
    if _CORPUS_BUILD not in request.config.stash:  # asked for by name, not started early
        build: Callable[..., IndexedCorpus] = request.getfixturevalue("build_index")
        return build(CORPUS_DIR, catalog=CATALOG)
    process, settings, folder = request.config.stash[_CORPUS_BUILD]
    if process.wait() != 0:
        log = (folder / "ingest.log").read_text()
        pytest.fail(f"Ingesting the bundled corpus failed:\n{log}", pytrace=False)
    return IndexedCorpus(settings, pickle.loads((folder / "report.pickle").read_bytes()))


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A folder of three short documents (two .md, one .txt)."""
    return write_small_corpus(tmp_path / "corpus")
