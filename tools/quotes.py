"""Quotes for citations: the sentence of a stored passage that best supports a claim, verbatim.

The quote is always a slice of the stored passage text (and, through the passage's offsets, of
the normalised source document), never text a model typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.evidence import Passage

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]?|$)", re.MULTILINE)
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


@dataclass(frozen=True)
class Quote:
    text: str
    start: int  # offset in the normalised source document
    end: int


def content_terms(text: str) -> set[str]:
    """Content words of ``text``, lower-cased and cut to 6 letters (a crude stem)."""
    return {w[:6] for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def sentences(passage: Passage) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in ``passage.text``, trimmed of spaces."""
    spans = []
    for match in _SENTENCE.finditer(passage.text):
        raw = match.group(0)
        lead = len(raw) - len(raw.lstrip())
        start, end = match.start() + lead, match.start() + len(raw.rstrip())
        if end - start >= 20:
            spans.append((start, end))
    return spans or [(0, len(passage.text))]


def best_quote(passage: Passage, claim: str) -> Quote:
    """The passage sentence sharing most terms with ``claim`` (ties: the earlier sentence)."""
    wanted = content_terms(claim)
    spans = sentences(passage)
    start, end = max(
        spans, key=lambda s: (len(wanted & content_terms(passage.text[s[0] : s[1]])), -s[0])
    )
    end = min(end, start + MAX_QUOTE_CHARS)
    text = passage.text[start:end]
    return Quote(text=text, start=passage.start + start, end=passage.start + end)
