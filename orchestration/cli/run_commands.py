"""``review run``: the panel over a strategy, streamed to the console, saved under transcripts/."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown

from orchestration.record.folder import RunFolder
from orchestration.report.console import ConsoleView
from orchestration.settings import Settings


def register(commands: Any, parents: list[Any]) -> None:
    run = commands.add_parser(
        "run", parents=parents, help="Run the review panel over a strategy (headless)."
    )
    run.add_argument(
        "strategy",
        nargs="?",
        type=Path,
        help="Strategy .toml, .md or .docx (default: the bundled draft).",
    )
    run.add_argument(
        "--themes", nargs="+", metavar="THEME", help="Only these themes (ids or names)."
    )
    run.add_argument(
        "--concurrency",
        type=at_least_one,
        default=1,
        help="Themes debated at once (remote models).",
    )
    run.add_argument("--rounds", type=at_least_one, help="Critique/rebuttal rounds at most.")
    run.add_argument("--show-report", action="store_true", help="Print report.md when done.")
    run.add_argument(
        "--resume",
        metavar="RUN-ID",
        help="Continue a run that stopped, from its last complete event.",
    )
    run.set_defaults(handler=cmd_run)

    replay = commands.add_parser(
        "replay", parents=parents, help="Replay a saved run from its log (no model calls)."
    )
    replay.add_argument("run_id", metavar="RUN-ID")
    replay.set_defaults(handler=cmd_replay)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if args.resume and (args.strategy or args.themes):
        raise ValueError(
            "--resume continues a run with its own strategy and themes; drop the other arguments."
        )
    run_headless(
        with_rounds(settings, args.rounds),
        args.strategy,
        args.themes,
        args.concurrency,
        args.resume,
        args.show_report,
    )
    return 0


def at_least_one(value: str) -> int:
    """A count given on the command line: a whole number of 1 or more."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"it must be 1 or more, not {number}")
    return number


def with_rounds(settings: Settings, rounds: int | None) -> Settings:
    if rounds is None:
        return settings
    panel = settings.panel.model_copy(update={"max_rounds": rounds})
    return settings.model_copy(update={"panel": panel})


def run_headless(
    settings: Settings,
    strategy: Path | None,
    themes: list[str] | None = None,
    concurrency: int = 1,
    resume: str | None = None,
    show_report: bool = False,
) -> None:
    """The run streamed to the terminal with rich (``review run``, and ``review tui`` with no
    terminal to draw on)."""
    from orchestration.engine.run import run_review

    console = Console()  # nobody can approve a theme here: a headless run never holds one
    result = asyncio.run(
        run_review(
            settings,
            # a relative path means relative to the working directory: recorded absolute, so
            # the run can be resumed or replayed from any other
            (strategy or settings.strategy).expanduser().absolute(),
            themes,
            concurrency,
            sink=ConsoleView(console),
            resume=resume,
        )
    )
    if show_report:
        console.print(Markdown(result.report_path.read_text(encoding="utf-8")))


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.engine.run import run_review

    console = Console()
    result = asyncio.run(
        run_review(settings, settings.strategy, sink=ConsoleView(console), replay=args.run_id)
    )
    original = RunFolder(settings.transcripts_dir / args.run_id).report_md
    same = original.exists() and original.read_bytes() == result.report_path.read_bytes()
    console.print(
        f"Replayed report: {result.report_path} — "
        + ("identical to the original." if same else "[yellow]differs from the original report[/].")
    )
    return 0 if same else 1
