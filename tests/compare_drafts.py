"""Two saved runs of two drafts that differ in known ways, for the ``review compare`` tests.

Run A is the saved run in ``tests/fixtures/runs`` (Talent and Inclusion reviewed) of the bundled
strategy. Draft B rewords one Talent objective, adds one, removes one and drops the Inclusion
theme; run B's report is run A's, edited as a review of draft B would read: one gap and one
recommendation resolved by B's new objective, one of each still open, one of each new, and two
coverage labels moved. Each run's log is the real run's, its start naming that run's draft.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from orchestration.events import RunStarted
from orchestration.record.event_log import EventLog, read_log
from orchestration.strategy import DEFAULT_STRATEGY, strategy_hash

FIXTURE = Path("tests/fixtures/runs/20261124-090000-demo01")
RUN_A = "20261124-090000-draft1"
RUN_B = "20261201-090000-draft2"

ATS = "Leverage the ATS (applicant tracking system) for recruitment efficiency"
ATS_REWORDED = "Cut the time to hire with the applicant tracking system (ATS)"
ATS_MEANS = (
    "Modernise recruitment with the applicant tracking system, so that hiring is faster and "
    "simpler."
)
CO_DESIGN = "Co-design education, training and development at LCH"
INTERNATIONAL = "Recruit internationally and ethically with partners"
INTERNATIONAL_MEANS = (
    "Recruit staff from overseas ethically, with West Yorkshire partners, following the Code of "
    "Practice."
)
TEN_YEAR_PLAN = "Deliver 10YP objectives (apprenticeships, preceptorships etc.)"
NEW_GAP = "No objective covers workforce planning."
ATS_RECOMMENDATION_B = (
    f"Give “{ATS_REWORDED}” a measure and a baseline: the corpus supports it only in part."
)
NEW_RECOMMENDATION = (
    "Publish preceptorship completion rates each quarter to show progress on apprenticeships."
)


def draft_b(text: str) -> str:
    """The bundled draft with a Talent objective reworded, one added, one removed, and the
    Inclusion theme dropped."""
    text = text.replace(f'title = "{ATS}"', f'title = "{ATS_REWORDED}"')
    co_design = next(line for line in text.splitlines() if CO_DESIGN in line)
    international = f'  {{ title = "{INTERNATIONAL}", description = "{INTERNATIONAL_MEANS}" }},'
    text = text.replace(co_design, international)
    start = text.index('[[theme]]\nid = "inclusion"')
    end = text.index("[[theme]]", start + 1)
    return text[:start] + text[end:]


def write_drafts(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bundled = DEFAULT_STRATEGY.read_text(encoding="utf-8")
    a, b = folder / "draft-a.toml", folder / "draft-b.toml"
    a.write_text(bundled, encoding="utf-8")
    b.write_text(draft_b(bundled), encoding="utf-8")
    return a, b


def saved_run(runs: Path, run_id: str, strategy: Path, report: dict[str, Any] | None) -> Path:
    """A copy of the fixture run as ``run_id``, its log started on ``strategy`` (chained anew),
    with ``report`` as its report.json (the fixture's when None)."""
    folder = runs / run_id
    shutil.copytree(FIXTURE, folder)
    events = read_log(FIXTURE / "events.jsonl").events
    (folder / "events.jsonl").unlink()
    log = EventLog(folder / "events.jsonl")
    for event in events:
        if isinstance(event, RunStarted):
            sha = strategy_hash(strategy) if strategy.exists() else "0" * 64
            update = {"run_id": run_id, "strategy_path": str(strategy), "strategy_sha256": sha}
            event = event.model_copy(update=update)
        log.append(event)
    log.close()
    if report is not None:
        (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return folder


def report_b() -> dict[str, Any]:
    """Run A's report as a review of draft B would read."""
    report = json.loads((FIXTURE / "report.json").read_text(encoding="utf-8"))
    talent = next(t for t in report["themes"] if t["theme_id"] == "talent")
    report["themes"] = [talent]
    ethical_gap, priorities_gap = talent["gaps"]
    _, ats_recommendation = talent["recommendations"]
    coverage = {c["objective"]: c for c in talent["objective_coverage"]}
    coverage[TEN_YEAR_PLAN] |= {"strength": "strong", "score": 0.58}
    coverage[ATS] |= {"objective": ATS_REWORDED, "description": ATS_MEANS, "strength": "partial"}
    del coverage[CO_DESIGN]
    coverage[INTERNATIONAL] = {
        "objective": INTERNATIONAL,
        "description": INTERNATIONAL_MEANS,
        "strength": "partial",
        "score": 0.47,
        "evidence": ethical_gap["citations"],
    }
    talent["objective_coverage"] = list(coverage.values())
    new_gap = priorities_gap | {"text": NEW_GAP}
    talent["gaps"] = [priorities_gap, new_gap]
    evidence = coverage[TEN_YEAR_PLAN]["evidence"][:1]
    new_recommendation = ats_recommendation | {
        "text": NEW_RECOMMENDATION,
        "origin": "panel",
        "objective": None,
        "action": "add",
        "evidence_ids": [c["evidence_id"] for c in evidence],
        "citations": evidence,
    }
    talent["recommendations"] = [
        ats_recommendation | {"text": ATS_RECOMMENDATION_B, "objective": ATS_REWORDED},
        new_recommendation,
    ]
    report["priorities"] = talent["recommendations"]
    return report
