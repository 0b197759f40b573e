"""Figures and named documents: each one a statement states must be in what it rests on.

A figure (a number, a percentage, a sum of money, a year or a range of years) and a document
name (a capitalised name ending in Strategy, Plan, Framework, ...) must appear in the statement's
cited passages or in the strategy under review; a statement with no citations (a dissent, a
sign-off reason) is held to the whole corpus instead. Bare small numbers (up to 20) count items
and objectives, and are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tools.quality import is_word

FIGURE = re.compile(r"£?\d[\d,]*(?:\.\d+)?(?:\s?(?:[:/–-])\s?\d+(?:\.\d+)?)*\s?%?")
_PER_CENT = re.compile(r"\s*per\s?cent\b", re.IGNORECASE)
SMALL_NUMBER = 20
DOCUMENT_WORDS = frozenset(
    [
        "Strategy",
        "Plan",
        "Framework",
        "Report",
        "Review",
        "Programme",
        "Program",
        "Charter",
        "Standard",
        "Act",
        "Agreement",
        "Policy",
        "Guidance",
        "Survey",
        "Compact",
        "Pledge",
        "Scheme",
        "Toolkit",
        "Passport",
        "Paper",
        "Blueprint",
        "Roadmap",
        "Vision",
        "Constitution",
    ]
)
_CONNECTORS = frozenset(["of", "and", "for", "the", "in", "on", "to", "&", "with"])
_SAYS_ABSENT = re.compile(
    r"\b(?:lacks?|absent|missing|not in the corpus|none in (?:the )?corpus|no passage|"
    r"no (?:[a-z]+ )?evidence)\b",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*|&|\d[\d/–-]*")


def _normalise_figure(figure: str) -> str:
    return re.sub(r"[\s,]", "", figure).replace("–", "-")


def figures(text: str) -> list[str]:
    """The figures ``text`` states, normalised (``1,000`` -> ``1000``, ``3 per cent`` -> ``3%``)."""
    found = []
    for match in FIGURE.finditer(_PER_CENT.sub("%", text)):
        figure = _normalise_figure(match.group(0))
        if all(p.isdigit() and int(p) <= SMALL_NUMBER for p in _figure_parts(figure)) and not (
            figure.endswith("%") or figure.startswith("£")
        ):
            continue  # counts, objective numbers, bands ("objectives 1-2", "band 2-4")
        found.append(figure)
    return list(dict.fromkeys(found))


def _figure_parts(figure: str) -> list[str]:
    return [p for p in re.split(r"[:/-]", figure.strip("£%")) if p]


def _figure_known(figure: str, known: set[str]) -> bool:
    if figure in known or figure.strip("£") in known:
        return True
    parts = _figure_parts(figure)
    if ":" in figure or len(parts) < 2:
        return False
    first = parts[0]
    if first not in known:
        return False
    for part in parts[1:]:  # a span such as 2026/27 or 2026-2031 that starts from a known year
        is_year_suffix = (
            first.isdigit()
            and part.isdigit()
            and len(first) == 4
            and len(part) == 2
            and 0 < int(part) - int(first[2:]) <= 10
        )
        if part not in known and not is_year_suffix:
            return False
    return True


def known_figures(texts: Iterable[str]) -> set[str]:
    """Every figure in ``texts``, each part of a compound one, and every year of a span of years
    (a strategy for 2026-2031 makes 2027 its own year)."""
    known: set[str] = set()
    for text in texts:
        for match in FIGURE.finditer(_PER_CENT.sub("%", text)):
            figure = _normalise_figure(match.group(0))
            parts = _figure_parts(figure)
            known.update({figure, figure.strip("£%"), *parts})
            years = [int(p) for p in parts if p.isdigit() and len(p) == 4 and 1900 < int(p) < 2100]
            if len(years) == 2 and 0 < years[1] - years[0] <= 15:
                known.update(str(y) for y in range(years[0], years[1] + 1))
    return known


def document_names(text: str) -> list[list[str]]:
    """Capitalised names that end in a document word, e.g. ``Leeds One Workforce Strategy``;
    each as its ways of being written (whole; without a capitalised first word of a sentence;
    the part after a possessive, as in "West Yorkshire's People Plan")."""
    tokens = [(m.group(0), m.start()) for m in _NAME_TOKEN.finditer(text)]
    names: list[list[str]] = []
    run: list[tuple[str, int]] = []
    for token, start in [*tokens, ("", len(text))]:
        capital = token[:1].isupper() or token[:1].isdigit()
        joined = not run or not text[run[-1][1] + len(run[-1][0]) : start].strip()
        if token and joined and (capital or (run and token.lower() in _CONNECTORS)):
            run.append((token, start))
            continue
        if name := _name_in_run(run, text):
            names.append(name)
        run = [(token, start)] if token and capital else []
    return names


def _span(run: list[tuple[str, int]], text: str) -> str:
    return text[run[0][1] : run[-1][1] + len(run[-1][0])]


def _name_in_run(run: list[tuple[str, int]], text: str) -> list[str]:
    while run and (run[-1][0].lower() in _CONNECTORS or run[-1][0][:1].isdigit()):
        run = run[:-1]
    while run and run[0][0].lower() in _CONNECTORS:
        run = run[1:]
    if len(run) < 2 or not any(t.rstrip("'’s") in DOCUMENT_WORDS for t, _ in run):
        return []
    forms = [_span(run, text)]
    if _sentence_start(text, run[0][1]) and is_word(run[0][0].lower()):
        forms.append(_span(run[1:], text))
    owners = [i for i, (t, _) in enumerate(run) if t.endswith(("'s", "’s"))]
    if owners and owners[-1] + 2 <= len(run):
        forms.append(_span(run[owners[-1] + 1 :], text))
    return forms


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in '.!?:;("“'


def _simple(text: str) -> str:
    return re.sub(r"[’']s\b", "", re.sub(r"\s+", " ", text.lower())).replace("’", "'")


class Grounding:
    """Figures and names checked against cited passages, the strategy and the corpus."""

    def __init__(self, strategy_texts: Iterable[str], corpus_texts: Iterable[str]) -> None:
        strategy = list(strategy_texts)
        corpus = list(corpus_texts)
        self.strategy_figures = known_figures(strategy)
        self.strategy_text = _simple(" ".join(strategy))
        self.corpus_figures = known_figures(corpus)
        self.corpus_text = _simple(" ".join(corpus))

    def problems(self, text: str, cited_texts: list[str] | None) -> list[str]:
        """What ``text`` states that its sources do not hold (``cited_texts=None``: the corpus)."""
        if cited_texts is None:
            known_figures_ = self.corpus_figures | self.strategy_figures
            known_text = self.corpus_text + " " + self.strategy_text
            where = "the corpus"
        else:
            known_figures_ = known_figures(cited_texts) | self.strategy_figures
            known_text = _simple(" ".join(cited_texts)) + " " + self.strategy_text
            where = "its cited passages"
        problems = [
            f"states {figure}, which is not in {where}"
            for figure in figures(text)
            if not _figure_known(figure, known_figures_)
        ]
        if _SAYS_ABSENT.search(text):
            return problems  # naming what the corpus lacks is no claim about what it says
        problems += [
            f"names “{forms[0]}”, which is not in {where}"
            for forms in document_names(text)
            if not any(_simple(form) in known_text for form in forms)
        ]
        return problems
