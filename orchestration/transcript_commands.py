"""``review runs``: the saved runs and their state."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orchestration.runs import list_runs
from orchestration.settings import Settings

console = Console()
STATUS_STYLE = {
    "complete": "green",
    "interrupted": "yellow",
    "failed": "red",
    "damaged": "bold red",
}


def register(commands: Any, parents: list[Any]) -> None:
    runs = commands.add_parser("runs", parents=parents, help="List saved runs.")
    runs.set_defaults(handler=cmd_runs)


def cmd_runs(args: argparse.Namespace, settings: Settings) -> int:
    runs = list_runs(settings.transcripts_dir)
    if not runs:
        console.print(f"No saved runs in {settings.transcripts_dir}; start one with `review run`.")
        return 0
    table = Table(title=f"Saved runs ({settings.transcripts_dir})")
    for column in ("run id", "started", "strategy", "models", "themes", "status"):
        table.add_column(column)
    for run in runs:
        style = STATUS_STYLE.get(run.status, "white")
        table.add_row(
            run.run_id,
            run.started,
            escape(run.strategy),
            escape(run.models),
            f"{run.themes_done}/{run.themes_total}",
            f"[{style}]{run.status}[/]",
        )
    console.print(table)
    return 0
