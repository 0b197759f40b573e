"""Compare two saved runs, A (the earlier draft) and B (the later): ``compare_runs`` returns a
``Comparison`` (``compare_models``) of

- the strategies: themes added, removed or renamed, and objectives added, removed or reworded
  (read from each run's strategy file, or from its report.json when the file is gone or has
  changed since the run, which the comparison says);
- for each theme reviewed in both runs: the gaps and recommendations resolved (raised in A only;
  with the objective new or reworded in B that covers one, if any), still open (raised in both)
  and new (in B only), each with its citations; and the coverage labels that moved.

Everything is matched by meaning (``matching``: embeddings, greedy best match), not by exact
words; ``CompareSettings`` holds the thresholds. No UI here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.record.compare_models import (
    CompareSettings,
    Comparison,
    Covering,
    Finding,
    FindingKind,
    ItemChange,
    LabelMove,
    ThemeComparison,
)
from orchestration.record.compare_strategy import SavedRun, StrategyDiff, diff_strategies, open_run
from orchestration.record.folder import RunFolder
from orchestration.record.matching import Meaning, gist, titled
from orchestration.review_models import Claim, ObjectiveCoverage, StrategyReview, ThemeReview
from orchestration.wording import counted

if TYPE_CHECKING:
    from orchestration.settings import Settings
    from tools.embeddings import Embedder

__all__ = ["CompareSettings", "Comparison", "SavedRun", "compare_runs", "compare_saved_runs"]
STATUS_ORDER = {"resolved": 0, "open": 1, "new": 2}


def compare_runs(
    transcripts_dir: Path,
    run_a: str,
    run_b: str,
    embedder: Embedder,
    settings: CompareSettings | None = None,
) -> Comparison:
    """What changed from run ``run_a`` (the earlier draft) to ``run_b`` (the later). Raises a
    plain ``ValueError`` for an unknown run, a run without a report, or the same run twice."""
    folder_a = RunFolder.existing(transcripts_dir, run_a)
    folder_b = RunFolder.existing(transcripts_dir, run_b)
    if folder_a.path.resolve() == folder_b.path.resolve():
        raise ValueError(
            f"Both runs are {folder_a.run_id}; give two different runs, the earlier first."
        )
    return compare(open_run(folder_a), open_run(folder_b), embedder, settings)


def compare_saved_runs(settings: Settings, run_a: str, run_b: str) -> Comparison:
    """``compare_runs`` as configured: the transcripts folder, the index's embedding model and
    the ``[compare]`` thresholds of ``settings``."""
    from tools.embeddings import build_embedder

    retrieval = settings.retrieval
    embedder = build_embedder(retrieval.embedding, retrieval.data_dir)
    return compare_runs(settings.transcripts_dir, run_a, run_b, embedder, settings.compare)


def compare(
    a: SavedRun, b: SavedRun, embedder: Embedder, settings: CompareSettings | None = None
) -> Comparison:
    settings = settings or CompareSettings()
    meaning = Meaning(embedder.embed)
    diff = diff_strategies(a, b, meaning, settings)
    return Comparison(
        run_a=a.run_id,
        run_b=b.run_id,
        embedding_model=embedder.identity,
        settings=settings,
        strategy=diff.changes,
        themes=_Reviews(diff, meaning, settings).compare(a.review, b.review),
    )


# --- the reviews ------------------------------------------------------------------------------


@dataclass
class _Reviews:
    """Compares the reviewed themes of two reports, theme by theme."""

    diff: StrategyDiff
    meaning: Meaning
    settings: CompareSettings

    def compare(self, a: StrategyReview, b: StrategyReview) -> list[ThemeComparison]:
        """B's reviewed themes in order (each with its review in A, if any), then A's others."""
        reviews_a = {t.theme_id: t for t in a.themes}
        earlier = {b_id: a_id for a_id, b_id in self.diff.pairs.items() if a_id in reviews_a}
        found: list[ThemeComparison] = []
        for review_b in b.themes:
            a_id = earlier.get(review_b.theme_id)
            if a_id is not None:
                found.append(self._both(reviews_a.pop(a_id), review_b))
            else:
                found.append(self._b_only(review_b))
        return found + [self._a_only(review) for review in reviews_a.values()]

    def _both(self, a: ThemeReview, b: ThemeReview) -> ThemeComparison:
        items = self._findings("gap", a.gaps, b.gaps) + self._findings(
            "recommendation", a.recommendations, b.recommendations
        )
        return ThemeComparison(
            theme_id=b.theme_id,
            name=b.theme_name,
            name_before=a.theme_name,
            reviewed="both",
            items=sorted(items, key=lambda item: STATUS_ORDER[item.status]),
            labels=self._label_moves(a.objective_coverage, b.objective_coverage),
        )

    def _b_only(self, b: ThemeReview) -> ThemeComparison:
        comparison = ThemeComparison(theme_id=b.theme_id, name=b.theme_name, reviewed="b_only")
        if b.theme_id in self.diff.added:
            comparison.note = "New in B's strategy: all its findings are new."
            comparison.items = self._findings("gap", [], b.gaps) + self._findings(
                "recommendation", [], b.recommendations
            )
        else:
            comparison.note = "Not reviewed in run A: there is nothing to compare it with."
        return comparison

    def _a_only(self, a: ThemeReview) -> ThemeComparison:
        b_id = self.diff.pairs.get(a.theme_id)
        count = len(a.gaps) + len(a.recommendations)
        note = (
            f"Dropped from B's strategy: nothing to compare its {counted(count, 'finding')} in A with."
            if b_id is None
            else "Not reviewed in run B: there is nothing to compare it with."
        )
        name = a.theme_name if b_id is None else self.diff.names.get(b_id, a.theme_name)
        return ThemeComparison(
            theme_id=b_id or a.theme_id,
            name=name,
            name_before=a.theme_name,
            reviewed="a_only",
            note=note,
        )

    def _findings(
        self, kind: FindingKind, before: Sequence[Claim], after: Sequence[Claim]
    ) -> list[ItemChange]:
        """A's findings resolved or still open (matched by meaning with B's), then B's new."""
        pairs = self.meaning.match(
            [gist(c.text) for c in before],
            [gist(c.text) for c in after],
            self.settings.same_meaning,
        )
        matched = {p.a: p for p in pairs}
        items = []
        for i, claim in enumerate(before):
            item = ItemChange(
                status="resolved",
                kind=kind,
                before=_finding(kind, claim),
                covered_by=self._cover(claim),
            )
            if (pair := matched.get(i)) is not None:
                item.status, item.similarity = "open", pair.similarity
                item.after = _finding(kind, after[pair.b])
            items.append(item)
        taken = {p.b for p in pairs}
        return items + [
            ItemChange(status="new", kind=kind, after=_finding(kind, claim))
            for j, claim in enumerate(after)
            if j not in taken
        ]

    def _cover(self, claim: Claim) -> Covering | None:
        """The objective new or reworded in B closest to ``claim``, if close enough to cover it."""
        objectives = self.diff.new_objectives
        best = self.meaning.closest(gist(claim.text), [o.text() for _, o in objectives])
        if best is None or best[1] < self.settings.covers:
            return None
        theme, objective = objectives[best[0]]
        return Covering(theme=theme, objective=objective.title, similarity=round(best[1], 4))

    def _label_moves(
        self, before: list[ObjectiveCoverage], after: list[ObjectiveCoverage]
    ) -> list[LabelMove]:
        pairs = self.meaning.match_either(
            [titled(c.objective, c.description) for c in before],
            [titled(c.objective, c.description) for c in after],
            self.settings.same_meaning,
        )
        moves = []
        for pair in sorted(pairs, key=lambda p: p.b):
            old, new = before[pair.a], after[pair.b]
            if old.strength != new.strength:
                moves.append(
                    LabelMove(
                        objective=new.objective,
                        objective_before=old.objective,
                        before=old.strength,
                        after=new.strength,
                        score_before=old.score,
                        score_after=new.score,
                        evidence_before=old.evidence,
                        evidence_after=new.evidence,
                    )
                )
        return moves


def _finding(kind: FindingKind, claim: Claim) -> Finding:
    return Finding(
        kind=kind,
        text=claim.text,
        origin=claim.origin,
        evidence_ids=claim.evidence_ids,
        citations=claim.citations,
    )
