"""``review runs``: the saved runs and their state."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any, get_args

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orchestration.record.audit import AuditResult, judge_claims
from orchestration.record.export import Format
from orchestration.record.folder import RunFolder
from orchestration.record.saved_runs import list_runs
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

    audit = commands.add_parser(
        "audit", parents=parents, help="Check a saved run's log, citations and quotes."
    )
    audit.add_argument("run_id", metavar="RUN-ID")
    audit.add_argument("--json", action="store_true", help="Print JSON for machines.")
    audit.add_argument(
        "--judge", action="store_true", help="Also ask the configured model to judge each claim."
    )
    audit.set_defaults(handler=cmd_audit)

    ask = commands.add_parser(
        "ask", parents=parents, help="Ask a follow-up question about a saved run."
    )
    ask.add_argument("run_id", metavar="RUN-ID")
    ask.add_argument("question")
    ask.add_argument(
        "--agent", default="editor", help="The panelist who answers (default: the editor)."
    )
    ask.set_defaults(handler=cmd_ask)

    export = commands.add_parser(
        "export",
        parents=parents,
        help="Write a run's report and transcript to share (md, html, json), a board pack in "
        "Word (docx) or PDF (pdf), or the chair's action list (csv).",
    )
    export.add_argument("run_id", metavar="RUN-ID")
    export.add_argument("--format", choices=get_args(Format), default="html")
    export.set_defaults(handler=cmd_export)


def cmd_runs(args: argparse.Namespace, settings: Settings) -> int:
    runs = list_runs(settings.transcripts_dir)
    if not runs:
        console.print(f"No saved runs in {settings.transcripts_dir}; start one with `review run`.")
        return 0
    table = Table(title=f"Saved runs ({settings.transcripts_dir})")
    table.add_column("run id", no_wrap=True, style="bold")
    for column in ("started", "strategy", "models"):
        table.add_column(column)
    table.add_column("themes", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
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


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.record.audit import audit_run
    from orchestration.record.sealing import installation_key
    from tools.embeddings import build_embedder

    folder = RunFolder.existing(settings.transcripts_dir, args.run_id).path
    embedder = build_embedder(settings.retrieval.embedding, settings.retrieval.data_dir)
    key = installation_key(settings.retrieval.data_dir)
    result = audit_run(folder, embedder.embed, key)
    if args.judge:
        asyncio.run(_judge(result, folder, settings))
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0 if result.passed else 1
    chain = (
        "[green]intact[/]"
        if result.chain_intact
        else "[bold red]BROKEN[/]: " + escape("; ".join(result.chain_problems))
    )
    console.print(f"Run {result.run_id}: {result.events} events, record {chain}")
    console.print(_claims_table(result))
    if result.set_aside:
        console.print(_set_aside_table(result))
    for c in result.unresolved:
        console.print(
            f"[red]✗ {c.evidence_id}[/] in {escape(c.where)}: "
            + (
                "passage missing from the run's evidence"
                if not c.resolves
                else "quote not found verbatim"
            )
        )
    for line in result.summary():
        console.print(escape(line))
    return 0 if result.passed else 1


def _claims_table(result: AuditResult) -> Table:
    table = Table(title="Claims and their evidence", expand=True)
    table.add_column("where", ratio=1)
    table.add_column("claim", ratio=3)
    table.add_column("cites", ratio=1)
    for column in ("words found", "similarity", "judged"):
        table.add_column(column, justify="right", no_wrap=True)
    for claim in result.claims:
        table.add_row(
            escape(claim.where),
            escape(claim.claim[:90]),
            ", ".join(claim.evidence_ids) or "[dim]none[/]",
            f"{claim.lexical:.0%}",
            "-" if claim.semantic is None else f"{claim.semantic:.2f}",
            claim.judged or "-",
        )
    return table


def _set_aside_table(result: AuditResult) -> Table:
    aside = Table(title="Set aside by the claim checks", expand=True)
    for column, ratio in (("theme", 1), ("what", 1), ("by", 1), ("statement", 3), ("why", 3)):
        aside.add_column(column, ratio=ratio)
    for entry in result.set_aside:
        item = entry.statement
        aside.add_row(
            escape(entry.theme),
            item.where,
            item.agent,
            escape(item.text[:160]),
            escape("; ".join(item.reasons)),
        )
    return aside


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.record.export import export_run

    path = export_run(RunFolder.existing(settings.transcripts_dir, args.run_id).path, args.format)
    console.print(f"Wrote {path}")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.record.followup import ask

    answer = asyncio.run(ask(settings, args.run_id, args.question, args.agent))
    console.print(f"[bold]{answer.agent}[/] {escape(answer.text)}", highlight=False)
    for c in answer.citations:
        console.print(
            f"  > “{escape(c.quote)}” — {c.evidence_id}, {escape(c.title)}", highlight=False
        )
    if not answer.citations:
        console.print("  [dim]No passage of the corpus is cited in this answer.[/]")
    console.print(f"[dim]Added to the log of run {args.run_id}.[/]")
    return 0


async def _judge(result: AuditResult, folder: Path, settings: Settings) -> None:
    from agents.runtime.assembly import build_runtime

    runtime = build_runtime(settings.models, settings.retrieval.data_dir)
    try:
        await judge_claims(result, folder, runtime.speaker)
    finally:
        await runtime.close()
