"""``EvidenceBudget``: how much each turn is shown (``[evidence]`` in review.toml,
``REVIEW_EVIDENCE__...``). A field left unset follows the context window of the model the agent
speaks through (``models.*.context_window``): the embedded 4k-token model gets tight packs of
clipped passages; a model with 32k tokens or more gets whole passages, 8 to a pack, the whole
debate and every earlier recommendation. Passages are clipped at sentence ends, never inside one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.model_settings import ModelEndpoint

SMALL_CONTEXT = 4096  # tokens: the embedded model's context window
WHOLE = 100_000  # words: a passage or a turn shown whole
EVERY = 1_000  # earlier recommendations: all of them

# What a model of at least this many context tokens is shown, largest first.
BY_CONTEXT: tuple[tuple[int, dict[str, int]], ...] = (
    (
        32_000,
        {
            "hits_per_query": 3,
            "pack_size": 8,
            "review_pack_size": 16,
            "passage_words": WHOLE,
            "transcript_words": WHOLE,
            "earlier_recommendations": EVERY,
            "answer_hits": 8,
        },
    ),
    (
        8_000,
        {
            "hits_per_query": 2,
            "pack_size": 6,
            "review_pack_size": 12,
            "passage_words": 160,
            "transcript_words": 250,
            "earlier_recommendations": 30,
            "answer_hits": 6,
        },
    ),
    (
        0,
        {
            "hits_per_query": 2,
            "pack_size": 4,
            "review_pack_size": 8,
            "passage_words": 70,
            "transcript_words": 90,
            "earlier_recommendations": 8,
            "answer_hits": 4,
        },
    ),
)


def _from_model(description: str) -> Any:
    return Field(default=None, ge=1, description=f"{description} (unset: from the model).")


class EvidenceBudget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hits_per_query: int | None = _from_model("Passages kept per query of an evidence pack")
    pack_size: int | None = _from_model("Passages in a panelist's evidence pack")
    review_pack_size: int | None = _from_model(
        "Passages the editor is shown when writing the review"
    )
    passage_words: int | None = _from_model(
        "Words of each passage shown in a prompt, clipped at a sentence end"
    )
    transcript_words: int | None = _from_model(
        "Words of each earlier turn shown in the debate so far"
    )
    earlier_recommendations: int | None = _from_model(
        "Recommendations of earlier themes the editor is shown (so as not to repeat them)"
    )
    answer_hits: int | None = _from_model("Passages retrieved for a follow-up question")
    disputed_queries: int = Field(
        default=4,
        ge=1,
        description="Searches for fresh evidence on the points in dispute, per critique or rebuttal.",
    )
    answer_tokens: int = Field(default=220, ge=16, description="Tokens for a follow-up answer.")
    tool_tokens: int = Field(
        default=2500,
        ge=0,
        description="Context tokens kept free, in a turn whose model can call tools, for the "
        "tools' definitions and what they return.",
    )

    def prompt_room(self, endpoint: ModelEndpoint) -> int:
        """The tokens a turn's prompt may fill on ``endpoint``: its context window, less the
        room its tools take when it can call them."""
        reserve = self.tool_tokens if endpoint.capabilities.function_calling else 0
        return max(endpoint.context_tokens() - reserve, 0)

    def for_context(self, context_window: int) -> ResolvedBudget:
        """This budget with every unset field filled for a model of ``context_window`` tokens."""
        defaults = next(values for least, values in BY_CONTEXT if context_window >= least)
        chosen = {k: v for k, v in self.model_dump().items() if v is not None}
        return ResolvedBudget.model_validate(defaults | chosen)


class ResolvedBudget(BaseModel):
    """An ``EvidenceBudget`` for one model: every field set."""

    hits_per_query: int
    pack_size: int
    review_pack_size: int
    passage_words: int
    transcript_words: int
    earlier_recommendations: int
    answer_hits: int
    disputed_queries: int
    answer_tokens: int
