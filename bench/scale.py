"""Throughput and latency at the bundled corpus's size and at 100k passages.

Run: ``.venv/bin/python bench/scale.py [--chunks 100000] [--queries 200] [--repeat 3]
[--skip-cli]``

1. Ingest of the bundled corpus into fresh temporary data dirs: the one-time ONNX export of
   MiniLM, a first ingest, steady-state ingests (fresh dirs, model already exported) at each
   embedding precision (fp32, the default, and int8, after its one-time quantisation), the best
   of ``--repeat`` in passages per second, and a no-change re-ingest.
2. ``Searcher.search([q], k=5)`` latency per question of bench/retrieval_questions.json, one at a
   time after a warm-up, in hybrid, dense and lexical modes (and hybrid on the int8 index); each
   p50/p95 is the best of ``--repeat`` passes over the questions.
3. The same at ``--chunks`` synthetic passages (sentences sampled from the bundled documents,
   ~500 documents over the 4 scopes, vectors derived from real MiniLM sentence embeddings plus
   noise) written straight into Chroma, with and without a ``--scope`` filter (profile a slow
   stage with py-spy or cProfile rather than timing it here).
   Building 100k passages takes roughly 6-10 minutes on 2 cores (Chroma HNSW inserts).
4. Wall time of ``review search "international recruitment" --k 5 --json`` as a subprocess,
   against the bundled index (5 runs) and, cold, against the synthetic one (3 runs).

Everything lives in temporary directories that are removed at the end (also on errors).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.catalog import SCOPES  # noqa: E402
from tools.chunker import _SENTENCE_END  # noqa: E402
from tools.embeddings import LocalMiniLM, Precision, local_model_dir  # noqa: E402
from tools.evidence import Passage, make_evidence_id  # noqa: E402
from tools.ingest import ingest, refresh_lexical  # noqa: E402
from tools.search import Filters, Searcher  # noqa: E402
from tools.settings import EmbeddingSettings, RetrievalSettings  # noqa: E402
from tools.store import CorpusStore, _metadata  # noqa: E402

DOCS = ROOT / "corpus" / "documents"
BATCH = 5000
rows: list[tuple[str, str]] = []  # (figure, value) for the final table


def report(name: str, value: str) -> None:
    rows.append((name, value))
    print(f"  {name:<46} {value}", flush=True)


def settings_for(data_dir: Path, precision: Precision = "fp32") -> RetrievalSettings:
    return RetrievalSettings(
        data_dir=data_dir,
        corpus_dir=DOCS,
        catalog=ROOT / "corpus" / "catalog.toml",
        embedding=EmbeddingSettings(precision=precision),
    )


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


REPEAT = 3  # set from --repeat: timings are the best of this many


def p50_p95(passes: list[list[float]]) -> str:
    """p50 and p95 of each pass's latencies, the best (lowest) of the passes."""
    ms = [np.array(seconds) * 1000 for seconds in passes]
    p50 = min(np.percentile(m, 50) for m in ms)
    p95 = min(np.percentile(m, 95) for m in ms)
    best = f" (best of {len(ms)})" if len(ms) > 1 else ""
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms{best}"


def latencies(searcher: Searcher, queries: list[str], **kwargs: Any) -> list[list[float]]:
    for q in queries[:5]:  # warm-up
        searcher.search([q], k=5, **kwargs)
    return [[timed(searcher.search, [q], k=5, **kwargs)[1] for q in queries] for _ in range(REPEAT)]


# -- 1 + 2: the bundled corpus ---------------------------------------------------------------
def bench_bundled(tmp: Path, questions: list[str]) -> Path:
    print("1. Bundled corpus ingest", flush=True)
    first = tmp / "first"
    _, export_s = timed(lambda: LocalMiniLM(local_model_dir(first))._session)
    report("ONNX export + session load (one-time)", f"{export_s:6.2f} s")
    r1, _ = timed(ingest, [DOCS], settings_for(first))
    report(
        "ingest #1 (fresh dir, model exported)",
        f"{r1.seconds:6.2f} s  {r1.passages_written / r1.seconds:6.1f} passages/s ({r1.passages_written})",
    )
    _, quantise_s = timed(lambda: LocalMiniLM(local_model_dir(first), precision="int8")._session)
    report("int8 quantisation + session load (one-time)", f"{quantise_s:6.2f} s")
    steady: dict[str, Path] = {}
    precisions: tuple[Precision, ...] = ("fp32", "int8")
    for precision in precisions:
        runs = []
        for n in range(REPEAT):
            steady[precision] = tmp / f"steady-{precision}-{n}"
            shutil.copytree(first / "models", steady[precision] / "models")
            runs.append(ingest([DOCS], settings_for(steady[precision], precision)))
        best = min(runs, key=lambda r: r.seconds)
        report(
            f"ingest steady state, {precision} (best of {REPEAT})",
            f"{best.seconds:6.2f} s  {best.passages_written / best.seconds:6.1f} passages/s",
        )
    r3, _ = timed(ingest, [DOCS], settings_for(steady["fp32"]))
    report("re-ingest, nothing changed", f"{r3.seconds:6.3f} s  (changed={r3.changed})")

    print(f"2. Query latency, bundled corpus ({len(questions)} questions, k=5)", flush=True)
    searcher = Searcher(settings_for(steady["fp32"]))
    for mode in ("hybrid", "dense", "lexical"):
        report(f"bundled {mode}", p50_p95(latencies(searcher, questions, mode=mode)))
    searcher = Searcher(settings_for(steady["int8"], "int8"))
    report("bundled hybrid, int8 index", p50_p95(latencies(searcher, questions)))
    return steady["fp32"]


# -- 3: synthetic corpus ---------------------------------------------------------------------
def corpus_sentences() -> list[str]:
    sentences = [
        s.strip()
        for f in sorted(DOCS.iterdir())
        for line in f.read_text(encoding="utf-8").split("\n")
        for s in _SENTENCE_END.split(line)
        if len(s.split()) >= 4
    ]
    return list(dict.fromkeys(sentences))


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def build_synthetic(data_dir: Path, model_from: Path, n: int, n_docs: int = 500) -> Searcher:
    rng = np.random.default_rng(7)
    shutil.copytree(model_from / "models", data_dir / "models")
    settings = settings_for(data_dir)
    store = CorpusStore(settings)
    sentences = corpus_sentences()[:2000]
    base, embed_s = timed(store.embedder.embed, sentences)
    print(f"  embedded {len(sentences)} real sentences in {embed_s:.1f} s", flush=True)
    passages_c, windows_c = store.passages(create=True), store.windows()
    per_doc = -(-n // n_docs)
    start = time.perf_counter()
    for lo in range(0, n, BATCH):
        batch, vecs, win_vecs, win_meta, win_ids = [], [], [], [], []
        for i in range(lo, min(lo + BATCH, n)):
            doc, pos = i // per_doc, i % per_doc + 1
            picks = rng.choice(len(sentences), size=int(rng.integers(5, 11)), replace=False)
            p = Passage(
                id=make_evidence_id(f"SYN-{doc:04d}", pos),
                doc_id=f"SYN-{doc:04d}",
                title=f"Synthetic workforce strategy {doc}",
                section=f"{pos // 10 + 1}. Section",
                scope=SCOPES[doc % len(SCOPES)],
                position=pos,
                start=pos * 1000,
                end=pos * 1000 + 999,
                text=" ".join(sentences[j] for j in picks),
            )
            batch.append(p)
            vecs.append(base[picks].mean(axis=0))
            for w in range(2):  # two sentence windows per passage
                win_vecs.append(base[picks[w : w + 2]].mean(axis=0))
                win_ids.append(f"{p.id}/{w}")
                win_meta.append({"passage_id": p.id, "doc_id": p.doc_id, "scope": p.scope})
        vecs_a = unit(unit(np.array(vecs)) + rng.normal(0, 0.01, (len(vecs), 384)))
        wins_a = unit(unit(np.array(win_vecs)) + rng.normal(0, 0.01, (len(win_vecs), 384)))
        passages_c.upsert(
            ids=[p.id for p in batch],
            embeddings=vecs_a,
            documents=[p.text for p in batch],
            metadatas=[_metadata(p) for p in batch],
        )
        for wlo in range(0, len(win_ids), BATCH):
            windows_c.upsert(
                ids=win_ids[wlo : wlo + BATCH],
                embeddings=wins_a[wlo : wlo + BATCH],
                metadatas=win_meta[wlo : wlo + BATCH],
            )
        print(
            f"  wrote {min(lo + BATCH, n)}/{n} passages ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    chroma_s = time.perf_counter() - start
    for doc in range(-(-n // per_doc)):
        doc_id = f"SYN-{doc:04d}"
        store.put_document(
            doc_id,
            f"Synthetic document {doc}",
            {
                "sha256": f"{doc:064x}",
                "n_chunks": min(per_doc, n - doc * per_doc),
                "file": f"{doc_id}.txt",
                "path": f"/synthetic/{doc_id}.txt",
                "title": f"Synthetic workforce strategy {doc}",
                "scope": SCOPES[doc % len(SCOPES)],
            },
        )
    _, bm25_s = timed(refresh_lexical, store, force=True)
    report(f"synthetic build: Chroma upserts ({n} + {2 * n} win)", f"{chroma_s:6.1f} s")
    report("synthetic build: BM25 mirror (refresh_lexical)", f"{bm25_s:6.1f} s")
    searcher, open_s = timed(Searcher, settings)
    report("synthetic: open Searcher (load BM25 mirror)", f"{open_s:6.2f} s")
    return searcher


def bench_synthetic(tmp: Path, steady: Path, n: int, queries: list[str], scope: str) -> None:
    print(f"3. Synthetic corpus, {n} passages", flush=True)
    searcher = build_synthetic(tmp / "synthetic", steady, n)
    report(f"{n // 1000}k hybrid", p50_p95(latencies(searcher, queries)))
    scoped = Filters(scopes=(scope,))
    report(
        f"{n // 1000}k hybrid --scope {scope}",
        p50_p95(latencies(searcher, queries, filters=scoped)),
    )
    del searcher


# -- 4: the CLI ------------------------------------------------------------------------------
def bench_cli(tmp: Path, data_dir: Path, runs: int = 5, label: str = "bundled") -> None:
    print(f"4. `review search` wall time ({label})", flush=True)
    review = Path(sys.executable).parent / "review"
    env = os.environ | {"REVIEW_RETRIEVAL__DATA_DIR": str(data_dir)}
    cmd = [str(review), "search", "international recruitment", "--k", "5", "--json"]
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        if done.returncode != 0 or not json.loads(done.stdout)[0]["hits"]:
            raise SystemExit(f"review search failed ({done.returncode}): {done.stderr[-2000:]}")
    report(
        f"review search --json, {label} (process wall)",
        f"min {min(walls):5.2f} s   median {statistics.median(walls):5.2f} s",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000, help="synthetic passages (0 skips)")
    parser.add_argument(
        "--queries", type=int, default=200, help="queries against the synthetic corpus"
    )
    parser.add_argument("--scope", choices=SCOPES, default="place", help="scope filter to time")
    parser.add_argument("--skip-cli", action="store_true", help="skip the `review search` timing")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timings are the best of this many (default 3)"
    )
    args = parser.parse_args()
    global REPEAT
    REPEAT = max(args.repeat, 1)
    questions = [
        q["question"] for q in json.loads((ROOT / "bench" / "retrieval_questions.json").read_text())
    ]
    fragments = [" ".join(s.split()[:10]) for s in corpus_sentences()]
    random.Random(3).shuffle(fragments)
    synthetic_queries = (questions + fragments)[: args.queries]
    print(
        f"cpu cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f} "
        "(other processes skew every figure)",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="review-scale-") as name:
        tmp = Path(name)
        steady = bench_bundled(tmp, questions)
        if not args.skip_cli:
            bench_cli(tmp, steady)
        if args.chunks:
            bench_synthetic(tmp, steady, args.chunks, synthetic_queries, args.scope)
            if not args.skip_cli:  # a cold process also pays for loading the mirror and HNSW
                bench_cli(tmp, tmp / "synthetic", runs=3, label=f"{args.chunks // 1000}k")
    print(f"\nSummary (load average now {os.getloadavg()[0]:.2f})")
    for name, value in rows:
        print(f"{name:<50} {value}")


if __name__ == "__main__":
    main()
