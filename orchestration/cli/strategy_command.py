"""``review strategy``: how a strategy file was read (title, themes, objectives, dropped themes,
glossary), to check a draft before spending a run on it; ``--json`` prints it validated."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from orchestration.settings import Settings
from orchestration.strategy import Strategy, Theme, load_strategy

console = Console()


def register(commands: Any, parents: list[Any]) -> None:
    strategy = commands.add_parser(
        "strategy",
        parents=parents,
        help="Show how a strategy file is read: its themes, objectives and glossary.",
    )
    strategy.add_argument(
        "file",
        nargs="?",
        type=Path,
        help="Strategy .toml, .md or .docx (default: the bundled draft).",
    )
    strategy.add_argument(
        "--json", action="store_true", help="Print the strategy as read, as JSON for machines."
    )
    strategy.set_defaults(handler=cmd_strategy)


def cmd_strategy(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.file or settings.strategy
    strategy = load_strategy(path)
    if args.json:
        print(strategy.model_dump_json(indent=2, by_alias=True))
    else:
        console.print(strategy_tree(strategy, path))
    return 0


def strategy_tree(strategy: Strategy, path: Path) -> Tree:
    """The strategy as a tree: a branch per theme, its summary and numbered objectives, then the
    themes the draft dropped and its glossary."""
    objectives = sum(len(theme.objectives) for theme in strategy.themes)
    heading = Text(strategy.title, style="bold")
    if strategy.organisation != "unknown":
        heading.append(f"\n{strategy.organisation}", style="dim")
    heading.append(f"\nRead from {path}", style="dim")
    heading.append(f"\n{len(strategy.themes)} themes, {objectives} objectives", style="dim")
    tree = Tree(heading, guide_style="dim")
    for theme in strategy.themes:
        tree.add(_theme(theme))
    if strategy.previous is not None:
        dropped = ", ".join(strategy.previous.themes) or "none listed"
        tree.add(
            Text.assemble(
                ("Dropped themes", "bold"), (f" ({strategy.previous.title})", "dim"), f": {dropped}"
            )
        )
    if strategy.glossary:
        glossary = tree.add(Text("Glossary", style="bold"))
        for short, meaning in strategy.glossary.items():
            glossary.add(Text.assemble((short, "bold"), f": {meaning}"))
    return tree


def _theme(theme: Theme) -> RenderableType:
    name = Text.assemble((theme.name, "bold cyan"), (f"  ({theme.id})", "dim"))
    parts: list[RenderableType] = [name]
    if theme.summary:
        parts.append(Text(theme.summary, style="italic"))
    listing = Table.grid(padding=(0, 1))
    listing.add_column(justify="right", no_wrap=True)
    listing.add_column()
    for number, objective in enumerate(theme.objectives, start=1):
        entry = Text(objective.title)
        if objective.description:
            entry.append(f"\n{objective.description}", style="dim")
        listing.add_row(f"{number}.", entry)
    parts.append(listing)
    return Group(*parts)
