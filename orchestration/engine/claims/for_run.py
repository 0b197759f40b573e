"""One ``ClaimChecker`` for a run: built from the corpus, the strategy and the panel's prompts."""

from __future__ import annotations

import numpy as np

from agents.panel import PANEL
from orchestration.engine import prompts
from orchestration.engine.claims.checker import ClaimChecker
from orchestration.engine.claims.grounding import Grounding
from orchestration.engine.claims.settings import ClaimSettings
from orchestration.engine.claims.support import SupportScorer
from orchestration.engine.claims.text import TextChecker
from orchestration.strategy import Strategy, Theme
from tools.coverage import CoverageAnalyzer
from tools.evidence import Passage
from tools.quotes import content_terms
from tools.vocabulary import Vocabulary


def strategy_texts(strategy: Strategy) -> list[str]:
    """The draft's own words: title, organisation, period, themes, summaries, objectives (with
    their descriptions) and the glossary."""
    texts = [strategy.title, strategy.organisation, strategy.period]
    if strategy.previous is not None:
        texts += [strategy.previous.title, *strategy.previous.themes]
    for theme in strategy.themes:
        texts += [theme.name, theme.summary, *(o.text() for o in theme.objectives)]
    texts += [f"{short} {meaning}" for short, meaning in strategy.glossary.items()]
    return [t for t in texts if t]


def theme_terms(theme: Theme) -> set[str]:
    """Content terms the draft itself grounds for this theme (its name, summary, objectives)."""
    return content_terms(theme.text())


def build_checker(
    settings: ClaimSettings, strategy: Strategy | list[str], coverage: CoverageAnalyzer
) -> ClaimChecker:
    """The run's checker; ``strategy``: the strategy, or its words when it cannot be read."""
    passages = coverage.passages
    own = strategy if isinstance(strategy, list) else strategy_texts(strategy)
    corpus = [p.context_text() for p in passages]
    instructions = prompts.fixed_texts()
    searcher = coverage.searcher
    text = TextChecker(
        Vocabulary.build([*corpus, *own, *instructions]),
        instructions,
        (*PANEL, "moderator", "chair"),
        lambda evidence_id: searcher.passage(evidence_id) is not None,
        settings,
    )
    rows = {p.id: row for row, p in enumerate(passages)}

    def vector(passage: Passage) -> np.ndarray | None:
        row = rows.get(passage.id)
        return coverage.vectors[row] if row is not None else None

    scorer = SupportScorer(coverage.embed, vector, settings)
    return ClaimChecker(settings, searcher.passage, text, Grounding(own, corpus), scorer)
