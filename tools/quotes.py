"""Quotes for citations: the sentence of a stored passage that best supports a claim, verbatim.

The quote is always a slice of the stored passage text (and, through the passage's offsets, of
the normalised source document), never text a model typed, and always a whole sentence: a
readable one (``tools.quality.is_quotable``) whenever the passage has any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.evidence import Passage
from tools.quality import (
    LOW_QUALITY_BELOW,
    READABLE_MIN_KNOWN,
    READABLE_MIN_WORDS,
    is_quotable,
    sentence_spans,
)

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "we",
        "will",
        "with",
        "which",
        "who",
        "not",
        "more",
        "should",
    ]
)
MAX_QUOTE_CHARS = 400
# Two words run together, as an image's alt text fused to the sentence after it ("snowWe"):
# such a sentence is no quote.
FUSED_WORDS = re.compile(r"[a-z]{3}[A-Z][a-z]")
MIN_SENTENCE_CHARS = 20


@dataclass(frozen=True)
class Quote:
    """A verbatim sentence of a passage, where it sits, and whether it reads as a quote."""

    text: str
    start: int  # offset in the normalised source document
    end: int
    quotable: bool  # a readable sentence of a passage that is not low quality


def content_terms(text: str) -> set[str]:
    """Content words of ``text``, lower-cased and cut to 6 letters (a crude stem)."""
    return {w[:6] for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def sentences(passage: Passage) -> list[tuple[int, int]]:
    """(start, end) offsets of the whole sentences in ``passage.text``, trimmed of spaces and
    list markers; very short ones only when there is nothing else."""
    spans = sentence_spans(passage.text)
    longer = [(a, b) for a, b in spans if b - a >= MIN_SENTENCE_CHARS]
    return longer or spans or [(0, len(passage.text))]


def best_quote(
    passage: Passage,
    claim: str,
    max_chars: int = MAX_QUOTE_CHARS,
    min_words: int = READABLE_MIN_WORDS,
    min_known: float = READABLE_MIN_KNOWN,
    low_quality_below: float = LOW_QUALITY_BELOW,
) -> Quote:
    """The whole passage sentence sharing most terms with ``claim`` (ties: the earlier one).

    Only readable sentences are candidates when the passage has any; of those, the ones within
    ``max_chars`` are preferred, but a sentence is never cut. ``Quote.quotable`` is False when
    the passage has no readable sentence or scored below ``low_quality_below`` at ingest.
    """
    wanted = content_terms(claim)
    spans = sentences(passage)
    readable = [
        s
        for s in spans
        if is_quotable(passage.text[s[0] : s[1]], min_words, min_known)
        and not FUSED_WORDS.search(passage.text[s[0] : s[1]])
    ]
    candidates = readable or spans
    candidates = [s for s in candidates if s[1] - s[0] <= max_chars] or candidates
    start, end = max(
        candidates,
        key=lambda s: (len(wanted & content_terms(passage.text[s[0] : s[1]])), -s[0]),
    )
    return Quote(
        text=passage.text[start:end],
        start=passage.start + start,
        end=passage.start + end,
        quotable=bool(readable)
        and passage.quality >= low_quality_below
        and not passage.addresses_model,
    )
