"""The one place the model runtime is built: a ``ModelFactory`` (clients, the local model server,
usage) and the ``Speaker`` that runs the panel's turns on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agents.model_settings import ModelSettings
from agents.runtime.models import ModelFactory
from agents.runtime.panelist import AutoGenSpeaker
from tools.coverage import CoverageAnalyzer
from tools.search import Searcher


@dataclass
class PanelRuntime:
    factory: ModelFactory
    speaker: AutoGenSpeaker

    async def close(self) -> None:
        await self.factory.close()


def build_runtime(
    models: ModelSettings,
    data_dir: Path,
    searcher: Searcher | None = None,
    coverage: CoverageAnalyzer | None = None,
    passage_words: int | None = None,
) -> PanelRuntime:
    """The runtime for ``models``; with a ``searcher`` the panel may call the corpus tools
    (whose search hits are clipped to ``passage_words``)."""
    factory = ModelFactory(models, data_dir)
    return PanelRuntime(factory, AutoGenSpeaker(factory, searcher, coverage, passage_words))
