"""``review tui``: the terminal UI's command, plugged into the core's command line through the
``strategy_review.commands`` entry-point group (see pyproject.toml). Textual is imported only
when ``review tui`` runs, so every other command starts fast; with no terminal to draw on,
``review tui`` runs headless instead."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from orchestration.cli.run_commands import at_least_one, run_headless, with_rounds
from orchestration.settings import Settings


def register(commands: Any, parents: list[Any]) -> None:
    tui = commands.add_parser(
        "tui", parents=parents, help="Watch and steer the panel in the terminal UI."
    )
    tui.add_argument(
        "strategy",
        nargs="?",
        type=Path,
        help="Strategy .toml, .md or .docx (default: the bundled draft).",
    )
    tui.add_argument("--themes", nargs="+", metavar="THEME", help="Only these themes.")
    tui.add_argument("--rounds", type=at_least_one, help="Critique/rebuttal rounds at most.")
    which = tui.add_mutually_exclusive_group()
    which.add_argument("--open", metavar="RUN-ID", help="Open a saved run (read-only).")
    which.add_argument("--resume", metavar="RUN-ID", help="Continue a run that stopped.")
    which.add_argument("--runs", action="store_true", help="Start at the list of saved runs.")
    tui.add_argument(
        "--auto-approve",
        action="store_true",
        help="Do not hold each theme's review for the chair's approval.",
    )
    tui.set_defaults(handler=cmd_tui)


def cmd_tui(args: argparse.Namespace, settings: Settings) -> int:
    settings = with_rounds(settings, args.rounds)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        if args.open or args.runs:
            raise ValueError(
                "The terminal UI needs a terminal; use `review runs` or `review audit`."
            )
        Console(stderr=True).print("No terminal to draw on: running the review headless instead.")
        run_headless(settings, args.strategy, args.themes, resume=args.resume, show_report=True)
        return 0
    from tui.app import create_app

    app = create_app(
        settings,
        args.strategy,
        themes=args.themes,
        open_run=args.open,
        resume=args.resume,
        browse=args.runs,
        chair_approval=not args.auto_approve,
    )
    farewell = app.run()
    if farewell:
        Console().print(farewell)
    return app.return_code or 0
