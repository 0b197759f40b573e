"""The debate protocol and review assembly, driven by a scripted speaker over the real corpus."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from orchestration.engine.claims.for_run import build_checker
from orchestration.engine.claims.settings import ClaimSettings
from orchestration.engine.debate import PanelContext, debate_theme
from orchestration.engine.protocol import Limits
from orchestration.engine.steering import Steering
from orchestration.events import (
    AgentMessage,
    ErrorRaised,
    EvidencePack,
    HumanSteer,
    PhaseChanged,
    ThemeReviewed,
)
from orchestration.strategy import load_strategy
from tests.scripted import ScriptedSpeaker
from tools.coverage import CoverageAnalyzer
from tools.search import Searcher

STRATEGY = Path("corpus/strategy/workforce-strategy-2026-2031.toml")
DRAFT = {
    "coverage_summary": "Pipelines are well supported; recruitment systems are not.",
    "gaps": [
        {
            "kind": "emerging",
            "text": "International recruitment of nurses is not mentioned.",
            "evidence": ["WY-HCP-WF-2022#30", "FAKE-DOC#99"],
        },
        {
            "kind": "interdependency",
            "text": "Depends on Staff Experience for retention of new starters.",
            "evidence": [],
        },
    ],
    "recommendations": [
        {
            "action": "add",
            "text": "Add an objective on ethical international recruitment.",
            "priority": "high",
            "evidence": ["WY-HCP-WF-2022#30"],
        }
    ],
}


@pytest.fixture(scope="module")
def panel_parts(corpus_index):
    searcher = Searcher(corpus_index.settings)
    coverage = CoverageAnalyzer(searcher)
    return searcher, coverage, build_checker(ClaimSettings(), load_strategy(STRATEGY), coverage)


def _context(panel_parts, speaker, chair_approval=False, **limits) -> PanelContext:
    searcher, coverage, checker = panel_parts
    return PanelContext(
        load_strategy(STRATEGY),
        searcher,
        coverage,
        speaker,
        checker,
        Limits(**limits),
        chair_approval=chair_approval,
    )


def _run(context, theme_id="talent", steering=None, earlier=None):
    theme = context.strategy.theme(theme_id)

    async def collect():
        return [
            item
            async for item in debate_theme(context, theme, steering or Steering(), earlier or [])
        ]

    return asyncio.run(collect())


def _turns(items):
    return [(i.agent, i.phase) for i in items if isinstance(i, AgentMessage)]


@pytest.fixture(scope="module")
def plain_run(panel_parts):
    """One theme debated with no objections, the editor's DRAFT and one dissent, no chair
    approval: the items it yielded (read them, do not change them)."""
    speaker = ScriptedSpeaker().enqueue("critic", "The claims are supported. OPEN OBJECTIONS: 0")
    speaker.enqueue_decision("editor", DRAFT)
    speaker.enqueue_decision(
        "inclusion", {"stance": "dissent", "reason": "Nothing on disabled staff."}
    )
    return _run(_context(panel_parts, speaker))


def test_protocol_order_without_objections(plain_run):
    assert _turns(plain_run) == [
        ("moderator", "brief"),
        ("national-policy", "opening"),
        ("leeds-local", "opening"),
        ("inclusion", "opening"),
        ("critic", "critique"),
        ("editor", "review"),
        ("national-policy", "sign_off"),
        ("leeds-local", "sign_off"),
        ("inclusion", "sign_off"),
        ("critic", "sign_off"),
    ]
    phases = [i.phase for i in plain_run if isinstance(i, PhaseChanged)]
    assert phases == ["brief", "opening", "critique", "review", "sign_off", "done"]
    [review] = [i for i in plain_run if isinstance(i, PhaseChanged) and i.phase == "review"]
    assert review.because == "the critic left no objection open, so there are no rebuttals"
    assert isinstance(plain_run[-1], ThemeReviewed)


def test_open_objections_bring_rebuttals_and_another_round(panel_parts):
    speaker = ScriptedSpeaker().enqueue(
        "critic",
        "OBJECTION: inclusion cites nothing for its claim about disabled staff.\n"
        "OPEN OBJECTIONS: 1",
        "OPEN OBJECTIONS: 0",
    )
    speaker.enqueue_decision("editor", DRAFT)
    items = _run(_context(panel_parts, speaker, max_rounds=3))
    turns = _turns(items)
    critique = turns.index(("critic", "critique"))
    assert turns[critique + 1] == ("inclusion", "rebuttal")
    assert turns[critique + 2] == ("critic", "critique")
    assert turns[critique + 3] == ("editor", "review")  # objections closed: the debate breaks early


def test_rounds_stop_at_the_cap_even_if_objections_stay_open(panel_parts):
    speaker = ScriptedSpeaker().enqueue(
        "critic",
        *["OBJECTION: leeds-local overreaches on shared pipelines.\nOPEN OBJECTIONS: 2"] * 5,
    )
    items = _run(_context(panel_parts, speaker, max_rounds=2))
    turns = _turns(items)
    assert turns.count(("critic", "critique")) == 2
    assert turns.count(("leeds-local", "rebuttal")) == 2
    assert ("editor", "review") in turns


def test_sign_off_records_agreement_and_dissent(plain_run):
    review = plain_run[-1].review
    assert [d.agent for d in review.dissent] == ["inclusion"]
    assert review.dissent[0].text == "Nothing on disabled staff."
    assert review.agreed == ["national-policy", "leeds-local", "critic"]


def test_unknown_ids_are_dropped_and_quotes_come_from_the_stored_passage(panel_parts, plain_run):
    searcher, _, _ = panel_parts
    items = plain_run
    review = items[-1].review
    assert review.dropped_evidence_ids == ["FAKE-DOC#99"]
    assert any(isinstance(i, ErrorRaised) and "FAKE-DOC#99" in i.message for i in items)
    gap = review.gaps[0]
    assert gap.evidence_ids == ["WY-HCP-WF-2022#30"]
    citation = gap.citations[0]
    passage = searcher.passage("WY-HCP-WF-2022#30")
    assert citation.quote in passage.text
    source = searcher.store.document_text("WY-HCP-WF-2022")
    assert source[citation.start : citation.end] == citation.quote
    [uncited] = [s for s in review.set_aside if s.text.startswith("Depends on Staff")]
    assert uncited.reasons == ["cites no passage"]
    talent = load_strategy(STRATEGY).theme("talent")
    assert [e.objective for e in review.objective_coverage] == talent.titles()
    for entry in review.objective_coverage:
        for c in entry.evidence:
            assert searcher.store.document_text(c.doc_id)[c.start : c.end] == c.quote


def test_a_failed_editor_draft_leaves_a_computed_review_and_an_error(panel_parts):
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    speaker.enqueue_decision("editor", "reply: Invalid JSON")
    items = _run(_context(panel_parts, speaker))
    review = items[-1].review
    findings = [*review.gaps, *review.recommendations]
    assert len(review.gaps) >= 2 and len(review.recommendations) >= 2
    assert all(f.origin == "computed" and f.citations for f in findings)
    assert review.summary == [] and "computed" in review.computed_summary
    assert len(review.objective_coverage) == 4
    assert any(isinstance(i, ErrorRaised) and i.kind == "structured_output" for i in items)


def test_chair_interjection_reaches_the_next_speaker(panel_parts):
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    steering = Steering()
    steering.send("interject", "What about bank staff?")
    items = _run(_context(panel_parts, speaker), steering=steering)
    assert any(isinstance(i, HumanSteer) and i.kind == "interject" for i in items)
    first_task = speaker.requests[0].task
    assert speaker.requests[0].agent == "national-policy" and "What about bank staff?" in first_task
    assert "What about bank staff?" not in speaker.requests[1].task  # answered once
    assert "[chair, " in speaker.requests[1].transcript  # but it stays in the debate


def test_asking_a_panelist_gives_it_the_next_turn(panel_parts):
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    steering = Steering()
    steering.send("ask", "Is there Leeds evidence on apprenticeships?", target="leeds-local")
    items = _run(_context(panel_parts, speaker), steering=steering)
    assert _turns(items)[1] == ("leeds-local", "opening")
    assert "apprenticeships?" in speaker.requests[0].task


def test_redirect_and_end_theme(panel_parts):
    speaker = ScriptedSpeaker()
    steering = Steering()
    steering.send("redirect", "digital skills")
    steering.send("end_theme")
    items = _run(_context(panel_parts, speaker), steering=steering)
    turns = _turns(items)
    assert turns[1] == ("editor", "review")  # no debate turns after the chair ended the theme
    assert "digital skills" in speaker.requests[0].shared
    assert items[-1].review.ended_early


def test_turn_budget_skips_to_the_review(panel_parts):
    speaker = ScriptedSpeaker()
    items = _run(_context(panel_parts, speaker, max_turns=6))
    turns = _turns(items)
    assert turns[1:] == [
        ("national-policy", "opening"),
        ("editor", "review"),
        ("national-policy", "sign_off"),
        ("leeds-local", "sign_off"),
        ("inclusion", "sign_off"),
        ("critic", "sign_off"),
    ]
    [review] = [i for i in items if isinstance(i, PhaseChanged) and i.phase == "review"]
    assert "budget (6 turns" in review.to_text()  # the debate says why it was cut short


def test_ids_typed_inside_text_are_checked_and_never_shown_raw(panel_parts):
    searcher, _, _ = panel_parts
    draft = {
        "coverage_summary": "Attracting talent rests on recruitment campaigns for paid and "
        "unpaid roles [LEEDS-SCRUTINY-2018#3].",
        "gaps": [
            {
                "kind": "emerging",
                "text": "International recruitment [WY-HCP-WF-2022#30] of nurses is missing.",
                "evidence": [],
            },
            {"kind": "emerging", "text": "[NOPE#1]", "evidence": []},
        ],
        "recommendations": [],
    }
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    speaker.enqueue_decision("editor", draft)
    review = _run(_context(panel_parts, speaker))[-1].review
    assert "#" not in review.coverage_summary and "[" not in review.coverage_summary
    [gap] = [g for g in review.gaps if g.origin == "panel"]  # the second was only a bogus id
    assert gap.text == "International recruitment of nurses is missing."
    assert (
        gap.evidence_ids == ["WY-HCP-WF-2022#30"]
        and gap.citations[0].quote in searcher.passage("WY-HCP-WF-2022#30").text
    )
    assert set(review.dropped_evidence_ids) == {"LEEDS-SCRUTINY-2018#3", "NOPE#1"}


def _held_run(context, steers):
    """Run a theme held for approval; each steer is sent when the theme waits for the chair."""
    theme = context.strategy.theme("talent")
    steering = Steering()
    pending = list(steers)

    async def collect():
        items = []
        async for item in debate_theme(context, theme, steering, []):
            items.append(item)
            if isinstance(item, PhaseChanged) and item.phase == "consensus" and pending:
                steering.send(*pending.pop(0))
        return items

    return asyncio.run(asyncio.wait_for(collect(), timeout=30))


def test_a_held_review_waits_for_the_chair_and_records_the_approval(panel_parts):
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    items = _held_run(_context(panel_parts, speaker, chair_approval=True), [("approve",)])
    phases = [i.phase for i in items if isinstance(i, PhaseChanged)]
    assert phases[-2:] == ["consensus", "done"]
    assert any(isinstance(i, HumanSteer) and i.kind == "approve" for i in items)
    assert items[-1].review.chair_approved


def test_sending_a_review_back_makes_the_editor_revise_it_with_the_comment(panel_parts):
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    speaker.enqueue_decision(
        "editor",
        DRAFT,
        {
            **DRAFT,
            "coverage_summary": "Recruitment campaigns for paid and unpaid roles [WY-HCP-WF-2022#29].",
        },
    )
    comment = "Say more about bank staff."
    items = _held_run(
        _context(panel_parts, speaker, chair_approval=True),
        [("send_back", comment), ("approve",)],
    )
    editor_tasks = speaker.tasks_for("editor")
    assert len(editor_tasks) == 2
    assert comment not in editor_tasks[0] and comment in editor_tasks[1]
    assert _turns(items).count(("critic", "sign_off")) == 2  # the panel signs off again
    review = items[-1].review
    assert review.coverage_summary == "Recruitment campaigns for paid and unpaid roles."
    assert review.chair_comments == [comment] and review.chair_approved


def test_interjecting_at_consensus_gets_an_answer_from_the_editor(panel_parts):
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    speaker.enqueue("editor", "The review covers it [WY-HCP-WF-2022#30].")
    items = _held_run(
        _context(panel_parts, speaker, chair_approval=True),
        [("interject", "Is retention covered?"), ("approve",)],
    )
    assert ("editor", "follow_up") in _turns(items)
    assert "Is retention covered?" in speaker.tasks_for("editor")[-1]
    assert items[-1].review.chair_approved


def test_without_approval_a_theme_finishes_without_waiting(plain_run):
    assert "consensus" not in [i.phase for i in plain_run if isinstance(i, PhaseChanged)]
    assert not plain_run[-1].review.chair_approved


def test_a_steer_that_arrives_after_the_debate_is_logged_as_unused(panel_parts):
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    speaker.enqueue_decision("editor", DRAFT)  # cites FAKE-DOC#99: an error after the debate
    context = _context(panel_parts, speaker)
    steering = Steering()

    async def collect():
        items = []
        async for item in debate_theme(context, context.strategy.theme("talent"), steering, []):
            items.append(item)
            if isinstance(item, ErrorRaised) and item.kind == "dropped_citation":
                steering.send("interject", "One more thing", theme_id="talent")  # too late
        return items

    items = asyncio.run(collect())
    assert any(isinstance(i, HumanSteer) and i.text == "One more thing" for i in items)
    [unused] = [i for i in items if isinstance(i, ErrorRaised) and i.kind == "steer_unused"]
    assert "interject" in unused.message
    assert isinstance(items[-1], ThemeReviewed)


def test_an_interjection_left_when_the_theme_ends_goes_to_the_editor_as_a_question(panel_parts):
    speaker = ScriptedSpeaker()
    steering = Steering()
    steering.send("interject", "Is retention covered?")
    steering.send("end_theme")
    _run(_context(panel_parts, speaker), steering=steering)
    [review_task] = speaker.tasks_for("editor")
    assert "The chair asks: “Is retention covered?”" in review_task
    assert "sent your previous review back" not in review_task


def test_the_reply_length_asked_for_follows_the_turn_token_budget(panel_parts):
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    _run(_context(panel_parts, speaker, turn_tokens=200))
    assert "Reply in at most 150 words" in speaker.tasks_for("national-policy")[0]
    assert "Reply in at most 150 words" in speaker.tasks_for("critic")[0]


def test_a_passage_the_editor_adds_is_shown_to_the_panel_before_it_signs_off(panel_parts):
    """The editor cites a passage no panelist was shown: each sign-off turn gets to read it."""
    import re

    from orchestration.engine.drafts import EditorDraft
    from tools.quality import sentence_spans

    searcher = panel_parts[0]

    class CitesUnexamined(ScriptedSpeaker):
        added = ""

        async def decide(self, request, model, schema=None):
            if model is EditorDraft:
                shown = " ".join(r.task for r in self.requests)
                ids = re.findall(r"\[([A-Z0-9-]+#\d+)\]", request.shared)  # the brief's
                low = searcher.settings.low_quality_below
                self.added = next(
                    i for i in ids if f"[{i}]" not in shown and searcher.passage(i).quality >= low
                )
                text = searcher.passage(self.added).text
                sentence = max((text[a:b] for a, b in sentence_spans(text)), key=len)
                self.enqueue_decision(
                    "editor",
                    {
                        "coverage_summary": "Partly supported.",
                        "gaps": [{"kind": "emerging", "text": sentence, "evidence": [self.added]}],
                        "recommendations": [],
                    },
                )
            return await super().decide(request, model, schema)

    speaker = CitesUnexamined().enqueue("critic", "OPEN OBJECTIONS: 0")
    items = _run(_context(panel_parts, speaker))
    [review] = [i for i in items if isinstance(i, AgentMessage) and i.phase == "review"]
    assert speaker.added in review.evidence_ids
    sign_off_tasks = [r.task for r in speaker.requests if "sign off" in r.task]
    assert len(sign_off_tasks) == 4
    for task in sign_off_tasks:
        assert "Passages the review cites that the debate did not examine:" in task
        assert f"[{speaker.added}]" in task


def test_critique_and_rebuttal_packs_search_for_what_is_in_dispute(panel_parts):
    point = "Apprenticeships are taken up across the sector through the levy"
    objection = "national-policy overstates how far the levy reaches community nursing"
    speaker = ScriptedSpeaker().enqueue("national-policy", f"- {point} [WY-HCP-WF-2022#28].")
    speaker.enqueue(
        "critic",
        f"OBJECTION: {objection} [WY-HCP-WF-2022#28]\nOPEN OBJECTIONS: 1",
        "OPEN OBJECTIONS: 0",
    )
    items = _run(_context(panel_parts, speaker, max_rounds=2))
    packs = [i for i in items if isinstance(i, EvidencePack)]
    [critique] = [p for p in packs if p.agent == "critic"][:1]
    assert any(point in query for query in critique.queries)
    [rebuttal] = [p for p in packs if p.agent == "national-policy"][1:2]
    assert objection in rebuttal.queries[0] and any(point in q for q in rebuttal.queries)
    opening = next(p for p in packs if p.agent == "national-policy")
    assert set(rebuttal.evidence_ids) != set(opening.evidence_ids)  # fresh evidence


def test_when_the_rebuttal_cap_bites_it_rotates_and_says_who_was_left_out(panel_parts):
    everyone = (
        "OBJECTION: national-policy cites nothing.\nOBJECTION: leeds-local overreaches.\n"
        "OBJECTION: inclusion is vague.\nOPEN OBJECTIONS: 3"
    )
    speaker = ScriptedSpeaker().enqueue("critic", everyone, everyone)
    items = _run(_context(panel_parts, speaker, max_rounds=2, max_rebuttals=2))
    rebuttals = [agent for agent, phase in _turns(items) if phase == "rebuttal"]
    assert rebuttals == ["national-policy", "leeds-local", "inclusion", "national-policy"]
    notes = [i for i in items if isinstance(i, PhaseChanged) and i.phase == "rebuttal"]
    assert [n.left_out for n in notes] == [["inclusion"], ["leeds-local"]]
    assert "no rebuttal turn left for inclusion" in notes[0].to_text()


def test_a_recommendation_carries_what_a_board_acts_on_and_nothing_invented(panel_parts):
    """A capable editor is asked for owner, measure, baseline, date and resource; a field whose
    figure its passages do not hold is set aside and shown as missing."""
    draft = {
        **DRAFT,
        "recommendations": [
            {
                **DRAFT["recommendations"][0],
                "owner": "Director of Workforce",
                "measure": "Nurses recruited through ethical routes each year",
                "baseline": "62% of new nurses recruited abroad",
                "due": "March 2028",
            }
        ],
    }
    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    speaker.enqueue_decision("editor", draft)
    items = _run(_context(panel_parts, speaker))
    assert "owner (a role)" in speaker.tasks_for("editor")[0]
    review = items[-1].review
    [rec] = [r for r in review.recommendations if r.origin == "panel"]
    assert (rec.owner, rec.due, rec.baseline) == ("Director of Workforce", "March 2028", None)
    [aside] = [s for s in review.set_aside if s.where == "recommendation baseline"]
    assert "states 62%" in aside.reasons[0]
    from orchestration.report.markdown import theme_markdown

    assert "Owner: Director of Workforce · Measure: Nurses recruited" in theme_markdown(review)
    assert "Baseline: *missing* · By: March 2028 · Needs: *missing*" in theme_markdown(review)


def test_a_small_editor_is_not_asked_for_what_it_would_invent(panel_parts):
    from orchestration.engine.drafts import draft_schema

    speaker = ScriptedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    context = _context(panel_parts, speaker)
    context.structured_agents = frozenset({"editor"})
    _run(context)
    assert "owner (a role)" not in speaker.tasks_for("editor")[0]
    small = draft_schema(["A#1"])["$defs"]["DraftRecommendation"]
    assert "owner" not in small["properties"]
    capable = draft_schema(["A#1"], action_fields=True)["$defs"]["DraftRecommendation"]
    assert "owner" in capable["properties"] and "owner" not in capable["required"]
