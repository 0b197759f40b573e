"""The ``review`` command line: parses arguments, loads settings, dispatches to a command.

Errors a user can fix are printed as one plain sentence (no traceback) with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console

from orchestration import corpus_commands
from orchestration.settings import Settings, load_settings

UserError = (ValueError, RuntimeError, OSError)

stderr = Console(stderr=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="review",
        description="Review a workforce strategy against the evidence with a panel of agents.",
    )
    parser.add_argument("--data-dir", help="Where the index is kept (default: per-user data dir).")
    parser.add_argument("--chroma", metavar="HOST:PORT", help="Use a shared Chroma server.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    corpus_commands.register(commands)
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    retrieval: dict[str, Any] = {}
    if args.data_dir:
        retrieval["data_dir"] = args.data_dir
    if args.chroma:
        host, _, port = args.chroma.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"--chroma takes HOST:PORT, for example 127.0.0.1:8000, not '{args.chroma}'.")
        retrieval["chroma_server"] = {"host": host, "port": int(port)}
    return {"retrieval": retrieval} if retrieval else {}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(_overrides(args))
        handler: Callable[[argparse.Namespace, Settings], int] = args.handler
        return handler(args, settings)
    except KeyboardInterrupt:
        stderr.print("Stopped.")
        return 130
    except UserError as exc:
        message = str(exc).strip() or type(exc).__name__
        stderr.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
