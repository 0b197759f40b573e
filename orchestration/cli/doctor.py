"""``review doctor``: what each agent will use and whether it answers; the index's state."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agents.panel import PANEL
from orchestration.engine.corpus_limits import corpus_limits, documents_by_scope, scope_summary
from orchestration.settings import Settings

console = Console()


def register(commands: Any, parents: list[Any]) -> None:
    doctor = commands.add_parser(
        "doctor", parents=parents, help="Check models and index; say what to fix."
    )
    doctor.add_argument("--no-call", action="store_true", help="Do not call the models.")
    doctor.set_defaults(handler=cmd_doctor)


async def _ping(settings: Settings, skip_call: bool) -> list[tuple[str, str, bool, str]]:
    from agents.runtime.assembly import build_runtime
    from agents.runtime.models import ping

    factory = build_runtime(settings.models, settings.retrieval.data_dir).factory
    rows: list[tuple[str, str, bool, str]] = []
    tried: dict[str, tuple[bool, str]] = {}
    try:
        for agent in PANEL:
            endpoint = factory.endpoint_for(agent)
            key = endpoint.fingerprint()
            if key not in tried:
                try:
                    client = factory.client_for(agent)
                    if skip_call:
                        tried[key] = (True, "not called (--no-call)")
                    else:
                        started = time.perf_counter()
                        reply = await ping(client)
                        tried[key] = (
                            True,
                            f"answered in {time.perf_counter() - started:.1f} s: {reply[:40]!r}",
                        )
                except Exception as exc:  # report every failure as a row, keep checking
                    tried[key] = (False, str(exc))
            ok, note = tried[key]
            rows.append((agent, endpoint.describe(), ok, note))
    finally:
        await factory.close()
    return rows


def _index_rows(settings: Settings) -> list[tuple[str, bool, str]]:
    from tools.store import CorpusStore

    r = settings.retrieval
    rows = [("data directory", True, str(r.data_dir))]
    where = (
        f"Chroma server {r.chroma_server.host}:{r.chroma_server.port}"
        if r.chroma_server
        else "embedded Chroma"
    )
    try:
        store = CorpusStore(r)
        if not store.exists():
            rows.append(("index", False, f"{where}: nothing indexed; run `review ingest`."))
            return rows
        store.passages()
        records = store.document_records()
        passages = sum(int(m.get("n_chunks", 0)) for m in records.values())
        rows.append(
            (
                "index",
                True,
                f"{where}: {len(records)} documents, {passages} passages, "
                f"version {store.index_version()}",
            )
        )
        rows.append(("embeddings", True, store.embedder.identity))
        built = store.built_hnsw_ef()
        if built is not None and built != r.hnsw_ef:
            rows.append(
                (
                    "search index",
                    False,
                    f"built with HNSW ef {built} but retrieval.hnsw_ef is {r.hnsw_ef}; run "
                    "`review ingest --rebuild` to rebuild it with the setting.",
                )
            )
        by_scope = documents_by_scope(records)
        limits = corpus_limits(by_scope)
        rows.append(("scopes", True, " ".join([scope_summary(by_scope) + ".", *limits])))
    except Exception as exc:
        rows.append(("index", False, str(exc)))
    return rows


def _file_rows(settings: Settings) -> list[tuple[str, bool, str]]:
    """The files a run starts from and the folder it writes to, as absolute paths: a relative
    setting means relative to the working directory, and the defaults are the bundled files."""
    r = settings.retrieval
    strategy, corpus, catalog = (p.absolute() for p in (settings.strategy, r.corpus_dir, r.catalog))
    transcripts = settings.transcripts_dir.absolute()
    change = "change it with transcripts_dir in review.toml or REVIEW_TRANSCRIPTS_DIR"
    rows = [
        (
            "strategy",
            strategy.is_file(),
            f"{strategy}, reviewed when `review run` is given none"
            if strategy.is_file()
            else f"{strategy} is not a file; set strategy in review.toml (or REVIEW_STRATEGY) to "
            "a strategy .toml or .md, or give `review run` one.",
        ),
        (
            "corpus folder",
            corpus.is_dir(),
            f"{corpus}, ingested when `review ingest` is given no paths"
            if corpus.is_dir()
            else f"{corpus} is not a folder; set retrieval.corpus_dir in review.toml (or "
            "REVIEW_RETRIEVAL__CORPUS_DIR) to your documents' folder.",
        ),
        (
            "catalog",
            True,
            str(catalog) if catalog.is_file() else f"{catalog} (none: an empty catalog)",
        ),
    ]
    if transcripts.exists() and not transcripts.is_dir():
        rows.append(("transcripts", False, f"{transcripts} is not a folder; {change}."))
    else:
        created = "" if transcripts.exists() else " (created by the first run)"
        rows.append(("transcripts", True, f"runs are saved in {transcripts}{created}; {change}."))
    return rows


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    models = Table(title="Models", expand=True)
    for column in ("agent", "backend and model", "status"):
        models.add_column(column)
    model_rows = asyncio.run(_ping(settings, args.no_call))
    for agent, described, ok, note in model_rows:
        mark = "[green]ok[/]" if ok else "[red]problem[/]"
        models.add_row(agent, escape(described), f"{mark} {escape(note)}")
    console.print(models)
    index_rows = _index_rows(settings)
    console.print(_checks("Index", ("check", "status"), index_rows))
    file_rows = _file_rows(settings)
    console.print(_checks("Files", ("what", "where"), file_rows))
    healthy = all(ok for *_, ok, _ in model_rows) and all(
        ok for _, ok, _ in [*index_rows, *file_rows]
    )
    console.print(
        "All good." if healthy else "Fix the problems above, then run `review doctor` again."
    )
    return 0 if healthy else 1


def _checks(title: str, columns: tuple[str, str], rows: list[tuple[str, bool, str]]) -> Table:
    """A table of named checks, each marked ok or problem, with its note."""
    table = Table(title=title, expand=True)
    for column in columns:
        table.add_column(column)
    for name, ok, note in rows:
        table.add_row(name, ("[green]ok[/] " if ok else "[red]problem[/] ") + escape(note))
    return table
