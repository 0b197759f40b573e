"""``review compare RUN-A RUN-B``: what changed from one draft's run (A, the earlier) to the
next's (B): the strategy's themes and objectives, each theme's gaps and recommendations resolved,
still open and new, and the coverage labels that moved. Rich tables by default (readable at 80
columns), ``--markdown`` for Markdown with the quoted evidence, ``--json`` for machines."""

from __future__ import annotations

import argparse
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from orchestration.record.compare import compare_saved_runs
from orchestration.record.compare_models import (
    Comparison,
    ItemChange,
    LabelMove,
    Status,
    ThemeComparison,
)
from orchestration.report.comparison_markdown import (
    comparison_markdown,
    covered_line,
    side_line,
    summary_line,
    thresholds_line,
)
from orchestration.settings import Settings

STATUS_STYLE = {"resolved": "green", "open": "yellow", "new": "cyan"}
STATUS_WORD: dict[Status, str] = {"resolved": "resolved", "open": "open", "new": "new"}
KIND_WORD = {"gap": "gap", "recommendation": "rec."}
CHANGE_STYLE = {"added": "cyan", "removed": "red", "reworded": "yellow", "renamed": "yellow"}


def register(commands: Any, parents: list[Any]) -> None:
    compare = commands.add_parser(
        "compare",
        parents=parents,
        help="What changed between two runs of two drafts: strategy, findings, coverage.",
        description="Compare run A (the earlier draft) with run B (the later): themes and "
        "objectives added, removed or reworded; gaps and recommendations resolved, still open "
        "or new; coverage labels that moved. Matched by meaning, not exact words.",
    )
    compare.add_argument("run_a", metavar="RUN-A", help="The earlier run.")
    compare.add_argument("run_b", metavar="RUN-B", help="The later run.")
    output = compare.add_mutually_exclusive_group()
    output.add_argument(
        "--markdown", action="store_true", help="Print Markdown, with the quoted evidence."
    )
    output.add_argument("--json", action="store_true", help="Print JSON for machines.")
    compare.set_defaults(handler=cmd_compare)


def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    comparison = compare_saved_runs(settings, args.run_a, args.run_b)
    if args.json:
        print(comparison.model_dump_json(indent=2))
    elif args.markdown:
        print(comparison_markdown(comparison), end="")
    else:
        console = Console(highlight=False)
        for number, part in enumerate(comparison_renderables(comparison)):
            console.print(*(("",) if number else ()), part, sep="\n")
    return 0


def comparison_renderables(comparison: Comparison) -> list[RenderableType]:
    """The comparison as rich text and tables, in reading order."""
    strategy = comparison.strategy
    heading = Text(f"What changed from run {comparison.run_a} to run {comparison.run_b}\n")
    heading.stylize("bold")
    heading.append(side_line("A (earlier)", strategy.a) + "\n", style="dim")
    heading.append(side_line("B (later)", strategy.b) + "\n", style="dim")
    heading.append(summary_line(comparison))
    parts: list[RenderableType] = [heading, _strategy_table(comparison)]
    for theme in comparison.themes:
        parts.append(_theme_table(theme) if theme.items else _theme_note(theme))
    if moves := comparison.label_moves():
        parts.append(_labels_table(moves))
    notes = f"{thresholds_line(comparison)}\n`--markdown` adds the quoted evidence of each finding."
    parts.append(Text(notes, style="dim"))
    return parts


def _table(title: str) -> Table:
    return Table(
        title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, expand=True
    )


def _strategy_table(comparison: Comparison) -> RenderableType:
    strategy = comparison.strategy
    if strategy.unchanged:
        return Text("The strategy: the two drafts have the same themes and objectives.")
    table = _table("The strategy")
    table.add_column("change", no_wrap=True)
    table.add_column("theme", ratio=1)
    table.add_column("in A → in B", ratio=4)
    for theme in strategy.themes:
        names = f"{theme.before} → {theme.after}" if theme.change == "renamed" else ""
        table.add_row(
            _change(theme.change, theme.change),
            escape(theme.after or theme.before or ""),
            escape(names or f"the whole theme {theme.change}"),
        )
    for objective in strategy.objectives:
        if objective.change == "reworded":
            words = f"{objective.before}\n→ {objective.after}"
        else:
            words = objective.after or objective.before or ""
        table.add_row(
            _change(objective.change, objective.change), escape(objective.theme), escape(words)
        )
    return table


def _change(word: str, change: str) -> Text:
    return Text(word, style=CHANGE_STYLE[change])


def _theme_note(theme: ThemeComparison) -> Text:
    note = theme.note or "No gaps or recommendations in either run."
    return Text.assemble((theme.name, "bold"), ": ", (note, "dim"))


def _theme_table(theme: ThemeComparison) -> Table:
    counts = ", ".join(
        f"{len(theme.with_status(status))} {word}" for status, word in STATUS_WORD.items()
    )
    table = _table(f"{theme.name}: gaps and recommendations ({counts})")
    table.add_column("status", no_wrap=True)
    table.add_column("what", no_wrap=True)
    table.add_column("finding (B's words when B raises it)", ratio=1)
    if theme.note:
        table.caption = theme.note
    for item in theme.items:
        table.add_row(
            Text(STATUS_WORD[item.status], style=STATUS_STYLE[item.status]),
            KIND_WORD[item.kind],
            _finding(item),
        )
    return table


def _finding(item: ItemChange) -> Text:
    finding = item.latest
    text = Text(finding.text)
    if item.status == "open" and item.before and item.before.text != finding.text:
        text.append(f"\nIn A: {item.before.text}", style="dim")
    if (line := covered_line(item)) is not None:
        text.append(f"\n{line}", style="italic")
    cites = ", ".join(finding.evidence_ids) or "no passage"
    text.append(f"\ncites {cites}", style="dim")
    return text


def _labels_table(moves: list[tuple[str, LabelMove]]) -> Table:
    table = _table("Coverage labels that moved")
    table.add_column("theme", ratio=1)
    table.add_column("objective", ratio=3)
    table.add_column("A → B", no_wrap=True)
    for theme, move in moves:
        name = move.objective
        if move.objective_before != move.objective:
            name += f"\n(in A: {move.objective_before})"
        style = "green" if move.improved else "red"
        table.add_row(
            escape(theme), escape(name), Text.assemble(f"{move.before} → ", (move.after, style))
        )
    return table
