"""The board pack's evidence annex (``Annex``): the passages the pack cites, numbered E1, E2,
... in the order the body first cites them, and where each is in its document; and ``reading``,
which takes the evidence ids a model wrote into its text out of the body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from orchestration.review_models import Citation

# "[LEEDS-OWS-2024#7]", "[A#1, B#2]" or a bare "A#1": evidence ids a model left in its text
EVIDENCE_IDS = re.compile(r"\s*\[[A-Z0-9][A-Z0-9-]*#\d+(?:[,;]\s*[A-Z0-9][A-Z0-9-]*#\d+)*\]")
BARE_ID = re.compile(r"\b[A-Z0-9][A-Z0-9-]*#\d+\b")


@dataclass
class Annex:
    """The cited passages, numbered E1, E2, ... in the order the body first cites them."""

    pages: dict[str, int]
    numbers: dict[str, int] = field(default_factory=dict)
    quotes: dict[str, list[Citation]] = field(default_factory=dict)

    def ref(self, citation: Citation) -> str:
        """The passage's annex number ("E3"), numbering it (and keeping the quote) if new."""
        number = self.numbers.setdefault(citation.evidence_id, len(self.numbers) + 1)
        kept = self.quotes.setdefault(citation.evidence_id, [])
        if all(c.quote != citation.quote for c in kept):
            kept.append(citation)
        return f"E{number}"

    def listed(self, citations: list[Citation]) -> str:
        """The citations' annex numbers ("E1, E4"), or an empty string."""
        return ", ".join(dict.fromkeys(self.ref(c) for c in citations))

    def refs(self, citations: list[Citation]) -> str:
        """The citations' annex numbers in brackets after a space, or an empty string."""
        listed = self.listed(citations)
        return f" ({listed})" if listed else ""

    def where(self, citation: Citation) -> str:
        """Where in its document a passage is: page and section, as far as known."""
        page = self.pages.get(citation.evidence_id)
        parts = [f"page {page}"] if page else []
        if citation.section:
            parts.append("section “" + citation.section.replace(" > ", " › ") + "”")
        return ", ".join(parts) or "place in the document not recorded"


def reading(text: str) -> str:
    """Text for the body: evidence ids a model wrote into it taken out."""
    return BARE_ID.sub("", EVIDENCE_IDS.sub("", text)).strip()
