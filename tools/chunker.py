"""Structure-aware chunking of normalised text into passages with exact character offsets.

The text is cut into units (headings, list items, sentences); units are packed into chunks of
about ``target_words`` words without splitting a sentence, a new section starts a new chunk, and a
chunk cut for size repeats its last ``overlap_words`` words at the start of the next one. Every
chunk is a contiguous slice ``text[start:end]`` of the normalised source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

_BLOCK_SPLIT = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z0-9“\"‘(•-])")
_BULLET = re.compile(r"^(?:[-*•▪◦–]\s|\(?[0-9ivxIVX]{1,4}[.)]\s|[a-z][.)]\s)")
_NUMBERED_HEADING = re.compile(r"^(?:(\d+(?:\.\d+)*)[.)]?|[A-Z][.)])\s+\S")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")
_WORD = re.compile(r"\S+")

PLAIN_HEADING_LEVEL = 7


@dataclass(frozen=True)
class Chunk:
    """One passage: its text is exactly ``source[start:end]``."""

    position: int
    start: int
    end: int
    text: str
    section: str


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    words: int
    heading_level: int | None
    section: tuple[str, ...]


def heading_level(line: str) -> int | None:
    """The level of a heading line (1 = top), or None when the line is body text."""
    if "\n" in line or len(line) > 90:
        return None
    markdown = _MARKDOWN_HEADING.match(line)
    if markdown:
        return len(markdown.group(1))
    if _BULLET.match(line) and not _NUMBERED_HEADING.match(line):
        return None
    words = len(line.split())
    numbered = _NUMBERED_HEADING.match(line)
    if numbered and words <= 12 and not line.endswith((".", ",", ";")):
        number = numbered.group(1)
        return number.count(".") + 1 if number else 1
    if line.endswith((".", ",", ";", ":", "?", "!")) or not line[:1].isupper():
        return None
    if words <= 8:
        return PLAIN_HEADING_LEVEL
    return None


def _heading_title(line: str) -> str:
    markdown = _MARKDOWN_HEADING.match(line)
    return markdown.group(2).strip() if markdown else line.strip()


def _split_long(start: int, text: str, limit: int) -> list[tuple[int, int]]:
    """Cut a run of text with no sentence ends into pieces of at most ``limit`` words."""
    spans = [m.span() for m in _WORD.finditer(text)]
    return [
        (start + spans[i][0], start + spans[min(i + limit, len(spans)) - 1][1])
        for i in range(0, len(spans), limit)
    ]


def _units(text: str, target_words: int) -> list[_Unit]:
    units: list[_Unit] = []
    stack: list[tuple[int, str]] = []
    block_start = 0
    for match in [*_BLOCK_SPLIT.finditer(text), None]:
        block_end = match.start() if match else len(text)
        block = text[block_start:block_end]
        next_start = match.end() if match else len(text)
        if block.strip():
            offset = block_start + (len(block) - len(block.lstrip()))
            block = block.strip()
            level = heading_level(block)
            if level is not None:
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, _heading_title(block)))
                section = tuple(title for _, title in stack)
                units.append(_Unit(offset, offset + len(block), len(block.split()), level, section))
            else:
                section = tuple(title for _, title in stack)
                units.extend(_body_units(block, offset, section, target_words))
        block_start = next_start
    return units


def _body_units(block: str, offset: int, section: tuple[str, ...], target: int) -> list[_Unit]:
    units: list[_Unit] = []
    line_start = 0
    for line in block.split("\n"):
        pieces_start = offset + line_start
        cuts = [0, *(m.end() for m in _SENTENCE_END.finditer(line)), len(line)]
        for a, b in pairwise(cuts):
            sentence = line[a:b].rstrip()
            if not sentence.strip():
                continue
            lead = len(sentence) - len(sentence.lstrip())
            s_start = pieces_start + a + lead
            words = len(sentence.split())
            if words > target:
                for p_start, p_end in _split_long(s_start, sentence.lstrip(), target):
                    units.append(
                        _Unit(
                            p_start,
                            p_end,
                            len(_WORD.findall(block[p_start - offset : p_end - offset])),
                            None,
                            section,
                        )
                    )
            else:
                units.append(_Unit(s_start, pieces_start + a + len(sentence), words, None, section))
        line_start += len(line) + 1
    return units


def chunk_text(text: str, target_words: int = 170, overlap_words: int = 30) -> list[Chunk]:
    """Split normalised ``text`` into chunks; see the module docstring for the rules."""
    units = _units(text, target_words)
    min_words = max(target_words // 3, 1)
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first
        words = units[first].words
        while last + 1 < len(units):
            nxt = units[last + 1]
            if nxt.heading_level is not None and words >= min_words:
                break
            if words + nxt.words > target_words and words >= min_words:
                break
            last += 1
            words += nxt.words
        body = next((u for u in units[first : last + 1] if u.heading_level is None), units[first])
        start, end = units[first].start, units[last].end
        chunks.append(Chunk(len(chunks) + 1, start, end, text[start:end], " > ".join(body.section)))
        if last + 1 >= len(units):
            break
        first = _overlap_start(units, first, last, overlap_words)
    return chunks


def _overlap_start(units: list[_Unit], first: int, last: int, overlap_words: int) -> int:
    """Where the next chunk starts: after ``last``, or earlier to repeat up to the overlap."""
    following = units[last + 1]
    if following.heading_level is not None or overlap_words == 0:
        return last + 1
    start, words = last + 1, 0
    while start - 1 > first:
        candidate = units[start - 1]
        if candidate.heading_level is not None or candidate.section != following.section:
            break
        if words + candidate.words > overlap_words:
            break
        words += candidate.words
        start -= 1
    return start


def sentence_windows(text: str, size: int = 2, min_words: int = 3) -> list[str]:
    """Overlapping windows of ``size`` sentences (or list lines) from a passage.

    Search embeds these as well as the whole passage: a question usually matches one or two
    sentences, and a 170-word average blurs them (recall@5 on paraphrased questions rises).
    """
    sentences = [
        s
        for line in text.split("\n")
        for s in _SENTENCE_END.split(line)
        if len(s.split()) >= min_words
    ]
    if len(sentences) <= size:
        return [" ".join(sentences)] if sentences else []
    return [" ".join(sentences[i : i + size]) for i in range(len(sentences) - size + 1)]


def continues_list(text: str, following: str) -> bool:
    """Whether ``text`` stops inside a list that ``following`` (the next chunk of the same
    section) goes on with: its last line is a list item, and past the overlap they share the
    next chunk brings a new list item before any heading (an item may run on as prose first)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines or not _BULLET.match(lines[-1]):
        return False
    fresh = [
        line
        for line in (line.strip() for line in following.split("\n"))
        if line and line not in text  # the overlap repeats lines, or the tail of one
    ]
    for line in fresh:
        if _is_heading(line):
            return False
        if _BULLET.match(line):
            return True
    return False


def _is_heading(line: str) -> bool:
    """An unnumbered heading line ("Next steps"). A numbered line reads as a list item here: a
    numbered heading starts a new section, which callers check (``Passage.section``)."""
    return not _BULLET.match(line) and heading_level(line) is not None
