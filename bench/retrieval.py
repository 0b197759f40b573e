"""Retrieval quality on the bundled corpus: three retrievers, by kind of question and by split.

Run: ``.venv/bin/python bench/retrieval.py [-v] [--json PATH]`` (ingests the bundled corpus into
a temporary data directory first, so it measures exactly what is committed).

Retrievers, compared in one run on the same questions:

- ``ours``: ``Searcher.search(..., mode="hybrid")``, what the panel uses;
- ``dense``: ``Searcher.search(..., mode="dense")``;
- ``bm25-win``: plain BM25 (k1=1.5, b=0.75) over fixed windows of 200 words with a 150-word
  stride over each document's stored text; lowercase, ``[a-z0-9]+`` tokens, the same English
  stopword list for windows and queries, no stemming, no titles or section headings.

Questions (``bench/retrieval_questions.json``): ``{id, doc_id, kind, split, question, answer,
paraphrased}``. ``answer`` is one span or a list of spans, each verbatim (after squashing runs of
whitespace to one space) in the document's stored text; the bench stops before searching when one
is not. ``kind`` is one of:

- ``list``: the answer is a list (a list of spans: the list's introduction and/or its items,
  possibly across passages; or one span holding an inline list);
- ``names_document``: the question names the document or the organisation behind it ("the
  scrutiny paper", "the Lancashire and South Cumbria strategy", "the ICB");
- ``number``: the answer is a number, share or date;
- ``paraphrase``: asked in words other than the document's;
- ``fact``: anything else.

A question has exactly one kind, the first that applies in that order. ``paraphrased`` is true
when the question avoids the content words of the sentence that holds the answer (so keywords
alone do not find it), whatever its kind. ``split`` is ``tune`` or ``test``: tune retrieval on
``tune`` only, report ``test``. ``--assign-splits`` gives a split to questions without one
(balanced per kind, in the order of a hash of the id) and rewrites the file; splits already
assigned never change.

Scoring. Every retriever returns its 10 best hits per question, as texts (for ours, a hit
together with the passages shown after it as carrying on a list it stops inside). A span is found in a hit
when the squashed hit text contains the squashed span (case-sensitive). A question is answered at
rank r, the smallest r such that every one of its spans is found in at least one of hits 1..r
(each span in some hit; different spans may be in different hits). For a single span this is the
rank of the first hit containing it. recall@k: share of questions answered at rank <= k; MRR: mean
of 1/r, 0 when unanswered within 10 hits.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.ingest import ingest  # noqa: E402
from tools.search import Searcher  # noqa: E402
from tools.settings import EmbeddingSettings, RetrievalSettings  # noqa: E402

QUESTIONS = ROOT / "bench" / "retrieval_questions.json"
KINDS = ("fact", "number", "list", "paraphrase", "names_document")
SPLITS = ("tune", "test")
DEPTH = 10  # hits asked of every retriever; MRR counts ranks up to this
WINDOW, STRIDE = 200, 150

Search = Callable[[list[str]], list[list[str]]]
"""A retriever: queries in, for each query its hits' texts, best first."""


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def spans(question: dict[str, Any]) -> list[str]:
    answer = question["answer"]
    return [squash(a) for a in (answer if isinstance(answer, list) else [answer])]


def answer_rank(answer_spans: list[str], hit_texts: list[str]) -> int | None:
    """The smallest r such that every span is in one of the first r hits; None if never."""
    first: dict[str, int] = {}
    for r, text in enumerate(hit_texts, start=1):
        flat = squash(text)
        for span in answer_spans:
            if span not in first and span in flat:
                first[span] = r
        if len(first) == len(answer_spans):
            return max(first.values())
    return None


def evaluate(
    search: Search,
    questions: list[dict[str, Any]],
    hits_out: dict[str, list[str]] | None = None,
) -> dict[str, int | None]:
    """Each question's answer rank (None: not within the hits) for one retriever; the hit texts
    per question id go into ``hits_out`` when given."""
    hits = search([q["question"] for q in questions])
    if len(hits) != len(questions):
        raise ValueError(f"search returned {len(hits)} results for {len(questions)} queries")
    if hits_out is not None:
        hits_out.update({q["id"]: h for q, h in zip(questions, hits, strict=True)})
    return {q["id"]: answer_rank(spans(q), h[:DEPTH]) for q, h in zip(questions, hits, strict=True)}


def summarise(ranks: Iterable[int | None]) -> dict[str, float | None]:
    """n, recall@1, recall@5 and MRR of a set of answer ranks (None figures when n is 0)."""
    ranks = list(ranks)
    n = len(ranks)
    if not n:
        return {"n": 0, "recall@1": None, "recall@5": None, "mrr": None}
    return {
        "n": n,
        "recall@1": sum(r == 1 for r in ranks) / n,
        "recall@5": sum(r is not None and r <= 5 for r in ranks) / n,
        "mrr": sum(1.0 / r for r in ranks if r) / n,
    }


# -- the questions -----------------------------------------------------------------------------
def check_questions(questions: list[dict[str, Any]], texts: dict[str, str]) -> list[str]:
    """Stop with every problem listed when a question is malformed or a span is not verbatim in
    its document's stored text; return warnings (a span found in another document too)."""
    problems: list[str] = []
    warnings: list[str] = []
    flat = {doc_id: squash(text) for doc_id, text in texts.items()}
    seen: set[str] = set()
    for q in questions:
        qid = q.get("id", "?")
        if qid in seen:
            problems.append(f"{qid}: duplicate id")
        seen.add(qid)
        missing = {"id", "doc_id", "kind", "split", "question", "answer", "paraphrased"} - set(q)
        if missing:
            problems.append(f"{qid}: missing {sorted(missing)}")
            continue
        if q["kind"] not in KINDS:
            problems.append(f"{qid}: kind {q['kind']!r} is not one of {KINDS}")
        if q["split"] not in SPLITS:
            problems.append(f"{qid}: split {q['split']!r} is not one of {SPLITS}")
        if not isinstance(q["paraphrased"], bool):
            problems.append(f"{qid}: paraphrased must be true or false")
        if q["doc_id"] not in flat:
            problems.append(f"{qid}: no document {q['doc_id']!r} in the index")
            continue
        if isinstance(q["answer"], list) and not q["answer"]:
            problems.append(f"{qid}: empty answer list")
        for span in spans(q):
            if not span:
                problems.append(f"{qid}: empty answer span")
            elif span not in flat[q["doc_id"]]:
                problems.append(f"{qid}: answer span not verbatim in {q['doc_id']}: {span!r}")
            else:
                others = [d for d, t in flat.items() if d != q["doc_id"] and span in t]
                if others:
                    warnings.append(f"{qid}: span also in {', '.join(others)}: {span!r}")
    if problems:
        raise SystemExit(
            f"bench/retrieval_questions.json: {len(problems)} problem(s):\n  "
            + "\n  ".join(problems)
        )
    return warnings


def _hash(qid: str) -> str:
    return hashlib.sha256(qid.encode()).hexdigest()


def assign_splits(questions: list[dict[str, Any]]) -> int:
    """Give a split to each question without one: per kind, in hash-of-id order, to whichever
    split of that kind has fewer questions (ties: test). Returns how many were assigned."""
    assigned = 0
    for kind in sorted({q.get("kind", "") for q in questions}):
        group = [q for q in questions if q.get("kind", "") == kind]
        count = Counter(q["split"] for q in group if q.get("split") in SPLITS)
        for q in sorted(
            (q for q in group if q.get("split") not in SPLITS), key=lambda q: _hash(q["id"])
        ):
            q["split"] = "test" if count["test"] <= count["tune"] else "tune"
            count[q["split"]] += 1
            assigned += 1
    return assigned


# -- the plain BM25 baseline -------------------------------------------------------------------
def _tokens(text: str, stop: frozenset[str]) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in stop]


def bm25_windows(
    texts: dict[str, str], k1: float = 1.5, b: float = 0.75
) -> tuple[Search, dict[str, str]]:
    """Plain Okapi BM25 over 200-word windows (150-word stride) of each document's text; the
    search, and each window's text with its label (document and window number)."""
    from bm25s.stopwords import STOPWORDS_EN  # the list the project's own BM25 uses ("en")

    stop = frozenset(STOPWORDS_EN)
    windows: list[str] = []
    labels: dict[str, str] = {}
    for doc_id, text in texts.items():
        words = text.split()
        for start in range(0, max(len(words) - WINDOW, 0) + STRIDE, STRIDE):
            windows.append(" ".join(words[start : start + WINDOW]))
            labels.setdefault(windows[-1], f"{doc_id}~w{start // STRIDE + 1}")
            if start + WINDOW >= len(words):
                break
    docs = [Counter(_tokens(w, stop)) for w in windows]
    lengths = [sum(d.values()) for d in docs]
    avgdl = sum(lengths) / len(lengths)
    df = Counter(t for d in docs for t in d)
    idf = {t: math.log((len(docs) - n + 0.5) / (n + 0.5) + 1.0) for t, n in df.items()}

    def search(queries: list[str]) -> list[list[str]]:
        results = []
        for query in queries:
            terms = [t for t in _tokens(query, stop) if t in idf]
            scores = [
                sum(idf[t] * d[t] * (k1 + 1) / (d[t] + k1 * (1 - b + b * n / avgdl)) for t in terms)
                for d, n in zip(docs, lengths, strict=True)
            ]
            order = sorted(range(len(docs)), key=lambda i: (-scores[i], i))[:DEPTH]
            results.append([windows[i] for i in order if scores[i] > 0])
        return results

    return search, labels


def searcher_retriever(searcher: Searcher, mode: str) -> Search:
    """Our search as a retriever: a hit and the passages shown after it as carrying on its list
    (``Hit.continues``) are one hit, as a reader meets them."""

    def search(queries: list[str]) -> list[list[str]]:
        results = searcher.search(queries, k=DEPTH, mode=mode)  # type: ignore[arg-type]
        grouped: list[list[str]] = []
        for result in results:
            texts: list[str] = []
            for hit in result.hits:
                if hit.continues and texts:
                    texts[-1] += "\n" + hit.text
                else:
                    texts.append(hit.text)
            grouped.append(texts)
        return grouped

    return search


# -- the run -----------------------------------------------------------------------------------
def _short(text: str, n: int = 110) -> str:
    text = squash(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses@5 per retriever")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures as JSON")
    parser.add_argument(
        "--precision",
        choices=("fp32", "int8"),
        default="fp32",
        help="embedding precision of the index (retrieval.embedding.precision)",
    )
    parser.add_argument(
        "--assign-splits", action="store_true", help="give a split to questions without one"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    questions: list[dict[str, Any]] = json.loads(QUESTIONS.read_text())
    if args.assign_splits:
        n = assign_splits(questions)
        fields = ("id", "doc_id", "kind", "split", "question", "answer", "paraphrased")
        questions = [
            {
                **{f: q[f] for f in fields if f in q},
                **{f: v for f, v in q.items() if f not in fields},
            }
            for q in questions
        ]
        QUESTIONS.write_text(json.dumps(questions, indent=2, ensure_ascii=False) + "\n")
        print(f"assigned a split to {n} question(s) in {QUESTIONS.relative_to(ROOT)}")

    with tempfile.TemporaryDirectory() as data_dir:
        settings = RetrievalSettings(
            data_dir=Path(data_dir),
            corpus_dir=ROOT / "corpus" / "documents",
            catalog=ROOT / "corpus" / "catalog.toml",
            embedding=EmbeddingSettings(precision=args.precision),
        )
        ingest([settings.corpus_dir], settings)
        searcher = Searcher(settings)
        ingested = time.perf_counter()
        texts = {d: searcher.store.document_text(d) or "" for d in searcher.lexical.doc_ids()}
        warnings = check_questions(questions, texts)
        passages = {squash(p.text): p.id for p in searcher.lexical.passages}
        for q in questions:
            for span in spans(q):
                if not any(span in text for text in passages):
                    warnings.append(f"{q['id']}: no single passage holds {span!r}")
        bm25, windows = bm25_windows(texts)
        n_windows = len(windows)
        labels = {**passages, **windows}
        retrievers: dict[str, Search] = {
            "ours": searcher_retriever(searcher, "hybrid"),
            "dense": searcher_retriever(searcher, "dense"),
            "bm25-win": bm25,
        }
        ranks: dict[str, dict[str, int | None]] = {}
        timing: dict[str, float] = {}
        hits: dict[str, dict[str, list[str]]] = {}
        for name, search in retrievers.items():
            t0 = time.perf_counter()
            hits[name] = {}
            ranks[name] = evaluate(search, questions, hits[name])
            timing[name] = time.perf_counter() - t0
        n_passages = len(searcher.lexical.passages)

    by_kind = {k: [q for q in questions if q["kind"] == k] for k in KINDS}
    groups: dict[str, list[dict[str, Any]]] = {
        **by_kind,
        "all": questions,
        "(paraphrased)": [q for q in questions if q["paraphrased"]],
        "(keyword)": [q for q in questions if not q["paraphrased"]],
    }
    figures: dict[str, dict[str, dict[str, dict[str, float | None]]]] = {}
    for name in retrievers:
        figures[name] = {}
        for split in ("test", "tune", "all"):
            figures[name][split] = {
                group: summarise(
                    ranks[name][q["id"]] for q in qs if split == "all" or q["split"] == split
                )
                for group, qs in groups.items()
            }

    split_counts = Counter((q["kind"], q["split"]) for q in questions)
    print(
        f"{len(questions)} questions over {len(texts)} documents; corpus: {n_passages} passages "
        f"(ours, dense), {n_windows} windows of {WINDOW} words, stride {STRIDE} (bm25-win)"
    )
    print(
        "questions per kind (test/tune): "
        + ", ".join(f"{k} {split_counts[k, 'test']}/{split_counts[k, 'tune']}" for k in KINDS)
        + f"; paraphrased {len(groups['(paraphrased)'])}/{len(questions)}"
    )
    for w in warnings:
        print(f"warning: {w}")
    print()
    head = f"{'n':>4} {'R@1':>6} {'R@5':>6} {'MRR':>6}"
    print(f"{'kind':<15} {'retriever':<9} | {'split=test':^25} | {'all':^25}")
    print(f"{'':<15} {'':<9} | {head} | {head}")
    for group in groups:
        if group == "all" or group == "(paraphrased)":
            print("-" * 71)
        for name in retrievers:
            cells = []
            for split in ("test", "all"):
                m = figures[name][split][group]
                cells.append(
                    f"{m['n']:>4} "
                    + " ".join(
                        f"{'-':>6}" if m[f] is None else f"{m[f]:>6.3f}"
                        for f in ("recall@1", "recall@5", "mrr")
                    )
                )
            print(f"{group:<15} {name:<9} | {cells[0]} | {cells[1]}")
    elapsed = time.perf_counter() - started
    print(
        f"\ntime: {elapsed:.1f} s in all (ingest and open {ingested - started:.1f} s; search "
        + ", ".join(f"{name} {t:.2f} s" for name, t in timing.items())
        + f" for {len(questions)} queries)"
    )

    if args.verbose:
        for name in retrievers:
            misses = [q for q in questions if not (ranks[name][q["id"]] or 99) <= 5]
            print(f"\nmisses@5 of {name} ({len(misses)}):")
            for q in sorted(
                misses, key=lambda q: (q["split"] != "test", KINDS.index(q["kind"]), q["id"])
            ):
                rank = ranks[name][q["id"]]
                print(
                    f"  {q['id']} [{q['split']}, {q['kind']}{', para' if q['paraphrased'] else ''}]"
                    f" rank {rank or '>10'}: {q['question']}"
                )
                print(f"      expected: {_short(' | '.join(spans(q)))}")
                got = hits[name][q["id"]]
                label = labels.get(squash(got[0]), "?") if got else ""
                print(f"      got @1:   {label}: {_short(got[0], 90) if got else '(nothing)'}")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "questions": len(questions),
                    "passages": n_passages,
                    "windows": n_windows,
                    "seconds": {"total": elapsed, "ingest": ingested - started, **timing},
                    "figures": figures,
                    "ranks": ranks,
                    "splits": {q["id"]: q["split"] for q in questions},
                    "kinds": {q["id"]: q["kind"] for q in questions},
                },
                indent=2,
            )
            + "\n"
        )
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
