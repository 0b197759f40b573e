"""Calibrate the claim-support score: fit its weights on labelled examples and report the bars.

The labelled examples are ``tests/data/claim_support_labels.json``: statements a capable model
wrote in a full review (``../shared/fixtures/capable-run``), each with the passages it cited
(label 1), and the same statements paired with the passages another theme's statement cited
(label 0: a citation that does not carry the claim). ``--extract`` rebuilds the file from the
capable run; without it the file is read as it is.

    .venv/bin/python bench/calibrate_support.py [--extract]

Prints the fitted weights (copy them into ``ClaimSettings``), cross-validated accuracy, and for
each candidate bar the share of supported statements kept and of unsupported ones let through.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestration.engine.claims.support import lexical_support  # noqa: E402
from orchestration.settings import load_settings  # noqa: E402
from tools.embeddings import build_embedder  # noqa: E402
from tools.evidence import Passage  # noqa: E402
from tools.quotes import content_terms  # noqa: E402

CAPABLE = ROOT.parent / "shared" / "fixtures" / "capable-run"
LABELS = ROOT / "tests" / "data" / "claim_support_labels.json"
STATEMENTS = ROOT / "tests" / "data" / "capable_run_statements.json"
_ID = re.compile(r"\[([A-Z0-9][A-Za-z0-9._-]*#\d+)\]")
_RETRACTS = re.compile(r"\b(?:concede|withdraw|retract)", re.IGNORECASE)


def _statements(events: list[dict]) -> list[dict]:
    found = []
    for event in events:
        if event["type"] != "agent_message" or event["agent"] in ("moderator", "critic"):
            continue
        if event["phase"] == "review":
            items = [("gap", g["text"], g["evidence"]) for g in event["data"]["gaps"]]
            items += [
                ("recommendation", r["text"], r["evidence"])
                for r in event["data"]["recommendations"]
            ]
        elif event["phase"] in ("opening", "rebuttal"):
            items = [
                ("debate point", line.lstrip("-• ").strip(), _ID.findall(line))
                for line in event["content"].splitlines()
                if _ID.search(line) and not _RETRACTS.search(line)
            ]
        else:
            continue
        found += [
            {"theme_id": event["theme_id"], "where": w, "text": t, "ids": ids}
            for w, t, ids in items
        ]
    return found


def extract() -> None:
    events = [json.loads(line)["event"] for line in (CAPABLE / "events.jsonl").open()]
    evidence = json.loads((CAPABLE / "evidence.json").read_text(encoding="utf-8"))
    strategy = {t["id"]: t for t in _strategy_themes()}
    statements = [
        s for s in _statements(events) if s["ids"] and all(i in evidence for i in s["ids"])
    ]
    rows = []
    for index, statement in enumerate(statements):
        theme = strategy[statement["theme_id"]]
        grounded = " ".join([theme["name"], theme.get("summary", ""), *theme["objectives"]])
        other = next(
            statements[(index + step) % len(statements)]
            for step in range(7, len(statements))
            if statements[(index + step) % len(statements)]["theme_id"] != statement["theme_id"]
        )
        for label, ids in ((1, statement["ids"]), (0, other["ids"])):
            rows.append(
                {
                    "where": statement["where"],
                    "text": statement["text"],
                    "theme": grounded,
                    "passages": ids,
                    "label": label,
                    "source": "capable-run" if label else "capable-run, citations swapped",
                }
            )
    cited = sorted({i for row in rows for i in row["passages"]})
    labels = {"passages": {i: evidence[i] for i in cited}, "examples": rows}
    LABELS.write_text(json.dumps(labels, indent=1, ensure_ascii=False), "utf-8")
    print(f"wrote {len(rows)} labelled examples to {LABELS.relative_to(ROOT)}")
    _extract_turns(events)


def _extract_turns(events: list[dict]) -> None:
    """Every statement of the capable run's drafts and turns, as the claim checks meet them."""
    pools: dict[str, list[str]] = {}
    for event in events:
        if event["type"] == "evidence_pack":
            pool = pools.setdefault(event["theme_id"], [])
            pool += [i for i in event["evidence_ids"] if i not in pool]
    turns = [
        {
            "theme_id": e["theme_id"],
            "agent": e["agent"],
            "phase": e["phase"],
            "content": e["content"],
            "data": e["data"],
        }
        for e in events
        if e["type"] == "agent_message" and e["agent"] != "moderator"
    ]
    STATEMENTS.write_text(
        json.dumps({"pools": pools, "turns": turns}, indent=1, ensure_ascii=False), "utf-8"
    )
    print(f"wrote {len(turns)} turns to {STATEMENTS.relative_to(ROOT)}")


def _strategy_themes() -> list[dict]:
    import tomllib

    settings = load_settings()
    return tomllib.loads((ROOT / settings.strategy).read_text(encoding="utf-8"))["theme"]


def features(rows: list[dict]) -> np.ndarray:
    """(lexical, semantic) support of each labelled statement by its passages."""
    embedder = build_embedder(
        load_settings().retrieval.embedding, load_settings().retrieval.data_dir
    )
    out = []
    for row in rows:
        passages = [Passage.model_validate(p) for p in row["passages"]]
        lexical = lexical_support(row["text"], passages, content_terms(row["theme"]))
        vectors = embedder.embed([row["text"], *(p.context_text() for p in passages)])
        semantic = float(np.max(vectors[1:] @ vectors[0]))
        out.append((lexical, semantic))
    return np.array(out)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 20000) -> np.ndarray:
    """Logistic regression by gradient descent: weights for (lexical, semantic, bias)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ w))
        w -= 0.5 * (design.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0])
    return w


def score(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ w[:-1] + w[-1])))


def main() -> None:
    if "--extract" in sys.argv:
        extract()
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    rows = labels["examples"]
    for row in rows:
        row["passages"] = [labels["passages"][i] for i in row["passages"]]
    x, y = features(rows), np.array([r["label"] for r in rows], dtype=float)
    folds = np.arange(len(rows)) % 5
    correct = 0
    for fold in range(5):
        w = fit(x[folds != fold], y[folds != fold])
        correct += int(np.sum((score(w, x[folds == fold]) >= 0.5) == (y[folds == fold] == 1)))
    w = fit(x, y)
    print(
        f"{len(rows)} examples ({int(y.sum())} supported); 5-fold accuracy {correct / len(rows):.3f}"
    )
    print(
        f"support_lexical_weight = {w[0]:.2f}\nsupport_semantic_weight = {w[1]:.2f}\n"
        f"support_bias = {w[2]:.2f}"
    )
    s = score(w, x)
    gaps = np.array([r["where"] == "gap" for r in rows])
    print("bar   supported kept   unsupported passed   (gaps: kept / passed)")
    for bar in (0.2, 0.3, 0.4, 0.5, 0.6):
        kept, passed = np.mean(s[y == 1] >= bar), np.mean(s[y == 0] >= bar)
        g_kept = np.mean(s[(y == 1) & gaps] >= bar)
        g_passed = np.mean(s[(y == 0) & gaps] >= bar)
        print(f"{bar:.1f}   {kept:15.2f}   {passed:18.2f}   ({g_kept:.2f} / {g_passed:.2f})")


if __name__ == "__main__":
    main()
