"""Settings precedence (defaults < review.toml < REVIEW_ environment < command line)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orchestration.cli import doctor
from orchestration.cli.entry import main
from orchestration.settings import Settings, load_settings


@pytest.fixture()
def settings_from(monkeypatch) -> Callable[..., Settings]:
    """The settings ``review ARGS...`` runs its command with (``review doctor`` here: the
    command is replaced by one that only records them)."""
    seen: list[Settings] = []

    def record(args, settings: Settings) -> int:
        seen.append(settings)
        return 0

    monkeypatch.setattr(doctor, "cmd_doctor", record)

    def run(*argv: str) -> Settings:
        assert main(list(argv)) == 0
        return seen[-1]

    return run


@pytest.fixture()
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "review.toml"
    path.write_text(
        '[models.default]\nbackend = "openai-compatible"\nmodel = "from-file"\n'
        'base_url = "http://file:1/v1"\nmax_tokens = 111\n'
        '[models.agents.editor]\nmodel = "editor-from-file"\n'
        "[retrieval]\nchunk_words = 150\n"
    )
    monkeypatch.setenv("REVIEW_CONFIG", str(path))
    for name in ("REVIEW_MODELS__DEFAULT__MODEL", "REVIEW_MODELS__DEFAULT__MAX_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_file_values_apply_over_defaults(config_file):
    settings = load_settings()
    assert settings.models.default.model == "from-file"
    assert settings.models.default.max_tokens == 111
    assert settings.retrieval.chunk_words == 150
    assert settings.models.for_agent("editor").model == "editor-from-file"
    assert settings.models.for_agent("critic").model == "from-file"


def test_environment_beats_file(config_file, monkeypatch):
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__MODEL", "from-env")
    settings = load_settings()
    assert settings.models.default.model == "from-env"
    assert settings.models.default.max_tokens == 111  # untouched fields still come from the file


def test_command_line_beats_environment(config_file, monkeypatch, settings_from):
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__MODEL", "from-env")
    settings = settings_from(
        "--model", "from-cli", "--agent-model", "critic=openai:gpt-4o", "doctor", "--no-call"
    )
    assert settings.models.default.model == "from-cli"
    assert settings.models.default.base_url == "http://file:1/v1"
    assert settings.models.for_agent("critic").backend == "openai"
    assert settings.models.for_agent("critic").model == "gpt-4o"


def test_unknown_keys_are_rejected(tmp_path, monkeypatch):
    path = tmp_path / "review.toml"
    path.write_text('[models.default]\nmodle = "typo"\n')
    monkeypatch.setenv("REVIEW_CONFIG", str(path))
    with pytest.raises(ValueError, match="modle"):
        load_settings()


def test_secrets_stay_out_of_descriptions_and_fingerprints(monkeypatch):
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__API_KEY", "sk-very-secret")
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__BACKEND", "openai")
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__MODEL", "gpt-4o")
    endpoint = load_settings().models.default
    assert endpoint.resolved_api_key() == "sk-very-secret"
    assert "sk-very-secret" not in endpoint.describe()
    assert "sk-very-secret" not in repr(endpoint)
    other = endpoint.model_copy(update={"api_key": None})
    assert endpoint.fingerprint() == other.fingerprint()


def test_model_options_work_after_the_command_too(config_file, settings_from):
    settings = settings_from(
        "doctor", "--no-call", "--model", "after-command", "--agent-model", "editor=openai:gpt-4o"
    )
    assert settings.models.default.model == "after-command"
    assert settings.models.for_agent("editor").model == "gpt-4o"
    before = settings_from("--model", "before-command", "doctor")
    assert before.models.default.model == "before-command"
