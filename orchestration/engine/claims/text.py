"""Clean text: what a statement cites inline, and whether it reads as prose a person wrote.

A statement is not clean when it holds a bracketed token that is not an evidence id, run-together
capitals, garbled words, an echoed transcript tag, a fragment of the panel's prompts, or when it
is too short or ends mid-sentence. Evidence ids written inline are taken out of the text (the
report shows citations separately) and returned as citations; ids the index does not hold are
returned to be logged, never shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from orchestration.engine.claims.settings import ClaimSettings
from tools.quality import TERMINAL
from tools.vocabulary import Vocabulary, words

EVIDENCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*#\d+$")
_BARE_ID = re.compile(r"\b[A-Z0-9][A-Za-z0-9._-]*#\d+\b")
_BRACKETED = re.compile(r"\[([^\[\]]*)\]|\(([^()]*#\d+[^()]*)\)")
_STRAY = re.compile(r"[\[\]{}<>|\\]")
NO_EVIDENCE = re.compile(
    r"\bno (?:[a-z]+ ){0,2}evidence (?:in|from) (?:the |my )?(?:corpus|passages)", re.IGNORECASE
)
_NO_EVIDENCE_NOTE = re.compile(r"\(\s*no (?:[a-z]+ ){0,2}evidence in (?:the )?corpus[^()]*\)", re.I)
_PROMPT_MARKERS = re.compile(
    r"\byour task\b|\bjson\b|coverage_summary|\bevidence ids?\b|debate so far|square brackets|"
    r"evidence for you|\bTHEME:|\brules:|\bsign off\b.*\bstance\b",
    re.IGNORECASE,
)
_TRANSCRIPT_LABELS = ("objection:", "open objections")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"'(])")
_DANGLING = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "our",
        "than",
        "that",
        "the",
        "their",
        "this",
        "to",
        "with",
        "which",
        "who",
        "whose",
        "its",
        "was",
        "were",
        "will",
        "would",
        "should",
    ]
)
PHASES = ("brief", "opening", "critique", "rebuttal", "review", "sign_off", "sign-off")


@dataclass
class Cleaned:
    """A statement's text as shown, what it cites, and why it is not clean (if it is not)."""

    text: str
    cited: list[str] = field(default_factory=list)
    unknown_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    says_no_evidence: bool = False
    cut: str = ""


_MODAL = re.compile(
    r"\b(should|must|needs? to|ought to|recommends?|we propose|it is proposed)\b", re.IGNORECASE
)
_DESCRIBING = frozenset(
    [
        "we",
        "i",
        "it",
        "its",
        "this",
        "these",
        "those",
        "there",
        "they",
        "their",
        "our",
        "the",
        "a",
        "an",
        "he",
        "she",
        "his",
        "her",
    ]
)


def proposes_action(text: str) -> bool:
    """Whether a recommendation says what to do: it opens on a verb ("Publish…", "Before
    refreshing, confirm…") or says what should be done, rather than describing ("We have been
    working to support…", copied from a passage)."""
    words = re.findall(r"[A-Za-z']+", text)
    return bool(_MODAL.search(text)) or (bool(words) and words[0].lower() not in _DESCRIBING)


def split_sentences(text: str) -> list[str]:
    """The sentences of a model's paragraph (an id in brackets stays with its sentence)."""
    return [s.strip() for s in _SENTENCE_BREAK.split(text.strip()) if s.strip()]


def _shingles(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in words(text)]


class TextChecker:
    """Checks statements against a vocabulary and the panel's own prompt text."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        prompt_texts: Iterable[str],
        agents: Iterable[str],
        is_known_id: Callable[[str], bool],
        settings: ClaimSettings,
    ) -> None:
        self.vocabulary = vocabulary
        self.settings = settings
        self.is_known_id = is_known_id
        self.agents = tuple(agents)
        n = settings.prompt_shingle_words
        self.prompt_shingles: set[tuple[str, ...]] = set()
        for text in prompt_texts:
            self.prompt_shingles |= _shingles(_tokens(re.sub(r"\{[a-z_]+\}", " ", text)), n)

    def clean(
        self, raw: str, allow_objection_lines: bool = False, min_words: int | None = None
    ) -> Cleaned:
        """Take out inline ids and check the rest; see the module docstring."""
        result = Cleaned(text="")
        text = self._take_ids(raw, result)
        if NO_EVIDENCE.search(text):
            result.says_no_evidence = True
            text = _NO_EVIDENCE_NOTE.sub(" ", text)
        text = re.sub(r"\s+", " ", text).strip(" ;,-–—•*\t")
        text = re.sub(r"\s+([.,;:!?])", r"\1", text)
        text = re.sub(r"\(\s*\)", "", text).strip()
        text = self._finish(text, result)
        result.text = text
        if _STRAY.search(text):
            result.problems.append("holds stray brackets or symbols")
        result.problems += self._word_problems(text)
        result.problems += self._leak_problems(text, allow_objection_lines)
        if len(words(text)) < (self.settings.min_words if min_words is None else min_words):
            result.problems.append("too short to say anything")
        return result

    def _take_ids(self, raw: str, result: Cleaned) -> str:
        def bracket(match: re.Match[str]) -> str:
            inner = match.group(1) if match.group(1) is not None else match.group(2)
            parts = [p.strip() for p in re.split(r"[,;]|\band\b", inner) if p.strip()]
            if parts and all(EVIDENCE_ID.match(p) for p in parts):
                for part in parts:
                    self._note_id(part, result)
                return " "
            if match.group(2) is not None:  # a parenthesis that mentions an id among words
                for bare in _BARE_ID.findall(inner):
                    self._note_id(bare, result)
                return "(" + _BARE_ID.sub("", inner).strip(" ,;") + ")"
            lowered = inner.lower()
            if any(a in lowered for a in self.agents) or any(p in lowered for p in PHASES):
                result.problems.append(f"echoes a transcript tag [{inner.strip()}]")
            else:
                result.problems.append(f"holds a bracketed token that is no evidence id [{inner}]")
            return " "

        text = _BRACKETED.sub(bracket, raw)
        for bare in _BARE_ID.findall(text):
            self._note_id(bare, result)
        return _BARE_ID.sub(" ", text)

    def _note_id(self, evidence_id: str, result: Cleaned) -> None:
        target = result.cited if self.is_known_id(evidence_id) else result.unknown_ids
        if evidence_id not in target:
            target.append(evidence_id)

    def _finish(self, text: str, result: Cleaned) -> str:
        """A statement that ends mid-sentence keeps its complete sentences; the cut is kept."""
        if not text or TERMINAL.search(text):
            return text
        ends = list(_SENTENCE_END.finditer(text + " "))
        head = text[: ends[-1].end()].strip() if ends else ""
        if head and len(words(head)) >= self.settings.min_words:
            result.cut = text[len(head) :].strip()
            return head
        last = words(text)[-1] if words(text) else ""
        if not last or last.lower() in _DANGLING or not self.vocabulary.knows(last):
            result.problems.append("ends mid-sentence")
            return text
        return text + "."

    def _word_problems(self, text: str) -> list[str]:
        problems = []
        tokens = words(text)
        n = self.settings.run_together_letters
        run_together = [
            t for t in tokens if len(t) >= n and t.isupper() and not self.vocabulary.knows(t)
        ]
        if run_together:
            problems.append("run-together capitals: " + ", ".join(dict.fromkeys(run_together)))
        unknown = [t for t in tokens if len(t) > 1 and not self.vocabulary.knows(t)]
        if tokens and len(unknown) / len(tokens) > self.settings.max_unknown_share:
            problems.append("garbled words: " + ", ".join(list(dict.fromkeys(unknown))[:5]))
        capitalised = [t for t in tokens if t[:1].isupper() and t != "I"]
        if (
            len(tokens) >= 3
            and len(capitalised) / len(tokens) > self.settings.max_capitalised_share
        ):
            problems.append("reads as a heading or a string of names, not a sentence")
        return problems

    def _leak_problems(self, text: str, allow_objection_lines: bool) -> list[str]:
        lowered = text.lower()
        if marker := _PROMPT_MARKERS.search(text):
            return [f"repeats the panel's instructions (“{marker.group(0)}”)"]
        if not allow_objection_lines and any(label in lowered for label in _TRANSCRIPT_LABELS):
            return ["echoes the critic's transcript labels"]
        if re.match(rf"\s*({'|'.join(map(re.escape, self.agents))})\s*[,:]", lowered):
            return ["echoes a transcript tag"]
        copied = _shingles(_tokens(text), self.settings.prompt_shingle_words) & self.prompt_shingles
        if copied:
            return ["repeats the panel's instructions (“" + " ".join(min(copied)) + "”)"]
        return []
