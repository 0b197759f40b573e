"""Retrieval quality on the bundled corpus: recall@1, recall@5 and MRR per search mode.

Run: ``.venv/bin/python bench/retrieval.py`` (ingests the bundled corpus into a temporary data
directory first, so it measures exactly what is committed). A question counts as answered at
rank r when the r-th hit's text contains the question's answer span.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.ingest import ingest  # noqa: E402
from tools.search import Searcher  # noqa: E402
from tools.settings import RetrievalSettings  # noqa: E402


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def evaluate(searcher: Searcher, questions: list[dict], mode: str) -> dict[str, float]:
    results = searcher.search([q["question"] for q in questions], k=10, mode=mode)  # type: ignore[arg-type]
    r1 = r5 = mrr = 0.0
    misses = []
    for question, result in zip(questions, results, strict=True):
        answer = _squash(question["answer"])
        rank = next(
            (i + 1 for i, hit in enumerate(result.hits) if answer in _squash(hit.text)), None
        )
        if rank == 1:
            r1 += 1
        if rank is not None and rank <= 5:
            r5 += 1
        else:
            misses.append(question["id"])
        mrr += 1.0 / rank if rank else 0.0
    n = len(questions)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr": mrr / n, "misses": misses}  # type: ignore[dict-item]


def main() -> None:
    questions = json.loads((ROOT / "bench" / "retrieval_questions.json").read_text())
    with tempfile.TemporaryDirectory() as data_dir:
        settings = RetrievalSettings(
            data_dir=Path(data_dir),
            corpus_dir=ROOT / "corpus" / "documents",
            catalog=ROOT / "corpus" / "catalog.toml",
        )
        ingest([settings.corpus_dir], settings)
        searcher = Searcher(settings)
        subsets = {
            "all": questions,
            "paraphrased": [q for q in questions if q["paraphrased"]],
            "keyword": [q for q in questions if not q["paraphrased"]],
        }
        print(
            f"{len(questions)} questions ({len(subsets['paraphrased'])} paraphrased), "
            f"{len(searcher.lexical.passages)} passages"
        )
        print(f"{'subset':<12} {'mode':<8} {'recall@1':>9} {'recall@5':>9} {'MRR':>7}")
        for name, subset in subsets.items():
            for mode in ("dense", "lexical", "hybrid"):
                m = evaluate(searcher, subset, mode)
                print(
                    f"{name:<12} {mode:<8} {m['recall@1']:>9.3f} {m['recall@5']:>9.3f} {m['mrr']:>7.3f}"
                    + (
                        f"  misses@5: {' '.join(m['misses'])}"
                        if name == "all" and "-v" in sys.argv
                        else ""
                    )
                )


if __name__ == "__main__":
    main()
