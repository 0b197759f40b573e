"""tools.quotes: quotes are whole sentences, readable ones whenever the passage has any."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tests.helpers import CORPUS_DIR, passage_of
from tools.chunker import chunk_text
from tools.evidence import Passage
from tools.normalize import normalize_text
from tools.quality import LOW_QUALITY_BELOW, is_quotable, passage_quality
from tools.quotes import MAX_QUOTE_CHARS, best_quote, sentences

LSC_SLIDES = CORPUS_DIR / "003_d7c4ba42fa4e0db5.txt"
ROADMAP_DEBRIS = "One and the second and career Collaborative"
LEEDS_SENTENCE = (
    "Leeds Health and Care organisations came together in November 2019 to agree the Strategic "
    "Workforce Priorities which would underpin collective delivery of the city’s Health and "
    "Wellbeing Strategy and the Leeds Plan."
)
CLAIMS = [
    "One workforce collaborative career pathways",
    "Retention of newly qualified nurses and staff wellbeing",
    "1.8 million people live in Lancashire and South Cumbria",
    "International recruitment and apprenticeships widen the pipeline",
    "Health inequalities in deprived communities",
]


@cache
def normalised(path: Path) -> str:
    return normalize_text(path.read_text(encoding="utf-8-sig"))


@cache
def corpus_passages() -> tuple[Passage, ...]:
    """Every passage of the bundled corpus, as ingest makes them (no index needed)."""
    return tuple(
        Passage(
            id=f"{path.stem}#{c.position}",
            doc_id=path.stem,
            title=path.stem,
            section=c.section,
            scope="place",
            position=c.position,
            start=c.start,
            end=c.end,
            text=c.text,
            quality=passage_quality(c.text),
        )
        for path in sorted(CORPUS_DIR.iterdir())
        for c in chunk_text(normalised(path))
    )


def test_the_debris_once_quoted_is_never_a_readable_quote() -> None:
    passage = next(p for p in corpus_passages() if ROADMAP_DEBRIS in p.text)
    quote = best_quote(passage, "LSC employment and career Collaborative: one and the second")
    assert not quote.quotable
    assert quote.text.strip() in [passage.text[a:b] for a, b in sentences(passage)]


def test_a_readable_sentence_beats_a_fragment_with_more_shared_words() -> None:
    passage = passage_of(ROADMAP_DEBRIS + "\n" + LEEDS_SENTENCE + "\n")
    quote = best_quote(passage, "career collaborative one second")  # words of the fragment
    assert quote.text == LEEDS_SENTENCE
    assert quote.quotable


@pytest.mark.parametrize("claim", CLAIMS)
def test_every_corpus_quote_is_a_whole_sentence(claim: str) -> None:
    for passage in corpus_passages():
        quote = best_quote(passage, claim)
        spans = [passage.text[a:b] for a, b in sentences(passage)]
        assert quote.text in spans, passage.id
        source = normalised(CORPUS_DIR / f"{passage.doc_id}.txt")
        assert source[quote.start : quote.end] == quote.text
        if any(is_quotable(s) for s in spans):
            assert is_quotable(quote.text), (passage.id, quote.text)
            assert quote.text.rstrip("\"'”’)").endswith((".", "!", "?"))
        assert quote.quotable == (
            any(is_quotable(s) for s in spans) and passage.quality >= LOW_QUALITY_BELOW
        )


def test_a_decimal_does_not_cut_the_sentence() -> None:
    passage = next(p for p in corpus_passages() if "all 1.8 million people" in p.text)
    quote = best_quote(passage, "1.8 million people live here")
    assert "1.8 million people who live here." in quote.text
    assert quote.text.endswith("who live here.")


def test_a_long_sentence_is_quoted_whole_rather_than_cut() -> None:
    long = (
        "Retention of nurses improves when "
        + ", ".join(f"shift pattern {i} is offered to ward staff" for i in range(20))
        + "."
    )
    assert len(long) > MAX_QUOTE_CHARS
    quote = best_quote(passage_of(long, start=100), "retention of nurses shift")
    assert quote.text == long
    assert quote.quotable
    assert (quote.start, quote.end) == (100, 100 + len(long))


def test_sentences_within_the_length_are_preferred() -> None:
    long = "Retention of nurses improves when " + ", ".join(
        f"shift pattern {i} is offered" for i in range(30)
    )
    short = "Retention of nurses is the first priority for the coming year."
    passage = passage_of(f"{long}.\n{short}\n")
    assert best_quote(passage, "retention of nurses shift pattern offered").text == short
    assert best_quote(passage, "retention shift", max_chars=10_000).text == long + "."


def test_a_low_quality_passage_gives_no_readable_quote() -> None:
    passage = passage_of(LEEDS_SENTENCE).model_copy(update={"quality": 0.1})
    quote = best_quote(passage, "Leeds Plan")
    assert quote.text == LEEDS_SENTENCE
    assert not quote.quotable
    assert best_quote(passage, "Leeds Plan", low_quality_below=0.05).quotable


def test_a_sentence_with_words_run_together_is_not_quoted():
    text = (
        "Man shovelling snowWe continue our focus on the apprenticeship levy across the region. "
        "Apprenticeship starts rose across the partnership in the last year."
    )
    passage = Passage(
        id="D#1",
        doc_id="D",
        title="T",
        section="S",
        scope="regional",
        position=1,
        start=0,
        end=len(text),
        text=text,
    )
    quote = best_quote(passage, "apprenticeship levy focus")
    assert quote.text == "Apprenticeship starts rose across the partnership in the last year."


def test_overlapping_passages_give_a_quote_once():
    from orchestration.engine.citations import cite
    from tools.evidence import Passage

    sentence = "Secure the wider benefits of investing in health and care for every community."
    passages = {
        pid: Passage(
            id=pid,
            doc_id="D",
            title="T",
            section="S",
            scope="regional",
            position=n,
            start=0,
            end=len(sentence),
            text=sentence,
        )
        for n, pid in enumerate(["D#7", "D#8"])
    }
    citations, dropped = cite(["D#7", "D#8"], "benefits of investing in care", passages.get)
    assert [c.evidence_id for c in citations] == ["D#7"] and dropped == []
