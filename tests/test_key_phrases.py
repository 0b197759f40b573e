"""Key phrases: topics and candidate gaps are named by a phrase copied from their own passages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from orchestration.strategy import load_strategy
from tests.helpers import ROOT
from tools.coverage import CoverageAnalyzer
from tools.key_phrases import key_phrase, key_phrases, phrase_stats
from tools.search import Searcher

STRATEGY = ROOT / "corpus" / "strategy" / "workforce-strategy-2026-2031.toml"

RECRUITMENT = [  # "health and care" is said more often here than anything else, but everywhere
    "We will expand ethical international recruitment of nurses from overseas. Health and care "
    "employers agreed the approach. Health and care unions were consulted.",
    "Ethical international recruitment follows the NHS code of practice. New health and care "
    "staff get pastoral support from health and care mentors.",
    "Pastoral support for nurses recruited through ethical international recruitment includes "
    "housing. Health and care teams welcome them; health and care leaders meet them.",
]
CARERS = (
    "Unpaid carers and volunteers make up a large part of the health and care workforce. Unpaid "
    "carers and volunteers need respite, and health and care partners fund it."
)
OTHERS = [
    "Health and care partners in Leeds will work together to support staff. Health and care "
    "services face rising demand.",
    CARERS,
    "Apprenticeships open routes into health and care careers for school leavers.",
    "Digital skills for health and care staff: 12 modules, with more in 2025.",
]
CORPUS = RECRUITMENT + OTHERS


def _flat(text: str) -> str:
    return " ".join(text.split()).lower()


def _said_in(phrase: str, text: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words, separated by spaces only."""
    words = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.search(rf"(?<![\w-]){words}(?![\w-]|['’]\w)", text, re.IGNORECASE) is not None


def _words(phrase: str) -> int:
    return len(phrase.split())


def _is_readable(phrase: str) -> bool:
    return "," not in phrase and 2 <= _words(phrase) <= 5


# -- small hand-written corpora ------------------------------------------------------------------


def test_a_distinctive_phrase_beats_one_the_whole_corpus_uses():
    phrase = key_phrase(RECRUITMENT, CORPUS)
    assert phrase == "ethical international recruitment"
    assert all(_said_in("health and care", text) for text in CORPUS)
    said = " ".join(RECRUITMENT).lower()
    assert said.count("health and care") > said.count("ethical international recruitment")
    assert "health and care" in key_phrases(RECRUITMENT, CORPUS, limit=100)


def test_phrases_are_copied_from_the_members_and_read_as_phrases():
    for members in (RECRUITMENT, RECRUITMENT[:2], [CARERS], OTHERS):
        phrases = key_phrases(members, CORPUS, limit=100)
        assert phrases
        for phrase in phrases:
            assert _is_readable(phrase), phrase
            assert any(_said_in(phrase, text) for text in members), phrase


def test_one_passage_alone_gets_the_phrase_it_repeats():
    assert key_phrase([CARERS], CORPUS) == "unpaid carers and volunteers"


def test_phrases_never_cross_punctuation_digits_or_debris():
    text = (
        "Flexible rotas, career conversations; and 12 new posts (district nurses) • bullet "
        "debris - here. Retention of district nurses: flexible rotas."
    )
    phrases = key_phrases([text], [text, *CORPUS], limit=100)
    assert "district nurses" in phrases and "flexible rotas" in phrases
    for phrase in phrases:
        assert _said_in(phrase, text), phrase
        assert not re.search(r"\d", phrase)
        assert phrase.split()[0] not in ("and", "of", "the") and phrase.split()[-1] != "and"


def test_phrases_shared_by_several_members_come_first():
    scheme = (
        "Rotational paramedics work in primary care. Rotational paramedics also staff urgent "
        "care. Rotational paramedics were first funded in May."
    )
    pharmacy = "Community pharmacy teams take referrals from rotational paramedics on call."
    members = [scheme + " Community pharmacy hubs opened.", pharmacy]
    corpus = [*members, *OTHERS]
    assert key_phrase(members, corpus) == "rotational paramedics"
    assert key_phrase(members, corpus, min_members=3) == "rotational paramedics"
    assert key_phrase([scheme, pharmacy], corpus, min_members=1) == "rotational paramedics"
    only_one_member = [scheme, "Community pharmacy teams take referrals by phone."]
    assert key_phrase(only_one_member, [*only_one_member, *OTHERS]) == "rotational paramedics"
    shared_only = ["Community pharmacy teams grew.", "Community pharmacy staff were trained."]
    assert key_phrase([*shared_only, scheme], [*shared_only, scheme, *OTHERS]) == (
        "community pharmacy"
    )


def test_a_longer_phrase_wins_over_its_fragment():
    members = [
        "Adult social care needs more staff. Pay in adult social care lags the NHS.",
        "Adult social care employers recruit locally.",
    ]
    corpus = [*members, "Social care and health care differ.", *OTHERS]
    phrases = key_phrases(members, corpus, limit=100)
    assert phrases[0] == "adult social care"
    assert "adult social" in phrases


def test_phrases_naming_the_document_are_avoided():
    members = [
        "Across Lancashire and South Cumbria, nursing associates fill gaps. Lancashire and South "
        "Cumbria has a shortage.",
        "Lancashire and South Cumbria trusts train nursing associates.",
    ]
    corpus = [*members, *OTHERS]
    assert "cumbria" in key_phrase(members, corpus).lower()
    title = ["Lancashire and South Cumbria Five-Year Workforce Strategy"]
    assert key_phrase(members, corpus, avoid=title) == "nursing associates"


def test_names_and_acronyms_keep_their_capitals_and_other_words_are_lower_cased():
    members = [
        "Staff across Leeds join the NHS talent academy each spring. Digital skills come first.",
        "The NHS talent academy trains support workers in Leeds. Money from Health Education "
        "England pays the tutors, and Health Education England sets standards.",
    ]
    corpus = [*members, "Nurses need digital skills and health education.", *OTHERS]
    phrases = key_phrases(members, corpus, limit=100)
    assert phrases[0] == "NHS talent academy"
    assert "digital skills" in phrases and "Digital skills" not in phrases
    assert "Health Education England" in phrases
    assert any("Leeds" in p for p in phrases) and not any("leeds" in p for p in phrases)


def test_the_same_input_gives_the_same_phrases_whatever_the_hash_seed():
    script = (
        "import json, sys\n"
        "from tools.key_phrases import key_phrases\n"
        "corpus = json.loads(sys.argv[1])\n"
        "print(json.dumps([key_phrases(corpus[:3], corpus), key_phrases(corpus[4:5], corpus)]))\n"
    )
    runs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", script, json.dumps(CORPUS)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
        )
        runs.add(result.stdout)
    assert len(runs) == 1
    assert json.loads(runs.pop()) == [
        key_phrases(CORPUS[:3], CORPUS),
        key_phrases(CORPUS[4:5], phrase_stats(CORPUS)),
    ]


def test_texts_with_no_phrase_still_get_a_name():
    assert key_phrase(["Retention."], CORPUS) == "retention"
    assert key_phrase(["NHS"], CORPUS) == "NHS"
    with pytest.raises(ValueError):
        key_phrase(["12, 14 -"], CORPUS)
    with pytest.raises(ValueError):
        key_phrase([], CORPUS)


def test_phrase_lengths_are_tuning_knobs():
    two_words = phrase_stats(CORPUS, shortest=2, longest=2)
    phrases = key_phrases(RECRUITMENT, two_words, limit=100)
    assert "ethical international" in phrases and "ethical international recruitment" not in phrases
    assert all(_words(p) == 2 or p.split()[1] in ("and", "of", "for") for p in phrases), phrases
    three_words = key_phrases(RECRUITMENT, phrase_stats(CORPUS, shortest=3), limit=100)
    assert "ethical international recruitment" in three_words
    assert all(_words(p) >= 3 for p in three_words), three_words
    with pytest.raises(ValueError):
        phrase_stats(CORPUS, shortest=3, longest=2)


# -- the bundled corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def coverage(corpus_index):
    return CoverageAnalyzer(Searcher(corpus_index.settings))


def test_every_corpus_topic_is_named_by_a_phrase_from_its_own_passages(coverage):
    passages = {p.id: p for p in coverage.passages}
    topics = coverage.topics()
    assert len(topics) >= 10
    for topic in topics:
        members = [passages[pid] for pid in topic.passage_ids]
        assert _is_readable(topic.label), topic.label
        assert any(_said_in(topic.label, p.text) for p in members), topic.label
        assert not any(_flat(topic.label) in _flat(p.title) for p in members), topic.label
    assert len({t.label for t in topics}) == len(topics)


def test_candidate_gaps_of_every_theme_are_named_by_phrases(coverage):
    strategy = load_strategy(STRATEGY)
    labels = {t.label for t in coverage.topics()}
    named = []
    for theme in strategy.themes:
        text = f"{theme.name}. {theme.summary} " + " ".join(theme.titles())
        named += [gap.topic.label for gap in coverage.candidate_gaps(text, theme.titles())]
    assert len(named) >= len(strategy.themes)
    assert all(_is_readable(label) and label in labels for label in named), named


def test_topic_labels_are_the_same_for_a_second_analyzer(coverage, corpus_index):
    again = CoverageAnalyzer(Searcher(corpus_index.settings))
    assert [t.label for t in again.topics()] == [t.label for t in coverage.topics()]
