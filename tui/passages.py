"""Passages for the evidence pane, by evidence id: from the run folder's own snapshot
(``evidence.json``) first, then from the corpus index once it has loaded (in a thread). The index
is opened once per process and shared by every screen."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.plain_errors import plain_message
from tools.evidence import Passage
from tools.settings import RetrievalSettings

if TYPE_CHECKING:
    from tools.search import Searcher

_opened: dict[str, Searcher] = {}
_opening = threading.Lock()


def shared_searcher(settings: RetrievalSettings) -> Searcher:
    """The process's searcher for this index, opened on first use."""
    from tools.search import Searcher  # chromadb loads only when the index is wanted

    key = settings.model_dump_json(include={"data_dir", "chroma_server"})
    with _opening:
        if key not in _opened:
            _opened[key] = Searcher(settings)
        return _opened[key]


class PassageBook:
    def __init__(self, snapshot: Path | None = None) -> None:
        self._known: dict[str, Passage] = {}
        self._searcher: Searcher | None = None
        self.index_error: str | None = None
        if snapshot is not None and snapshot.exists():
            for evidence_id, record in json.loads(snapshot.read_text(encoding="utf-8")).items():
                self._known[evidence_id] = Passage.model_validate(record)

    def load_index(self, settings: RetrievalSettings) -> None:
        """Open the corpus index (slow: call it from a worker thread). A failure leaves the
        snapshot only, which is enough for a saved run's citations, and is noted."""
        try:
            self._searcher = shared_searcher(settings)
        except (OSError, ValueError, RuntimeError) as exc:
            self.index_error = plain_message(exc)

    @property
    def searcher(self) -> Searcher | None:
        return self._searcher

    def get(self, evidence_id: str) -> Passage | None:
        if evidence_id in self._known:
            return self._known[evidence_id]
        if self._searcher is None:
            return None
        try:
            passage = self._searcher.passage(evidence_id)
        except ValueError:
            return None
        if passage is not None:
            self._known[evidence_id] = passage
        return passage
