"""The chair's decisions on a finished run's recommendations: accepted, rejected (with a reason)
or deferred.

A decision is a steer in the run's log (``HumanSteer`` of kind accept, reject or defer, whose
target is ``THEME_ID#N``: the recommendation's number in its theme's review), hash-chained and
sealed like every event; the latest decision on a recommendation stands. After each decision
report.json and report.md are written again with every decision in them, and their new hashes
are sealed in the log (``files_sealed``), so `review audit` still checks them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from orchestration.events import FilesSealed, HumanSteer
from orchestration.record.event_log import EventLog
from orchestration.record.folder import RunFolder, write_atomically
from orchestration.record.replaying import load_prior
from orchestration.report.markdown import render_markdown
from orchestration.review_models import ACTION_FIELDS, ChairVerdict, Decision, StrategyReview

VERDICT_OF: dict[str, ChairVerdict] = {
    "accept": "accepted",
    "reject": "rejected",
    "defer": "deferred",
}
KIND_OF = {verdict: kind for kind, verdict in VERDICT_OF.items()}


def recommendation_key(theme_id: str, number: int) -> str:
    return f"{theme_id}#{number}"


def decisions_in(events: Iterable[Any], review: StrategyReview) -> list[Decision]:
    """The decision standing on each recommendation of ``review``, in the report's order."""
    standing: dict[tuple[str, int], Decision] = {}
    for event in events:
        if event.type != "human_steer" or event.kind not in VERDICT_OF or not event.target:
            continue
        theme_id, _, number = event.target.rpartition("#")
        text = _recommendation(review, theme_id, int(number)) if number.isdigit() else None
        if text is not None:
            standing[(theme_id, int(number))] = Decision(
                theme_id=theme_id,
                number=int(number),
                recommendation=text,
                verdict=VERDICT_OF[event.kind],
                reason=event.text,
            )
    order = {theme.theme_id: i for i, theme in enumerate(review.themes)}
    return [standing[k] for k in sorted(standing, key=lambda k: (order[k[0]], k[1]))]


def decide(
    folder: RunFolder,
    key: bytes,
    theme_id: str,
    number: int,
    verdict: ChairVerdict,
    reason: str = "",
) -> list[Any]:
    """Record the chair's decision on recommendation ``number`` of ``theme_id``, write the
    report again with it, and return the events logged. Raises ``ValueError`` with a plain
    sentence when the run has no such recommendation, is still going, or a rejection has no
    reason."""
    prior = load_prior(folder.events, repair=False)
    review = folder.saved_review()
    if review is None or not _finished(prior.events):
        raise ValueError(
            f"Run {folder.path.name} has no finished report yet; decide on its "
            "recommendations once the run has finished."
        )
    if _recommendation(review, theme_id, number) is None:
        raise ValueError(
            f"Theme '{theme_id}' of run {folder.path.name} has no recommendation {number}; "
            "the report numbers each theme's recommendations from 1."
        )
    reason = " ".join(reason.split())
    if verdict == "rejected" and not reason:
        raise ValueError("Say why the recommendation is rejected; the reason goes in the report.")
    steer = HumanSteer(
        kind=KIND_OF[verdict],  # type: ignore[arg-type]
        text=reason,
        target=recommendation_key(theme_id, number),
        theme_id=theme_id,
    )
    log = EventLog.continuing(folder.events, prior.last_seq, prior.last_hash, key)
    try:
        log.append(steer)
        review.decisions = decisions_in([*prior.events, steer], review)
        write_atomically(folder.report_json, review.model_dump_json(indent=2))
        models = dict(prior.started.models)
        write_atomically(folder.report_md, render_markdown(review, prior.started.run_id, models))
        sealed = FilesSealed(files=folder.file_hashes())
        log.append(sealed)
    finally:
        log.close()
    return [steer, sealed]


ACTION_COLUMNS = ("theme", "recommendation", "priority", *ACTION_FIELDS, "evidence", "reason")


def action_list_csv(review: StrategyReview) -> str:
    """The accepted recommendations as CSV for a spreadsheet: one row each, with its action
    fields (blank where the evidence gave none) and the evidence it rests on. Raises
    ``ValueError`` when none is accepted."""
    accepted = [d for d in review.decisions if d.verdict == "accepted"]
    if not accepted:
        raise ValueError(
            "No recommendation has been accepted yet, so there is no action list; accept "
            "recommendations in the report screen (a) first."
        )
    themes = {t.theme_id: t for t in review.themes}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ACTION_COLUMNS)
    for d in accepted:
        theme = themes[d.theme_id]
        rec = theme.recommendations[d.number - 1]
        fields = [getattr(rec, name) or "" for name in ACTION_FIELDS]
        evidence = "; ".join(f"{c.evidence_id} “{c.quote}”" for c in rec.citations)
        writer.writerow([theme.theme_name, rec.text, rec.priority, *fields, evidence, d.reason])
    return out.getvalue()


def _finished(events: list[Any]) -> bool:
    """Whether the run's last attempt has finished (a resumed run may be going on)."""
    ends = [e.type for e in events if e.type in ("run_started", "run_resumed", "run_finished")]
    return bool(ends) and ends[-1] == "run_finished"


def _recommendation(review: StrategyReview, theme_id: str, number: int) -> str | None:
    theme = next((t for t in review.themes if t.theme_id == theme_id), None)
    if theme is None or not 1 <= number <= len(theme.recommendations):
        return None
    return theme.recommendations[number - 1].text
