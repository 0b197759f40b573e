"""tools.loaders and bad input through ingest and the CLI: one plain message per bad file."""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestration.cli.entry import main
from tests.helpers import DOC_ALPHA, squash, write, write_docx, write_text_pdf
from tools.chunker import chunk_text
from tools.ingest import ingest
from tools.loaders import LoadError, load_file
from tools.normalize import join_pages
from tools.settings import RetrievalSettings
from tools.store import CorpusStore

MB = 1_000_000


# -- load_file on its own (no index) -------------------------------------------------------------


def _error(path: Path, max_bytes: int = 40 * MB) -> str:
    with pytest.raises(LoadError) as info:
        load_file(path, max_bytes)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    message = _error(tmp_path / "nowhere.md")
    assert "nowhere.md" in message and "does not exist" in message


def test_unsupported_type(tmp_path: Path) -> None:
    path = tmp_path / "workforce.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    message = _error(path)
    assert "workforce.xlsx" in message and ".xlsx" in message and "not a supported type" in message


def test_file_without_extension(tmp_path: Path) -> None:
    path = tmp_path / "README"
    path.write_text("Some words.")
    assert "no extension" in _error(path)


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    message = _error(path)
    assert "empty.txt" in message and "empty" in message


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = write(tmp_path / "blank.md", "  \n\n\t\n")
    message = _error(path)
    assert "blank.md" in message and "no readable text" in message


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(os.urandom(4096))
    message = _error(path)
    assert "report.pdf" in message and "cannot be read as a PDF" in message


def test_truncated_pdf(tmp_path: Path) -> None:
    good = write_text_pdf(tmp_path / "whole.pdf", ["Retention of nurses."]).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(good[: len(good) // 3])
    message = _error(path)
    assert "truncated.pdf" in message


def test_password_protected_pdf(tmp_path: Path) -> None:
    path = write_text_pdf(
        tmp_path / "locked.pdf", ["Secret workforce figures."], user_password="s3cret"
    )
    message = _error(path)
    assert "locked.pdf" in message and "password-protected" in message


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    path = write_text_pdf(
        tmp_path / "owner.pdf", ["Open to read, locked to edit."], user_password=""
    )
    assert load_file(path, 40 * MB).pages == ["Open to read, locked to edit."]


def test_pdf_without_text_is_reported_as_scanned(tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "scan.pdf", [""])
    message = _error(path)
    assert "scan.pdf" in message and "OCR" in message


def test_text_pdf_is_read_page_by_page(tmp_path: Path) -> None:
    path = write_text_pdf(
        tmp_path / "plan.pdf", ["Page one is about retention.", "Page two is about pay."]
    )
    loaded = load_file(path, 40 * MB)
    assert loaded.pages == ["Page one is about retention.", "Page two is about pay."]
    assert loaded.warnings == []


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * 300_000)  # 1.5 MB
    message = _error(path, max_bytes=1 * MB)
    assert "huge.txt" in message and "1.5 MB" in message and "1 MB limit" in message
    assert "max_file_mb" in message


def test_non_utf8_text_falls_back_to_windows_1252_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Café staff said “thank you” – twice.".encode("cp1252"))
    loaded = load_file(path, 40 * MB)
    assert loaded.pages == ["Café staff said “thank you” – twice."]
    assert len(loaded.warnings) == 1
    assert "legacy.txt" in loaded.warnings[0] and "Windows-1252" in loaded.warnings[0]


def test_bytes_invalid_in_utf8_and_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(b"abc \x81\x8d\x8f\x90\x9d def")
    message = _error(path)
    assert "binary.txt" in message and "UTF-8" in message


def test_utf8_with_bom_is_read_without_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeff# Title\n\nText.".encode())
    loaded = load_file(path, 40 * MB)
    assert loaded.pages == ["# Title\n\nText."]
    assert loaded.warnings == []


def test_docx_headings_become_markdown_headings(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "plan.docx")
    [page] = load_file(path, 40 * MB).pages
    lines = page.split("\n\n")
    assert lines[0] == "# Bradford care workforce plan"
    assert "# Retention" in lines
    assert "## Pay and reward" in lines
    assert "- Pay will rise to the real living wage for all care staff." in lines
    assert "Vacancy rate | 11 per cent" in lines


def test_docx_sections_reach_the_chunks(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "plan.docx")
    text, _ = join_pages(load_file(path, 40 * MB).pages)
    chunks = chunk_text(text, target_words=40, overlap_words=0)
    sections = {c.section for c in chunks}
    assert any(s.endswith("Retention") for s in sections), sections
    retention = next(c for c in chunks if "travel time" in c.text)
    assert retention.section.endswith("Retention")


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    message = _error(path)
    assert "fake.docx" in message and "Word document" in message


def test_corrupt_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(os.urandom(2048))
    message = _error(path)
    assert "broken.docx" in message


def test_corrupt_docx_does_not_stop_the_rest_of_the_ingest(
    tmp_path: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    folder = tmp_path / "corpus"
    (folder / "broken.docx").parent.mkdir(parents=True)
    (folder / "broken.docx").write_bytes(os.urandom(2048))
    write(folder / "good.md", DOC_ALPHA)
    report = ingest([folder], make_settings())
    assert report.added == ["good.md"]
    assert len(report.problems) == 1 and "broken.docx" in report.problems[0]


# -- bad input through ingest ----------------------------------------------------------------------


@pytest.fixture
def messy_corpus(tmp_path: Path) -> Path:
    """One good document among every kind of bad file."""
    folder = tmp_path / "messy"
    write(folder / "good.md", DOC_ALPHA)
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    (folder / "corrupt.pdf").write_bytes(os.urandom(4096))
    write_text_pdf(folder / "locked.pdf", ["Secret workforce figures."], user_password="s3cret")
    (folder / "zero.txt").write_bytes(b"")
    (folder / "legacy.txt").write_bytes(
        "Café rota for \x93night\x94 shifts in Wakefield.".encode("latin-1")
    )
    (folder / "binary.txt").write_bytes(b"abc \x81\x8d\x8f\x90\x9d def")
    write(folder / ".hidden" / "secret.md", "Never ingested: hidden folders are skipped.")
    return folder


BAD_FILES = ("sheet.xlsx", "corrupt.pdf", "locked.pdf", "zero.txt", "binary.txt")


def test_ingest_reports_each_bad_file_once_and_indexes_the_rest(
    messy_corpus: Path, make_settings: Callable[..., RetrievalSettings], tmp_path: Path
) -> None:
    settings = make_settings()
    missing = tmp_path / "not-there.md"
    report = ingest([messy_corpus, missing], settings)

    assert sorted(report.added) == ["good.md", "legacy.txt"]
    for name in (*BAD_FILES, "not-there.md"):
        mentions = [p for p in report.problems if name in p]
        assert len(mentions) == 1, (name, report.problems)
    assert len(report.problems) == len(BAD_FILES) + 1
    assert not any("secret.md" in p for p in report.problems + report.warnings)
    assert any("legacy.txt" in w and "Windows-1252" in w for w in report.warnings)

    store = CorpusStore(settings)
    assert set(store.document_records()) == {"GOOD", "LEGACY"}
    legacy = [p for p in store.iter_passages() if p.doc_id == "LEGACY"]
    assert legacy and "Café rota for “night” shifts" in legacy[0].text


def test_file_over_the_limit_is_skipped_without_reading_it(
    tmp_path: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    folder = tmp_path / "corpus"
    write(folder / "good.md", DOC_ALPHA)
    big = folder / "big.txt"
    with big.open("wb") as out:  # a real 50 MB file, over the default 40 MB limit
        block = b"The workforce plan repeats itself. " * 30_000
        while out.tell() < 50 * MB:
            out.write(block)
    report = ingest([folder], make_settings())
    assert report.added == ["good.md"]
    [problem] = report.problems
    assert "big.txt" in problem and "over the 40 MB limit" in problem


def test_max_file_mb_setting_is_honoured(
    tmp_path: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    folder = tmp_path / "corpus"
    write(folder / "good.md", DOC_ALPHA)
    (folder / "medium.txt").write_bytes(b"Words about rotas. " * 120_000)  # 2.3 MB
    report = ingest([folder], make_settings(max_file_mb=1))
    assert report.added == ["good.md"]
    [problem] = report.problems
    assert "medium.txt" in problem and "1 MB limit" in problem


def test_ingest_pdf_records_pages(
    tmp_path: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    folder = tmp_path / "corpus"
    pages = [
        "Page one: retention of district nurses across the county is falling each year.",
        "Page two: apprenticeships in social care need employers to release staff for study.",
        "Page three: pharmacists in rural towns face rising demand for prescriptions.",
    ]
    write_text_pdf(folder / "county.pdf", pages)
    settings = make_settings(chunk_words=40, overlap_words=0)
    report = ingest([folder], settings)
    assert report.added == ["county.pdf"] and not report.problems

    store = CorpusStore(settings)
    assert store.document_records()["COUNTY"]["pages"] == 3
    text = store.document_text("COUNTY") or ""
    for passage in store.iter_passages():
        assert text[passage.start : passage.end] == passage.text
        first_page = next(i for i, page in enumerate(pages, 1) if page[:20] in passage.text)
        assert passage.page == first_page


def test_ingest_docx(tmp_path: Path, make_settings: Callable[..., RetrievalSettings]) -> None:
    folder = tmp_path / "corpus"
    write_docx(folder / "bradford-plan.docx")
    settings = make_settings(chunk_words=40, overlap_words=0)
    report = ingest([folder], settings)
    assert report.added == ["bradford-plan.docx"] and not report.problems
    store = CorpusStore(settings)
    record = store.document_records()["BRADFORD-PLAN"]
    assert record["title"] == "Bradford care workforce plan"
    assert record["pages"] == 0
    passages = list(store.iter_passages())
    travel = next(p for p in passages if "travel time" in p.text)
    assert travel.section.endswith("Retention")
    assert travel.page is None


def test_two_files_with_the_same_inferred_id(
    tmp_path: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    folder = tmp_path / "corpus"
    write(folder / "plan.md", "Plan in Markdown about nurse retention and rotas.")
    write(folder / "plan.txt", "Plan in plain text about pharmacy posts.")
    report = ingest([folder], make_settings())
    assert report.added == ["plan.md"]
    [problem] = report.problems
    assert "plan.txt" in problem and "plan.md" in problem and "PLAN" in problem


# -- bad input through the CLI -------------------------------------------------------------------


def test_cli_ingest_with_some_bad_files_succeeds(
    messy_corpus: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--data-dir", str(data_dir), "ingest", str(messy_corpus)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "Traceback" not in out + err
    skipped = [line for line in err.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == len(BAD_FILES)
    for name in BAD_FILES:
        assert sum(name in line for line in skipped) == 1, (name, skipped)
    assert "2 added" in squash(out)


def test_cli_ingest_with_only_bad_files_fails(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    (folder).mkdir()
    (folder / "zero.txt").write_bytes(b"")
    (folder / "sheet.xlsx").write_bytes(b"PK")
    code = main(["--data-dir", str(data_dir), "ingest", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "zero.txt" in err and "sheet.xlsx" in err
    assert "Traceback" not in out + err


def test_cli_ingest_of_an_empty_folder_fails_with_a_plain_message(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "empty-corpus"
    folder.mkdir()
    code = main(["--data-dir", str(data_dir), "ingest", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "empty-corpus has no files in it" in squash(err)
    assert "Traceback" not in out + err


def test_cli_ingest_of_a_missing_path_fails_with_a_plain_message(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder"
    code = main(["--data-dir", str(data_dir), "ingest", str(missing)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "no-such-folder does not exist" in squash(err)
    assert "Traceback" not in out + err


def test_cli_ingest_of_a_single_good_file_succeeds(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "one.md", DOC_ALPHA)
    code = main(["--data-dir", str(data_dir), "ingest", str(path)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "1 added" in squash(out)
    # Uncatalogued: the id is inferred and the user is told how to fix it.
    assert "one.md has no catalog entry; indexed as ONE" in squash(err)


def test_corrupt_pdf_produces_no_extra_log_noise(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(os.urandom(4096))
    with caplog.at_level(logging.WARNING), pytest.raises(LoadError):
        load_file(path, 40 * MB)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pypdf")] == []
