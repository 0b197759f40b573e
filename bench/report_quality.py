"""What a finished run's report reads like, in the measures the claim checks are held to.

    .venv/bin/python bench/report_quality.py [RUN-ID]     # default: the newest run

Prints, for the run's report.md and report.json: junk tokens (bracketed tokens that are not
evidence ids, run-together capitals, prompt fragments), near-duplicate claims within a theme,
themes with at least 2 cited gaps and 2 cited recommendations, the share of gaps with at least
40% of their content words in their cited passages (plain content words, and leaving out the
review's own words and the draft's), figures and document names missing from the cited passages,
statements set aside, and the run's time.
"""

from __future__ import annotations

import json
import re
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestration.engine.claims.grounding import Grounding  # noqa: E402
from orchestration.engine.claims.support import lexical_support  # noqa: E402
from orchestration.review_models import StrategyReview  # noqa: E402
from orchestration.settings import load_settings  # noqa: E402
from tools.evidence import Passage  # noqa: E402
from tools.quotes import content_terms  # noqa: E402
from tools.vocabulary import Vocabulary  # noqa: E402

_LINKED_ID = re.compile(r"\[[A-Za-z0-9._-]+#\d+\](?:\(#[^)]*\))?")
_BRACKETED = re.compile(r"\[[^\]\n]*\](?!\(#)")  # not a Markdown link
_CAPITALS = re.compile(r"\b[A-Z]{7,}\b")
_PROMPT = re.compile(r"your task|json|coverage_summary|evidence ids?\b|debate so far", re.I)


def junk(markdown: str, vocabulary: Vocabulary) -> list[str]:
    body = _LINKED_ID.sub(" ", markdown.split("## Evidence appendix")[0])
    found = [m.group(0) for m in _BRACKETED.finditer(body)]
    found += [w for w in _CAPITALS.findall(body) if not vocabulary.knows(w)]
    found += [m.group(0) for m in _PROMPT.finditer(body)]
    return found


def main() -> None:
    settings = load_settings()
    runs = sorted(settings.transcripts_dir.iterdir(), key=lambda p: p.stat().st_mtime)
    folder = settings.transcripts_dir / sys.argv[1] if len(sys.argv) > 1 else runs[-1]
    review = StrategyReview.model_validate_json((folder / "report.json").read_text("utf-8"))
    markdown = (folder / "report.md").read_text("utf-8")
    snapshot = json.loads((folder / "evidence.json").read_text("utf-8"))
    passages = {i: Passage.model_validate(p) for i, p in snapshot.items()}
    vocabulary = Vocabulary.build(p.context_text() for p in passages.values())
    draft = [  # the draft's own words: a claim may name what the draft names
        review.title,
        review.organisation,
        *(t.theme_name for t in review.themes),
        *(f"{o.objective} {o.description}" for t in review.themes for o in t.objective_coverage),
    ]
    grounding = Grounding(draft, [])

    found_junk = junk(markdown, vocabulary)
    duplicates, full, gaps, plain_ok, checked_ok, missing = 0, 0, 0, 0, 0, []
    for theme in review.themes:
        claims = [*theme.gaps, *theme.recommendations]
        for one, other in combinations(claims, 2):
            a, b = content_terms(one.text), content_terms(other.text)
            duplicates += len(a & b) / (len(a | b) or 1) >= 0.6
        cited_gaps = [g for g in theme.gaps if g.citations]
        cited_recs = [r for r in theme.recommendations if r.citations]
        full += len(cited_gaps) >= 2 and len(cited_recs) >= 2
        grounded = content_terms(
            " ".join([theme.theme_name, *(o.objective for o in theme.objective_coverage)])
        )
        for gap in theme.gaps:
            cited = [passages[i] for i in gap.evidence_ids if i in passages]
            terms = content_terms(gap.text)
            found = set().union(*(content_terms(p.text) for p in cited)) if cited else set()
            gaps += 1
            plain_ok += bool(terms) and len(terms & found) / len(terms) >= 0.4
            checked_ok += lexical_support(gap.text, cited, grounded) >= 0.4
        for claim in claims:
            cited_texts = [
                f"{p.doc_id} {p.context_text()}"
                for p in (passages[i] for i in claim.evidence_ids if i in passages)
            ]
            missing += grounding.problems(claim.text, cited_texts)
    events = [json.loads(line)["event"] for line in (folder / "events.jsonl").open()]
    finished = [e for e in events if e["type"] == "run_finished"]
    set_aside = sum(len(t.set_aside) for t in review.themes)
    debate_set_aside = sum(
        len(e.get("set_aside", [])) for e in events if e["type"] == "agent_message"
    )
    computed = sum(
        c.origin == "computed" for t in review.themes for c in [*t.gaps, *t.recommendations]
    )
    total = sum(len(t.gaps) + len(t.recommendations) for t in review.themes)
    print(f"run {folder.name}")
    print(f"junk tokens in report.md: {len(found_junk)} {found_junk[:10]}")
    print(f"near-duplicate claim pairs within a theme: {duplicates}")
    print(f"themes with 2 cited gaps and 2 cited recommendations: {full} of {len(review.themes)}")
    print(
        f"gaps with >=40% of content words in cited passages: plain {plain_ok}/{gaps}, "
        f"leaving out review and draft words {checked_ok}/{gaps}"
    )
    print(f"figures or document names missing from cited passages: {len(missing)} {missing[:5]}")
    print(f"gaps and recommendations: {total}, computed from the evidence: {computed}")
    print(f"statements set aside: {set_aside} in reviews, {debate_set_aside} in debate messages")
    if finished:
        print(f"run time: {finished[-1]['seconds']} s ({finished[-1]['status']})")


if __name__ == "__main__":
    main()
