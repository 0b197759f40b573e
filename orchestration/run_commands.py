"""``review run``: the panel over a strategy, streamed to the console, saved under transcripts/."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown

from orchestration.console import ConsoleView
from orchestration.settings import Settings


def register(commands: Any, parents: list[Any]) -> None:
    run = commands.add_parser(
        "run", parents=parents, help="Run the review panel over a strategy (headless)."
    )
    run.add_argument(
        "strategy", nargs="?", type=Path, help="Strategy .toml or .md (default: the bundled draft)."
    )
    run.add_argument(
        "--themes", nargs="+", metavar="THEME", help="Only these themes (ids or names)."
    )
    run.add_argument(
        "--concurrency", type=int, default=1, help="Themes debated at once (remote models)."
    )
    run.add_argument("--rounds", type=int, help="Critique/rebuttal rounds at most.")
    run.add_argument("--show-report", action="store_true", help="Print report.md when done.")
    run.set_defaults(handler=cmd_run)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.run import run_review

    if args.rounds is not None:
        settings = settings.model_copy(
            update={"panel": settings.panel.model_copy(update={"max_rounds": args.rounds})}
        )
    console = Console()
    view = ConsoleView(console)
    result = asyncio.run(
        run_review(
            settings, args.strategy or settings.strategy, args.themes, args.concurrency, sink=view
        )
    )
    if args.show_report:
        console.print(Markdown(result.report_path.read_text(encoding="utf-8")))
    return 0
