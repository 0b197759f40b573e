"""tools.chunker on the real seed texts and on small synthetic ones."""

from __future__ import annotations

import itertools
import re
from functools import cache
from pathlib import Path

import pytest

from tests.helpers import SEED_FILES
from tools.chunker import Chunk, chunk_text, continues_list, heading_level, sentence_windows
from tools.normalize import normalize_text

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z0-9“\"‘(•-])")


@cache
def normalised(path: Path) -> str:
    return normalize_text(path.read_text(encoding="utf-8-sig"))


@cache
def chunks_of(path: Path, target: int = 170, overlap: int = 30) -> tuple[Chunk, ...]:
    return tuple(chunk_text(normalised(path), target, overlap))


seed = pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
sizes = pytest.mark.parametrize("target,overlap", [(170, 30), (60, 15), (40, 0)])


@seed
@sizes
def test_every_chunk_is_an_exact_slice_of_the_normalised_text(
    path: Path, target: int, overlap: int
) -> None:
    text = normalised(path)
    chunks = chunks_of(path, target, overlap)
    assert chunks
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert chunk.text == text[chunk.start : chunk.end]


@seed
@sizes
def test_no_chunk_is_empty_or_padded(path: Path, target: int, overlap: int) -> None:
    for chunk in chunks_of(path, target, overlap):
        assert chunk.text.strip()
        assert chunk.text == chunk.text.strip()


@seed
@sizes
def test_no_chunk_is_much_longer_than_the_target(path: Path, target: int, overlap: int) -> None:
    for chunk in chunks_of(path, target, overlap):
        assert len(chunk.text.split()) <= 2 * target, (chunk.position, len(chunk.text.split()))


@seed
def test_chunks_are_mostly_near_the_target_size(path: Path) -> None:
    words = [len(c.text.split()) for c in chunks_of(path)]
    # Packing works: the median chunk is well above a third of the target.
    assert sorted(words)[len(words) // 2] >= 170 // 3


@seed
@sizes
def test_positions_run_from_one_to_n_in_document_order(
    path: Path, target: int, overlap: int
) -> None:
    chunks = chunks_of(path, target, overlap)
    assert [c.position for c in chunks] == list(range(1, len(chunks) + 1))
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    assert all(b.start < b.end and a.end <= b.end for a, b in itertools.pairwise(chunks))


@seed
@sizes
def test_chunks_cover_every_character_of_the_body(path: Path, target: int, overlap: int) -> None:
    text = normalised(path)
    covered = bytearray(len(text))
    for chunk in chunks_of(path, target, overlap):
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    lost = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not lost, text[lost[0] : lost[0] + 80]


@seed
def test_every_sentence_of_the_source_is_inside_some_chunk(path: Path) -> None:
    text = normalised(path)
    chunks = chunks_of(path)
    for line in text.splitlines():
        for sentence in SENTENCE_SPLIT.split(line):
            sentence = sentence.strip()
            if len(sentence.split()) < 3 or len(sentence.split()) > 170:
                continue
            assert any(sentence in c.text for c in chunks), sentence


@seed
def test_every_chunk_has_a_section_path(path: Path) -> None:
    chunks = chunks_of(path)
    assert all(c.section for c in chunks), [c.position for c in chunks if not c.section]


def test_numbered_headings_build_nested_section_paths_in_003() -> None:
    path = next(p for p in SEED_FILES if p.name.startswith("003"))
    sections = [c.section for c in chunks_of(path)]
    assert "2. Executive summary > 2.1 What is this strategy?" in sections
    nested = [s for s in sections if s.startswith("2. Executive summary > ")]
    assert nested
    # A sub-heading never outlives its parent: nothing under 2.x sits inside section 3.
    assert not any(s.startswith("3.") and " > 2." in s for s in sections)


@seed
def test_chunks_never_straddle_two_sections_without_a_heading(path: Path) -> None:
    text = normalised(path)
    for chunk in chunks_of(path):
        if not chunk.section:
            continue
        # The deepest heading in the path appears in the text at or before the chunk.
        deepest = chunk.section.split(" > ")[-1]
        assert deepest in text[: chunk.end], (chunk.position, deepest)


def _cut_for_size(a: Chunk, b: Chunk) -> bool:
    """b follows a in the same section and does not open with a heading."""
    first_line = b.text.split("\n", 1)[0]
    return a.section == b.section and heading_level(first_line) is None


def _last_sentence_words(chunk: Chunk) -> int:
    last_line = [line for line in chunk.text.split("\n") if line.strip()][-1]
    return len(SENTENCE_SPLIT.split(last_line)[-1].split())


@seed
def test_chunks_cut_for_size_overlap_when_the_last_sentence_fits(path: Path) -> None:
    text = normalised(path)
    chunks = chunks_of(path)
    overlapping = 0
    for a, b in itertools.pairwise(chunks):
        if b.start < a.end:
            overlapping += 1
            shared = text[b.start : a.end]
            assert a.text.endswith(shared) and b.text.startswith(shared)
            assert 0 < len(shared.split()) <= 30
        elif _cut_for_size(a, b):
            # No overlap is only allowed when a's last sentence alone exceeds the overlap.
            assert _last_sentence_words(a) > 30, (a.position, a.text[-200:])
    assert overlapping >= 5


@seed
def test_zero_overlap_gives_disjoint_chunks(path: Path) -> None:
    chunks = chunks_of(path, 60, 0)
    assert all(b.start >= a.end for a, b in itertools.pairwise(chunks))


def test_short_sentences_in_one_section_always_overlap() -> None:
    body = " ".join(f"Sentence number {i} is about workforce retention." for i in range(60))
    text = normalize_text(f"# Plan\n\n{body}")
    chunks = chunk_text(text, target_words=60, overlap_words=15)
    assert len(chunks) > 4
    for a, b in itertools.pairwise(chunks):
        assert b.start < a.end, (a.position, b.position)
        shared = text[b.start : a.end]
        assert 1 <= len(shared.split()) <= 15
        assert shared.rstrip().endswith(".")  # overlap is whole sentences
    assert all(c.section == "Plan" for c in chunks)


def test_a_long_run_without_sentence_ends_is_split_to_the_target() -> None:
    text = normalize_text(" ".join(f"word{i}" for i in range(1000)))
    chunks = chunk_text(text, target_words=100, overlap_words=0)
    assert len(chunks) == 10
    assert all(len(c.text.split()) == 100 for c in chunks)
    assert all(c.text == text[c.start : c.end] for c in chunks)
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_markdown_heading_levels_nest_and_reset() -> None:
    text = normalize_text(
        "# Strategy\n\n## Retention\n\nWe will keep our nurses. They are valued here. "
        "Flexible rotas and career conversations help experienced staff stay with us.\n\n"
        "## Recruitment\n\nWe will hire more carers. Pay will improve. "
        "Adverts will reach school leavers, returners and people changing career.\n\n"
        "# Annex\n\nA table of figures follows here, with vacancy rates for each "
        "staff group and place across the whole system.\n"
    )
    chunks = chunk_text(text, target_words=40, overlap_words=0)
    by_text = {c.section: c.text for c in chunks}
    assert "Strategy > Retention" in by_text
    assert "Strategy > Recruitment" in by_text
    assert "Annex" in by_text
    assert "Pay will improve." in by_text["Strategy > Recruitment"]
    assert "keep our nurses" in by_text["Strategy > Retention"]


def test_text_with_no_words_gives_no_chunks() -> None:
    assert chunk_text(normalize_text("")) == []
    assert chunk_text(normalize_text("  \n\n \t\n")) == []


@pytest.mark.parametrize(
    "line,level",
    [
        ("2. Executive summary", 1),
        ("2.1 What is this strategy?", 2),
        ("## Retention", 2),
        ("Our ambition", 7),
        ("- a bullet item", None),
        ("We will deliver this by working together.", None),
        (
            "2. We will deliver a very long numbered sentence that is clearly body text and not a heading.",
            None,
        ),
    ],
)
def test_heading_level(line: str, level: int | None) -> None:
    assert heading_level(line) == level


def test_sentence_windows_are_overlapping_pairs_of_sentences() -> None:
    text = "One two three four. Five six seven eight. Nine ten eleven twelve."
    assert sentence_windows(text) == [
        "One two three four. Five six seven eight.",
        "Five six seven eight. Nine ten eleven twelve.",
    ]
    assert sentence_windows("Too short.") == []


@pytest.mark.parametrize(
    ("text", "following", "expected"),
    [
        # stops on an item; the next chunk (which repeats that item) brings new ones
        ("The six work streams:\n- I. Recruitment\n- II.", "- II. Entry\n- III. Campaigns", True),
        (
            "Consequences:\n- Lack of continuity\n- Long waits",
            "- Long waits\n- Delayed discharges",
            True,
        ),
        ("Priorities:\n1. New roles\n2. Retention", "2. Retention\n3. Wellbeing", True),
        # stops on prose after the list: the list is over
        ("- One\n- Two\n\nThat is all we plan.", "- Three\n- Four", False),
        # the next chunk only repeats items it already has
        ("Steps:\n- One\n- Two", "- Two\n\nA paragraph of prose follows here.", False),
        # the next chunk has no list at all
        ("Steps:\n- One\n- Two", "A new section in plain prose.", False),
        # a heading comes before the next chunk's list: another list
        ("Aims:\n- One\n- Two", "Next steps\n\nProse follows.\n- Alpha", False),
        # an item that runs on as prose, then the next item
        (
            "Streams:\n- I. Recruitment: we hire.\n- II. Entry",
            "More on entry routes.\n- III. Pay",
            True,
        ),
    ],
)
def test_a_chunk_continues_a_list_only_when_it_stops_inside_one_that_goes_on(
    text: str, following: str, expected: bool
) -> None:
    assert continues_list(text, following) is expected
