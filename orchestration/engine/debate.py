"""One theme's debate, as a stream of events ending in ``ThemeReviewed``: the computed brief,
then turn after turn as the protocol decides (``turns``: debate turns, the editor's review,
sign-offs), with the chair's steers applied as they arrive and, when the run holds themes for
approval, a wait for the chair at the end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from agents.panel import SPECS
from orchestration.engine import prompts
from orchestration.engine.context import DebateItem, PanelContext, ThemeRun
from orchestration.engine.protocol import DebateState, Turn, next_turn
from orchestration.engine.reviewing import ThemeEvidence, build_review
from orchestration.engine.steering import Steering
from orchestration.engine.turns import debate_turn, review_turn, sign_off_turn
from orchestration.events import AgentMessage, ErrorRaised, HumanSteer, PhaseChanged, ThemeReviewed
from orchestration.strategy import Theme

__all__ = ["DebateItem", "PanelContext", "debate_theme"]


async def debate_theme(
    ctx: PanelContext, theme: Theme, steering: Steering, earlier_recommendations: list[str]
) -> AsyncIterator[DebateItem]:
    """Run ``theme`` through the protocol; the last item is its ``ThemeReviewed`` event."""
    run = await _prepare(ctx, theme)
    started = time.monotonic()
    yield PhaseChanged(theme_id=theme.id, phase="brief")
    yield _brief(ctx, run)
    phase = "brief"
    while True:
        async for item in _take_steers(run, steering):
            yield item
        turn = next_turn(run.state, time.monotonic() - started)
        if turn is None and run.awaiting_chair(ctx.chair_approval):
            if phase != "consensus":
                phase = "consensus"
                yield PhaseChanged(theme_id=theme.id, phase="consensus", round=run.state.round)
            async for item in _wait_for_chair(run, steering):
                yield item
            continue
        if turn is None:
            break
        if turn.phase != phase:
            phase = turn.phase
            left_out = run.state.left_out if phase == "rebuttal" else []
            because = run.state.skipped_because if phase == "review" else ""
            run.state.skipped_because = ""
            yield PhaseChanged(
                theme_id=theme.id, phase=phase, round=turn.round, left_out=left_out, because=because
            )
        async for item in _take_turn(ctx, run, turn, earlier_recommendations):
            yield item
    async for item in _finish(ctx, run, steering):
        yield item


async def _prepare(ctx: PanelContext, theme: Theme) -> ThemeRun:
    """The theme's computed evidence: objective support and candidate gaps (and spares), each
    objective measured with its description and the draft's abbreviations spelled out."""
    searched = [ctx.strategy.spelled_out(o.text()) for o in theme.objectives]
    support = await asyncio.to_thread(
        ctx.coverage.objective_support, theme.titles(), searched=searched
    )
    shown, spare = ctx.coverage.settings.shown_gaps, ctx.coverage.settings.spare_gaps
    theme_text = ctx.strategy.spelled_out(theme.text())
    found = await asyncio.to_thread(
        ctx.coverage.candidate_gaps, theme_text, searched, shown + spare
    )
    evidence = ThemeEvidence(support, found[:shown], found[shown:])
    run = ThemeRun(theme, DebateState(ctx.limits), evidence, objective_texts=searched)
    for objective in support:
        run.seen.update((p.id, p) for p, _ in objective.passages)
    for gap in evidence.gaps:
        run.seen.update((p.id, p) for p, _ in gap.passages)
    return run


def _brief(ctx: PanelContext, run: ThemeRun) -> AgentMessage:
    evidence = run.evidence
    return AgentMessage(
        theme_id=run.theme.id,
        agent="moderator",
        phase="brief",
        content=prompts.shared_context(
            ctx.strategy, run.theme, evidence.support, evidence.gaps, [], ctx.corpus_notes
        ),
        evidence_ids=list(run.seen),
    )


async def _take_steers(run: ThemeRun, steering: Steering) -> AsyncIterator[DebateItem]:
    """The chair's steers that arrived, logged now and applied (a pause waits here)."""
    step = run.next_step()
    for steer in steering.drain(run.theme.id, step):
        yield _applied(run, steer, step)
    for steer in await steering.wait_while_paused(run.theme.id, step):
        yield _applied(run, steer, step)


async def _wait_for_chair(run: ThemeRun, steering: Steering) -> AsyncIterator[DebateItem]:
    """The theme's review is done and held: wait for the chair's next steer."""
    step = run.next_step()
    for steer in await steering.next_steers(run.theme.id, step):
        yield _applied(run, steer, step)


def _applied(run: ThemeRun, steer: HumanSteer, step: int) -> HumanSteer:
    """``steer`` applied to the theme, as its log records it."""
    _apply_steer(run, steer)
    return steer.model_copy(update={"theme_id": run.theme.id, "step": step})


async def _take_turn(
    ctx: PanelContext, run: ThemeRun, turn: Turn, earlier: list[str]
) -> AsyncIterator[DebateItem]:
    evidence = run.evidence
    shared = prompts.shared_context(
        ctx.strategy, run.theme, evidence.support, evidence.gaps, run.focus, ctx.corpus_notes
    )
    transcript = prompts.transcript_text(run.entries, ctx.budget_for(turn.agent).transcript_words)
    if turn.phase == "review":
        items = review_turn(ctx, run, shared, transcript, earlier)
    elif turn.phase == "sign_off":
        items = sign_off_turn(ctx, run, turn, shared, transcript)
    else:
        items = debate_turn(ctx, run, turn, shared, transcript)
    async for item in items:
        yield item


async def _finish(
    ctx: PanelContext, run: ThemeRun, steering: Steering
) -> AsyncIterator[DebateItem]:
    """The checked review, with what was dropped or came too late said, not lost."""
    theme = run.theme
    review = build_review(
        theme,
        run.draft,
        run.seen_evidence(),
        run.sign_offs,
        ctx.checker,
        ctx.searcher.passage,
        run.state.ended_early,
    ).model_copy(
        update={
            "chair_approved": ctx.chair_approval and run.approved,
            "chair_comments": run.chair_comments,
        }
    )
    if review.dropped_evidence_ids:
        yield ErrorRaised(
            theme_id=theme.id,
            agent="editor",
            kind="dropped_citation",
            message="Dropped evidence ids that do not exist: "
            + ", ".join(review.dropped_evidence_ids),
        )
    last_step = run.next_step()
    for steer in steering.discard(theme.id):  # sent too late to be used: say so, lose nothing
        yield steer.model_copy(update={"theme_id": theme.id, "step": last_step})
        yield ErrorRaised(
            theme_id=theme.id,
            kind="steer_unused",
            message=f"The chair's {steer.kind.replace('_', ' ')} arrived after {theme.name}'s "
            "debate had ended, so the panel did not use it.",
        )
    yield PhaseChanged(theme_id=theme.id, phase="done")
    yield ThemeReviewed(theme_id=theme.id, review=review)


def _apply_steer(run: ThemeRun, steer: HumanSteer) -> None:
    if steer.kind == "interject":
        run.entries.append(("chair", run.state.phase, steer.text))
        run.chair_question = steer.text
        if run.state.phase in ("sign_off", "done"):  # no debate left: the editor answers
            run.state.answer_chair("editor")
    elif steer.kind == "ask" and steer.target in SPECS:
        run.entries.append(("chair", run.state.phase, f"@{steer.target}: {steer.text}"))
        run.state.answer_chair(steer.target)
        run.chair_question = steer.text
    elif steer.kind == "redirect":
        run.focus.append(steer.text)
    elif steer.kind == "end_theme":
        run.state.end_early()
    elif steer.kind == "approve":
        run.approved = True
    elif steer.kind == "send_back":
        run.entries.append(("chair", "review", f"Sent the review back: {steer.text}"))
        run.chair_comments.append(steer.text)
        run.state.reopen_review()
