"""``EvidenceBudget``: how much each turn is shown (``[evidence]`` in review.toml,
``REVIEW_EVIDENCE__...``). The defaults fit the embedded 4k-token model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EvidenceBudget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hits_per_query: int = Field(
        default=2, ge=1, description="Passages kept per query of a panelist's evidence pack."
    )
    pack_size: int = Field(default=4, ge=1, description="Passages in a panelist's evidence pack.")
    review_pack_size: int = Field(
        default=8, ge=1, description="Passages the editor is shown when writing the review."
    )
    passage_words: int = Field(
        default=70, ge=10, description="Words of each passage shown in a prompt."
    )
    transcript_words: int = Field(
        default=90, ge=10, description="Words of each earlier turn shown in the debate so far."
    )
    earlier_recommendations: int = Field(
        default=8,
        ge=0,
        description="Recommendations of earlier themes the editor is shown (so as not to repeat).",
    )
    answer_hits: int = Field(
        default=4, ge=1, description="Passages retrieved for a follow-up question."
    )
    answer_tokens: int = Field(default=220, ge=16, description="Tokens for a follow-up answer.")
