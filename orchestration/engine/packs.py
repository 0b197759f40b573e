"""Evidence packs: what a panelist is shown for its turn. An opening searches for the theme's
objectives; a critique searches for the points the panelists made since the critic last spoke,
and a rebuttal for the critic's objections to that panelist and its own last points, so each
turn brings fresh evidence to what is in dispute. What a model may be shown at all is decided
here too (``showable``)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

from agents.panel import SPECS
from orchestration.engine.budget import ResolvedBudget
from orchestration.engine.claims.turns import NOTHING_KEPT
from orchestration.engine.context import ThemeRun
from orchestration.engine.protocol import OPENERS, Turn
from orchestration.strategy import Theme
from tools.evidence import Passage, QueryResult
from tools.search import Filters, Searcher


def showable(passages: Iterable[Passage], low_quality_below: float) -> list[Passage]:
    """What the panel may be shown: never planted instructions to a model, and readable passages
    before slide debris (otherwise in the order given)."""
    shown = [p for p in passages if not p.addresses_model]
    return sorted(shown, key=lambda p: p.quality < low_quality_below)


def found_first(results: Iterable[QueryResult]) -> list[str]:
    """The ids of every query's hits, once each, in query order: the passages the queries found,
    then those carrying on a list one of them stops inside (so a full pack drops these first)."""
    hits = [hit for result in results for hit in result.hits]
    return list(dict.fromkeys(h.id for h in sorted(hits, key=lambda h: h.continues is not None)))


def evidence_pack(
    searcher: Searcher,
    agent: str,
    theme: Theme,
    objectives: list[str],
    focus: list[str],
    budget: ResolvedBudget,
    disputed: Sequence[str] = (),
    given: Collection[str] = (),
) -> tuple[list[str], list[Passage]]:
    """The queries run for ``agent`` and the passages found, within its default scope:
    searched for the ``disputed`` points when there are any (a critique, a rebuttal), else for
    the theme's ``objectives`` (as searched: with descriptions, abbreviations spelled out).
    Passages the agent was not ``given`` before come first; passages of low text quality (slide
    debris, contents pages) go last."""
    low_quality_below = searcher.settings.low_quality_below
    spec = SPECS[agent]
    if disputed:
        queries = list(disputed[: budget.disputed_queries])
    else:
        queries = [f"{spec.focus} {theme.name}: {objective}" for objective in objectives]
    queries += [f"{spec.focus} {item}" for item in focus]
    k = budget.hits_per_query
    results = searcher.search(queries, k=k, filters=Filters(scopes=spec.scopes))
    if spec.scopes and not any(r.hits for r in results):
        results = searcher.search(queries, k=k)
    ids = found_first(results)
    ids.sort(key=lambda pid: pid in given)
    passages = [p for pid in ids if (p := searcher.passage(pid)) is not None]
    return queries, showable(passages, low_quality_below)[: budget.pack_size]


def disputed_points(run: ThemeRun, turn: Turn) -> list[str]:
    """What a critique or rebuttal is about, as search queries: for the critic, the panelists'
    points since its last critique; for a rebuttal, the critic's objections to this panelist,
    then its own last points. Empty for other turns."""
    if turn.phase == "critique":
        start = _last_index(run.entries, "critic", "critique") + 1
        latest = run.entries[start:]
        return [point for agent, _, text in latest if agent in OPENERS for point in _points(text)]
    if turn.phase == "rebuttal":
        critique = next((t for a, ph, t in reversed(run.entries) if ph == "critique"), "")
        objections = [
            _plain(line)
            for line in critique.splitlines()
            if line.startswith("OBJECTION") and turn.agent in line.lower()
        ]
        own = next((t for a, _, t in reversed(run.entries) if a == turn.agent), "")
        return [o for o in objections if o] + _points(own)
    return []


def _last_index(entries: list[tuple[str, str, str]], agent: str, phase: str) -> int:
    return max(
        (i for i, (a, ph, _) in enumerate(entries) if a == agent and ph == phase), default=-1
    )


def _points(text: str) -> list[str]:
    """The claims of a turn as the panel saw it, without ids, quotes and bookkeeping lines."""
    if text.startswith(NOTHING_KEPT):
        return []
    lines = [_plain(line) for line in text.splitlines() if not line.lstrip().startswith(">")]
    return [line for line in lines if len(line.split()) >= 4 and not line.startswith("OPEN OBJ")]


def _plain(line: str) -> str:
    line = re.sub(r"\[[^\]]*\]", " ", line)
    line = re.sub(r"^\s*(?:[-*•]|OBJECTION(?: \([^)]*\))?:)\s*", "", line)
    return " ".join(line.split())
