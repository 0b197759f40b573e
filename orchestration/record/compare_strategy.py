"""The strategy side of comparing two saved runs: a run to compare (its start and its report),
where its strategy is read from (its strategy file while that is as the run read it, else its
report.json), and the themes added, removed or renamed and objectives added, removed or reworded
between two strategies, matched by meaning (``matching``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from orchestration.events import RunStarted
from orchestration.record.compare_models import (
    CompareSettings,
    ObjectiveChange,
    Source,
    StrategyChanges,
    StrategySide,
    ThemeChange,
)
from orchestration.record.event_log import read_log
from orchestration.record.folder import RunFolder
from orchestration.record.matching import Meaning, Pair, greedy, same_words, titled
from orchestration.review_models import StrategyReview
from orchestration.strategy import StrategyError, load_strategy, strategy_hash
from orchestration.wording import counted


@dataclass(frozen=True)
class SavedRun:
    """A finished enough run: its folder, how it started, and its report."""

    folder: RunFolder
    started: RunStarted
    review: StrategyReview

    @property
    def run_id(self) -> str:
        return self.folder.run_id


def open_run(folder: RunFolder) -> SavedRun:
    """The run in ``folder``; a plain ``ValueError`` when it has no start or no report yet."""
    run_id = folder.run_id
    events = read_log(folder.events).events
    started = next((e for e in events if isinstance(e, RunStarted)), None)
    if started is None:
        raise ValueError(
            f"Run {run_id} has no readable start in its log; `review audit {run_id}` says why."
        )
    review = folder.saved_review()
    if review is None:
        raise ValueError(
            f"Run {run_id} has no report yet, so there is nothing to compare; finish it first "
            f"(`review run --resume {run_id}`)."
        )
    return SavedRun(folder, started, review)


@dataclass(frozen=True)
class StrategyObjective:
    title: str
    description: str = ""

    def text(self) -> str:
        return f"{self.title}: {self.description}" if self.description else self.title


@dataclass(frozen=True)
class _Theme:
    id: str
    name: str
    objectives: tuple[StrategyObjective, ...]

    def text(self) -> str:
        return ". ".join([self.name, *(o.title for o in self.objectives)])


@dataclass
class StrategyDiff:
    changes: StrategyChanges
    pairs: dict[str, str] = field(default_factory=dict)  # A's theme id -> B's
    names: dict[str, str] = field(default_factory=dict)  # B's theme id -> name
    added: set[str] = field(default_factory=set)  # B's theme ids new in B
    # (theme name, objective) for each objective new or reworded in B
    new_objectives: list[tuple[str, StrategyObjective]] = field(default_factory=list)


def _strategy(run: SavedRun) -> tuple[StrategySide, list[_Theme]]:
    """The run's themes and objectives: from its strategy file when that is still as the run
    read it, else from its report (the themes it reviewed), saying why."""
    path = Path(run.started.strategy_path)
    problem = _unusable(path, run)
    if problem is None:
        try:
            strategy = load_strategy(path)
        except StrategyError as exc:
            problem = str(exc).rstrip(".")
    if problem is None:
        themes = [
            _Theme(
                t.id, t.name, tuple(StrategyObjective(o.title, o.description) for o in t.objectives)
            )
            for t in strategy.themes
        ]
        return _side(run, "strategy file", "", themes), themes
    themes = [
        _Theme(
            t.theme_id,
            t.theme_name,
            tuple(StrategyObjective(o.objective, o.description) for o in c),
        )
        for t in run.review.themes
        if (c := t.objective_coverage)
    ]
    note = (
        f"{problem}, so its themes and objectives are read from report.json (only the "
        f"{counted(len(themes), 'theme')} run {run.run_id} reviewed; a theme it did not review is not "
        "counted as added or removed)."
    )
    return _side(run, "report", note, themes), themes


def _unusable(path: Path, run: SavedRun) -> str | None:
    if not path.is_file():
        return f"{path} is gone"
    if strategy_hash(path) != run.started.strategy_sha256:
        return f"{path} has changed since run {run.run_id} read it"
    return None


def _side(run: SavedRun, source: Source, note: str, themes: list[_Theme]) -> StrategySide:
    return StrategySide(
        run_id=run.run_id,
        title=run.started.strategy_title,
        path=run.started.strategy_path,
        source=source,
        note=note,
        themes=len(themes),
        objectives=sum(len(t.objectives) for t in themes),
    )


def diff_strategies(
    a: SavedRun, b: SavedRun, meaning: Meaning, settings: CompareSettings
) -> StrategyDiff:
    """The changes from A's strategy to B's. A side read from its report lists only the themes
    its run reviewed: a theme missing from it is not counted as added or removed."""
    side_a, themes_a = _strategy(a)
    side_b, themes_b = _strategy(b)
    diff = StrategyDiff(StrategyChanges(a=side_a, b=side_b))
    diff.names = {t.id: t.name for t in themes_b}
    pairs = {p.b: p for p in _theme_pairs(themes_a, themes_b, meaning, settings)}
    for j, theme_b in enumerate(themes_b):
        pair = pairs.get(j)
        if pair is None and side_a.source == "strategy file":
            diff.changes.themes.append(ThemeChange(change="added", after=theme_b.name))
            diff.added.add(theme_b.id)
            diff.new_objectives += [(theme_b.name, o) for o in theme_b.objectives]
        elif pair is not None:
            _diff_themes(themes_a[pair.a], theme_b, pair, meaning, settings, diff)
    if side_b.source == "strategy file":
        matched_a = {p.a for p in pairs.values()}
        diff.changes.themes += [
            ThemeChange(change="removed", before=t.name)
            for i, t in enumerate(themes_a)
            if i not in matched_a
        ]
    return diff


def _diff_themes(
    theme_a: _Theme,
    theme_b: _Theme,
    pair: Pair,
    meaning: Meaning,
    settings: CompareSettings,
    diff: StrategyDiff,
) -> None:
    diff.pairs[theme_a.id] = theme_b.id
    if not same_words(theme_a.name, theme_b.name):
        diff.changes.themes.append(
            ThemeChange(
                change="renamed",
                before=theme_a.name,
                after=theme_b.name,
                similarity=pair.similarity,
            )
        )
    _diff_objectives(theme_a, theme_b, meaning, settings, diff)


def _same_objective(before: StrategyObjective, after: StrategyObjective) -> bool:
    """Worded alike: the same title, and the same description unless one side has none (an
    older report keeps no descriptions)."""
    descriptions = before.description and after.description
    return same_words(before.title, after.title) and (
        not descriptions or same_words(before.description, after.description)
    )


def _theme_pairs(
    themes_a: list[_Theme], themes_b: list[_Theme], meaning: Meaning, settings: CompareSettings
) -> list[Pair]:
    """The same id or name first, then the most similar by meaning."""
    similarities = meaning.similarities([t.text() for t in themes_a], [t.text() for t in themes_b])
    by_name: list[Pair] = []
    for i, one in enumerate(themes_a):
        taken = {p.b for p in by_name}
        same = (j for j, other in enumerate(themes_b) if j not in taken and _named(one, other))
        if (j := next(same, None)) is not None:
            by_name.append(Pair(i, j, round(float(similarities[i, j]), 4)))
    return greedy(similarities, settings.same_theme, by_name)


def _named(one: _Theme, other: _Theme) -> bool:
    return one.id == other.id or same_words(one.name, other.name)


def _diff_objectives(
    theme_a: _Theme,
    theme_b: _Theme,
    meaning: Meaning,
    settings: CompareSettings,
    diff: StrategyDiff,
) -> None:
    old, new = theme_a.objectives, theme_b.objectives
    pairs = meaning.match_either(
        [titled(o.title, o.description) for o in old],
        [titled(o.title, o.description) for o in new],
        settings.same_meaning,
    )
    matched = {p.b: p for p in pairs}
    changes = diff.changes.objectives
    for j, after in enumerate(new):
        pair = matched.get(j)
        if pair is None:
            changes.append(
                ObjectiveChange(
                    change="added",
                    theme=theme_b.name,
                    after=after.title,
                    after_description=after.description,
                )
            )
            diff.new_objectives.append((theme_b.name, after))
            continue
        before = old[pair.a]
        if _same_objective(before, after):
            continue
        changes.append(
            ObjectiveChange(
                change="reworded",
                theme=theme_b.name,
                before=before.title,
                after=after.title,
                before_description=before.description,
                after_description=after.description,
                similarity=pair.similarity,
            )
        )
        diff.new_objectives.append((theme_b.name, after))
    kept = {p.a for p in pairs}
    changes += [
        ObjectiveChange(
            change="removed", theme=theme_b.name, before=o.title, before_description=o.description
        )
        for i, o in enumerate(old)
        if i not in kept
    ]
