"""What each turn is shown follows the context window of the agent's model, and a passage is
never cut inside a sentence."""

from __future__ import annotations

from agents.model_settings import Capabilities, ModelEndpoint
from orchestration.engine.budget import WHOLE, EvidenceBudget
from orchestration.engine.prompts import evidence_block
from tests.helpers import passage_of
from tools.quality import clip_at_sentence


def test_the_embedded_model_keeps_tight_packs_and_a_large_model_sees_everything():
    small = EvidenceBudget().for_context(ModelEndpoint().context_tokens())
    assert (small.pack_size, small.passage_words, small.transcript_words) == (4, 70, 90)
    assert small.earlier_recommendations == 8
    large = EvidenceBudget().for_context(ModelEndpoint(backend="openai").context_tokens())
    assert 6 <= large.pack_size <= 8 and large.passage_words == WHOLE
    assert large.transcript_words == WHOLE and large.earlier_recommendations >= 100


def test_a_budget_set_in_settings_wins_over_the_model():
    budget = EvidenceBudget(pack_size=5, passage_words=120).for_context(128_000)
    assert (budget.pack_size, budget.passage_words, budget.review_pack_size) == (5, 120, 16)


def test_a_passage_is_clipped_at_a_sentence_end():
    text = (
        "Apprenticeships grew by a third across the region last year. "
        "Most of the growth came from nursing associates and support workers in community teams. "
        "Retention of apprentices remains a concern for smaller providers."
    )
    first = "Apprenticeships grew by a third across the region last year."
    second = (
        "Most of the growth came from nursing associates and support workers in community teams."
    )
    assert clip_at_sentence(text, 15) == f"{first} …"  # the second sentence ends at word 25
    assert clip_at_sentence(text, 25) == f"{first} {second} …"
    assert clip_at_sentence(text, 4) == f"{first} …"  # the first sentence whole, however long
    assert clip_at_sentence(text, 200) == text
    passage = passage_of(text, pid="DOC#1")
    assert "region last year. …" in evidence_block([passage], 12)


def test_a_model_that_calls_tools_keeps_room_for_them():
    budget = EvidenceBudget(tool_tokens=3000)
    plain = ModelEndpoint(backend="openai-compatible", context_window=10_000)
    calling = plain.model_copy(update={"capabilities": Capabilities(function_calling=True)})
    assert budget.prompt_room(plain) == 10_000 and budget.prompt_room(calling) == 7_000
    assert budget.for_context(budget.prompt_room(plain)).pack_size == 6
    assert budget.for_context(budget.prompt_room(calling)).pack_size == 4  # the smaller tier
