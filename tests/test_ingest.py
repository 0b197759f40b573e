"""Incremental ingestion: unchanged files are skipped, changed ones replaced, deleted ones removed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestration.cli.entry import main
from tests.helpers import DOC_BETA, squash, write
from tools.ingest import ingest
from tools.search import Searcher
from tools.settings import RetrievalSettings
from tools.store import CorpusStore


def _passages(settings: RetrievalSettings) -> dict[str, tuple[str, str]]:
    """Every indexed passage id -> (doc id, text)."""
    return {p.id: (p.doc_id, p.text) for p in CorpusStore(settings).iter_passages()}


def _window_doc_ids(settings: RetrievalSettings) -> set[str]:
    got = CorpusStore(settings).windows().get(include=["metadatas"])
    return {str(m["doc_id"]) for m in got["metadatas"] or []}


def _lexical_doc_ids(settings: RetrievalSettings, query: str) -> list[str]:
    [result] = Searcher(settings).search([query], k=5, mode="lexical")
    return [hit.doc_id for hit in result.hits]


def test_first_ingest_adds_everything(
    small_corpus: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    settings = make_settings()
    report = ingest([small_corpus], settings)
    assert sorted(report.added) == ["alpha.md", "beta.txt", "gamma.md"]
    assert report.updated == report.removed == report.unchanged == report.problems == []
    passages = _passages(settings)
    assert report.passages_written == len(passages) >= 3
    assert {doc for doc, _ in passages.values()} == {"ALPHA", "BETA", "GAMMA"}
    assert _window_doc_ids(settings) == {"ALPHA", "BETA", "GAMMA"}
    records = CorpusStore(settings).document_records()
    for doc_id, record in records.items():
        assert record["n_chunks"] == sum(1 for d, _ in passages.values() if d == doc_id)


def test_second_ingest_of_an_unchanged_corpus_writes_nothing(
    small_corpus: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    settings = make_settings()
    ingest([small_corpus], settings)
    before = _passages(settings)
    report = ingest([small_corpus], settings)
    assert report.passages_written == 0
    assert sorted(report.unchanged) == ["alpha.md", "beta.txt", "gamma.md"]
    assert not report.changed
    assert report.added == report.updated == report.removed == []
    assert _passages(settings) == before


def test_modifying_one_file_replaces_only_its_passages(
    small_corpus: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    settings = make_settings()
    ingest([small_corpus], settings)
    before = _passages(settings)
    assert "BETA" in _lexical_doc_ids(settings, "prescriptions rural towns")

    write(
        small_corpus / "beta.txt",
        "Beta pharmacy workforce review\n\n"
        "Zeppelin couriers will deliver medicines to remote islands from next spring.\n",
    )
    report = ingest([small_corpus], settings)
    assert report.updated == ["beta.txt"]
    assert sorted(report.unchanged) == ["alpha.md", "gamma.md"]
    assert report.added == report.removed == []

    after = _passages(settings)
    others_before = {pid: v for pid, v in before.items() if v[0] != "BETA"}
    others_after = {pid: v for pid, v in after.items() if v[0] != "BETA"}
    assert others_after == others_before  # same ids, same text
    beta_after = {pid: v for pid, v in after.items() if v[0] == "BETA"}
    assert report.passages_written == len(beta_after)
    assert all("prescriptions" not in text for _, text in beta_after.values())
    assert any("Zeppelin couriers" in text for _, text in beta_after.values())

    assert _lexical_doc_ids(settings, "zeppelin couriers islands")[:1] == ["BETA"]
    assert "BETA" not in _lexical_doc_ids(settings, "prescriptions rural towns")
    # The dense side sees the new text too.
    [dense] = Searcher(settings).search(
        ["airships delivering medicine to islands"], k=1, mode="dense"
    )
    assert dense.hits[0].doc_id == "BETA"
    assert "Zeppelin" in dense.hits[0].text


def test_shrinking_a_file_leaves_no_stale_passages(
    small_corpus: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    settings = make_settings(chunk_words=40, overlap_words=0)
    long_text = "# Long\n\n" + " ".join(
        f"Sentence {i} explains how district nurses rotate between teams." for i in range(40)
    )
    write(small_corpus / "beta.txt", long_text)
    ingest([small_corpus], settings)
    long_ids = {pid for pid, (doc, _) in _passages(settings).items() if doc == "BETA"}
    assert len(long_ids) > 3

    write(small_corpus / "beta.txt", DOC_BETA)
    ingest([small_corpus], settings)
    short_ids = {pid for pid, (doc, _) in _passages(settings).items() if doc == "BETA"}
    assert short_ids == {"BETA#1"}
    got = CorpusStore(settings).windows().get(where={"doc_id": "BETA"}, include=["metadatas"])
    assert {m["passage_id"] for m in got["metadatas"]} <= short_ids


def test_deleting_a_file_removes_its_passages(
    small_corpus: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    settings = make_settings()
    ingest([small_corpus], settings)
    assert "GAMMA" in _lexical_doc_ids(settings, "digital champion care home")

    (small_corpus / "gamma.md").unlink()
    report = ingest([small_corpus], settings)
    assert report.removed == ["gamma.md"]
    assert sorted(report.unchanged) == ["alpha.md", "beta.txt"]
    assert report.passages_written == 0

    passages = _passages(settings)
    assert passages and all(doc != "GAMMA" for doc, _ in passages.values())
    assert "GAMMA" not in CorpusStore(settings).document_records()
    assert "GAMMA" not in _window_doc_ids(settings)
    assert "GAMMA" not in _lexical_doc_ids(settings, "digital champion care home")


def test_ingesting_another_folder_keeps_documents_from_the_first(
    small_corpus: Path, tmp_path: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    settings = make_settings()
    ingest([small_corpus], settings)
    other = tmp_path / "other"
    write(other / "delta.md", "Delta note on volunteer drivers for hospital discharge.")
    report = ingest([other], settings)
    assert report.added == ["delta.md"]
    assert report.removed == []
    assert set(CorpusStore(settings).document_records()) == {"ALPHA", "BETA", "GAMMA", "DELTA"}


def test_changing_the_chunk_size_re_chunks_every_document(
    small_corpus: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    ingest([small_corpus], make_settings())
    report = ingest([small_corpus], make_settings(chunk_words=40, overlap_words=5))
    assert sorted(report.updated) == ["alpha.md", "beta.txt", "gamma.md"]
    assert report.unchanged == []


def test_cli_reports_up_to_date_on_a_no_op(
    small_corpus: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(data_dir), "ingest", str(small_corpus)]
    assert main(args) == 0
    first = squash(capsys.readouterr().out)
    assert "3 added" in first
    assert main(args) == 0
    out, _err = capsys.readouterr()
    assert "up to date" in out
    assert "3 documents unchanged" in squash(out)
    assert "Indexed" not in out


def test_cli_rebuild_re_adds_everything(
    small_corpus: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data_dir), "ingest", str(small_corpus)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "ingest", "--rebuild", str(small_corpus)]) == 0
    out = squash(capsys.readouterr().out)
    assert "3 added, 0 updated, 0 removed, 0 unchanged" in out


def test_cli_deleting_every_file_is_not_a_failure(
    small_corpus: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(data_dir), "ingest", str(small_corpus)]
    assert main(args) == 0
    for path in small_corpus.iterdir():
        path.unlink()
    code = main(args)
    out, _err = capsys.readouterr()
    assert code == 0  # the index changed: three documents were removed
    assert "3 removed" in squash(out)
