"""The claim checks: clean text, citations, support, figures and names, repeats, sign-offs,
computed findings, and what a capable model's run loses to them (the bundled corpus, real
embeddings)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orchestration.engine.claims.checker import ClaimChecker, Statement
from orchestration.engine.claims.for_run import build_checker, theme_terms
from orchestration.engine.claims.settings import ClaimSettings
from orchestration.engine.claims.sign_offs import contradiction, judge_sign_off
from orchestration.engine.claims.support import SupportScorer, lexical_support
from orchestration.engine.claims.turns import NOTHING_KEPT, check_answer, check_points, check_prose
from orchestration.engine.drafts import DebatePoint, DebatePoints, Objection, Objections
from orchestration.engine.reviewing import ThemeEvidence, build_review
from orchestration.report.markdown import theme_markdown
from orchestration.strategy import load_strategy
from orchestration.wording import counted
from tools.coverage import CoverageAnalyzer
from tools.evidence import Passage
from tools.quotes import content_terms
from tools.search import Searcher

STRATEGY = Path("corpus/strategy/workforce-strategy-2026-2031.toml")
DATA = Path("tests/data")
CARERS = "WY-HCP-WF-2022#16"  # the working carers passport


@pytest.fixture(scope="module")
def parts(corpus_index):
    searcher = Searcher(corpus_index.settings)
    coverage = CoverageAnalyzer(searcher)
    strategy = load_strategy(STRATEGY)
    return searcher, coverage, strategy, build_checker(ClaimSettings(), strategy, coverage)


@pytest.fixture(scope="module")
def checker(parts) -> ClaimChecker:
    return parts[3]


def _one(checker: ClaimChecker, where: str, text: str, ids=(), agent="editor", theme=None):
    grounded = theme_terms(theme) if theme is not None else set()
    return checker.check([Statement(where, agent, text, list(ids))], grounded)[0]


def test_a_readable_cited_gap_passes(checker):
    item = _one(
        checker,
        "gap",
        "West Yorkshire is spreading a working carers passport, which the draft never mentions.",
        [CARERS],
    )
    assert item.passed, item.reasons
    assert item.evidence_ids == [CARERS] and item.support is not None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "Leeds needs more nurses [LEEDSCOPEWORKPOPULATION–LSCCYNOCALENOUS] in the city.",
            "bracketed",
        ),
        ("The city plan [/liscredition, 2019:35; LCRG] supports carers at work.", "bracketed"),
        ("[national-policy, opening] The draft misses the working carers passport.", "transcript"),
        (
            "Your task: write the panel's consensus review of this theme as a JSON object.",
            "instructions",
        ),
        ("SCOPE SIGN-ON TO DISCUSBIONEERS for the carers of the workforce.", "run-together"),
        ("Carers blorvaxed the quintaflep of zimbrous wokkentrast grumbles.", "garbled"),
        ("The working carers passport should be adopted across the", "mid-sentence"),
        ("Carers matter.", "too short"),
    ],
)
def test_text_that_is_not_clean_is_set_aside(checker, text, reason):
    item = _one(checker, "gap", text, [CARERS])
    assert not item.passed
    assert any(reason in r for r in item.reasons), item.reasons


def test_inline_ids_become_citations_and_unknown_ids_are_returned(checker):
    item = _one(
        checker,
        "gap",
        f"West Yorkshire spreads a working carers passport [{CARERS}, FAKE-DOC#9] to all staff.",
    )
    assert "[" not in item.text and "#" not in item.text
    assert item.evidence_ids == [CARERS] and item.cleaned.unknown_ids == ["FAKE-DOC#9"]


def test_an_unfinished_tail_is_cut_and_kept_apart(checker):
    item = _one(
        checker,
        "gap",
        "West Yorkshire is spreading a working carers passport to staff. The draft should also",
        [CARERS],
    )
    assert item.text.endswith("staff.") and item.cleaned.cut == "The draft should also"


def test_a_statement_that_cites_nothing_is_set_aside(checker):
    item = _one(checker, "recommendation", "Adopt the working carers passport for all staff.")
    assert item.reasons == ["cites no passage"]


def test_support_separates_the_cited_passage_from_an_unrelated_one(checker):
    text = "West Yorkshire is spreading a working carers passport across health and care."
    own = _one(checker, "gap", text, [CARERS])
    other = _one(checker, "gap", text, ["LEEDS-OWS-2024#2"])
    assert own.passed and own.support.score > other.support.score
    assert not other.passed and "do not support" in other.reasons[0]


def test_gaps_meet_a_stricter_bar_than_recommendations(checker):
    settings = checker.settings
    assert settings.gap_support_min > settings.recommendation_support_min
    text = "Help carers stay in work with a passport that records agreed support."
    gap, rec = _one(checker, "gap", text, [CARERS]), _one(checker, "recommendation", text, [CARERS])
    assert gap.support == rec.support
    assert rec.passed and not gap.passed


def test_review_words_and_the_drafts_own_words_do_not_count_for_support(parts):
    searcher, *_ = parts
    passage = searcher.passage(CARERS)
    grounded = content_terms("Staff Experience: health and wellbeing offer")
    with_draft_words = "No objective of the draft covers the wellbeing offer for carers passport."
    assert lexical_support(with_draft_words, [passage], grounded) == 1.0
    assert lexical_support("Dentists lack fluoride varnish.", [passage], set()) == 0.0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Follow the NHS Workforce Strategy 2019-35/47 on carers passports.", "NHS Workforce"),
        ("Match West Yorkshire, which reported 2019:35 carers with a passport.", "2019:35"),
        ("Match West Yorkshire, which gives 87% of carers a passport.", "87%"),
    ],
)
def test_invented_figures_and_documents_are_set_aside(checker, text, problem):
    item = _one(checker, "recommendation", text, [CARERS])
    assert any(problem in r for r in item.reasons), item.reasons


def test_figures_from_the_drafts_own_period_and_the_cited_passage_pass(checker):
    item = _one(
        checker,
        "recommendation",
        "Adopt the working carers passport in 2026/27 and review it by 2029.",
        [CARERS],
    )
    assert not any("states" in r for r in item.reasons), item.reasons


def test_near_duplicates_are_found_and_different_claims_are_not(checker):
    statements = [
        Statement(
            "gap", "editor", "The draft has no plan for carers who work in the trust.", [CARERS]
        ),
        Statement(
            "gap", "editor", "The draft has no plan for the carers who work in the trust.", [CARERS]
        ),
        Statement(
            "gap",
            "editor",
            "Nothing is said about staff survey results or engagement.",
            ["LSC-ICB-WFS-2023#21"],
        ),
    ]
    checked = checker.check(statements)
    assert checker.repeats(checked) == {1: 0}


@pytest.mark.parametrize(
    ("stance", "reason", "standing"),
    [
        ("agree", "dissend", "invalid"),
        ("agree", "SCOPE SIGN-ON TO DISCUSBIONEERS", "invalid"),
        ("agree", "I disagree with the carers gap.", "invalid"),
        ("agree", "saying no to the evidence corpus.", "invalid"),  # seen on the embedded model
        ("agree", "Saying no to the proposal.", "invalid"),
        ("dissent", "I agree with every point.", "invalid"),
        ("dissent", "Nothing on disabled staff.", "dissent"),
        ("agree", "Well evidenced.", "agree"),
    ],
)
def test_sign_offs_mean_what_they_say(checker, stance, reason, standing):
    judged = judge_sign_off(checker, "critic", stance, reason)
    assert judged.standing == standing
    assert (judged.set_aside is None) == (standing != "invalid")


def test_no_objection_is_no_contradiction():
    assert contradiction("agree", "No objection: the gaps are well evidenced.") is None
    assert contradiction("agree", "We say no to the carers gap.") is not None


def test_a_thin_review_is_filled_with_labelled_computed_findings(parts):
    searcher, coverage, strategy, checker = parts
    theme = strategy.theme("talent")
    text = f"{theme.name}. {theme.summary} " + " ".join(theme.titles())
    found = coverage.candidate_gaps(text, theme.titles(), 6)
    evidence = ThemeEvidence(coverage.objective_support(theme.titles()), found[:3], found[3:])
    review = build_review(theme, None, evidence, {}, checker, searcher.passage)
    assert len(review.gaps) >= 2 and len(review.recommendations) >= 2
    for claim in [*review.gaps, *review.recommendations]:
        assert claim.origin == "computed" and claim.citations, claim
        for citation in claim.citations:
            assert citation.quote in searcher.passage(citation.evidence_id).text
            assert re.search(r"[.!?][\"'”’)]*$", citation.quote), citation.quote
    markdown = theme_markdown(review)
    assert markdown.count("*(computed from the evidence)*") >= 5  # summary + 4 findings
    # each label shows what it rests on: the nearest passage and the typical one
    for item in review.objective_coverage:
        assert item.typical is not None and item.typical < item.score
        assert f"| {item.strength} | {item.score:.2f} ({item.typical:.2f}) |" in markdown


def test_set_aside_statements_are_listed_with_reasons_and_kept_out_of_the_body(parts):
    searcher, coverage, strategy, checker = parts
    from orchestration.engine.drafts import EditorDraft

    theme = strategy.theme("inclusion")
    draft = EditorDraft.model_validate(
        {
            "coverage_summary": "[LEEDSCOPEWORKPOPULATION] Your task: write the review as JSON.",
            "gaps": [
                {
                    "kind": "emerging",
                    "text": "West Yorkshire is spreading a working carers "
                    "passport, which the draft never mentions.",
                    "evidence": [CARERS],
                },
                {
                    "kind": "emerging",
                    "text": "West Yorkshire is spreading a working carers "
                    "passport, which the draft never mentions at all.",
                    "evidence": [CARERS],
                },
            ],
            "recommendations": [],
        }
    )
    evidence = ThemeEvidence(coverage.objective_support(theme.titles()), [])
    review = build_review(theme, draft, evidence, {}, checker, searcher.passage)
    assert [g.origin for g in review.gaps][:1] == ["panel"]
    reasons = {s.text[:30]: s.reasons for s in review.set_aside}
    assert any("repeats" in r[0] for r in reasons.values())
    assert any("bracketed" in r[0] for r in reasons.values())
    markdown = theme_markdown(review)
    assert "LEEDSCOPE" not in markdown and "Your task" not in markdown
    assert (
        f"The claim checks set aside {counted(len(review.set_aside), 'statement')} by the"
        in markdown
    )


def test_a_prose_turn_keeps_its_clean_points_and_recounts_open_objections(checker):
    reply = (
        "OBJECTION: inclusion cites the carers passport but the draft already covers wellbeing.\n"
        "OBJECTION: [leeds-local, opening] DISCUSBIONEERS\n"
        "OPEN OBJECTIONS: 2"
    )
    turn = check_prose(checker, "critic", reply, set())
    assert turn.shown.splitlines() == [reply.splitlines()[0], "OPEN OBJECTIONS: 1"]
    assert len(turn.set_aside) == 1


def test_a_structured_turn_shows_each_point_with_its_verbatim_key_sentence(parts, checker):
    searcher, *_ = parts
    points = DebatePoints(
        points=[
            DebatePoint(
                evidence=CARERS, text="West Yorkshire is spreading a working carers passport."
            ),
            DebatePoint(evidence=CARERS, text="[LSCCYNOCALENOUS] agree: dissend"),
        ]
    )
    turn = check_points(checker, "inclusion", points, set())
    lines = turn.shown.splitlines()
    assert lines[0] == f"- West Yorkshire is spreading a working carers passport. [{CARERS}]"
    quote = lines[1].removeprefix("  > “").removesuffix("”")
    assert quote in searcher.passage(CARERS).text and len(lines) == 2
    assert len(turn.set_aside) == 1 and turn.cited == [CARERS]
    objections = Objections(
        objections=[Objection(panelist="inclusion", evidence=CARERS, text="zz")]
    )
    assert check_points(checker, "critic", objections, set()).shown.splitlines() == [
        NOTHING_KEPT,
        "OPEN OBJECTIONS: 0",
    ]


def test_a_follow_up_answer_keeps_its_checked_sentences(parts, checker):
    searcher, *_ = parts
    pool = [searcher.passage(CARERS)]
    answer = "West Yorkshire is spreading a working carers passport. Blorvax zimbrous WOKKENTRAST."
    turn = check_answer(checker, "editor", answer, pool)
    assert turn.shown == "West Yorkshire is spreading a working carers passport."
    assert turn.cited == [CARERS] and len(turn.set_aside) == 1


def test_the_support_calibration_holds_on_its_labelled_examples(parts, checker):
    """The settings' weights separate statements cited by their own passages from the same
    statements given another theme's passages (see bench/calibrate_support.py)."""
    labels = json.loads((DATA / "claim_support_labels.json").read_text(encoding="utf-8"))
    scorer: SupportScorer = checker.scorer
    correct, gaps_kept, gaps = 0, 0, 0
    for row in labels["examples"]:
        passages = [Passage.model_validate(labels["passages"][i]) for i in row["passages"]]
        [support] = scorer.score_many([row["text"]], [passages], content_terms(row["theme"]))
        correct += (support.score >= 0.5) == bool(row["label"])
        if row["label"] and row["where"] == "gap":
            gaps += 1
            gaps_kept += support.score >= checker.settings.gap_support_min
    assert correct / len(labels["examples"]) >= 0.85
    assert gaps_kept / gaps >= 0.8


def _capable_statements(strategy) -> list[tuple[str, list[Statement], str]]:
    data = json.loads((DATA / "capable_run_statements.json").read_text(encoding="utf-8"))
    found = []
    for turn in data["turns"]:
        agent, theme_id = turn["agent"], turn["theme_id"]
        if turn["phase"] == "review":
            draft = turn["data"]
            statements = [
                Statement("summary", agent, s)
                for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", draft["coverage_summary"])
            ]
            statements += [Statement("gap", agent, g["text"], g["evidence"]) for g in draft["gaps"]]
            statements += [
                Statement("recommendation", agent, r["text"], r["evidence"])
                for r in draft["recommendations"]
            ]
        elif turn["phase"] == "sign_off":
            statements = [Statement("sign-off", agent, turn["data"]["reason"])]
        else:
            lines = [line.strip() for line in turn["content"].splitlines() if line.strip()]
            statements = [
                Statement(
                    "objection" if line.startswith("OBJECTION") else "debate point", agent, line
                )
                for line in lines
                if not line.upper().startswith("OPEN OBJECTIONS")
            ]
        found.append((theme_id, statements, data["pools"][theme_id]))
    return found


def test_a_capable_models_run_loses_at_most_one_statement_in_ten(parts, checker):
    searcher, _, strategy, _ = parts
    total = set_aside = 0
    for theme_id, statements, pool_ids in _capable_statements(strategy):
        pool = [p for i in pool_ids if (p := searcher.passage(i)) is not None]
        grounded = theme_terms(strategy.theme(theme_id))
        checked = checker.check(statements, grounded, pool)
        total += len(checked)
        set_aside += sum(not c.passed for c in checked)
    assert total > 150
    assert set_aside / total <= 0.1, f"{set_aside} of {total} set aside"


def test_a_recommendation_says_what_to_do(checker):
    copied = "We have been working to support a number of key areas which include training."
    described = _one(checker, "recommendation", copied, [CARERS])
    assert not described.passed and "does not say what to do" in described.reasons[0]
    for acting in (
        "Help carers stay in work with a passport that records agreed support.",
        "The trust should help carers stay in work with a passport recording agreed support.",
    ):
        assert "does not say what to do" not in " ".join(
            _one(checker, "recommendation", acting, [CARERS]).reasons
        )
