"""`review` works from any directory: the bundled strategy, corpus and catalog are package data
(found wherever the package is installed, never relative to the working directory), a relative
path the user gives still means relative to the working directory, and `review doctor` says
where transcripts go."""

from __future__ import annotations

import shutil
from pathlib import Path

import corpus
from orchestration.cli.entry import main
from orchestration.engine import run as engine_run
from orchestration.engine.run import RunResult
from orchestration.settings import load_settings
from tests.helpers import squash


def test_the_default_settings_find_the_bundled_files_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    package = Path(corpus.__file__).parent
    for path in (settings.strategy, settings.retrieval.catalog, settings.retrieval.corpus_dir):
        assert path.is_absolute() and path.is_relative_to(package)
    assert settings.strategy.is_file() and settings.strategy.suffix == ".toml"
    assert settings.retrieval.catalog.is_file()
    assert sorted(p.suffix for p in settings.retrieval.corpus_dir.iterdir()) == [".txt"] * 4


def test_doctor_says_where_transcripts_go(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["doctor", "--no-call", "--data-dir", str(tmp_path / "data")]) == 1  # no index
    out = squash(capsys.readouterr().out)
    assert f"runs are saved in {tmp_path / 'transcripts'} (created by the first run)" in out
    assert "change it with transcripts_dir in review.toml or REVIEW_TRANSCRIPTS_DIR" in out
    assert f"ok {load_settings().strategy}, reviewed when `review run` is given none" in out

    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", "runs")  # relative: to the working directory
    (tmp_path / "runs").mkdir()
    main(["doctor", "--no-call", "--data-dir", str(tmp_path / "data")])
    assert f"runs are saved in {tmp_path / 'runs'};" in squash(capsys.readouterr().out)


def test_doctor_names_a_transcripts_setting_that_is_not_a_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").write_text("not a folder")
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", "runs")
    main(["doctor", "--no-call", "--data-dir", str(tmp_path / "data")])
    assert f"problem {tmp_path / 'runs'} is not a folder;" in squash(capsys.readouterr().out)


def test_a_relative_strategy_path_means_relative_to_the_working_directory(
    tmp_path, monkeypatch, capsys
):
    """The path the run is given (and records, for resume and replay) is the one in the working
    directory, made absolute; the run itself is replaced by one that only records it."""
    mine = tmp_path / "work" / "our-strategy.toml"
    mine.parent.mkdir()
    shutil.copy(load_settings().strategy, mine)
    given: list[Path] = []

    async def record(settings, strategy_path, *args, **kwargs) -> RunResult:
        given.append(strategy_path)
        report = tmp_path / "report.md"
        report.write_text("")
        return RunResult("r", tmp_path, report, "complete")

    monkeypatch.setattr(engine_run, "run_review", record)
    monkeypatch.chdir(mine.parent)
    assert main(["run", "our-strategy.toml"]) == 0
    monkeypatch.chdir(tmp_path)
    assert main(["run", "work/our-strategy.toml"]) == 0
    assert main(["run"]) == 0  # none given: the bundled one
    assert given == [mine, mine, load_settings().strategy]
