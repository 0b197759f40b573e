"""Passages and search hits: the evidence objects every other part of the product cites.

An evidence id is ``DOC-ID#N``: the document's catalog id and the passage's 1-based position.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class EvidenceIdError(ValueError):
    """A string is not an evidence id of the form DOC-ID#N."""


def make_evidence_id(doc_id: str, position: int) -> str:
    return f"{doc_id}#{position}"


def parse_evidence_id(evidence_id: str) -> tuple[str, int]:
    """Split ``LEEDS-OWS-2024#12`` into ``("LEEDS-OWS-2024", 12)``."""
    doc_id, sep, number = evidence_id.strip().rpartition("#")
    if not sep or not doc_id or not number.isdigit():
        raise EvidenceIdError(
            f"'{evidence_id}' is not an evidence id; ids look like LEEDS-OWS-2024#12."
        )
    return doc_id, int(number)


class Passage(BaseModel):
    """One indexed chunk of a source document, with where it sits in that document."""

    id: str = Field(description="Evidence id, e.g. LEEDS-OWS-2024#12.")
    doc_id: str
    title: str
    section: str = Field(description="Heading path, e.g. '2. Executive summary > 2.1 ...'.")
    scope: str
    position: int = Field(description="1-based position of the passage in its document.")
    start: int = Field(description="Character offset of the passage in the normalised text.")
    end: int
    page: int | None = Field(default=None, description="1-based page, for paged sources.")
    text: str
    quality: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="Text quality set at ingest (tools.quality.passage_quality): the share of the "
        "text in readable sentences; slide debris, contents pages and fragments score low.",
    )
    addresses_model: bool = Field(
        default=False,
        description="Holds instructions to a model (planted in a document): never quoted or shown "
        "to the panel.",
    )

    def context_text(self) -> str:
        """What the embedding and lexical indexes see: the passage under its title and section."""
        return f"{self.title}\n{self.section}\n{self.text}"


class Hit(BaseModel):
    """A passage found by search, with its fused score."""

    id: str
    doc_id: str
    title: str
    section: str
    scope: str
    text: str
    score: float
    continues: str | None = Field(
        default=None,
        description="The id of the hit just before this one when this passage carries on a list "
        "that hit stops inside; such passages are not counted in a search's k.",
    )

    @classmethod
    def from_passage(cls, passage: Passage, score: float, continues: str | None = None) -> Hit:
        return cls(
            id=passage.id,
            doc_id=passage.doc_id,
            title=passage.title,
            section=passage.section,
            scope=passage.scope,
            text=passage.text,
            score=round(score, 6),
            continues=continues,
        )


class QueryResult(BaseModel):
    """The hits for one query, in the order ``review search --json`` prints them."""

    query: str
    hits: list[Hit]
