"""Incremental ingestion: files -> normalised text -> passages -> vectors in Chroma + BM25 mirror.

Content-hashed: an unchanged file is skipped, a changed file replaces only its own passages, and a
file that has gone from an ingested folder takes its passages with it. One unreadable file never
stops the rest; each problem is reported as one plain sentence.
"""

from __future__ import annotations

import hashlib
import threading
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.catalog import Catalog, describe, load_catalog
from tools.chunker import chunk_text
from tools.evidence import Passage, make_evidence_id
from tools.instructions import addresses_the_model
from tools.lexical import LexicalIndex
from tools.loaders import LoadError, load_file
from tools.normalize import join_pages
from tools.quality import passage_quality
from tools.settings import RetrievalSettings
from tools.store import CHUNKER_VERSION, CorpusStore

ProgressCallback = Callable[[int, int], None]
"""Called as ``on_progress(passages_done, passages_total)`` while passages are embedded: first
with 0, then with rising counts (passages' worth of the embedding work), last with the total."""

BLOCK = 256
"""Passages embedded and written together, across documents: the embedder sorts a block's texts
(passages and their sentence windows, some 1,500) by length into batches that keep every thread
busy, while memory stays small and a document's record follows soon after its last passage."""


@dataclass
class IngestReport:
    """What an ingest did, for the user and for tests."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passages_written: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    @property
    def indexed_anything(self) -> bool:
        return bool(self.added or self.updated or self.unchanged)


@dataclass
class _Prepared:
    doc_id: str
    path: Path
    sha256: str
    text: str
    metadata: dict[str, object]
    passages: list[Passage]


def discover(paths: list[Path], report: IngestReport) -> tuple[list[Path], list[Path]]:
    """Files to ingest, and the folders that were scanned (for noticing deleted files)."""
    files: list[Path] = []
    folders: list[Path] = []
    for path in paths:
        if path.is_dir():
            folders.append(path.resolve())
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                report.problems.append(f"{path} has no files in it; add documents and try again.")
            files.extend(found)
        else:
            files.append(path)
    return files, folders


def _chunker_key(settings: RetrievalSettings) -> str:
    """How passages were cut and scored: a change re-ingests every document."""
    return (
        f"{CHUNKER_VERSION}:{settings.chunk_words}:{settings.overlap_words}"
        f":{settings.readable_min_words}:{settings.readable_min_known}"
    )


def _quality(text: str, settings: RetrievalSettings) -> float:
    return passage_quality(text, settings.readable_min_words, settings.readable_min_known)


def prepare(
    path: Path, data: bytes, settings: RetrievalSettings, report: IngestReport, catalog: Catalog
) -> _Prepared | None:
    """Read, normalise and chunk one file; None (with a problem recorded) when it cannot be."""
    try:
        loaded = load_file(path, int(settings.max_file_mb * 1e6))
    except LoadError as exc:
        report.problems.append(str(exc))
        return None
    report.warnings.extend(loaded.warnings)
    text, page_starts = join_pages(loaded.pages)
    info, warning = describe(path, text, catalog)
    if warning:
        report.warnings.append(warning)
    paged = len(loaded.pages) > 1
    passages = [
        Passage(
            id=make_evidence_id(info.id, chunk.position),
            doc_id=info.id,
            title=info.title,
            section=chunk.section,
            scope=info.scope,
            position=chunk.position,
            start=chunk.start,
            end=chunk.end,
            page=bisect_right(page_starts, chunk.start) if paged else None,
            text=chunk.text,
            quality=_quality(chunk.text, settings),
            addresses_model=addresses_the_model(chunk.text),
        )
        for chunk in chunk_text(text, settings.chunk_words, settings.overlap_words)
    ]
    metadata: dict[str, object] = {
        "file": path.name,
        "path": str(path.resolve()),
        "sha256": hashlib.sha256(data).hexdigest(),
        "chunker": _chunker_key(settings),
        "n_chunks": len(passages),
        "title": info.title,
        "publisher": info.publisher,
        "year": info.year or 0,
        "scope": info.scope,
        "geography": info.geography,
        "pages": len(loaded.pages) if paged else 0,
        "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return _Prepared(info.id, path, str(metadata["sha256"]), text, metadata, passages)


def ingest(
    paths: list[Path],
    settings: RetrievalSettings,
    store: CorpusStore | None = None,
    on_progress: ProgressCallback | None = None,
    rebuild: bool = False,
) -> IngestReport:
    """Bring the index in line with ``paths`` (files or folders); see the module docstring.

    ``on_progress(done, total)`` follows the embedding of the passages to (re)index (not called
    when there are none).
    """
    started = time.perf_counter()
    report = IngestReport()
    store = store or CorpusStore(settings)
    if rebuild:
        store.drop()
    store.passages(create=True)
    existing = store.document_records()
    files, folders = discover(paths, report)
    warm_up = _WarmUp(store)
    try:
        todo, seen_ids = _changed_files(files, existing, settings, report, warm_up.start)
    finally:
        warm_up.join()
    _remove_deleted(store, existing, seen_ids, folders, report)
    _write(store, todo, existing, report, on_progress)
    refresh_lexical(store, force=report.changed)
    report.seconds = time.perf_counter() - started
    return report


class _WarmUp:
    """Loads the local model in a thread while documents are read and chunked (a remote
    embedder has nothing to load)."""

    def __init__(self, store: CorpusStore) -> None:
        self.warm_up: Callable[[], None] | None = getattr(store.embedder, "warm_up", None)
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.warm_up is not None and self.thread is None:
            self.thread = threading.Thread(target=self._run, name="warm-up", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            if self.warm_up is not None:
                self.warm_up()
        except Exception:  # the embedding meets the same error, and reports it
            pass

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()


def _changed_files(
    files: list[Path],
    existing: dict[str, dict[str, Any]],
    settings: RetrievalSettings,
    report: IngestReport,
    changed: Callable[[], None] = lambda: None,
) -> tuple[list[_Prepared], dict[str, Path]]:
    """The files to (re)index, prepared; and the document id of every file seen. ``changed()``
    is called when the first file to (re)index is found."""
    catalog = load_catalog(settings.catalog)
    todo: list[_Prepared] = []
    seen_ids: dict[str, Path] = {}
    for path in files:
        if not path.exists():
            report.problems.append(f"{path} does not exist; check the path and try again.")
            continue
        record = next((m for m in existing.values() if m.get("path") == str(path.resolve())), None)
        data = path.read_bytes() if path.stat().st_size <= settings.max_file_mb * 1e6 else b""
        digest = hashlib.sha256(data).hexdigest()
        if (
            record
            and record.get("sha256") == digest
            and record.get("chunker") == _chunker_key(settings)
        ):
            report.unchanged.append(path.name)
            seen_ids[next(k for k, v in existing.items() if v is record)] = path
            continue
        changed()
        prepared = prepare(path, data, settings, report, catalog)
        if prepared is None:
            continue
        if prepared.doc_id in seen_ids:
            report.problems.append(
                f"{path.name} has the same document id ({prepared.doc_id}) as "
                f"{seen_ids[prepared.doc_id].name}; give one of them its own id in the catalog."
            )
            continue
        seen_ids[prepared.doc_id] = path
        todo.append(prepared)
    return todo, seen_ids


def _remove_deleted(
    store: CorpusStore,
    existing: dict[str, dict[str, Any]],
    seen_ids: dict[str, Path],
    folders: list[Path],
    report: IngestReport,
) -> None:
    """A file gone from an ingested folder takes its passages with it."""
    for doc_id, meta in existing.items():
        gone = (
            doc_id not in seen_ids
            and any(str(meta.get("path", "")).startswith(str(folder) + "/") for folder in folders)
            and not Path(str(meta.get("path"))).exists()
        )
        if gone:
            store.delete_document(doc_id)
            report.removed.append(str(meta.get("file", doc_id)))


def _write(
    store: CorpusStore,
    todo: list[_Prepared],
    existing: dict[str, dict[str, Any]],
    report: IngestReport,
    on_progress: ProgressCallback | None,
) -> None:
    """Replace each changed document's passages, in blocks of ``BLOCK``, reporting progress.

    A document's record (its hash) is written only once all its passages are, so an ingest cut
    short redoes the documents it had not finished.
    """
    total = sum(len(p.passages) for p in todo)
    done = 0  # passages written
    shown = -1  # passages last reported
    pending: list[Passage] = []
    finished: list[_Prepared] = []  # documents whose last passages are in ``pending``

    def tick(n: int) -> None:
        nonlocal shown
        if on_progress and n > shown:
            shown = n
            on_progress(n, total)

    def flush() -> None:
        nonlocal done
        if pending:
            start = done
            store.add_passages(pending, (lambda n: tick(start + n)) if on_progress else None)
            done += len(pending)
            pending.clear()
        for prepared in finished:
            store.put_document(prepared.doc_id, prepared.text, prepared.metadata)
            was_indexed = prepared.doc_id in existing
            (report.updated if was_indexed else report.added).append(prepared.path.name)
            report.passages_written += len(prepared.passages)
        finished.clear()

    if total:
        tick(0)
    for prepared in todo:
        if prepared.doc_id in existing:
            store.delete_document(prepared.doc_id)
        for passage in prepared.passages:
            pending.append(passage)
            if len(pending) >= BLOCK:
                flush()
        finished.append(prepared)
    flush()


def lexical_dir(store: CorpusStore) -> Path:
    server = store.settings.chroma_server
    where = f"{server.host}-{server.port}" if server else "local"
    return store.settings.data_dir / "lexical" / f"{store.settings.collection}-{where}"


def refresh_lexical(store: CorpusStore, force: bool = False) -> LexicalIndex:
    """The BM25 mirror for the current index version, rebuilt from Chroma when stale."""
    version = store.index_version()
    directory = lexical_dir(store)
    if not force:
        loaded = LexicalIndex.load(directory, version)
        if loaded is not None:
            return loaded
    index = LexicalIndex.build(store.iter_passages(), version)
    index.save(directory)
    return index
