"""Text quality: how readable a passage is, and whether a sentence can stand alone as a quote.

Provides ``passage_quality(text)``, a score in [0, 1] given to every passage at ingest (share of
its words inside readable sentences: garbled slide debris, contents pages and strings of
fragments score low, ordinary prose high), ``is_quotable(sentence)`` (a complete, readable
sentence), and ``sentence_spans(text)``, which both use to cut text into sentences without
breaking one. Pure functions of the text: deterministic and fast.

Real words are judged against the whole-word entries of the all-MiniLM-L6-v2 tokenizer's
vocabulary (shipped with the embedding model), with plurals, inflections, British spellings and
two-word compounds of known words accepted.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

LOW_QUALITY_BELOW = 0.35
READABLE_MIN_WORDS = 6
READABLE_MIN_KNOWN = 0.8

CLAUSE_CREDIT = 0.5  # a readable clause with no full stop (a list item) counts half a sentence
WORDS_PER_JOIN = 12  # one fragment join (see fragment_joins) allowed per this many words
TITLE_CASE_SHARE = 0.6  # more capitalised long words than this: a run of titles, not a sentence

_SENTENCE_END = re.compile(
    r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<=[.!?])[\"'”’)]?[ ]+(?=[A-Z0-9“\"‘(•-])"  # not after e.g.
)
_LINE = re.compile(r"[^\n]+")
_LIST_MARKER = re.compile(r"^(?:[-*•▪◦–>]+\s+|\(?[0-9]{1,2}[.)]\s+|\(?[a-z][.)]\s+)")
TERMINAL = re.compile(r"[.!?][\"'”’)]*$")  # ends a sentence
_STARTS_SENTENCE = re.compile(r"^[\"“‘'(]?[A-Z0-9]")
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}|…\s?…|_{4,}")
_PAGE_NUMBER_END = re.compile(r"[A-Za-z)]\s+\d{1,3}$")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_JOIN = re.compile(r"(?<![\w'’-])([a-z]+) +(?=[A-Z][a-z]|A\b)")
_BRITISH_IS = re.compile(r"is(?=[aei])")  # organisation -> organization
_APOSTROPHE = re.compile(r"['’]")
_TOKEN = re.compile(r"\S+")
# fmt: off
_SHORT_WORDS = frozenset({
    "a", "i", "am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it",
    "me", "my", "no", "of", "on", "or", "so", "to", "up", "us", "we", "co",
})
_FUNCTION_WORDS = frozenset({
    "a", "about", "across", "after", "against", "all", "among", "an", "and", "any", "are",
    "around", "as", "at", "be", "before", "beyond", "between", "both", "by", "during", "each",
    "for", "from", "has", "have", "her", "his", "in", "including", "into", "is", "it", "its",
    "like", "my", "of", "on", "or", "our", "over", "per", "since", "than", "that", "the",
    "their", "these", "this", "those", "through", "to", "towards", "under", "until", "via",
    "was", "we", "which", "who", "will", "with", "within", "without", "your",
})
# fmt: on
_SUFFIXES = (
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("d", ""),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("al", ""),
    ("er", ""),
)


@cache
def english_words() -> frozenset[str]:
    """Lower-case whole words of the MiniLM vocabulary; empty (every word passes) without it."""
    from tools.minilm_onnx import bundled_model_dir

    try:
        vocab = (bundled_model_dir() / "vocab.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    return frozenset(w for w in vocab.split() if w.isascii() and w.isalpha() and len(w) > 2)


def _variants(word: str) -> list[str]:
    """``word`` and the stems and spellings it may be listed under."""
    forms = [word, _BRITISH_IS.sub("iz", word)]
    return forms + [
        form[: -len(suffix)] + stem
        for form in forms
        for suffix, stem in _SUFFIXES
        if form.endswith(suffix) and len(form) - len(suffix) >= 3
    ]


@cache
def is_word(word: str) -> bool:
    """Whether a lower-case alphabetic token is an English word (or a compound of two)."""
    if len(word) <= 2:
        return word in _SHORT_WORDS
    words = english_words()
    if not words or any(form in words for form in _variants(word)):
        return True
    return any(
        word[:cut] in words and any(form in words for form in _variants(word[cut:]))
        for cut in range(4, len(word) - 3)
    )


def known_share(text: str) -> float:
    """Share of the checked words of ``text`` that are English words (1.0 when none is checked).

    Lower-case words and single letters are checked; capitalised words are not, since names
    and acronyms are rarely in a dictionary.
    """
    checked = [
        _APOSTROPHE.split(w)[0].lower() for w in _WORD.findall(text) if w.islower() or len(w) == 1
    ]
    return sum(is_word(w) for w in checked) / len(checked) if checked else 1.0


def fragment_joins(text: str) -> int:
    """Places where a capitalised word follows a lower-case content word with only a space between.

    In prose that happens to names now and then ("the whole Health and Care system"); in slide
    debris, where headings and boxes run together, it happens all the time ("delivery
    Competency-based approach", "career Collaborative").
    """
    return sum(m.group(1) not in _FUNCTION_WORDS for m in _JOIN.finditer(text))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, list markers and spaces trimmed.

    Lines never share a sentence; within a line, a sentence ends at ``.``,
    ``!`` or ``?`` followed by a space and a capital, digit or bullet (so ``e.g.`` and ``1.8``
    do not end one).
    """
    spans = []
    for line in _LINE.finditer(text):
        cuts = [0, *(m.end() for m in _SENTENCE_END.finditer(line.group())), len(line.group())]
        for a, b in pairwise(cuts):
            piece = line.group()[a:b]
            lead = len(piece) - len(piece.lstrip())
            marker = _LIST_MARKER.match(piece[lead:])
            lead += marker.end() if marker else 0
            start, end = line.start() + a + lead, line.start() + a + len(piece.rstrip())
            if end > start:
                spans.append((start, end))
    return spans


def clip_at_sentence(text: str, words: int) -> str:
    """``text`` up to the last sentence that ends within ``words`` words (the first sentence
    whole, however long), marked with "…" when something was left out."""
    if len(text.split()) <= words:
        return text
    spans = sentence_spans(text)
    end = spans[0][1] if spans else len(text)
    for _, stop in spans[1:]:
        if len(text[:stop].split()) > words:
            break
        end = stop
    return text[:end] + (" …" if text[end:].strip() else "")


def _title_case(words: list[str]) -> bool:
    """Mostly capitalised long words: headings or names run together, not a sentence."""
    long = [w for w in words[1:] if len(w) > 3]
    capitals = sum(w[0].isupper() for w in long)
    return bool(long) and capitals / len(long) > TITLE_CASE_SHARE


def _readable(text: str, min_words: int, min_known: float) -> bool:
    """Enough real words in running text: no dot leaders, page numbers or title runs."""
    words = _WORD.findall(text)
    return (
        len(words) >= min_words
        and fragment_joins(text) <= len(words) // WORDS_PER_JOIN
        and not _DOT_LEADER.search(text)
        and not _PAGE_NUMBER_END.search(text)
        and not _title_case(words)
        and known_share(text) >= min_known
    )


def is_quotable(
    sentence: str, min_words: int = READABLE_MIN_WORDS, min_known: float = READABLE_MIN_KNOWN
) -> bool:
    """A complete sentence a reader can take on its own.

    It starts with a capital or a digit, ends with terminal punctuation, has at least
    ``min_words`` words, at least ``min_known`` of its lower-case words are English words, and it
    is not a run of title-case fragments, a dot-leader line or a line ending in a page number.
    """
    text = sentence.strip()
    return (
        bool(_STARTS_SENTENCE.match(text))
        and bool(TERMINAL.search(text))
        and _readable(text, min_words, min_known)
    )


def _credit(sentence: str, min_words: int, min_known: float) -> float:
    if is_quotable(sentence, min_words, min_known):
        return 1.0
    return CLAUSE_CREDIT if _readable(sentence, min_words, min_known) else 0.0


def passage_quality(
    text: str, min_words: int = READABLE_MIN_WORDS, min_known: float = READABLE_MIN_KNOWN
) -> float:
    """Readability of a passage in [0, 1]: the share of its words in complete sentences.

    Words in a readable clause without a full stop (a list item) count half; words in headings,
    fragments, table cells, contents lines and garbled debris count nothing.
    """
    total = credit = 0.0
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        words = len(_TOKEN.findall(sentence))
        total += words
        credit += words * _credit(sentence, min_words, min_known)
    return round(credit / total, 3) if total else 0.0
