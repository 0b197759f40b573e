"""Debate turns through the claim checks: each point of a reply is checked on its own; what passes
is shown (and is what later turns see), what fails is set aside with its reasons.

A capable model's free prose is checked line by line (a bullet, an OBJECTION line, a paragraph);
the critic's lines are its judgement of others' claims and need no citation of their own.
A small model's structured turn (``DebatePoints`` or ``Objections``) is rendered by code: each
point with its evidence id and the verbatim key sentence of the passage it rests on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from orchestration.engine.claims.checker import Checked, ClaimChecker, Statement
from orchestration.engine.claims.text import split_sentences
from orchestration.engine.drafts import DebatePoints, Objections
from orchestration.review_models import SetAside
from tools.evidence import Passage
from tools.quotes import best_quote

_OPEN = re.compile(r"^\W*OPEN OBJECTIONS\s*:\s*(\d+)", re.IGNORECASE)
_OPEN_ANYWHERE = re.compile(r"(?<=\S)[ \t]+(OPEN OBJECTIONS\s*:\s*\d+)", re.IGNORECASE)
_OBJECTION = re.compile(r"^\W*OBJECTION\b", re.IGNORECASE)
NOTHING_KEPT = "(No point of this reply passed the claim checks; they are listed as set aside.)"


@dataclass
class CheckedTurn:
    """What a turn shows, the ids it cites, and what was set aside."""

    shown: str
    cited: list[str] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)


def check_prose(checker: ClaimChecker, agent: str, text: str, grounded: set[str]) -> CheckedTurn:
    """Check a free-prose turn line by line; see the module docstring."""
    text = _OPEN_ANYWHERE.sub(r"\n\1", text)  # "... supported. OPEN OBJECTIONS: 0"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    open_line = next((m for line in lines if (m := _OPEN.match(line))), None)
    points = [line for line in lines if not _OPEN.match(line)]
    statements = [
        Statement(
            "objection" if agent == "critic" or _OBJECTION.match(line) else "debate point",
            agent,
            line,
        )
        for line in points
    ]
    checked = _without_repeats(checker, checker.check(statements, grounded))
    kept = [line for line, item in zip(points, checked, strict=True) if item.passed]
    if open_line is not None:
        still_open = sum(bool(_OBJECTION.match(line)) for line in kept)
        stated = int(open_line.group(1))
        kept.append(f"OPEN OBJECTIONS: {min(stated, still_open) if still_open else 0}")
    return _turn(kept, checked)


def check_points(
    checker: ClaimChecker, agent: str, value: DebatePoints | Objections, grounded: set[str]
) -> CheckedTurn:
    """Check and render a structured turn; see the module docstring."""
    if isinstance(value, Objections):
        where, items = "objection", [(o.text, o.evidence, o.panelist) for o in value.objections]
    else:
        where, items = "debate point", [(p.text, p.evidence, "") for p in value.points]
    statements = [Statement(where, agent, text, [evidence]) for text, evidence, _ in items]
    checked = _without_repeats(checker, checker.check(statements, grounded))
    kept = []
    for (_, _, panelist), item in zip(items, checked, strict=True):
        if not item.passed:
            continue
        head = f"OBJECTION ({panelist}): " if where == "objection" else "- "
        ids = " ".join(f"[{i}]" for i in item.evidence_ids)
        kept.append(f"{head}{item.text} {ids}".rstrip())
        for passage in item.passages[:1]:
            kept.append(f"  > “{best_quote(passage, item.text).text}”")
    if where == "objection":
        kept.append(f"OPEN OBJECTIONS: {sum(line.startswith('OBJECTION') for line in kept)}")
    return _turn(kept, checked)


def _without_repeats(checker: ClaimChecker, checked: list[Checked]) -> list[Checked]:
    """A point that repeats an earlier point of the same turn is set aside."""
    for index, original in checker.repeats(checked).items():
        checked[index].reasons.append(f"repeats “{checked[original].text}”")
    return checked


def _turn(kept: list[str], checked: list[Checked]) -> CheckedTurn:
    cited = [i for item in checked if item.passed for i in item.evidence_ids]
    shown = "\n".join(kept) if any(not _OPEN.match(line) for line in kept) else NOTHING_KEPT
    if shown == NOTHING_KEPT and kept:
        shown += "\n" + kept[-1]  # the critic's count of open objections (0) still stands
    return CheckedTurn(
        shown=shown,
        cited=list(dict.fromkeys(cited)),
        set_aside=[item.set_aside() for item in checked if not item.passed],
    )


NO_CHECKED_ANSWER = (
    "No sentence of the answer passed the claim checks (they are listed as set aside); the "
    "passages found for the question are cited below."
)


def check_answer(
    checker: ClaimChecker,
    agent: str,
    text: str,
    pool: list[Passage],
    grounded: set[str] | None = None,
) -> CheckedTurn:
    """Check a follow-up answer sentence by sentence; a sentence that cites nothing inline may
    rest on the passage of ``pool`` (the question's evidence) that supports it best."""
    sentences = split_sentences(text)
    statements = [Statement("follow-up", agent, sentence) for sentence in sentences]
    checked = checker.check(statements, grounded, pool)
    kept = [s for s, item in zip(sentences, checked, strict=True) if item.passed]
    turn = _turn([" ".join(kept)] if kept else [], checked)
    if not kept:
        turn.shown, turn.cited = NO_CHECKED_ANSWER, [p.id for p in pool]
    return turn
