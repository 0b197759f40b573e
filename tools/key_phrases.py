"""Key phrases: name a set of passages by a phrase taken verbatim from them.

``key_phrase(members, corpus)`` says what a set of passages (a corpus topic, a candidate gap, or
one passage alone) is about in words copied from them, e.g. "international recruitment" or
"unpaid carers and volunteers", instead of a bag of keywords. ``key_phrases`` gives the runners-up
too; ``phrase_stats`` counts a corpus once for many calls.

Candidates are runs of 2 to 4 words (5 when an inner "and", "of" or "for" joins them) from the
members' sentences. They never cross punctuation, digits or bullet debris; they never start or end
with a stop word, a vague word ("including", "million") or an adverb, nor start with a vague
adjective ("high quality"); inside they hold no stop word but a few joining ones ("and", "of",
"the", ...).

Ranking, in order:

1. phrases from ``avoid`` (the members' document titles, say) come last: they name a document;
2. phrases found in at least ``min_members`` member passages (all of them, when fewer) first;
3. then phrases the corpus says more than once (a phrase said once is rarely a term);
4. then whole phrases before fragments, which a longer phrase names better ("adult social" is
   nearly always followed by "care", "high quality" by a noun);
5. then by score: how many distinct member sentences say the phrase (overlapping passages repeat
   sentences; they count once) times its inverse document frequency over the corpus, plus the
   mean weight of its words in the members (occurrences times inverse document frequency);
6. ties go to the longer phrase, then to the earlier one.

The phrase keeps its surface form from the text, lower-cased except for words the corpus only
ever writes as names ("Leeds") or acronyms ("NHS"); a name the members always write in title case
("Health Education England") keeps its capitals.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_OPENING = "([{\"'“‘«"
_CLOSING = ".,;:!?)]}\"'”’»…-–—"
_SENTENCES = re.compile(r"\n|(?<=[.!?])\s+")
_JOINERS = frozenset(["and", "of", "for"])  # inner words that let a phrase run one word longer
_INNER = _JOINERS | frozenset(
    ["the", "a", "an", "in", "on", "with", "into", "across", "from", "at", "by", "or"]
)
_STOP = _INNER | _word_set(
    """
    to about above after again against all also although am among any are as be because been
    before being below between both but can could did do does doing done down during each
    either else etc even ever every few further had has have having he her here hers him his
    how however i if is it its itself just least less many may me might more most much must
    my no nor not now of off once only other others ought our ours out over own per rather
    same shall she should since so some such than that their theirs them then there these
    they this those though through thus too under until up upon us very via was we well were
    what whatever when where whether which while who whom whose why will within without
    would yet you your yours outside inside beyond towards toward amongst along alongside
    behind besides despite throughout onto whereas unless like unlike therefore hence indeed
    instead
    """
)
_WEAK_EDGES = _STOP | _word_set(
    """
    able around billion especially example get gets give given go goes going help helps
    hundred include includes including lot made make makes making million need needed needs
    number part particularly provide provides providing range see seen still take taken
    takes thousand use used uses using want way ways whilst
    """
)  # may sit inside a phrase ("make every contact count") but never at either end
_VAGUE_STARTS = _word_set(
    """
    appropriate best better big broad certain clear current different effective existing full
    good great greater high important key large main major overall particular real relevant
    significant specific strong stronger various whole wide wider
    """
)  # "high quality", "better integration": a quality of something, not a topic
_NOT_ADVERBS = _word_set(
    "anomaly assembly daily early elderly family friendly italy july monthly quarterly supply"
    " weekly yearly"
)


@dataclass(frozen=True)
class _Occurrence:
    """One phrase as written in one sentence of one text."""

    key: str  # the words lower-cased, space-joined
    surface: str  # the words as written
    context: str  # the sentence from the phrase onwards, lower-cased: tells repeats apart
    before: str  # the word just before the phrase in its run, lower-cased ("" at the start)
    after: str  # the word just after it ("" at the end)
    initial: bool  # whether it opens its sentence (where a capital says nothing)


@dataclass(frozen=True)
class PhraseStats:
    """Document frequencies of candidate phrases and words over a corpus of passages."""

    passages: int
    phrase_df: Counter[str]
    phrase_places: Counter[str]  # distinct sentences saying it (overlapping passages repeat some)
    word_df: Counter[str]
    lower_case: frozenset[str]  # words written in lower case somewhere
    capitalised: frozenset[str]  # words (lower-cased) capitalised inside a sentence, or acronyms
    shortest: int
    longest: int


def phrase_stats(corpus_texts: Sequence[str], shortest: int = 2, longest: int = 4) -> PhraseStats:
    """Count, for each candidate phrase and word, the corpus passages that contain it.

    ``shortest`` and ``longest`` bound a candidate's words; a phrase with an inner "and", "of"
    or "for" may have one word more than ``longest``.
    """
    if not 1 <= shortest <= longest:
        raise ValueError(f"need 1 <= shortest <= longest, got {shortest} and {longest}")
    phrase_df: Counter[str] = Counter()
    places: set[tuple[str, str]] = set()
    word_df: Counter[str] = Counter()
    for text in corpus_texts:
        found = _occurrences(text, shortest, longest)
        phrase_df.update({o.key for o in found})
        places.update((o.key, o.context) for o in found)
        word_df.update({w.lower() for w in _WORD.findall(text)})
    phrase_places = Counter(key for key, _ in places)
    lower_case, capitalised = _casing(corpus_texts)
    return PhraseStats(
        len(corpus_texts),
        phrase_df,
        phrase_places,
        word_df,
        lower_case,
        capitalised,
        shortest,
        longest,
    )


def _casing(texts: Sequence[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The words written in lower case, and those (lower-cased) capitalised inside a sentence or
    written in capitals.

    A name is capitalised and never lower case. A capital at the start of a sentence or heading
    says nothing, so "Digital skills" heading a list does not make "digital" a name, while
    "Leeds" and "NHS" are names.
    """
    lower: set[str] = set()
    capital: set[str] = set()
    for text in texts:
        for sentence in _SENTENCES.split(text):
            for i, word in enumerate(_WORD.findall(sentence)):
                if word.islower():
                    lower.add(word)
                elif i > 0 or (word.isupper() and len(word) > 1):
                    capital.add(word.lower())
    return frozenset(lower), frozenset(capital)


def key_phrase(
    member_texts: Sequence[str],
    corpus: Sequence[str] | PhraseStats,
    min_members: int = 2,
    avoid: Sequence[str] = (),
) -> str:
    """The phrase that best names ``member_texts`` against ``corpus``; never empty.

    ``corpus`` is the passages the members belong to (or their ``phrase_stats``); one member
    alone gets a phrase too. ``min_members``: phrases found in at least this many member
    passages (or in all of them, when there are fewer) are preferred to the rest. ``avoid``:
    texts, such as the members' document titles, whose phrases name a document rather than a
    topic ("Lancashire and South Cumbria"); they are used only when nothing else is found.
    """
    return key_phrases(member_texts, corpus, min_members, avoid, limit=1)[0]


def key_phrases(
    member_texts: Sequence[str],
    corpus: Sequence[str] | PhraseStats,
    min_members: int = 2,
    avoid: Sequence[str] = (),
    limit: int = 10,
) -> list[str]:
    """Up to ``limit`` phrases naming ``member_texts``, best first (see ``key_phrase``).

    Raises ValueError when the members hold no words at all.
    """
    stats = corpus if isinstance(corpus, PhraseStats) else phrase_stats(corpus)
    members = _Members(member_texts, stats)
    ranked = members.ranked(min(min_members, len(member_texts)), _sub_phrases(avoid))
    return [members.display(key) for key in ranked[:limit]] or [members.best_word()]


def _sub_phrases(texts: Sequence[str]) -> frozenset[str]:
    """Every run of words in ``texts``, lower-cased and space-joined."""
    found: set[str] = set()
    for text in texts:
        words = [w.lower() for w in _WORD.findall(text)]
        for i in range(len(words)):
            found.update(" ".join(words[i:j]) for j in range(i + 1, len(words) + 1))
    return frozenset(found)


def _occurrences(text: str, shortest: int, longest: int) -> list[_Occurrence]:
    """Every candidate phrase in ``text``, in reading order."""
    found: list[_Occurrence] = []
    for sentence in _SENTENCES.split(text):
        for run in _runs(sentence):
            found.extend(_candidates(sentence, run, shortest, longest))
    return found


def _runs(sentence: str) -> Iterator[list[tuple[int, str]]]:
    """Runs of (offset, word) with no punctuation, digit or debris between the words."""
    run: list[tuple[int, str]] = []
    for token in re.finditer(r"\S+", sentence):
        raw = token.group()
        opened = raw.lstrip(_OPENING)
        core = opened.rstrip(_CLOSING)
        if not _is_word(core) or opened != raw:
            yield run
            run = []
        if _is_word(core):
            run.append((token.end() - len(opened), core))
        if core != opened:
            yield run
            run = []
    yield run


def _is_word(token: str) -> bool:
    return bool(_WORD.fullmatch(token)) and (len(token) > 1 or token.lower() == "a")


def _candidates(
    sentence: str, run: list[tuple[int, str]], shortest: int, longest: int
) -> Iterator[_Occurrence]:
    """The allowed phrases of one run of words."""
    lowered = [word.lower() for _, word in run]
    for first in range(len(run)):
        for size in range(shortest, longest + 2):
            words = lowered[first : first + size]
            if len(words) == size and _allowed(words, longest):
                start = run[first][0]
                yield _Occurrence(
                    " ".join(words),
                    " ".join(word for _, word in run[first : first + size]),
                    " ".join(sentence[start:].lower().split()),
                    lowered[first - 1] if first > 0 else "",
                    lowered[first + size] if first + size < len(run) else "",
                    not re.search("[A-Za-z]", sentence[:start]),
                )


def _allowed(words: list[str], longest: int) -> bool:
    """No stop word or weak word at either end, no vague adjective first, only joining words
    inside, and at most ``longest`` words unless an inner "and", "of" or "for" allows one more."""
    inner = words[1:-1]
    if _weak_edge(words[0]) or _weak_edge(words[-1]) or words[0] in _VAGUE_STARTS:
        return False
    if any(w in _STOP and w not in _INNER for w in inner):
        return False
    return len(words) <= longest or any(w in _JOINERS for w in inner)


class _Candidate:
    """One candidate phrase's occurrences in the members."""

    def __init__(self, first: int) -> None:
        self.first = first  # its first occurrence, in reading order
        self.contexts: set[str] = set()
        self.before: Counter[str] = Counter()
        self.after: Counter[str] = Counter()

    def add(self, occurrence: _Occurrence) -> None:
        if occurrence.context in self.contexts:
            return
        self.contexts.add(occurrence.context)
        self.before[occurrence.before] += 1
        self.after[occurrence.after] += 1

    def extended(self, share: float) -> bool:
        """Whether the members nearly always extend it by the same word: a content word on
        either side ("adult social" by "care") or "of" after it ("full breadth" by "of").
        Needs two occurrences to tell."""
        if len(self.contexts) < 2:
            return False
        before = [n for word, n in self.before.items() if _content(word)]
        after = [n for word, n in self.after.items() if word == "of" or _content(word)]
        return max(before + after, default=0) >= share * len(self.contexts)


def _content(word: str) -> bool:
    return bool(word) and word not in _STOP


def _weak_edge(word: str) -> bool:
    """Stop words, vague words and adverbs ("specifically") make poor phrase ends."""
    adverb = word.endswith("ly") and len(word) > 4 and word not in _NOT_ADVERBS
    return adverb or word in _WEAK_EDGES


class _Members:
    """The member passages' candidates and word counts, scored against the corpus."""

    def __init__(self, texts: Sequence[str], stats: PhraseStats) -> None:
        self.stats = stats
        self.found = [_occurrences(text, stats.shortest, stats.longest) for text in texts]
        sentences = dict.fromkeys(" ".join(s.split()) for t in texts for s in _SENTENCES.split(t))
        self.words = [w for s in sentences for w in _WORD.findall(s)]
        self.word_count = Counter(w.lower() for w in self.words)
        lower_case, capitalised = _casing(texts)
        self.names = (stats.capitalised | capitalised) - stats.lower_case - lower_case
        self.texts_with: Counter[str] = Counter(k for f in self.found for k in {o.key for o in f})
        self.size = max(stats.passages, len(texts))

    def ranked(self, min_members: int, avoid: frozenset[str]) -> list[str]:
        """Candidate keys, best first (see the module docstring)."""
        candidates: dict[str, _Candidate] = {}
        for position, o in enumerate(o for f in self.found for o in f):
            candidates.setdefault(o.key, _Candidate(position)).add(o)

        def order(key: str) -> tuple[bool, bool, bool, bool, float, int, int]:
            found = candidates[key]
            support = len(found.contexts)
            shared = min(self.texts_with[key], support) >= min_members
            recurring = max(self.stats.phrase_places[key], support) > 1
            return (
                key in avoid,
                not shared,
                not recurring,
                self._fragment(key, found),
                -self._score(key, support),
                -key.count(" "),
                found.first,
            )

        return sorted(candidates, key=order)

    def _fragment(self, key: str, found: _Candidate, share: float = 0.75) -> bool:
        """Whether the phrase stops short: the corpus nearly always says a phrase one word
        longer where it says this one ("adult social care" for "adult social"), or the members
        nearly always extend it by the same word (even past the longest phrase allowed: "NHS
        Long Term Workforce" is followed by "Plan")."""
        places = max(self.stats.phrase_places[key], len(found.contexts))
        longer = [f"{w} {key}" for w in found.before if w]
        longer += [f"{key} {w}" for w in found.after if w]
        return found.extended(share) or any(
            self.stats.phrase_places[phrase] >= share * places for phrase in longer
        )

    def _score(self, key: str, support: int) -> float:
        """How distinctive the phrase is, plus how much the members use its words."""
        df = max(self.stats.phrase_df[key], self.texts_with[key])
        return support * self._idf(df) + self._salience(key)

    def _idf(self, df: int) -> float:
        return math.log((1 + self.size) / (1 + df))

    def _word_weight(self, word: str) -> float:
        df = max(self.stats.word_df[word], 1)
        return self.word_count[word] * self._idf(df)

    def _salience(self, key: str) -> float:
        """The mean weight of the phrase's content words: how much the members use them."""
        content = [w for w in key.split() if w not in _STOP]
        return sum(self._word_weight(w) for w in content) / len(content)

    def display(self, key: str) -> str:
        """The phrase as the members most often write it, with only its names and acronyms
        capitalised; whole when it holds a name and they always write it in title case, also
        inside a sentence ("Health Education England", "Leeds Health and Care Academy")."""
        found = [o for f in self.found for o in f if o.key == key]
        surface = Counter(o.surface for o in found).most_common(1)[0][0]
        named = any(w in self.names for w in key.split())
        title_case = all(_title_case(o.surface) for o in found)
        if named and title_case and not all(o.initial for o in found):
            return surface
        return self._cased(surface)

    def best_word(self) -> str:
        """The members' most salient word, for texts with no phrase at all."""
        content = [w for w in self.words if w.lower() not in _STOP] or self.words
        if not content:
            raise ValueError("the passages hold no words to name them by")
        best = max(content, key=lambda w: self._word_weight(w.lower()))
        return self._cased(best)

    def _cased(self, surface: str) -> str:
        return " ".join(w if w.lower() in self.names else w.lower() for w in surface.split())


def _title_case(surface: str) -> bool:
    return all(w[0].isupper() for w in surface.split() if w.lower() not in _STOP)
