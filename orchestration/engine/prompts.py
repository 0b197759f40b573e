"""Prompt text for each turn, ordered so agents share a cached prefix.

``shared`` (panel rules, the theme, computed coverage, the chair's focus) is identical for every
agent of a theme; the transcript only grows at its end; each agent's persona, evidence pack and
task come last. On llama.cpp this means most of a prompt is already evaluated when a turn starts.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.panel import SPECS
from orchestration.engine.budget import ResolvedBudget
from orchestration.strategy import Strategy, Theme
from tools.coverage import ObjectiveSupport, TopicGap
from tools.evidence import Passage
from tools.quality import clip_at_sentence

RULES = (
    "You are on a review panel for the draft {title} of {organisation}. The panel reviews one theme "
    "at a time against an evidence corpus and advises the board.\n"
    "Rules: cite evidence ids in square brackets exactly as given, e.g. [LEEDS-OWS-2024#7]; never "
    "invent an id; when the corpus has no evidence for a point, say so; be specific and brief."
)


def _clip(text: str, words: int) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def shared_context(
    strategy: Strategy,
    theme: Theme,
    support: list[ObjectiveSupport],
    gaps: list[TopicGap],
    focus: list[str],
    corpus_notes: Sequence[str] = (),
) -> str:
    """What every turn of the theme shares: the rules, the theme with its computed coverage and
    candidate gaps, the chair's focus, and what the corpus cannot speak to."""
    lines = [RULES.format(title=strategy.title, organisation=strategy.organisation), ""]
    lines += [f"Corpus limit: {note}" for note in corpus_notes]
    lines.append(f"THEME: {theme.name}. {theme.summary}".strip())
    if used := strategy.abbreviations_in(theme.text()):
        lines.append("Abbreviations: " + "; ".join(f"{k} = {v}" for k, v in used.items()))
    lines.append("Objectives, with how strongly the corpus supports each (computed):")
    meanings = theme.meanings()
    for number, item in enumerate(support, start=1):
        best = item.passages[0][0].id if item.passages else "none"
        lines.append(
            f"{number}. {item.objective} (support: {item.strength}, best passage [{best}])"
        )
        if meanings.get(item.objective):
            lines.append(f"   Meaning: {meanings[item.objective]}")
    if gaps:
        lines.append("Corpus topics no objective of this theme covers (candidate gaps, computed):")
        for gap in gaps:
            ids = " ".join(f"[{p.id}]" for p, _ in gap.passages)
            lines.append(f"- {gap.topic.label} {ids}")
    if focus:
        lines.append("The chair asks the panel to focus on: " + "; ".join(focus))
    return "\n".join(lines)


def transcript_text(entries: list[tuple[str, str, str]], words: int) -> str:
    """The debate so far as ``[agent, phase] text`` lines (each clipped to ``words``)."""
    if not entries:
        return "Debate so far: nothing yet."
    body = "\n".join(f"[{agent}, {phase}] {_clip(text, words)}" for agent, phase, text in entries)
    return "Debate so far:\n" + body


def evidence_block(
    passages: list[Passage], words: int, heading: str = "Evidence for you (cite these ids):"
) -> str:
    if not passages:
        return "Evidence for you: the corpus returned nothing relevant; say so if you make a point."
    lines = [heading]
    for p in passages:
        lines.append(f"[{p.id}] {clip_at_sentence(p.text, words)}")
    return "\n".join(lines)


FOLLOW_UP_CONTRACT = "Answer in at most 100 words, citing evidence ids in square brackets."
PHASE_TASKS = {
    "opening": "Give your opening view of this theme from your remit: what its objectives get right "
    "and what they miss.",
    "critique": "Test the claims made so far.",
    "rebuttal": "Answer the critic's objections to your points with evidence, or concede them.",
}


POINTS_CONTRACT = (
    "Answer as JSON: one or two points, each one plain sentence, each with the evidence id of "
    "the passage it rests on."
)
OBJECTIONS_CONTRACT = (
    "Answer as JSON: one or two objections, each naming the panelist, the evidence id it is "
    "about, and the objection in one plain sentence."
)


def debate_task(
    agent: str,
    phase: str,
    evidence: list[Passage],
    chair_question: str | None,
    budget: ResolvedBudget,
    tokens: int,
    structured: bool = False,
) -> str:
    """The task of a debate turn of at most ``tokens`` tokens; ``structured``: answered as JSON
    points (small models)."""
    spec = SPECS[agent]
    task = PHASE_TASKS.get(phase, "Contribute to the debate.")
    contract = spec.contract_for(tokens) if phase != "follow_up" else FOLLOW_UP_CONTRACT
    if structured:
        contract = OBJECTIONS_CONTRACT if agent == "critic" else POINTS_CONTRACT
    if chair_question:
        task = f"The chair asks: “{chair_question}” Answer the chair directly first."
    block = evidence_block(evidence, budget.passage_words)
    return f"{spec.persona}\n\n{block}\n\nYour task: {task}\n{contract}"


REVIEW_TASK = (
    "Your task: write the panel's consensus review of this theme as a JSON object with "
    "coverage_summary (two sentences), gaps (each: kind in_documents, emerging or "
    "interdependency; text; evidence ids) and recommendations (each: action add or change; "
    "the objective changed, if any; text; priority high, medium or low; evidence ids)."
)
ACTION_TASK = (
    "For each recommendation, where the evidence allows, also give: owner (a role), measure, "
    "baseline (where it stands now, naming its source), due (a date in the strategy's period) "
    "and resource (what it needs). Leave out any of these the evidence cannot give; never "
    "invent one."
)
SIGN_OFF_TASK = (
    "Your task: sign off. Answer as JSON: stance agree or dissent, and a one-line reason."
)


def review_task(
    evidence: list[Passage],
    earlier_recommendations: list[str],
    budget: ResolvedBudget,
    sent_back: str | None = None,
    chair_question: str | None = None,
    action_fields: bool = False,
) -> str:
    """The editor's task; ``action_fields``: ask for each recommendation's owner, measure,
    baseline, date and resource (capable models)."""
    spec = SPECS["editor"]
    parts = [spec.persona, "", evidence_block(evidence, budget.passage_words), ""]
    if sent_back:
        parts += [
            f"The chair sent your previous review back: “{sent_back}” Revise the review to "
            "answer this comment.",
            "",
        ]
    if chair_question:
        parts += [f"The chair asks: “{chair_question}” Let the review answer it.", ""]
    if earlier_recommendations:
        parts.append(
            "Recommendations already made for earlier themes (refer to them, do not repeat them):"
        )
        parts.extend(f"- {t}" for t in earlier_recommendations[: budget.earlier_recommendations])
        parts.append("")
    parts.append(REVIEW_TASK)
    if action_fields:
        parts.append(ACTION_TASK)
    return "\n".join(parts)


def sign_off_task(agent: str, review_text: str, added_evidence: str = "") -> str:
    """``added_evidence``: the passages the review cites that the debate did not examine."""
    added = f"{added_evidence}\n\n" if added_evidence else ""
    return (
        f"{SPECS[agent].persona}\n\nThe editor's review:\n{review_text}\n\n{added}{SIGN_OFF_TASK}"
    )


def fixed_texts() -> list[str]:
    """Every fixed instruction the panel is given: a statement that repeats one is a prompt leak."""
    texts = [RULES, FOLLOW_UP_CONTRACT, REVIEW_TASK, ACTION_TASK, SIGN_OFF_TASK]
    texts += PHASE_TASKS.values()
    texts += [POINTS_CONTRACT, OBJECTIONS_CONTRACT]
    contracts = [spec.contract.replace(" {words} ", " ") for spec in SPECS.values()]
    return texts + contracts + [spec.persona for spec in SPECS.values()]
