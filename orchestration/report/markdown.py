"""``report.md`` (for people, in the shape of the team's earlier gap-analysis report) and
``report.json`` (the validated ``StrategyReview``)."""

from __future__ import annotations

from orchestration.review_models import (
    ACTION_FIELDS,
    COMPUTED_LABEL,
    GAP_KINDS,
    Citation,
    Claim,
    Decision,
    ObjectiveCoverage,
    Recommendation,
    StrategyReview,
    ThemeReview,
    strategy_citations,
)
from orchestration.wording import counted

GAP_HEADINGS = {
    "in_documents": "a. In the documents but not in the objectives",
    "emerging": "b. Emerging priorities not yet in the objectives",
    "interdependency": "c. Interdependencies with other themes",
}
VERDICTS = {
    "reinstate": "Reinstate as a theme",
    "fold_into_existing": "Fold into an existing theme, explicitly",
    "not_needed": "Not needed as a theme",
    "no_evidence": "No evidence in the corpus either way",
}


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _quote_lines(citations: list[Citation], indent: str = "  ") -> list[str]:
    return [
        f"{indent}> “{c.quote}” — [{c.evidence_id}](#evidence-{_anchor(c.evidence_id)}), {c.title}"
        + (f", {c.section}" if c.section else "")
        for c in citations
    ]


def _ids(claim: Claim) -> str:
    ids = " ".join(f"[{i}]" for i in claim.evidence_ids)
    label = f" *({COMPUTED_LABEL})*" if claim.origin == "computed" else ""
    return (f" {ids}" if ids else "") + label


def _claim(prefix: str, claim: Claim, suffix: str = "") -> list[str]:
    lines = [f"- {prefix}{claim.text}{_ids(claim)}{suffix}"]
    if claim.note:
        lines.append(f"  *{claim.note}*")
    return lines + _quote_lines(claim.citations)


def _theme(number: int, review: ThemeReview, decisions: list[Decision]) -> list[str]:
    lines = [f"### {number}. Theme: {review.theme_name}", ""]
    if review.ended_early:
        lines += [
            "*The chair ended this theme's debate early; the editor still wrote its review.*",
            "",
        ]
    if review.chair_approved:
        lines += ["*Approved by the chair.*", ""]
    lines += [f"*Sent back by the chair: “{comment}”*" for comment in review.chair_comments]
    lines += [""] if review.chair_comments else []
    return [
        *lines,
        *_coverage(review),
        *_gaps(review),
        *_recommendations(
            review, {d.number: d for d in decisions if d.theme_id == review.theme_id}
        ),
        *_sign_off(review),
        "",
    ]


def _coverage(review: ThemeReview) -> list[str]:
    lines = ["#### Current coverage", "", f"{review.computed_summary} *({COMPUTED_LABEL})*", ""]
    if review.summary:
        lines += [" ".join(f"{c.text}{_ids(c)}" for c in review.summary), ""]
    lines += [
        "| Objective | Support | Nearest (typical) | Best evidence |",
        "|---|---|---|---|",
    ]
    for item in review.objective_coverage:
        best = ", ".join(c.evidence_id for c in item.evidence) or "none"
        typical = "" if item.typical is None else f" ({item.typical:.2f})"
        lines.append(f"| {item.objective} | {item.strength} | {item.score:.2f}{typical} | {best} |")
    lines.append("")
    if review.objective_coverage:
        lines += [
            "Nearest (typical): how similar the objective's nearest passage is to it, and in "
            "brackets the median over every passage. Support is judged by how far the nearest "
            "passages stand above the typical one, since a generic objective is close to "
            "everything.",
            "",
            "Behind each label: what the draft means, and the passage nearest to it.",
            "",
        ]
        lines += [_behind_label(item) for item in review.objective_coverage]
        lines.append("")
    return lines


def _behind_label(item: ObjectiveCoverage) -> str:
    meaning = f" {item.description}" if item.description else ""
    best = item.evidence[0] if item.evidence else None
    passage = f" Nearest passage [{best.evidence_id}]: “{best.quote}”" if best else ""
    return f"- *{item.objective}* ({item.strength}).{meaning}{passage}"


def _gaps(review: ThemeReview) -> list[str]:
    lines = ["#### Gaps identified", ""]
    for kind, heading in GAP_HEADINGS.items():
        gaps = [g for g in review.gaps if g.kind == kind]
        lines += [f"##### {heading}", ""]
        lines += [line for gap in gaps for line in _claim("", gap)] or [
            "- None raised by the panel."
        ]
        lines.append("")
    if review.candidate_gaps:
        lines += ["#### Corpus topics no objective covers (computed)", ""]
        for gap in review.candidate_gaps:
            lines.append(
                f"- **{gap.topic}** (relevance to the theme {gap.relevance:.2f}; closest objective "
                f"{gap.best_objective_similarity:.2f})"
            )
            lines += _quote_lines(gap.evidence)
        lines.append("")
    return lines


def _recommendations(review: ThemeReview, decided: dict[int, Decision]) -> list[str]:
    lines = ["#### Recommendations", ""]
    for number, rec in enumerate(review.recommendations, start=1):
        target = f" objective “{rec.objective}”" if _names_another(rec) else ""
        shared = f" (also raised under {', '.join(rec.also_in)})" if rec.also_in else ""
        lines += _claim(f"**{rec.priority.title()} — {rec.action}{target}:** ", rec, shared)
        lines += _action_line(rec)
        if number in decided:
            lines.append(f"  **{decision_text(decided[number])}**")
    if not review.recommendations:
        lines.append("- No recommendation for this theme beyond those made under other themes.")
    return [*lines, ""]


def _names_another(rec: Recommendation) -> bool:
    """Whether the recommendation changes an objective its own text does not already quote."""
    return bool(rec.objective) and f"“{rec.objective}”" not in rec.text


def _action_line(rec: Recommendation, always: bool = False) -> list[str]:
    """Owner, measure, baseline, date and resource, when the editor gave any (the rest shown
    as missing, never filled in); ``always``: even when it gave none."""
    given = {name: getattr(rec, name) for name in ACTION_FIELDS}
    if not any(given.values()) and not always:
        return []
    parts = [f"{label}: {given[name] or '*missing*'}" for name, label in ACTION_FIELDS.items()]
    return ["  " + " · ".join(parts)]


def decision_text(decision: Decision) -> str:
    """ "Chair: rejected — the reason." and the like."""
    reason = f" — {decision.reason.rstrip('.')}" if decision.reason else ""
    return f"Chair: {decision.verdict}{reason}."


def _decisions(review: StrategyReview) -> list[str]:
    """The chair's decisions, counted, and the accepted recommendations as an action list."""
    if not review.decisions:
        return []
    names = {t.theme_id: t.theme_name for t in review.themes}
    counts = {
        v: sum(d.verdict == v for d in review.decisions)
        for v in ("accepted", "rejected", "deferred")
    }
    lines = [
        "## The chair's decisions",
        "",
        ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n) + ".",
        "",
    ]
    for d in review.decisions:
        reason = f" — {d.reason}" if d.reason else ""
        lines.append(
            f"- **{d.verdict.title()}** ({names.get(d.theme_id, d.theme_id)} #{d.number}): {d.recommendation}{reason}"
        )
    lines += ["", "### Action list", ""]
    accepted = [d for d in review.decisions if d.verdict == "accepted"]
    for number, d in enumerate(accepted, start=1):
        rec = next(t for t in review.themes if t.theme_id == d.theme_id).recommendations[
            d.number - 1
        ]
        lines.append(f"{number}. {d.recommendation} ({names.get(d.theme_id, d.theme_id)})")
        lines += _action_line(rec, always=True)
    if not accepted:
        lines.append("No recommendation has been accepted yet.")
    return [*lines, ""]


def _sign_off(review: ThemeReview) -> list[str]:
    lines = ["#### Sign-off and dissent", ""]
    lines.append(f"- Agreed: {', '.join(review.agreed) or 'nobody'}")
    lines += [f"- **Dissent — {d.agent}:** {d.text}" for d in review.dissent]
    if review.invalid_sign_offs:
        lines.append(
            f"- No valid sign-off (the reply was unreadable or contradicted itself): "
            f"{', '.join(review.invalid_sign_offs)}"
        )
    if review.set_aside:
        lines.append(
            f"- The claim checks set aside {counted(len(review.set_aside), 'statement')} by the "
            "panel; they are not in this report, and `review audit` lists them with their reasons."
        )
    if review.dropped_evidence_ids:
        lines.append(
            f"- Citations dropped because no such passage exists: {', '.join(review.dropped_evidence_ids)}"
        )
    return lines


def review_as_text(review: ThemeReview) -> str:
    """A theme's checked review as plain lines, for the debate and the panel's sign-off."""
    label = f" ({COMPUTED_LABEL})"

    def ids(claim: Claim) -> str:
        cited = " ".join(f"[{i}]" for i in claim.evidence_ids)
        return (f" {cited}" if cited else "") + (label if claim.origin == "computed" else "")

    lines = [review.computed_summary + label]
    lines += [f"{c.text}{ids(c)}" for c in review.summary]
    lines += [f"Gap ({GAP_KINDS[g.kind]}): {g.text}{ids(g)}" for g in review.gaps]
    for r in review.recommendations:
        target = f": {r.objective}" if r.objective else ""
        lines.append(f"Recommend ({r.priority}, {r.action}{target}): {r.text}{ids(r)}")
        lines += [line.strip() for line in _action_line(r)]
    if review.set_aside:
        lines.append(
            f"The claim checks set aside {counted(len(review.set_aside), 'statement')} of the draft."
        )
    return "\n".join(lines)


def theme_markdown(
    review: ThemeReview, number: int = 1, decisions: list[Decision] | None = None
) -> str:
    """One theme's section of the report, as Markdown (with the chair's decisions on it)."""
    return "\n".join(_theme(number, review, decisions or []))


def cited_ids(review: StrategyReview) -> list[str]:
    return list(_all_citations(review))


def _all_citations(review: StrategyReview) -> dict[str, list[Citation]]:
    found: dict[str, list[Citation]] = {}
    for citation in (cited.citation for cited in strategy_citations(review)):
        found.setdefault(citation.evidence_id, [])
        if all(c.quote != citation.quote for c in found[citation.evidence_id]):
            found[citation.evidence_id].append(citation)
    return dict(sorted(found.items()))


def _glossary(glossary: dict[str, str]) -> list[str]:
    if not glossary:
        return []
    entries = "; ".join(f"**{short}**: {meaning}" for short, meaning in glossary.items())
    return [f"**Abbreviations in the draft:** {entries}", ""]


def render_markdown(review: StrategyReview, run_id: str, models: dict[str, str]) -> str:
    lines = [
        f"# {review.title}: Panel Review Report",
        "",
        f"**Organisation:** {review.organisation}  ",
        f"**Run:** `{run_id}`  ",
        "**Panel models:** " + "; ".join(f"{a}: {m}" for a, m in models.items()) + "  ",
        "**Corpus:** " + ", ".join(review.corpus_documents),
        "",
        *(f"> **Corpus limit:** {note}" for note in review.corpus_limits),
        *([""] if review.corpus_limits else []),
        *_glossary(review.glossary),
        "Every citation below names a passage (`DOC-ID#N`, see the evidence appendix) and quotes it "
        "verbatim; open any passage with `review show DOC-ID#N`.",
        "",
        "## Contents",
        "",
    ]
    for number, theme in enumerate(review.themes, start=1):
        lines.append(
            f"{number}. [Theme: {theme.theme_name}](#{number}-theme-{_anchor(theme.theme_name)})"
        )
    lines += [
        *(["- [The chair's decisions](#the-chair-s-decisions)"] if review.decisions else []),
        "- [Missing or dropped themes](#missing-or-dropped-themes)",
        "- [Prioritised recommendations](#prioritised-recommendations)",
        "- [Evidence appendix](#evidence-appendix)",
        "",
        "## Theme reviews",
        "",
    ]
    for number, theme in enumerate(review.themes, start=1):
        lines += _theme(number, theme, review.decisions)
    lines += _decisions(review)
    lines += ["## Missing or dropped themes", ""]
    for item in review.missing_themes:
        lines += [
            f"- **{item.theme}: {VERDICTS[item.verdict]}.** {item.rationale}",
            *_quote_lines(item.citations),
        ]
    if not review.missing_themes:
        lines.append("- The draft keeps every theme of the previous strategy.")
    lines += ["", "## Prioritised recommendations", ""]
    for number, rec in enumerate(review.priorities, start=1):
        shared = f" — also under {', '.join(rec.also_in)}" if rec.also_in else ""
        target = f" ({rec.action} objective “{rec.objective}”)" if _names_another(rec) else ""
        lines.append(f"{number}. **{rec.priority.title()}{target}:** {rec.text}{_ids(rec)}{shared}")
    if not review.priorities:
        lines.append("The panel made no recommendations.")
    lines += ["", "## Evidence appendix", ""]
    for evidence_id, citations in _all_citations(review).items():
        first = citations[0]
        lines.append(f"### Evidence {evidence_id}")
        lines.append(
            f"*{first.title}* — {first.section or 'no section'} (document `{first.doc_id}`)  "
        )
        for c in citations:
            lines.append(f"> “{c.quote}” (characters {c.start}-{c.end} of the normalised source)")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
