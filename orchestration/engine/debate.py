"""One theme's debate: evidence packs, turns by the protocol, steering, the editor's review and
sign-off, as a stream of events ending in ``ThemeReviewed``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from agents.panel import SPECS
from agents.speaking import Decided, Delta, Said, Speaker, ToolUse, TurnRequest, Undecided
from orchestration.engine import prompts
from orchestration.engine.claims.checker import ClaimChecker
from orchestration.engine.claims.for_run import theme_terms
from orchestration.engine.claims.sign_offs import judge_sign_off
from orchestration.engine.claims.turns import NOTHING_KEPT, CheckedTurn, check_points, check_prose
from orchestration.engine.drafts import (
    DebatePoints,
    EditorDraft,
    Objections,
    SignOff,
    draft_schema,
    points_schema,
)
from orchestration.engine.protocol import OPENERS, DebateState, Limits, Turn, next_turn
from orchestration.engine.reviewing import ThemeEvidence, build_review
from orchestration.engine.steering import Steering
from orchestration.events import (
    AgentMessage,
    ErrorRaised,
    EvidencePack,
    HumanSteer,
    MessageDelta,
    PhaseChanged,
    ThemeReviewed,
    ToolCalled,
    UsageRecorded,
)
from orchestration.report.markdown import review_as_text
from orchestration.review_models import ThemeReview
from orchestration.strategy import Strategy, Theme
from tools.coverage import CoverageAnalyzer
from tools.evidence import Passage
from tools.search import Filters, Searcher

PACK_SIZE = 4
SHOWN_GAPS, SPARE_GAPS = 3, 3  # candidate gaps in the brief; more to fill a thin review from

DebateItem = (
    AgentMessage
    | EvidencePack
    | PhaseChanged
    | ToolCalled
    | HumanSteer
    | UsageRecorded
    | ErrorRaised
    | ThemeReviewed
    | MessageDelta
)


@dataclass
class PanelContext:
    """What every theme's debate shares within a run."""

    strategy: Strategy
    searcher: Searcher
    coverage: CoverageAnalyzer
    speaker: Speaker
    checker: ClaimChecker
    limits: Limits = field(default_factory=Limits)
    structured_agents: frozenset[str] = frozenset()  # debate turns as JSON points (small models)


@dataclass
class _ThemeRun:
    theme: Theme
    state: DebateState
    entries: list[tuple[str, str, str]] = field(default_factory=list)
    seen: dict[str, Passage] = field(default_factory=dict)
    focus: list[str] = field(default_factory=list)
    chair_question: str | None = None
    chair_comments: list[str] = field(default_factory=list)  # each send-back, in order
    approved: bool = False

    def awaiting_chair(self, limits: Limits) -> bool:
        return limits.chair_approval and not self.approved


def evidence_pack(
    searcher: Searcher, agent: str, theme: Theme, focus: list[str]
) -> tuple[list[str], list[Passage]]:
    """The queries run for ``agent`` and the passages found, within its default scope; passages
    of low text quality (slide debris, contents pages) go last."""
    low_quality_below = searcher.settings.low_quality_below
    spec = SPECS[agent]
    queries = [f"{spec.focus} {theme.name}: {objective}" for objective in theme.objectives]
    queries += [f"{spec.focus} {item}" for item in focus]
    results = searcher.search(queries, k=2, filters=Filters(scopes=spec.scopes))
    if spec.scopes and not any(r.hits for r in results):
        results = searcher.search(queries, k=2)
    ids = list(dict.fromkeys(hit.id for result in results for hit in result.hits))
    passages = [p for pid in ids if (p := searcher.passage(pid)) is not None]
    readable_first = sorted(passages, key=lambda p: p.quality < low_quality_below)  # stable
    return queries, readable_first[:PACK_SIZE]


async def debate_theme(
    ctx: PanelContext, theme: Theme, steering: Steering, earlier_recommendations: list[str]
) -> AsyncIterator[DebateItem]:
    """Run ``theme`` through the protocol; the last item is its ``ThemeReviewed`` event."""
    run = _ThemeRun(theme, DebateState(ctx.limits))
    started = time.monotonic()
    theme_text = f"{theme.name}. {theme.summary} " + " ".join(theme.objectives)
    support = await asyncio.to_thread(ctx.coverage.objective_support, theme.objectives)
    found = await asyncio.to_thread(
        ctx.coverage.candidate_gaps, theme_text, theme.objectives, SHOWN_GAPS + SPARE_GAPS
    )
    gaps, spare = found[:SHOWN_GAPS], found[SHOWN_GAPS:]
    for objective in support:
        run.seen.update((p.id, p) for p, _ in objective.passages)
    for gap in gaps:
        run.seen.update((p.id, p) for p, _ in gap.passages)

    yield PhaseChanged(theme_id=theme.id, phase="brief")
    brief = prompts.shared_context(ctx.strategy, theme, support, gaps, [])
    yield AgentMessage(
        theme_id=theme.id,
        agent="moderator",
        phase="brief",
        content=brief,
        evidence_ids=list(run.seen),
    )

    phase = "brief"
    sign_offs: dict[str, SignOff] = {}
    draft: EditorDraft | None = None
    review_text = ""
    while True:
        for steer in steering.drain(theme.id):  # logged now, a pause included
            yield steer.model_copy(update={"theme_id": theme.id})
            _apply_steer(run, steer)
        for steer in await steering.wait_while_paused(theme.id):
            yield steer.model_copy(update={"theme_id": theme.id})
            _apply_steer(run, steer)
        turn = next_turn(run.state, time.monotonic() - started)
        if turn is None and run.awaiting_chair(ctx.limits):
            if phase != "consensus":
                phase = "consensus"
                yield PhaseChanged(theme_id=theme.id, phase="consensus", round=run.state.round)
            for steer in await steering.next_steers(theme.id):
                yield steer.model_copy(update={"theme_id": theme.id})
                _apply_steer(run, steer)
            continue
        if turn is None:
            break
        if turn.phase != phase:
            phase = turn.phase
            yield PhaseChanged(theme_id=theme.id, phase=turn.phase, round=turn.round)
        shared = prompts.shared_context(ctx.strategy, theme, support, gaps, run.focus)
        transcript = prompts.transcript_text(run.entries)
        if turn.phase == "review":
            async for item in _review(ctx, run, shared, transcript, earlier_recommendations):
                if isinstance(item, EditorDraft):
                    draft = item
                    evidence = ThemeEvidence(support, gaps, spare, list(run.seen.values()))
                    checked = build_review(
                        theme, draft, evidence, {}, ctx.checker, ctx.searcher.passage
                    )
                    review_text = review_as_text(checked)
                    yield _draft_message(theme.id, draft, checked, review_text)
                else:
                    yield item
        elif turn.phase == "sign_off":
            request = TurnRequest(
                turn.agent,
                shared,
                transcript,
                prompts.sign_off_task(turn.agent, review_text),
                max_tokens=ctx.limits.sign_off_tokens,
                theme_id=theme.id,
            )
            decided = await ctx.speaker.decide(request, SignOff)
            for usage in decided.usage:
                yield UsageRecorded.of(usage, theme.id)
            if isinstance(decided, Decided) and isinstance(decided.value, SignOff):
                sign_offs[turn.agent] = decided.value
                yield _sign_off_message(ctx, theme.id, turn.agent, decided.value)
            else:
                yield ErrorRaised(
                    theme_id=theme.id,
                    agent=turn.agent,
                    kind="structured_output",
                    message=f"{turn.agent}'s sign-off was not valid after a repair attempt; "
                    "recorded as no sign-off.",
                    detail=_failure_detail(decided),
                )
        else:
            async for item in _debate_turn(ctx, run, turn, shared, transcript):
                yield item

    evidence = ThemeEvidence(support, gaps, spare, list(run.seen.values()))
    review = build_review(
        theme, draft, evidence, sign_offs, ctx.checker, ctx.searcher.passage, run.state.ended_early
    ).model_copy(
        update={
            "chair_approved": ctx.limits.chair_approval and run.approved,
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
    for steer in steering.discard(theme.id):  # sent too late to be used: say so, lose nothing
        yield steer.model_copy(update={"theme_id": theme.id})
        yield ErrorRaised(
            theme_id=theme.id,
            kind="steer_unused",
            message=f"The chair's {steer.kind.replace('_', ' ')} arrived after {theme.name}'s "
            "debate had ended, so the panel did not use it.",
        )
    yield PhaseChanged(theme_id=theme.id, phase="done")
    yield ThemeReviewed(theme_id=theme.id, review=review)


def _apply_steer(run: _ThemeRun, steer: HumanSteer) -> None:
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


async def _debate_turn(
    ctx: PanelContext, run: _ThemeRun, turn: Turn, shared: str, transcript: str
) -> AsyncIterator[DebateItem]:
    theme = run.theme
    queries, passages = await asyncio.to_thread(
        evidence_pack, ctx.searcher, turn.agent, theme, run.focus
    )
    run.seen.update((p.id, p) for p in passages)
    yield EvidencePack(
        theme_id=theme.id, agent=turn.agent, queries=queries, evidence_ids=[p.id for p in passages]
    )
    question, run.chair_question = run.chair_question, None
    structured = turn.agent in ctx.structured_agents
    request = TurnRequest(
        turn.agent,
        shared,
        transcript,
        prompts.debate_task(turn.agent, turn.phase, passages, question, structured),
        max_tokens=ctx.limits.point_tokens if structured else ctx.limits.turn_tokens,
        theme_id=theme.id,
    )
    grounded = theme_terms(theme)
    data: dict[str, object] | None = None
    reply: str | None = None
    if structured:
        model = Objections if turn.agent == "critic" else DebatePoints
        schema = points_schema(model, [p.id for p in passages], list(OPENERS))
        decided = await ctx.speaker.decide(request, model, schema)
        for usage in decided.usage:
            yield UsageRecorded.of(usage, theme.id)
        if not isinstance(decided, Decided) or not isinstance(decided.value, model):
            yield ErrorRaised(
                theme_id=theme.id,
                agent=turn.agent,
                kind="structured_output",
                message=f"{turn.agent}'s turn was not valid JSON for its points after a repair "
                "attempt; recorded as no reply.",
                detail=_failure_detail(decided),
            )
            checked = CheckedTurn(NOTHING_KEPT)
        else:
            data = decided.value.model_dump(mode="json")
            checked = check_points(ctx.checker, turn.agent, decided.value, grounded)
    else:
        text = ""
        async for item in ctx.speaker.speak(request):
            if isinstance(item, Delta):
                yield MessageDelta(theme_id=theme.id, agent=turn.agent, text=item.text)
            elif isinstance(item, ToolUse):
                for pid in item.result_ids:
                    if (p := ctx.searcher.passage(pid)) is not None:
                        run.seen[pid] = p
                yield ToolCalled(
                    theme_id=theme.id,
                    agent=turn.agent,
                    tool=item.tool,
                    arguments=item.arguments,
                    result_ids=item.result_ids,
                )
            elif isinstance(item, Said):
                text = item.text.strip()
                for usage in item.usage:
                    yield UsageRecorded.of(usage, theme.id)
        checked = check_prose(ctx.checker, turn.agent, text, grounded)
        reply = text if checked.shown != text else None
    run.entries.append((turn.agent, turn.phase, checked.shown))
    if turn.phase == "critique":
        run.state.record_critique(checked.shown)
    yield AgentMessage(
        theme_id=theme.id,
        agent=turn.agent,
        phase=turn.phase,
        content=checked.shown,
        evidence_ids=checked.cited,
        data=data,
        reply=reply,
        set_aside=checked.set_aside,
    )


async def _review(
    ctx: PanelContext, run: _ThemeRun, shared: str, transcript: str, earlier: list[str]
) -> AsyncIterator[DebateItem | EditorDraft]:
    theme = run.theme
    low = ctx.searcher.settings.low_quality_below
    passages = sorted(run.seen.values(), key=lambda p: p.quality < low)[:8]  # readable first
    question, run.chair_question = run.chair_question, None  # an interjection not yet answered
    sent_back = run.chair_comments[-1] if run.chair_comments else None
    yield EvidencePack(
        theme_id=theme.id, agent="editor", queries=[], evidence_ids=[p.id for p in passages]
    )
    request = TurnRequest(
        "editor",
        shared,
        transcript,
        prompts.review_task(passages, earlier, sent_back, question),
        max_tokens=ctx.limits.review_tokens,
        theme_id=theme.id,
    )
    decided = await ctx.speaker.decide(request, EditorDraft, draft_schema(sorted(run.seen)))
    for usage in decided.usage:
        yield UsageRecorded.of(usage, theme.id)
    if isinstance(decided, Decided) and isinstance(decided.value, EditorDraft):
        yield decided.value
    else:
        yield ErrorRaised(
            theme_id=theme.id,
            agent="editor",
            kind="structured_output",
            message="The editor's review was not valid JSON for the review schema after a "
            "repair attempt; the theme's review is computed only.",
            detail=_failure_detail(decided),
        )


def _sign_off_message(
    ctx: PanelContext, theme_id: str, agent: str, sign_off: SignOff
) -> AgentMessage:
    grounded = theme_terms(ctx.strategy.theme(theme_id))
    judged = judge_sign_off(ctx.checker, agent, sign_off.stance, sign_off.reason, grounded)
    written = f"{sign_off.stance}: {sign_off.reason}"
    return AgentMessage(
        theme_id=theme_id,
        agent=agent,
        phase="sign_off",
        content=f"{judged.standing}: {judged.reason}"
        if judged.set_aside is None
        else "No valid sign-off: the reply was set aside by the claim checks.",
        data=sign_off.model_dump(mode="json"),
        reply=None if judged.set_aside is None else written,
        set_aside=[judged.set_aside] if judged.set_aside else [],
    )


def _draft_message(
    theme_id: str, draft: EditorDraft, checked: ThemeReview, review_text: str
) -> AgentMessage:
    """The editor's draft as the panel sees it: what passed the claim checks (the draft as the
    model wrote it is kept in the log for audit and replay)."""
    return AgentMessage(
        theme_id=theme_id,
        agent="editor",
        phase="review",
        content=review_text,
        data=draft.model_dump(mode="json"),
        evidence_ids=list(dict.fromkeys(i for _, c in checked.claims() for i in c.evidence_ids)),
        reply=_render_draft(draft),
        set_aside=checked.set_aside,
    )


def _render_draft(draft: EditorDraft) -> str:
    lines = [draft.coverage_summary]
    lines += [
        f"Gap ({g.kind}): {g.text} {' '.join(f'[{i}]' for i in g.evidence)}" for g in draft.gaps
    ]
    lines += [
        f"Recommend ({r.priority}, {r.action}{': ' + r.objective if r.objective else ''}): {r.text} "
        + " ".join(f"[{i}]" for i in r.evidence)
        for r in draft.recommendations
    ]
    return "\n".join(lines)


def _failure_detail(outcome: object) -> str:
    if isinstance(outcome, Undecided):
        last = outcome.raw_replies[-1] if outcome.raw_replies else ""
        return f"{outcome.error} | last reply: {last[:600]}"
    return ""
