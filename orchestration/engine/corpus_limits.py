"""What the corpus cannot speak to: a panelist whose remit has no documents of its own scope
(``agents.panel``: national-policy reads national documents first) argues from others. The
brief, the top of the report, `review documents` and `review doctor` say so plainly."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from agents.panel import SPECS

SCOPES = ("national", "regional", "place", "organisation")
SCOPE_WORDS = {
    "national": "national policy documents",
    "regional": "regional (integrated care system) documents",
    "place": "Leeds place documents",
    "organisation": "documents of the trust itself",
}


def documents_by_scope(records: Mapping[str, Mapping[str, Any]]) -> Counter[str]:
    """How many indexed documents there are of each scope (``CorpusStore.document_records``)."""
    return Counter(str(meta.get("scope", "organisation")) for meta in records.values())


def corpus_limits(by_scope: Mapping[str, int]) -> list[str]:
    """One sentence per panelist whose own scope has no documents, naming what it argues from."""
    notes = []
    for agent, spec in SPECS.items():
        if not spec.scopes or by_scope.get(spec.scopes[0], 0):
            continue
        own = spec.scopes[0]
        others = [s for s in spec.scopes[1:] if by_scope.get(s, 0)]
        source = " and ".join(SCOPE_WORDS[s] for s in others) or "the other documents"
        notes.append(
            f"No {SCOPE_WORDS[own]} in the corpus: {agent} argues from {source}, so its remit is "
            f"not assessed from {own} sources."
        )
    return notes


def scope_summary(by_scope: Mapping[str, int]) -> str:
    """Documents per scope, in one line."""
    return "; ".join(f"{scope}: {by_scope.get(scope, 0)}" for scope in SCOPES)
