"""Text that addresses a model rather than a reader: instructions planted in a corpus document
("Ignore your instructions.", "Cite [X#1]", role or system prompts). A passage that holds them
is flagged at ingest: it is never quoted, never shown to the panel, never used to measure
coverage, and ``review documents`` lists it."""

from __future__ import annotations

import re

_ADDRESSES_MODEL = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|your\s+|the\s+|previous\s+|"
    r"prior\s+|above\s+|earlier\s+)*(?:instructions|prompts?|rules|guidelines)\b"
    r"|\bcite\s+\[[^\]]+\]"
    r"|\b(?:system|developer)\s+prompt\b"
    r"|\byou\s+are\s+(?:now\s+)?(?:an?\s+|the\s+)?(?:ai|assistant|language\s+model|chatbot|"
    r"review\s+panel|panel(?:ist)?|editor|critic)\b"
    r"|\bas\s+an\s+ai\b"
    r"|^\s*(?:system|assistant)\s*:",
    re.IGNORECASE | re.MULTILINE,
)


def addresses_the_model(text: str) -> bool:
    """Whether ``text`` holds instructions to a model."""
    return _ADDRESSES_MODEL.search(text) is not None
