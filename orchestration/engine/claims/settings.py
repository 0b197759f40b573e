"""The claim checks' tuning knobs (``[claims]`` in review.toml, ``REVIEW_CLAIMS__...``).

The support weights and bars were calibrated on the labelled examples in
``tests/data/claim_support_labels.jsonl`` with ``bench/calibrate_support.py``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ClaimSettings(BaseModel):
    """How strictly model-written statements are checked."""

    model_config = ConfigDict(extra="forbid")

    min_words: int = Field(default=5, ge=1, description="Words a statement needs to say something.")
    opinion_min_words: int = Field(
        default=2,
        ge=1,
        description="Words a sign-off reason, a dissent or an objection needs (they cite nothing).",
    )
    max_unknown_share: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="Largest share of a statement's words that may be in neither the corpus, the "
        "strategy nor an English word list before it counts as garbled.",
    )
    max_capitalised_share: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Largest share of capitalised words before a statement reads as a heading.",
    )
    run_together_letters: int = Field(
        default=7,
        ge=3,
        description="An all-capitals token this long that is no known word or acronym is debris.",
    )
    prompt_shingle_words: int = Field(
        default=8,
        ge=3,
        description="A run of this many words copied from the panel's prompts is a prompt leak.",
    )
    support_lexical_weight: float = Field(
        default=3.70, description="Weight of lexical overlap in the support score (calibrated)."
    )
    support_semantic_weight: float = Field(
        default=1.46,
        description="Weight of embedding similarity in the support score (calibrated).",
    )
    support_bias: float = Field(
        default=-1.94, description="Bias of the support score's logistic (calibrated)."
    )
    gap_support_min: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Support a gap (a statement of fact) needs from its cited passages.",
    )
    gap_lexical_min: float = Field(
        default=0.4,
        ge=0,
        le=1,
        description="Share of a gap's content words that its cited passages must contain.",
    )
    recommendation_support_min: float = Field(
        default=0.4,
        ge=0,
        le=1,
        description="Support a recommendation (which adds an action) needs from its passages.",
    )
    duplicate_similarity: float = Field(
        default=0.88,
        ge=0,
        le=1,
        description="Embedding similarity at which two statements of a theme are one repeated.",
    )
    duplicate_overlap: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Share of content words in common at which two statements are one repeated.",
    )
    min_gaps: int = Field(
        default=2, ge=0, description="Gaps every theme's review has; code fills a thinner one."
    )
    min_recommendations: int = Field(
        default=2,
        ge=0,
        description="Recommendations every theme's review has; code fills a thinner one.",
    )
