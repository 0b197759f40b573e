"""The ``review`` command line: parses arguments, loads settings, dispatches to a command.

Errors a user can fix are printed as one plain sentence (no traceback) with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any

from rich.console import Console

from orchestration.cli import (
    compare_command,
    corpus_commands,
    doctor,
    run_commands,
    strategy_command,
    transcript_commands,
)
from orchestration.plain_errors import is_disk_failure, plain_message
from orchestration.settings import Settings, load_settings

UserError = (ValueError, RuntimeError, OSError)

stderr = Console(stderr=True)


def _add_common_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """Options accepted before or after the command (``review --model X run`` or ``review run --model X``)."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--data-dir",
        default=default(None),
        help="Where the index is kept (default: per-user data dir).",
    )
    parser.add_argument(
        "--chroma", default=default(None), metavar="HOST:PORT", help="Use a shared Chroma server."
    )
    parser.add_argument(
        "--backend",
        default=default(None),
        choices=("local", "openai", "azure", "openai-compatible", "replay"),
        help="Model backend for every agent.",
    )
    parser.add_argument(
        "--model", default=default(None), help="Model name (Azure: deployment) for every agent."
    )
    parser.add_argument(
        "--base-url", default=default(None), help="Model server URL (openai-compatible, azure)."
    )
    parser.add_argument(
        "--agent-model",
        action="append",
        default=default([]),
        metavar="AGENT=BACKEND:MODEL",
        help="Per-agent override, e.g. editor=openai:gpt-4o (repeatable).",
    )


CORE_COMMANDS = (
    corpus_commands,
    doctor,
    run_commands,
    strategy_command,
    transcript_commands,
    compare_command,
)
COMMAND_GROUP = "strategy_review.commands"


def plugged_in_commands() -> list[Any]:
    """Command modules outside the core, declared in the ``strategy_review.commands``
    entry-point group (the terminal UI declares ``review tui`` there)."""
    return [point.load() for point in entry_points(group=COMMAND_GROUP)]


def _parser(extra_commands: Sequence[Any] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="review",
        description="Review a workforce strategy against the evidence with a panel of agents.",
    )
    _add_common_options(parser, defaults=True)
    common = argparse.ArgumentParser(add_help=False)
    _add_common_options(common, defaults=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (*CORE_COMMANDS, *extra_commands):
        module.register(commands, [common])
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    retrieval: dict[str, Any] = {}
    if args.data_dir:
        retrieval["data_dir"] = args.data_dir
    if args.chroma:
        host, _, port = args.chroma.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(
                f"--chroma takes HOST:PORT, for example 127.0.0.1:8000, not '{args.chroma}'."
            )
        retrieval["chroma_server"] = {"host": host, "port": int(port)}
    overrides: dict[str, Any] = {"retrieval": retrieval} if retrieval else {}
    default = {
        key: value
        for key, value in (
            ("backend", args.backend),
            ("model", args.model),
            ("base_url", args.base_url),
        )
        if value
    }
    agents: dict[str, dict[str, str]] = {}
    for item in args.agent_model:
        agent, _, spec = item.partition("=")
        backend, _, model = spec.partition(":")
        if not agent or not backend or not model:
            raise ValueError(
                f"--agent-model takes AGENT=BACKEND:MODEL, e.g. editor=openai:gpt-4o, not '{item}'."
            )
        agents[agent] = {"backend": backend, "model": model}
    if default or agents:
        overrides["models"] = {k: v for k, v in (("default", default), ("agents", agents)) if v}
    return overrides


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``review`` command: the core's, and those plugged in (each a module with a
    ``register(commands, parents)`` function)."""
    args = _parser(plugged_in_commands()).parse_args(argv)
    try:
        settings = load_settings(_overrides(args))
        handler: Callable[[argparse.Namespace, Settings], int] = args.handler
        return handler(args, settings)
    except KeyboardInterrupt:
        stderr.print("Stopped.")
        return 130
    except UserError as exc:
        stderr.print(f"[bold red]error:[/] {plain_message(exc)}", highlight=False, markup=True)
        return 1 if is_disk_failure(exc) else 2


if __name__ == "__main__":
    sys.exit(main())
