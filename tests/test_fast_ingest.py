"""Faster ingest: length-sorted batches run side by side, the int8 model, and progress reports.

The int8 model is quantised once per session into a private folder (beside links to the shared
export), so the session's shared model folder is never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from orchestration.cli.entry import main
from tools.embeddings import BATCH_TOKENS, LocalMiniLM, Precision
from tools.embeddings import local_model_dir as model_dir_under
from tools.ingest import ingest
from tools.minilm_onnx import INT8_FILE, build_int8
from tools.search import Searcher
from tools.settings import EmbeddingSettings, RetrievalSettings
from tools.store import IndexError_

SENTENCES = [
    "The trust will recruit 200 international nurses by March 2026.",
    "Retention",
    "Staff turnover fell from 14% to 11% after flexible rostering was introduced across the "
    "acute wards, and sickness absence is now below the regional average.",
    "Digital champions in every team help colleagues use the new patient record.",
    "We will widen participation through apprenticeships, T-levels and work experience for "
    "young people from the most deprived neighbourhoods of the city, working with schools, "
    "colleges and the local authority to open routes into health and care careers.",
    "Pharmacy technicians can now administer vaccines.",
]


@pytest.fixture(scope="session")
def int8_model_dir(shared_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model folder linking to the shared export, with its own int8 model."""
    folder = model_dir_under(tmp_path_factory.mktemp("int8-model"))
    folder.mkdir(parents=True)
    for source in shared_model_dir.iterdir():
        (folder / source.name).symlink_to(source)
    build_int8(folder, 1)
    return folder


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_int8_vectors_agree_with_fp32(int8_model_dir: Path) -> None:
    fp32 = LocalMiniLM(int8_model_dir).embed(SENTENCES)
    int8 = LocalMiniLM(int8_model_dir, precision="int8").embed(SENTENCES)
    assert int8.shape == fp32.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
    cosines = _cosines(fp32, int8)
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.98


def test_the_int8_model_is_built_once_and_again_for_a_new_recipe(int8_model_dir: Path) -> None:
    built = int8_model_dir / INT8_FILE
    stamp = built.stat().st_mtime_ns
    assert build_int8(int8_model_dir, 1) == built
    assert built.stat().st_mtime_ns == stamp  # cached
    assert 0 < built.stat().st_size < (int8_model_dir / "model.onnx").stat().st_size / 3


def test_the_precisions_have_their_own_identities(tmp_path: Path) -> None:
    fp32 = LocalMiniLM(tmp_path).identity
    int8 = LocalMiniLM(tmp_path, precision="int8").identity
    assert fp32 == "local:all-MiniLM-L6-v2"  # indexes built before int8 existed still match
    assert int8 != fp32 and int8.startswith(fp32)


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_batching_by_length_keeps_the_input_order(
    int8_model_dir: Path, precision: Precision
) -> None:
    embedder = LocalMiniLM(int8_model_dir, batch_size=2, precision=precision, threads=2)
    texts = SENTENCES + SENTENCES[::-1]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([text]) for text in texts])
    if precision == "int8":  # one text per run: a vector never depends on the others
        assert np.array_equal(together, alone)
    else:  # padding to a batch's longest text changes only the last float bits
        assert np.abs(together - alone).max() < 1e-5
    assert np.array_equal(together[: len(SENTENCES)], together[len(SENTENCES) :][::-1])


def test_batches_are_sorted_and_bounded() -> None:
    embedder = LocalMiniLM(Path("unused"), batch_size=4)
    lengths = [30, 5, 250, 7, 200, 5, 9, 120, 60, 6, 256, 8]
    batches = embedder.batches(lengths)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    flat = [lengths[i] for batch in batches for i in batch]
    assert flat == sorted(lengths)
    for batch in batches:
        assert 1 <= len(batch) <= 4
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= BATCH_TOKENS
    assert LocalMiniLM(Path("unused"), precision="int8").batches([3, 2, 1]) == [[2], [1], [0]]


def test_embedding_progress_rises_to_the_total(int8_model_dir: Path) -> None:
    calls: list[tuple[int, int]] = []
    LocalMiniLM(int8_model_dir, batch_size=1, threads=2).embed(
        SENTENCES, progress=lambda done, total: calls.append((done, total))
    )
    assert len(calls) == len(SENTENCES)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) == len(done)
    assert {t for _, t in calls} == {done[-1]}


def test_ingest_progress_rises_to_the_total(
    small_corpus: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    calls: list[tuple[int, int]] = []
    report = ingest([small_corpus], make_settings(), on_progress=lambda d, t: calls.append((d, t)))
    done = [d for d, _ in calls]
    assert done[0] == 0 and done[-1] == report.passages_written > 0
    assert done == sorted(set(done))  # rising, never repeated
    assert {t for _, t in calls} == {report.passages_written}
    calls.clear()
    ingest([small_corpus], make_settings(), on_progress=lambda d, t: calls.append((d, t)))
    assert calls == []  # nothing to embed


def test_ingest_of_many_blocks_records_every_document(
    tmp_path: Path, make_settings: Callable[..., RetrievalSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tools.ingest

    monkeypatch.setattr(tools.ingest, "BLOCK", 2)  # blocks that cut across documents
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(5):
        sentences = " ".join(f"Document {n} makes point {k} about rostering." for k in range(60))
        (folder / f"doc{n}.txt").write_text(f"Plan {n}\n\n{sentences}\n", encoding="utf-8")
    calls: list[int] = []
    settings = make_settings(chunk_words=60, overlap_words=10)
    report = ingest([folder], settings, on_progress=lambda d, t: calls.append(d))
    assert sorted(report.added) == [f"doc{n}.txt" for n in range(5)]
    store = Searcher(settings).store
    records = store.document_records()
    assert len(records) == 5
    assert sum(int(r["n_chunks"]) for r in records.values()) == report.passages_written
    assert report.passages_written == len(list(store.iter_passages())) > 10
    assert calls[-1] == report.passages_written and calls == sorted(calls)


def _int8_settings(settings: RetrievalSettings) -> RetrievalSettings:
    return settings.model_copy(update={"embedding": EmbeddingSettings(precision="int8")})


def test_an_index_is_searched_only_at_the_precision_it_was_built_with(
    small_corpus: Path,
    tmp_path: Path,
    int8_model_dir: Path,
    make_settings: Callable[..., RetrievalSettings],
) -> None:
    fp32 = make_settings()
    ingest([small_corpus], fp32)
    with pytest.raises(IndexError_, match="review ingest --rebuild") as info:
        Searcher(_int8_settings(fp32))
    assert "local:all-MiniLM-L6-v2:int8" in str(info.value)
    with pytest.raises(IndexError_, match="rebuild"):
        ingest([small_corpus], _int8_settings(fp32))

    data = tmp_path / "int8-data"
    model_dir_under(data).parent.mkdir(parents=True)
    model_dir_under(data).symlink_to(int8_model_dir, target_is_directory=True)
    int8 = _int8_settings(make_settings(data_dir=data))
    ingest([small_corpus], int8)
    [result] = Searcher(int8).search(["digital champion"], k=1)
    assert result.hits[0].doc_id == "GAMMA"
    with pytest.raises(IndexError_, match="review ingest --rebuild"):
        Searcher(make_settings(data_dir=data))


def test_cli_ingest_prints_no_progress_bar_when_not_a_terminal(
    small_corpus: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data_dir), "ingest", str(small_corpus)]) == 0
    out, err = capsys.readouterr()
    assert "3 added" in out
    assert "Embedding" not in err and "passages/s" not in err and "\r" not in err
