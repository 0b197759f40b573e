"""tools.quality on the bundled corpus, and the score's way through ingest, the index and reload."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from orchestration.cli.entry import main
from tests.helpers import CORPUS_DIR, IndexedCorpus, squash, write
from tools.chunker import Chunk, chunk_text
from tools.evidence import Passage
from tools.ingest import ingest, lexical_dir
from tools.lexical import LexicalIndex
from tools.normalize import normalize_text
from tools.quality import (
    LOW_QUALITY_BELOW,
    is_quotable,
    is_word,
    passage_quality,
    sentence_spans,
)
from tools.search import Searcher
from tools.settings import RetrievalSettings
from tools.store import CorpusStore

LEEDS_OWS = CORPUS_DIR / "001_89b7e46f1cb73dbb.txt"
LEEDS_SCRUTINY = CORPUS_DIR / "002_198a3abac36d85c3.txt"
LSC_SLIDES = CORPUS_DIR / "003_d7c4ba42fa4e0db5.txt"

# Real text from the bundled corpus.
ROADMAP_DEBRIS = "One and the second and career Collaborative"  # the fragment once quoted
GLUED_FRAGMENTS = (
    "Joined-up approach to training needs analysis and delivery Competency-based approach to "
    "jobs and development Diverse workforce, with a range of career entry points Innovative "
    "supervision and training models are in place Staff embrace and thrive working in a "
    "personcentred/strength-based model"
)
LEEDS_SENTENCE = (
    "The Academy was designed through extensive consultation with partners and external input "
    "from KPMG, and represents a unique opportunity to transform system-level education and "
    "learning across Health and Care within Leeds, growing and shaping the workforce both now "
    "and for the future."
)
LEEDS_PROSE = (
    "Leeds Health and Care organisations came together in November 2019 to agree the Strategic "
    "Workforce Priorities which would underpin collective delivery of the city’s Health and "
    "Wellbeing Strategy and the Leeds Plan."
)


@cache
def chunks(path: Path) -> tuple[Chunk, ...]:
    return tuple(chunk_text(normalize_text(path.read_text(encoding="utf-8-sig"))))


def chunk_with(path: Path, words: str) -> Chunk:
    """The first passage of ``path`` that contains ``words``."""
    return next(c for c in chunks(path) if words in c.text)


# -- passage scores on the bundled corpus -------------------------------------------------------


@pytest.mark.parametrize(
    "marker",
    [
        ROADMAP_DEBRIS,  # the implementation roadmap slide, as garbled columns
        "Dofino kov f acturac",  # the roadmap's second half
        "4.4 Document review",  # the contents page
        "Turnover rate Sickness Vacancy rate",  # a metrics table
        "Innovation scaled across system Co-designed",  # "future state" boxes run together
    ],
)
def test_slide_debris_contents_and_fragments_score_low(marker: str) -> None:
    passage = chunk_with(LSC_SLIDES, marker)
    assert passage_quality(passage.text) < LOW_QUALITY_BELOW


@pytest.mark.parametrize(
    "marker",
    [
        "A pivotal part of delivering the One Workforce agenda",
        "In Leeds, we have a bold ambition",
        "Workforce planning needs to underpin real, collaborative change",
    ],
)
def test_leeds_prose_scores_high(marker: str) -> None:
    assert passage_quality(chunk_with(LEEDS_OWS, marker).text) >= 0.9


def test_no_passage_of_the_leeds_strategy_is_low_quality() -> None:
    scores = [passage_quality(c.text) for c in chunks(LEEDS_OWS)]
    assert min(scores) >= LOW_QUALITY_BELOW
    assert sorted(scores)[len(scores) // 2] >= 0.85  # the median passage is prose


def test_the_slide_deck_has_many_low_passages_and_prose_documents_few() -> None:
    def low(path: Path) -> int:
        return sum(passage_quality(c.text) < LOW_QUALITY_BELOW for c in chunks(path))

    assert low(LSC_SLIDES) >= 10
    assert low(LEEDS_OWS) == 0
    assert low(LEEDS_SCRUTINY) <= 1


def test_every_score_is_in_range_and_repeatable() -> None:
    for path in sorted(CORPUS_DIR.iterdir()):
        for chunk in chunks(path):
            score = passage_quality(chunk.text)
            assert 0.0 <= score <= 1.0
            assert passage_quality(chunk.text) == score


def test_empty_text_scores_zero_and_a_sentence_one() -> None:
    assert passage_quality("") == 0.0
    assert passage_quality(" \n\n ") == 0.0
    assert passage_quality(LEEDS_SENTENCE) == 1.0


def test_a_list_item_without_a_full_stop_counts_half() -> None:
    item = "Engage with, recruit and develop diverse workforce from local communities"
    assert passage_quality(item) == 0.5
    assert passage_quality(item + ".") == 1.0


# -- sentences ----------------------------------------------------------------------------------


def test_readable_sentences_are_quotable() -> None:
    assert is_quotable(LEEDS_SENTENCE)
    assert is_quotable(LEEDS_PROSE)
    assert is_quotable(
        "Adult social care is facing unprecedented pressures nationally, with staff leaving roles "
        "at a higher rate than they are replaced."
    )


@pytest.mark.parametrize(
    "text",
    [
        ROADMAP_DEBRIS + ".",  # a fragment run, even with a full stop
        GLUED_FRAGMENTS + ".",  # boxes of a slide run together
        "Morkfor evelop and agree future Launch Phase 2 career pathways.",  # garbled words
        "Introducing New Roles Growing & Developing Registrants Working Across Organisations.",
        "How we will work together across the whole system .......... 12",  # dot leaders
        "Working as one to deliver our one workforce ethos and approach 14",  # contents line
        "4.2 2 Strategic Alignment",  # a contents entry
        LEEDS_SENTENCE.removesuffix("."),  # no terminal punctuation
        "the workforce of the future would require different roles and skills.",  # no capital
        "The vacancy rate rose.",  # too short
    ],
)
def test_fragments_and_debris_are_not_quotable(text: str) -> None:
    assert not is_quotable(text)


def test_the_thresholds_are_parameters() -> None:
    short = "Pay will rise this year."
    assert not is_quotable(short)
    assert is_quotable(short, min_words=4)
    garbled = "We will evelop and valuate the plan with our partners."  # 2 of 9 words unknown
    assert not is_quotable(garbled, min_known=0.9)
    assert is_quotable(garbled, min_known=0.7)


def test_words_come_from_the_model_vocabulary_with_their_forms() -> None:
    for word in ("workforce", "apprenticeships", "organisational", "recognised", "wellbeing"):
        assert is_word(word), word
    for debris in ("evelop", "valuate", "morkfor", "pathwa", "rk", "nd"):
        assert not is_word(debris), debris


def test_sentence_spans_do_not_cut_at_abbreviations_or_decimals() -> None:
    text = (
        "We serve all 1.8 million people who live here. Some areas, e.g. Barrow, face "
        "distance. A third line.\n- Second line"
    )
    got = [text[a:b] for a, b in sentence_spans(text)]
    assert got == [
        "We serve all 1.8 million people who live here.",
        "Some areas, e.g. Barrow, face distance.",
        "A third line.",
        "Second line",  # list marker trimmed
    ]


# -- through ingest, the index and a reload -----------------------------------------------------


def _write_corpus(folder: Path) -> None:
    slides = chunk_with(LSC_SLIDES, ROADMAP_DEBRIS).text
    write(folder / "slides.txt", "Roadmap slide\n\n" + slides)
    write(folder / "prose.md", "# Leeds\n\n" + LEEDS_SENTENCE + "\n\n" + LEEDS_PROSE + "\n")


def _by_doc(passages: list[Passage]) -> dict[str, list[Passage]]:
    grouped: dict[str, list[Passage]] = {}
    for p in passages:
        grouped.setdefault(p.doc_id, []).append(p)
    return grouped


@pytest.fixture(scope="module")
def slides_and_prose(
    build_index: Callable[..., IndexedCorpus], tmp_path_factory: pytest.TempPathFactory
) -> RetrievalSettings:
    """The slide debris and the Leeds prose, ingested once for the tests that only read them."""
    folder = tmp_path_factory.mktemp("slides-and-prose")
    _write_corpus(folder)
    return build_index(folder).settings


def test_quality_is_stored_at_ingest_and_survives_a_reload(
    slides_and_prose: RetrievalSettings,
) -> None:
    settings = slides_and_prose
    stored = list(CorpusStore(settings).iter_passages())
    by_doc = _by_doc(stored)
    assert by_doc["SLIDES"] and by_doc["PROSE"]
    assert all(p.quality < LOW_QUALITY_BELOW for p in by_doc["SLIDES"])
    assert all(p.quality > 0.9 for p in by_doc["PROSE"])
    for p in stored:
        assert p.quality == passage_quality(p.text)

    fresh = Searcher(settings)  # a new process: the lexical mirror loads from disk
    for p in stored:
        found = fresh.passage(p.id)
        assert found is not None and found.quality == p.quality
    saved = LexicalIndex.load(lexical_dir(fresh.store), fresh.store.index_version())
    assert saved is not None
    assert {p.id: p.quality for p in saved.passages} == {p.id: p.quality for p in stored}


def test_low_quality_counts_and_review_documents(
    slides_and_prose: RetrievalSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = slides_and_prose
    slides = len(_by_doc(list(CorpusStore(settings).iter_passages()))["SLIDES"])
    assert CorpusStore(settings).low_quality_counts() == {"SLIDES": slides}
    assert CorpusStore(settings).low_quality_counts(below=0.0) == {}

    assert main(["--data-dir", str(settings.data_dir), "documents"]) == 0
    out = squash(capsys.readouterr().out)
    assert "low quality" in out
    assert re.search(r"\bPROSE .* 1 0 0 prose\.md", out)  # passages, low quality, to a model
    assert re.search(rf"\bSLIDES .* {slides} {slides} 0 slides\.txt", out)


def test_changing_a_readability_threshold_re_scores_every_document(
    tmp_path: Path, make_settings: Callable[..., RetrievalSettings]
) -> None:
    folder = tmp_path / "corpus"
    _write_corpus(folder)
    ingest([folder], make_settings())
    strict = make_settings(readable_min_words=40)
    report = ingest([folder], strict)
    assert sorted(report.updated) == ["prose.md", "slides.txt"]
    prose = _by_doc(list(CorpusStore(strict).iter_passages()))["PROSE"]
    assert all(p.quality < 1.0 for p in prose)  # neither sentence has 40 words


def test_passages_saved_before_scores_existed_still_load() -> None:
    old = '{"id": "X#1", "doc_id": "X", "title": "t", "section": "", "scope": "place", '
    old += '"position": 1, "start": 0, "end": 4, "text": "text"}'
    assert Passage.model_validate_json(old).quality == 1.0
