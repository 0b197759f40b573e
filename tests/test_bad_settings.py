"""Settings and command-line mistakes get one plain sentence that says where the mistake is."""

from __future__ import annotations

import pytest

from orchestration.cli.entry import main
from orchestration.settings import load_settings
from orchestration.strategy import StrategyError, load_strategy


def test_a_missing_review_config_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEW_CONFIG", str(tmp_path / "nowhere.toml"))
    with pytest.raises(
        ValueError, match=r"REVIEW_CONFIG names .*nowhere.toml, which is not a file"
    ):
        load_settings()


def test_a_bad_value_in_review_toml_names_the_file_and_the_setting(tmp_path, monkeypatch):
    config = tmp_path / "review.toml"
    config.write_text("[panel]\nmax_rounds = 0\n")
    monkeypatch.setenv("REVIEW_CONFIG", str(config))
    with pytest.raises(ValueError) as error:
        load_settings()
    message = str(error.value)
    assert message.startswith(f"Setting panel.max_rounds (from {config}): ")
    assert "pydantic" not in message and "errors.pydantic.dev" not in message


def test_a_bad_environment_variable_is_named(monkeypatch):
    monkeypatch.setenv("REVIEW_PANEL__TURN_TOKENS", "many")
    with pytest.raises(
        ValueError, match=r"from the environment variable REVIEW_PANEL__TURN_TOKENS"
    ):
        load_settings()


def test_an_unknown_setting_is_named(tmp_path, monkeypatch):
    config = tmp_path / "review.toml"
    config.write_text("[panel]\nmax_roundz = 2\n")
    monkeypatch.setenv("REVIEW_CONFIG", str(config))
    with pytest.raises(ValueError, match=r"Setting panel.max_roundz .*there is no such setting"):
        load_settings()


def test_malformed_toml_names_the_file(tmp_path, monkeypatch):
    config = tmp_path / "review.toml"
    config.write_text("[panel\n")
    monkeypatch.setenv("REVIEW_CONFIG", str(config))
    with pytest.raises(ValueError, match=r"review.toml is not valid TOML"):
        load_settings()


@pytest.mark.parametrize("flag", [["--rounds", "0"], ["--rounds", "-1"], ["--concurrency", "0"]])
def test_counts_below_one_are_refused(flag, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", *flag])
    assert exit_.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_two_themes_with_one_id_are_refused(tmp_path):
    strategy = tmp_path / "twice.toml"
    strategy.write_text(
        'title = "T"\n'
        '[[theme]]\nid = "talent"\nname = "Talent"\nobjectives = ["Grow our own"]\n'
        '[[theme]]\nid = "talent"\nname = "Talent again"\nobjectives = ["Grow more"]\n'
    )
    with pytest.raises(StrategyError, match=r"more than one theme has the id talent"):
        load_strategy(strategy)
