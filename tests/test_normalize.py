"""tools.normalize: cleaning extracted text without losing words, quotes or line structure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SEED_FILES
from tools.normalize import join_pages, normalize_text


def test_non_breaking_and_odd_spaces_become_plain_spaces() -> None:
    raw = "NHS\u00a0England\u202fand\u2009partners\u3000agree"
    assert normalize_text(raw) == "NHS England and partners agree\n"


def test_word_hyphenated_across_a_line_break_is_joined() -> None:
    assert normalize_text("our work-\nforce plan") == "our workforce plan\n"
    assert normalize_text("our work-\n   force plan") == "our workforce plan\n"


def test_real_hyphens_and_capitalised_continuations_are_kept() -> None:
    assert normalize_text("health and well-being") == "health and well-being\n"
    # A capital or digit after the break is not a split word (e.g. "COVID-\n19").
    assert normalize_text("COVID-\n19 recovery") == "COVID-\n19 recovery\n"


def test_inline_html_tags_are_removed_but_their_words_kept() -> None:
    raw = "informed by <u>extensive engagement</u> and a <b>review</b>"
    assert normalize_text(raw) == "informed by extensive engagement and a review\n"


def test_slide_navigation_lines_are_removed() -> None:
    raw = "Contents\nSlide No 3 <u>5</u> <u>9</u> <u>12</u>\n1. Foreword\n"
    out = normalize_text(raw)
    assert "Slide No" not in out
    assert "<u>" not in out and "12" not in out
    assert out == "Contents\n\n1. Foreword\n"


def test_a_sentence_mentioning_slides_is_not_a_slide_marker() -> None:
    raw = "The Slide Notes explain the model."
    assert normalize_text(raw) == raw + "\n"


def test_curly_quotes_and_apostrophes_are_kept() -> None:
    raw = "Our ‘looking after our people alliance’ said “thank you” to the city’s staff."
    assert normalize_text(raw) == raw + "\n"


def test_ligatures_soft_hyphens_zero_width_and_line_endings() -> None:
    raw = "ﬁnance\r\nsoft\u00adware\rzero\u200bwidth\ufeff"
    assert normalize_text(raw) == "finance\nsoftware\nzerowidth\n"


def test_markdown_emphasis_table_rules_spaces_and_blank_lines() -> None:
    raw = "  **Bold** and __strong__   words\t\there  \n\n\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    assert normalize_text(raw) == "Bold and strong words here\n\n| a | b |\n\n| 1 | 2 |\n"


@pytest.mark.parametrize(
    "raw",
    [
        "a\u00a0b work-\nforce <u>5</u> “quoted”\n\n\n\nnext",
        "Slide No 3 <u>5</u>\n# Heading\n\n- item one\n- item two\n",
        "  leading\tand trailing  \n\n\n",
        "",
    ],
)
def test_normalising_twice_equals_normalising_once(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_documents_normalise_idempotently_and_cleanly(path: Path) -> None:
    raw = path.read_text(encoding="utf-8-sig")
    once = normalize_text(raw)
    assert normalize_text(once) == once
    assert "\u00a0" not in once
    assert "<u>" not in once and "</u>" not in once
    assert not any(line.startswith("Slide No") for line in once.splitlines())
    assert "\n\n\n" not in once
    assert once.endswith("\n") and not once.endswith("\n\n")
    # Normalising only cleans: the words of the document survive.
    assert len(once.split()) >= 0.95 * len(raw.split())


def test_seed_document_with_non_breaking_spaces_loses_them() -> None:
    raw = SEED_FILES[0].read_text(encoding="utf-8-sig")
    assert "\u00a0" in raw  # the fixture really exercises this
    assert "\u00a0" not in normalize_text(raw)


def test_seed_document_with_underline_tags_keeps_the_underlined_words() -> None:
    raw = next(p for p in SEED_FILES if p.name.startswith("003")).read_text(encoding="utf-8")
    assert "<u>extensive engagement</u>" in raw
    out = normalize_text(raw)
    assert "informed by a review of a large library of documents" in out
    assert "has involved extensive engagement with local stakeholders" in out


def test_hyphen_with_trailing_space_before_line_break_is_joined_idempotently() -> None:
    once = normalize_text("our work- \nforce plan")
    assert once == "our workforce plan\n"
    assert normalize_text(once) == once


def test_join_pages_normalises_each_page_and_records_page_starts() -> None:
    text, starts = join_pages(["Page one\u00a0text.", "", "Page three <u>text</u>."])
    # Pages are separate blocks (a blank line between them); an empty page adds nothing.
    assert text == "Page one text.\n\nPage three text.\n"
    assert starts[0] == 0
    assert starts[1] == starts[2]
    assert text[starts[2] :] == "Page three text.\n"
