"""``review ingest``, ``review search``, ``review show`` and ``review documents``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from orchestration.settings import Settings
from orchestration.wording import counted
from tools.catalog import SCOPES
from tools.locate import source_line

console = Console()
err = Console(stderr=True)


def register(commands: Any, parents: list[Any]) -> None:
    ingest = commands.add_parser("ingest", parents=parents, help="Index the corpus (incremental).")
    ingest.add_argument("paths", nargs="*", type=Path, help="Files or folders (default: corpus).")
    ingest.add_argument("--rebuild", action="store_true", help="Drop the index and rebuild it.")
    ingest.set_defaults(handler=cmd_ingest)

    search = commands.add_parser("search", parents=parents, help="Hybrid search of the corpus.")
    search.add_argument("queries", nargs="+", metavar="QUERY")
    search.add_argument("--k", type=int, default=5, help="Hits per query (default 5).")
    search.add_argument("--scope", action="append", choices=SCOPES, help="Only this scope.")
    search.add_argument("--doc", action="append", metavar="ID", help="Only this document id.")
    search.add_argument("--mode", choices=("hybrid", "dense", "lexical"), default="hybrid")
    search.add_argument("--json", action="store_true", help="Print JSON for machines.")
    search.set_defaults(handler=cmd_search)

    show = commands.add_parser(
        "show", parents=parents, help="Print a passage with its neighbours and location."
    )
    show.add_argument("evidence_id", metavar="EVIDENCE_ID")
    show.add_argument("--context", type=int, default=1, help="Neighbours either side (default 1).")
    show.set_defaults(handler=cmd_show)

    documents = commands.add_parser(
        "documents", parents=parents, help="List the indexed documents."
    )
    documents.set_defaults(handler=cmd_documents)


class _RateColumn(ProgressColumn):
    """Passages per second, once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f}/s" if speed else "", style="progress.data.speed")


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tools.ingest import ingest

    paths = args.paths or [settings.retrieval.corpus_dir]
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("passages"),
        _RateColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,  # a log or a pipe gets the summary only
    ) as bar:
        task = bar.add_task("Reading documents", total=None)

        def on_progress(done: int, total: int) -> None:
            bar.update(task, description="Embedding", completed=done, total=total)

        report = ingest(paths, settings.retrieval, on_progress=on_progress, rebuild=args.rebuild)
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    for problem in report.problems:
        err.print(f"[red]skipped:[/] {escape(problem)}")
    if not report.changed:
        console.print(
            f"Index up to date: {counted(len(report.unchanged), 'document')} unchanged, nothing to do "
            f"({report.seconds:.1f} s)."
        )
    else:
        console.print(
            f"Indexed {report.passages_written} passages: {len(report.added)} added, "
            f"{len(report.updated)} updated, {len(report.removed)} removed, "
            f"{len(report.unchanged)} unchanged ({report.seconds:.1f} s). "
            f"Data directory: {settings.retrieval.data_dir}"
        )
    return 0 if report.indexed_anything or report.removed else 1


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from tools.search import Filters, Searcher

    if args.k < 1:
        raise ValueError("--k must be at least 1.")
    searcher = Searcher(settings.retrieval)
    filters = Filters(tuple(args.scope or ()), tuple(args.doc or ()))
    results = searcher.search(args.queries, k=args.k, filters=filters, mode=args.mode)
    if args.json:
        print(json.dumps([r.model_dump() for r in results], ensure_ascii=False, indent=2))
        return 0
    for result in results:
        table = Table(title=f"“{escape(result.query)}”", show_lines=True, expand=True)
        table.add_column("evidence", style="bold cyan", no_wrap=True)
        table.add_column("passage")
        table.add_column("score", justify="right", style="dim")
        for hit in result.hits:
            snippet = hit.text if len(hit.text) < 400 else hit.text[:400] + "…"
            where = f"list continued from {hit.continues}" if hit.continues else hit.section
            table.add_row(
                f"  ↳ {hit.id}" if hit.continues else hit.id,
                f"[dim]{escape(where or hit.title)}[/]\n{escape(snippet)}",
                "" if hit.continues else f"{hit.score:.4f}",
            )
        if not result.hits:
            table.add_row("-", "No passage matched.", "")
        console.print(table)
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from tools.search import Searcher

    searcher = Searcher(settings.retrieval)
    passage = searcher.passage(args.evidence_id)
    if passage is None:
        raise ValueError(
            f"No passage {args.evidence_id} in the index; find ids with `review search`."
        )
    record = searcher.documents().get(passage.doc_id, {})
    where = str(record.get("path") or record.get("file") or passage.doc_id)
    line = source_line(Path(where), str(record.get("sha256", "")), passage.text)
    if line is not None:
        where += f", line {line}"
    where += f"; characters {passage.start}-{passage.end} of the normalised text"
    if passage.page:
        where += f", page {passage.page}"
    console.print(f"[bold]{escape(passage.title)}[/] ({passage.doc_id}, {passage.scope})")
    console.print(f"[dim]{escape(where)}[/]")
    for neighbour in searcher.neighbours(passage, args.context):
        selected = neighbour.id == passage.id
        console.print(
            Panel(
                escape(neighbour.text),
                title=f"{neighbour.id} · {escape(neighbour.section)}",
                title_align="left",
                border_style="bold cyan" if selected else "dim",
            )
        )
    return 0


def cmd_documents(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.engine.corpus_limits import corpus_limits, documents_by_scope, scope_summary
    from tools.store import CorpusStore, NoIndexError

    store = CorpusStore(settings.retrieval)
    if not store.exists():
        raise NoIndexError("The corpus is not indexed yet; run `review ingest` first.")
    below = settings.retrieval.low_quality_below
    low = store.low_quality_counts(below)
    planted = store.addressing_model_counts()
    table = Table(
        title="Indexed documents",
        caption=f"low quality: passages whose text-quality score is under {below} "
        "(slide debris, contents pages, strings of fragments); to a model: passages holding "
        "instructions to a model, never quoted or shown to the panel",
    )
    for column in ("id", "title", "scope", "year", "passages", "low quality", "to a model", "file"):
        table.add_column(column)
    for doc_id, meta in sorted(store.document_records().items()):
        table.add_row(
            doc_id,
            escape(str(meta.get("title", ""))),
            str(meta.get("scope", "")),
            str(meta.get("year") or ""),
            str(meta.get("n_chunks", "")),
            str(low.get(doc_id, 0)),
            str(planted.get(doc_id, 0)),
            escape(str(meta.get("file", ""))),
        )
    console.print(table)
    by_scope = documents_by_scope(store.document_records())
    console.print(f"Documents by scope: {scope_summary(by_scope)}.")
    for note in corpus_limits(by_scope):
        console.print(f"[yellow]Corpus limit:[/] {escape(note)}")
    return 0
