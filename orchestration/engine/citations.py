"""Citations: an evidence id turned into a ``Citation`` whose quote code copies, verbatim, from
the stored passage (the sentence that best matches the statement it supports)."""

from __future__ import annotations

from collections.abc import Callable

from orchestration.review_models import Citation
from tools.evidence import Passage
from tools.quotes import best_quote

Lookup = Callable[[str], Passage | None]


def cite(ids: list[str], claim: str, lookup: Lookup) -> tuple[list[Citation], list[str]]:
    """Citations for the ids that exist and have a readable sentence to quote; the ids that do
    not exist (to drop and log). A passage with no readable sentence is not quoted, nor one
    whose best sentence another cited passage already gave (passages overlap)."""
    citations: list[Citation] = []
    dropped: list[str] = []
    for evidence_id in dict.fromkeys(i.strip().strip("[]") for i in ids):
        passage = lookup(evidence_id)
        if passage is None:
            dropped.append(evidence_id)
            continue
        quote = best_quote(passage, claim)
        if not quote.quotable or any(c.quote == quote.text for c in citations):
            continue  # unreadable, or the same sentence of an overlapping passage
        citations.append(
            Citation(
                evidence_id=passage.id,
                doc_id=passage.doc_id,
                title=passage.title,
                section=passage.section,
                quote=quote.text,
                start=quote.start,
                end=quote.end,
            )
        )
    return citations, dropped
