"""``review tui`` from the command line: with no terminal it runs headless; bad input is one
plain sentence before any screen is drawn."""

from __future__ import annotations

import json

import pytest

from orchestration.cli.entry import main
from tests.scripted import REPLAYED_TALENT_RUN


def test_without_a_terminal_the_tui_command_runs_headless(
    corpus_index, tmp_path, monkeypatch, capsys
):
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps(REPLAYED_TALENT_RUN))
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__BACKEND", "replay")
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__REPLAY_FILE", str(replies))
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(tmp_path / "transcripts"))
    code = main(["tui", "--themes", "talent", "--data-dir", str(corpus_index.settings.data_dir)])
    captured = capsys.readouterr()
    assert code == 0
    assert "No terminal to draw on" in captured.err
    assert "Panel Review Report" in captured.out  # the report, printed at the end
    [folder] = list((tmp_path / "transcripts").iterdir())
    assert (folder / "report.md").exists()


def test_a_saved_run_needs_a_terminal_and_says_what_to_use_instead(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(tmp_path))
    assert main(["tui", "--open", "20260101-000000-abcdef"]) == 2
    err = capsys.readouterr().err
    assert "needs a terminal" in err and "review runs" in err and "Traceback" not in err


def test_a_malformed_strategy_is_refused_before_the_app_starts(tmp_path, monkeypatch, capsys):
    from orchestration.settings import load_settings
    from tui.app import create_app

    bad = tmp_path / "bad.toml"
    bad.write_text('title = "Broken"\n[[themes]]\nname = 3\n')
    settings = load_settings({"transcripts_dir": str(tmp_path)})
    with pytest.raises(ValueError, match=r"bad\.toml"):
        create_app(settings, bad)
