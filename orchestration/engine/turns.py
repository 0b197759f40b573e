"""The three kinds of turn in a theme's debate, each an async stream of log events: a panelist's
debate turn (free prose, or JSON points on a small model, checked either way), the editor's
review (its draft checked into the review the panel signs off), and a panelist's sign-off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from agents.speaking import Decided, Delta, Said, ToolUse, TurnRequest, Undecided
from orchestration.engine import prompts
from orchestration.engine.claims.for_run import theme_terms
from orchestration.engine.claims.sign_offs import judge_sign_off
from orchestration.engine.claims.turns import NOTHING_KEPT, CheckedTurn, check_points, check_prose
from orchestration.engine.context import DebateItem, PanelContext, ThemeRun
from orchestration.engine.drafts import (
    DebatePoints,
    EditorDraft,
    Objections,
    SignOff,
    draft_schema,
    points_schema,
)
from orchestration.engine.packs import disputed_points, evidence_pack, showable
from orchestration.engine.protocol import OPENERS, Turn
from orchestration.engine.reviewing import build_review
from orchestration.events import (
    AgentMessage,
    ErrorRaised,
    EvidencePack,
    MessageDelta,
    ToolCalled,
    UsageRecorded,
)
from orchestration.report.markdown import review_as_text
from orchestration.review_models import GAP_KINDS, ThemeReview
from orchestration.strategy import Theme

# a reply's outcome, as its generator leaves it: what is shown, the structured reply (for
# replay), and the reply as written when the checks changed what is shown
Outcome = list[tuple[CheckedTurn, dict[str, object] | None, str | None]]


async def debate_turn(
    ctx: PanelContext, run: ThemeRun, turn: Turn, shared: str, transcript: str
) -> AsyncIterator[DebateItem]:
    """A panelist's turn: its evidence pack, its reply (checked), and what later turns see."""
    theme = run.theme
    given = run.given.setdefault(turn.agent, set())
    queries, passages = await asyncio.to_thread(
        evidence_pack,
        ctx.searcher,
        turn.agent,
        theme,
        run.objective_texts,
        run.focus,
        ctx.budget_for(turn.agent),
        disputed_points(run, turn),
        frozenset(given),
    )
    given.update(p.id for p in passages)
    run.seen.update((p.id, p) for p in passages)
    run.examined.update(p.id for p in passages)
    yield EvidencePack(
        theme_id=theme.id, agent=turn.agent, queries=queries, evidence_ids=[p.id for p in passages]
    )
    question, run.chair_question = run.chair_question, None
    structured = turn.agent in ctx.structured_agents
    tokens = ctx.limits.point_tokens if structured else ctx.limits.turn_tokens
    request = TurnRequest(
        turn.agent,
        shared,
        transcript,
        prompts.debate_task(
            turn.agent,
            turn.phase,
            passages,
            question,
            ctx.budget_for(turn.agent),
            tokens,
            structured,
        ),
        max_tokens=tokens,
        theme_id=theme.id,
    )
    reply = _structured_reply if structured else _prose_reply
    outcome: Outcome = []
    async for item in reply(ctx, run, request, [p.id for p in passages], outcome):
        yield item
    checked, data, written = outcome[0]
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
        reply=written,
        set_aside=checked.set_aside,
    )


async def _structured_reply(
    ctx: PanelContext, run: ThemeRun, request: TurnRequest, pack: list[str], outcome: Outcome
) -> AsyncIterator[DebateItem]:
    """JSON points, each tied to an id of the pack (constrained decoding), rendered by code."""
    agent, theme_id = request.agent, run.theme.id
    model = Objections if agent == "critic" else DebatePoints
    decided = await ctx.speaker.decide(request, model, points_schema(model, pack, list(OPENERS)))
    for usage in decided.usage:
        yield UsageRecorded.of(usage, theme_id)
    if not isinstance(decided, Decided) or not isinstance(decided.value, model):
        yield ErrorRaised(
            theme_id=theme_id,
            agent=agent,
            kind="structured_output",
            message=f"{agent}'s turn was not valid JSON for its points after a repair attempt; "
            "recorded as no reply.",
            detail=failure_detail(decided),
        )
        outcome.append((CheckedTurn(NOTHING_KEPT), None, None))
        return
    checked = check_points(ctx.checker, agent, decided.value, theme_terms(run.theme))
    outcome.append((checked, decided.value.model_dump(mode="json"), None))


async def _prose_reply(
    ctx: PanelContext, run: ThemeRun, request: TurnRequest, pack: list[str], outcome: Outcome
) -> AsyncIterator[DebateItem]:
    """Free prose, streamed (with any tool calls), then checked line by line."""
    agent, theme_id = request.agent, run.theme.id
    text = ""
    async for item in ctx.speaker.speak(request):
        if isinstance(item, Delta):
            yield MessageDelta(theme_id=theme_id, agent=agent, text=item.text)
        elif isinstance(item, ToolUse):
            for pid in item.result_ids:
                if (p := ctx.searcher.passage(pid)) is not None:
                    run.seen[pid] = p
                    run.examined.add(pid)
            yield ToolCalled(
                theme_id=theme_id,
                agent=agent,
                tool=item.tool,
                arguments=item.arguments,
                result_ids=item.result_ids,
            )
        elif isinstance(item, Said):
            text = item.text.strip()
            for usage in item.usage:
                yield UsageRecorded.of(usage, theme_id)
    checked = check_prose(ctx.checker, agent, text, theme_terms(run.theme))
    outcome.append((checked, None, text if checked.shown != text else None))


async def review_turn(
    ctx: PanelContext, run: ThemeRun, shared: str, transcript: str, earlier: list[str]
) -> AsyncIterator[DebateItem]:
    """The editor's review: its draft, checked into the review the panel will sign off."""
    theme = run.theme
    low = ctx.searcher.settings.low_quality_below
    budget = ctx.budget_for("editor")
    action_fields = "editor" not in ctx.structured_agents  # a small model would invent them
    examined_first = sorted(run.seen.values(), key=lambda p: p.id not in run.examined)
    passages = showable(examined_first, low)[: budget.review_pack_size]
    question, run.chair_question = run.chair_question, None  # an interjection not yet answered
    sent_back = run.chair_comments[-1] if run.chair_comments else None
    yield EvidencePack(
        theme_id=theme.id, agent="editor", queries=[], evidence_ids=[p.id for p in passages]
    )
    request = TurnRequest(
        "editor",
        shared,
        transcript,
        prompts.review_task(passages, earlier, budget, sent_back, question, action_fields),
        max_tokens=ctx.limits.review_tokens,
        theme_id=theme.id,
    )
    schema = draft_schema(sorted(run.seen), action_fields)
    decided = await ctx.speaker.decide(request, EditorDraft, schema)
    for usage in decided.usage:
        yield UsageRecorded.of(usage, theme.id)
    if isinstance(decided, Decided) and isinstance(decided.value, EditorDraft):
        run.draft = decided.value
        checked = build_review(
            theme, run.draft, run.seen_evidence(), {}, ctx.checker, ctx.searcher.passage
        )
        run.review_text = review_as_text(checked)
        message = _draft_message(theme.id, run.draft, checked, run.review_text)
        run.review_cites = message.evidence_ids
        yield message
    else:
        yield ErrorRaised(
            theme_id=theme.id,
            agent="editor",
            kind="structured_output",
            message="The editor's review was not valid JSON for the review schema after a "
            "repair attempt; the theme's review is computed only.",
            detail=failure_detail(decided),
        )


async def sign_off_turn(
    ctx: PanelContext, run: ThemeRun, turn: Turn, shared: str, transcript: str
) -> AsyncIterator[DebateItem]:
    """A panelist agrees or dissents from the checked review; a junk reason is no sign-off."""
    theme = run.theme
    request = TurnRequest(
        turn.agent,
        shared,
        transcript,
        prompts.sign_off_task(turn.agent, run.review_text, _new_to_the_panel(ctx, run, turn)),
        max_tokens=ctx.limits.sign_off_tokens,
        theme_id=theme.id,
    )
    decided = await ctx.speaker.decide(request, SignOff)
    for usage in decided.usage:
        yield UsageRecorded.of(usage, theme.id)
    if isinstance(decided, Decided) and isinstance(decided.value, SignOff):
        run.sign_offs[turn.agent] = decided.value
        yield _sign_off_message(ctx, theme, turn.agent, decided.value)
    else:
        yield ErrorRaised(
            theme_id=theme.id,
            agent=turn.agent,
            kind="structured_output",
            message=f"{turn.agent}'s sign-off was not valid after a repair attempt; "
            "recorded as no sign-off.",
            detail=failure_detail(decided),
        )


def _new_to_the_panel(ctx: PanelContext, run: ThemeRun, turn: Turn) -> str:
    """The passages the review cites that no panelist was shown in the debate, for the panel to
    read before it signs off (so a dissent can address them); empty when there are none."""
    added = [run.seen[i] for i in run.review_cites if i not in run.examined and i in run.seen]
    if not added:
        return ""
    words = ctx.budget_for(turn.agent).passage_words
    heading = "Passages the review cites that the debate did not examine:"
    return prompts.evidence_block(added, words, heading)


def _sign_off_message(
    ctx: PanelContext, theme: Theme, agent: str, sign_off: SignOff
) -> AgentMessage:
    grounded = theme_terms(theme)
    judged = judge_sign_off(ctx.checker, agent, sign_off.stance, sign_off.reason, grounded)
    written = f"{sign_off.stance}: {sign_off.reason}"
    return AgentMessage(
        theme_id=theme.id,
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
        f"Gap ({GAP_KINDS[g.kind]}): {g.text} {' '.join(f'[{i}]' for i in g.evidence)}"
        for g in draft.gaps
    ]
    lines += [
        f"Recommend ({r.priority}, {r.action}{': ' + r.objective if r.objective else ''}): {r.text} "
        + " ".join(f"[{i}]" for i in r.evidence)
        for r in draft.recommendations
    ]
    return "\n".join(lines)


def failure_detail(outcome: object) -> str:
    """What exactly a structured reply got wrong, for people auditing the run."""
    if isinstance(outcome, Undecided):
        last = outcome.raw_replies[-1] if outcome.raw_replies else ""
        return f"{outcome.error} | last reply: {last[:600]}"
    return ""
