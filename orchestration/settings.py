"""The root settings object: defaults < TOML file < environment (REVIEW_...) < command line.

The TOML file is ``review.toml`` in the working directory, or the path in ``REVIEW_CONFIG``.
Nested fields use ``__`` in environment variables: ``REVIEW_RETRIEVAL__DATA_DIR=/srv/review``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from agents.model_settings import ModelSettings
from orchestration.engine.budget import EvidenceBudget
from orchestration.engine.claims.settings import ClaimSettings
from orchestration.engine.protocol import Limits
from orchestration.record.compare_models import CompareSettings
from orchestration.strategy import DEFAULT_STRATEGY
from tools.settings import RetrievalSettings


def config_path() -> Path:
    return Path(os.environ.get("REVIEW_CONFIG", "review.toml"))


class Settings(BaseSettings):
    """Everything configurable about a review."""

    model_config = SettingsConfigDict(
        env_prefix="REVIEW_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    panel: Limits = Field(
        default_factory=Limits, description="Turn, token and time limits of a debate."
    )
    evidence: EvidenceBudget = Field(
        default_factory=EvidenceBudget, description="How much evidence and debate each turn sees."
    )
    claims: ClaimSettings = Field(
        default_factory=ClaimSettings, description="How strictly model-written text is checked."
    )
    compare: CompareSettings = Field(
        default_factory=CompareSettings,
        description="How `review compare` matches two runs by meaning (similarity thresholds).",
    )
    transcripts_dir: Path = Field(
        default=Path("transcripts"), description="Where run folders are written."
    )
    strategy: Path = Field(
        default=DEFAULT_STRATEGY, description="The strategy reviewed when none is given."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path())
        return (init_settings, env_settings, toml)


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Settings from file and environment, with command-line ``overrides`` on top. A mistake in
    any of them is a ``ValueError`` in one sentence naming where the setting came from."""
    if "REVIEW_CONFIG" in os.environ and not config_path().is_file():
        raise ValueError(
            f"REVIEW_CONFIG names {config_path()}, which is not a file; point it at your "
            "review.toml or unset it."
        )
    try:
        return Settings(**(overrides or {}))
    except ValidationError as exc:
        raise ValueError(_explain(exc.errors()[0], overrides or {})) from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{config_path()} is not valid TOML ({exc}); fix the file.") from None


def _explain(error: ErrorDetails, overrides: dict[str, Any]) -> str:
    """One sentence for a settings mistake: the setting, where it came from, what is wrong."""
    loc = [str(part) for part in error["loc"]]
    dotted = ".".join(loc)
    variable = "REVIEW_" + "__".join(loc).upper()
    if loc and loc[0] in overrides:
        source = "the command line"
    elif variable in os.environ or any(v.startswith(variable + "__") for v in os.environ):
        source = f"the environment variable {variable}"
    else:
        source = str(config_path())
    problem = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        problem = "there is no such setting"
    return f"Setting {dotted} (from {source}): {problem[:1].lower() + problem[1:]}."
