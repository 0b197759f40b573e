"""A ``Comparison`` of two runs (``orchestration.record.compare``) as Markdown: the two runs and
where their strategies were read from, what changed in the strategy, then theme by theme the
findings resolved, still open and new (each with its quoted evidence) and the coverage labels
that moved. ``summary_line`` says it all in one sentence."""

from __future__ import annotations

from collections.abc import Sequence

from orchestration.record.compare_models import (
    Comparison,
    ItemChange,
    LabelMove,
    ObjectiveChange,
    Status,
    StrategySide,
    ThemeChange,
    ThemeComparison,
)
from orchestration.review_models import COMPUTED_LABEL, Citation
from orchestration.wording import counted

HEADINGS: dict[Status, str] = {"resolved": "Resolved", "open": "Still open", "new": "New"}
KINDS = {"gap": "Gap", "recommendation": "Recommendation"}


def summary_line(comparison: Comparison) -> str:
    """What changed, in numbers: themes, objectives, findings and labels."""
    strategy = comparison.strategy
    themes = _counted(strategy.themes, "theme")
    objectives = _counted(strategy.objectives, "objective")
    findings = (
        f"{counted(comparison.count('resolved'), 'finding')} resolved, "
        f"{comparison.count('open')} still open, {comparison.count('new')} new"
    )
    moved = len(comparison.label_moves())
    parts = [p for p in (themes, objectives) if p] or ["the same themes and objectives"]
    return f"{'; '.join(parts)}; {findings}; {counted(moved, 'coverage label')} moved."


def _counted(changes: Sequence[ThemeChange | ObjectiveChange], noun: str) -> str:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.change] = counts.get(change.change, 0) + 1
    return ", ".join(f"{counted(n, noun)} {what}" for what, n in counts.items())


def side_line(label: str, side: StrategySide) -> str:
    """Which run is ``label`` and where its strategy was read from."""
    where = (
        f"read from {side.path}"
        if side.source == "strategy file"
        else f"read from its report: {side.note}"
    )
    return (
        f"{label}: run {side.run_id}, {side.title} ({side.themes} themes, "
        f"{side.objectives} objectives), {where}"
    )


def thresholds_line(comparison: Comparison) -> str:
    s = comparison.settings
    return (
        f"Matched by meaning ({comparison.embedding_model}): two texts say the same at a "
        f"similarity of {s.same_meaning:.2f} or more (themes {s.same_theme:.2f}); an objective "
        f"new or reworded in B covers a finding of A at {s.covers:.2f} or more."
    )


def comparison_markdown(comparison: Comparison) -> str:
    strategy = comparison.strategy
    lines = [
        f"# What changed from run {comparison.run_a} to run {comparison.run_b}",
        "",
        f"- {side_line('A (earlier)', strategy.a)}",
        f"- {side_line('B (later)', strategy.b)}",
        "",
        f"**In short:** {summary_line(comparison)}",
        "",
        f"*{thresholds_line(comparison)}*",
        "",
        "## The strategy",
        "",
        *_strategy(comparison),
    ]
    for theme in comparison.themes:
        lines += _theme(theme)
    return "\n".join(lines).rstrip() + "\n"


def _strategy(comparison: Comparison) -> list[str]:
    strategy = comparison.strategy
    if strategy.unchanged:
        return ["The two drafts have the same themes and objectives.", ""]
    lines = []
    for theme in strategy.themes:
        if theme.change == "renamed":
            lines.append(f"- Theme renamed: “{theme.before}” → “{theme.after}”")
        else:
            lines.append(f"- Theme {theme.change}: **{theme.after or theme.before}**")
    for objective in strategy.objectives:
        where = f"- **{objective.theme}**, objective {objective.change}:"
        if objective.change == "reworded":
            lines.append(f"{where} “{objective.before}” → “{objective.after}”")
            if objective.before_description != objective.after_description:
                lines.append(
                    f"  (meaning: “{objective.before_description}” → "
                    f"“{objective.after_description}”)"
                )
        else:
            lines.append(f"{where} “{objective.after or objective.before}”")
    return [*lines, ""]


def _theme(theme: ThemeComparison) -> list[str]:
    lines = [f"## {theme.name}", ""]
    if theme.name_before and theme.name_before != theme.name:
        lines += [f"*Called {theme.name_before} in A.*", ""]
    if theme.note:
        lines += [f"*{theme.note}*", ""]
    for status, heading in HEADINGS.items():
        items = theme.with_status(status)
        if items:
            lines += [f"### {heading} ({len(items)})", ""]
            lines += [line for item in items for line in _item(item)]
            lines.append("")
    if theme.labels:
        lines += ["### Coverage labels that moved", ""]
        lines += [_label(move) for move in theme.labels]
        lines.append("")
    if theme.reviewed == "both" and not theme.items and not theme.labels:
        lines += ["No gaps or recommendations in either run, and no label moved.", ""]
    return lines


def _item(item: ItemChange) -> list[str]:
    finding = item.latest
    computed = f" *({COMPUTED_LABEL})*" if finding.origin == "computed" else ""
    lines = [f"- **{KINDS[finding.kind]}:** {finding.text}{computed}"]
    if item.status == "open" and item.before and item.before.text != finding.text:
        lines.append(f"  In A: “{item.before.text}” (similarity {item.similarity:.2f}).")
    if (line := covered_line(item)) is not None:
        lines.append(f"  {line}")
    return lines + _quotes(finding.citations)


def covered_line(item: ItemChange) -> str | None:
    """Why a finding counts as resolved, or which objective of B meets one still raised."""
    cover = item.covered_by
    if cover is None:
        return "No longer raised in B." if item.status == "resolved" else None
    objective = f"B's objective “{cover.objective}” ({cover.theme}, {cover.similarity:.2f})"
    if item.status == "resolved":
        return f"Covered by {objective}."
    return f"Still raised, though {objective} now covers it."


def _quotes(citations: list[Citation]) -> list[str]:
    return [f"  > “{c.quote}” — {c.evidence_id}, {c.title}" for c in citations]


def _label(move: LabelMove) -> str:
    name = f"“{move.objective}”"
    if move.objective_before != move.objective:
        name += f" (in A: “{move.objective_before}”)"
    direction = "up" if move.improved else "down"
    return (
        f"- {name}: {move.before} → **{move.after}** ({direction}; score "
        f"{move.score_before:.2f} → {move.score_after:.2f})"
    )
