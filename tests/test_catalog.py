"""The corpus catalog: ids and metadata, inferred ids for uncatalogued files, plain errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestration.cli.entry import main
from tests.helpers import CATALOG, DOC_ALPHA, SEED_FILES, squash, write
from tools.catalog import CatalogError, describe, infer_document_id, infer_title, load_catalog
from tools.ingest import ingest
from tools.settings import RetrievalSettings
from tools.store import CorpusStore


def test_bundled_catalog_covers_every_seed_document() -> None:
    catalog = load_catalog(CATALOG)
    assert {d.id for d in catalog.documents} == {
        "LEEDS-OWS-2024",
        "LEEDS-SCRUTINY-2022",
        "LSC-ICB-WFS-2023",
        "WY-HCP-WF-2022",
    }
    for path in SEED_FILES:
        entry = catalog.by_file(path.name)
        assert entry is not None, path.name
        assert entry.scope in ("place", "regional")
        assert entry.year and 2020 <= entry.year <= 2025
    assert catalog.by_file("001_89b7e46f1cb73dbb.txt").id == "LEEDS-OWS-2024"  # type: ignore[union-attr]


def test_missing_catalog_is_empty(tmp_path: Path) -> None:
    assert load_catalog(tmp_path / "nothing.toml").documents == []


def test_malformed_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "catalog.toml", '[[document]\nid = "X"\n')
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 1" in message
    assert "TOML" in message


@pytest.mark.parametrize(
    "entry,field",
    [
        ('id = "X"\nfile = "a.md"\ntitle = "T"\nscope = "planet"', "scope"),
        ('id = "has space"\nfile = "a.md"\ntitle = "T"', "id"),
        ('file = "a.md"\ntitle = "T"', "id"),
        ('id = "X"\nfile = "a.md"\ntitle = "T"\ncolour = "red"', "colour"),
        ('id = "X"\nfile = "a.md"\ntitle = "T"\nyear = "last year"', "year"),
    ],
)
def test_invalid_entry_names_the_file_and_the_field(tmp_path: Path, entry: str, field: str) -> None:
    path = write(tmp_path / "catalog.toml", f"[[document]]\n{entry}\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    assert str(path) in message
    assert field in message


def test_non_utf8_catalog_gives_a_catalog_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_bytes('[[document]]\nid = "X"\nfile = "a.md"\ntitle = "Café"\n'.encode("latin-1"))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "name,expected",
    [
        ("alpha.md", "ALPHA"),
        ("My Plan (v2).docx", "MY-PLAN-V2"),
        ("leeds_plan.2024.txt", "LEEDS_PLAN.2024"),
        ("---.md", "DOC"),
    ],
)
def test_inferred_document_id(name: str, expected: str) -> None:
    assert infer_document_id(Path(name)) == expected


def test_inferred_title_is_the_first_real_line() -> None:
    assert infer_title(Path("x.md"), "\n\n# Our workforce plan\n\nBody.") == "Our workforce plan"
    assert infer_title(Path("x.md"), "ab\n\n") == "x.md"
    assert len(infer_title(Path("x.md"), "W" * 500)) == 120


def test_describe_uses_the_catalog_entry_without_a_warning() -> None:
    catalog = load_catalog(CATALOG)
    info, warning = describe(SEED_FILES[0], "text", catalog)
    assert info.id == "LEEDS-OWS-2024" and info.scope == "place"
    assert warning is None


def test_describe_infers_an_entry_with_a_warning() -> None:
    info, warning = describe(
        Path("/somewhere/Draft Plan.md"), "# Draft workforce plan\n", load_catalog(CATALOG)
    )
    assert info.id == "DRAFT-PLAN"
    assert info.title == "Draft workforce plan"
    assert info.scope == "organisation"
    assert warning is not None and "Draft Plan.md" in warning and "DRAFT-PLAN" in warning


def test_catalogued_and_uncatalogued_files_ingest_together(
    tmp_path: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    catalog = write(
        tmp_path / "catalog.toml",
        '[[document]]\nid = "ALPHA-PLAN-2025"\nfile = "alpha.md"\ntitle = "Alpha Place Plan"\n'
        'publisher = "Alpha Council"\nyear = 2025\nscope = "place"\ngeography = "Alphaville"\n',
    )
    folder = tmp_path / "corpus"
    write(folder / "alpha.md", DOC_ALPHA)
    write(folder / "Beta Notes.txt", "Beta notes on pharmacy posts in rural towns.")
    settings = make_settings(catalog=catalog)
    report = ingest([folder], settings)

    assert sorted(report.added) == ["Beta Notes.txt", "alpha.md"]
    assert not report.problems
    [warning] = report.warnings
    assert "Beta Notes.txt" in warning and "BETA-NOTES" in warning

    store = CorpusStore(settings)
    records = store.document_records()
    assert records["ALPHA-PLAN-2025"]["title"] == "Alpha Place Plan"
    assert records["ALPHA-PLAN-2025"]["year"] == 2025
    assert records["ALPHA-PLAN-2025"]["scope"] == "place"
    assert records["BETA-NOTES"]["scope"] == "organisation"
    passages = list(store.iter_passages())
    alpha = [p for p in passages if p.doc_id == "ALPHA-PLAN-2025"]
    assert alpha and all(p.scope == "place" and p.title == "Alpha Place Plan" for p in alpha)
    assert all(p.id.startswith("ALPHA-PLAN-2025#") for p in alpha)


def test_two_catalog_entries_with_one_id(
    tmp_path: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    catalog = write(
        tmp_path / "catalog.toml",
        '[[document]]\nid = "SAME"\nfile = "a.md"\ntitle = "A"\n\n'
        '[[document]]\nid = "SAME"\nfile = "b.md"\ntitle = "B"\n',
    )
    folder = tmp_path / "corpus"
    write(folder / "a.md", "First document about nurse retention.")
    write(folder / "b.md", "Second document about pharmacy posts.")
    report = ingest([folder], make_settings(catalog=catalog))
    assert report.added == ["a.md"]
    [problem] = report.problems
    assert "b.md" in problem and "a.md" in problem and "SAME" in problem


def test_cli_with_a_malformed_catalog_exits_2_naming_it(
    tmp_path: Path,
    small_corpus: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    catalog = write(tmp_path / "broken-catalog.toml", "[[document]\n")
    monkeypatch.setenv("REVIEW_RETRIEVAL__CATALOG", str(catalog))
    code = main(["--data-dir", str(data_dir), "ingest", str(small_corpus)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "broken-catalog.toml" in squash(err)
    assert "Traceback" not in out + err


def test_cli_uncatalogued_file_warns_and_ingests(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "corpus" / "Kirklees plan.md", DOC_ALPHA)
    code = main(["--data-dir", str(data_dir), "ingest", str(path.parent)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "warning: Kirklees plan.md has no catalog entry; indexed as KIRKLEES-PLAN" in squash(err)
    assert "1 added" in squash(out)
