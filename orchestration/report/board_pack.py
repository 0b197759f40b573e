"""The board pack: a run's ``StrategyReview`` for a board, as Word (``board_pack``) or PDF
(``board_pack_pdf``).

The reading version of the report: a title page, a contents list, a section per theme (its
coverage as a table, its gaps and recommendations with their quotes), the dissent, the
whole-strategy pass, the chair's decisions and an evidence annex. The body names each source by
its title and place and refers to the annex by a short number (E1, E2, ...); evidence ids,
similarity scores, topic keywords, agent names and commands stay out of it.

What the pack says is decided once, here, as a format-neutral ``Outline``
(``pack_outline``); ``orchestration.report.word`` and ``orchestration.report.pdf`` lay it out.
The Word file keeps to Word's built-in styles (Title, Heading 1-3, List Bullet, List Number,
Quote, a built-in table style), so a team can restyle the pack to its own template.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from orchestration.report.annex import Annex, reading
from orchestration.report.outline import (
    Block,
    Break,
    Contents,
    Heading,
    Outline,
    PageBreak,
    Para,
    Quote,
    Span,
    Table,
    TitlePage,
    labelled,
    para,
)
from orchestration.review_models import (
    ACTION_FIELDS,
    COMPUTED_LABEL,
    Citation,
    Claim,
    Decision,
    Recommendation,
    StrategyReview,
    ThemeAssessment,
    ThemeReview,
    strategy_citations,
)
from orchestration.wording import counted

NOT_GIVEN = "not given"
GAP_HEADINGS = {
    "in_documents": "In the documents but not in the objectives",
    "emerging": "Emerging priorities not yet in the objectives",
    "interdependency": "Interdependencies with other themes",
}
VERDICTS = {
    "reinstate": "Reinstate as a theme",
    "fold_into_existing": "Fold into an existing theme, explicitly",
    "not_needed": "Not needed as a theme",
    "no_evidence": "No evidence in the corpus either way",
}
PANELISTS = {
    "national-policy": "The national policy panelist",
    "leeds-local": "The Leeds panelist",
    "inclusion": "The inclusion panelist",
    "critic": "The critic",
    "editor": "The editor",
}


@dataclass(frozen=True)
class RunFacts:
    """What the pack says about the run beside the review (from its log and evidence)."""

    run_id: str
    models: dict[str, str] = field(default_factory=dict)
    embedding_model: str = ""
    started_at: float | None = None
    pages: dict[str, int] = field(default_factory=dict)  # evidence id -> page, paged sources


def board_pack(review: StrategyReview, facts: RunFacts) -> bytes:
    """The review as a Word board pack (the bytes of a .docx file)."""
    from orchestration.report.word import render

    return render(pack_outline(review, facts))


def board_pack_pdf(review: StrategyReview, facts: RunFacts) -> bytes:
    """The review as a PDF board pack (the bytes of a .pdf file): the same pack as the Word
    one, with page numbers in its contents."""
    from orchestration.report.pdf import render

    return render(pack_outline(review, facts))


def pack_outline(review: StrategyReview, facts: RunFacts) -> Outline:
    """What the board pack says, block by block, for either renderer."""
    outline = Outline(
        title=f"{review.title}: panel review",
        subject=f"Board pack of review run {facts.run_id}",
    )
    annex = Annex(facts.pages)
    sections = _sections(review, annex)
    out = outline.blocks
    out += [_title_page(review, facts), PageBreak()]
    out += [Contents(tuple(title for title, _ in sections)), PageBreak()]
    for title, write in sections:
        out.append(Heading(1, title))
        write(out)  # in order: the annex numbers passages as the body first cites them
    return outline


Section = tuple[str, Callable[[list[Block]], None]]


def _sections(review: StrategyReview, annex: Annex) -> list[Section]:
    """Each section's heading and the function that adds its body's blocks, in order."""
    sections: list[Section] = [("About this review", lambda out: _about(out, review))]
    for number, theme in enumerate(review.themes, start=1):
        decided = {d.number: d for d in review.decisions if d.theme_id == theme.theme_id}
        write = partial(_theme, review=theme, decided=decided, annex=annex)
        sections.append((f"Theme {number}: {theme.theme_name}", write))
    sections += [
        ("Dissent", lambda out: _dissent(out, review)),
        ("The whole strategy", lambda out: _whole_strategy(out, review, annex)),
    ]
    if review.decisions:
        sections.append(("The chair's decisions", lambda out: _decisions(out, review)))
    sections.append(("Evidence annex", lambda out: _annex(out, annex)))
    return sections


def _title_page(review: StrategyReview, facts: RunFacts) -> TitlePage:
    models = list(dict.fromkeys(m.split(" @ ")[0] for m in facts.models.values()))
    lines = (
        ("Organisation", review.organisation),
        ("Strategy", review.title),
        ("Review run", facts.run_id),
        ("Date of the review", _date(facts.started_at)),
        ("Panel models", ", ".join(models) or "not recorded"),
        ("Evidence search", facts.embedding_model or "not recorded"),
    )
    return TitlePage(review.title, "Panel review: board pack", lines)


def _date(at: float | None) -> str:
    if at is None:
        return "not recorded"
    day = time.localtime(at)
    return f"{day.tm_mday} {time.strftime('%B %Y', day)}"


def _about(out: list[Block], review: StrategyReview) -> None:
    out.append(
        para(
            f"A panel reviewed the draft {review.title} of {review.organisation}, theme by "
            "theme, against the documents below. Each objective's corpus support is labelled "
            "strong, partial or weak: how well the documents back it. Quotations are verbatim "
            "from the documents; the numbers E1, E2, ... refer to the evidence annex."
        )
    )
    if review.corpus_documents:
        out.append(Heading(2, "Documents reviewed"))
        titles = {
            cited.citation.doc_id: cited.citation.title for cited in strategy_citations(review)
        }
        out += [para(titles.get(d, d), "bullet") for d in review.corpus_documents]
    if review.corpus_limits:
        out.append(Heading(2, "What the documents cannot speak to"))
        out += [para(reading(note), "bullet") for note in review.corpus_limits]
    if review.glossary:
        out.append(Heading(2, "Abbreviations in the draft"))
        out.append(Table(("Abbreviation", "Meaning"), tuple(review.glossary.items())))


def _theme(
    out: list[Block], review: ThemeReview, decided: dict[int, Decision], annex: Annex
) -> None:
    if review.ended_early:
        out.append(para("The chair ended this theme's debate early; the review was still written."))
    if review.chair_approved:
        out.append(para("The chair approved this review."))
    for comment in review.chair_comments:
        out.append(para(f"The chair sent this review back: “{reading(comment)}”"))
    _coverage(out, review, annex)
    _gaps(out, review, annex)
    _recommendations(out, review, decided, annex)
    _sign_off(out, review)


def _coverage(out: list[Block], review: ThemeReview, annex: Annex) -> None:
    out.append(Heading(2, "Current coverage"))
    if review.computed_summary:
        out.append(para(f"{review.computed_summary} ({COMPUTED_LABEL})"))
    if review.summary:
        out.append(para(" ".join(_claim_text(c, annex) for c in review.summary)))
    rows = tuple(
        (item.objective, item.strength, annex.listed(item.evidence) or "none")
        for item in review.objective_coverage
    )
    if rows:
        out.append(Table(("Objective", "Corpus support", "Evidence"), rows))


def _claim_text(claim: Claim, annex: Annex) -> str:
    label = f" ({COMPUTED_LABEL})" if claim.origin == "computed" else ""
    return f"{reading(claim.text)}{annex.refs(claim.citations)}{label}"


def _quotes(out: list[Block], citations: list[Citation], annex: Annex) -> None:
    """Each citation's verbatim quote, with its source and annex number."""
    for citation in citations:
        source = f"{citation.title}, {annex.where(citation)} ({annex.ref(citation)})"
        out.append(Quote(f"“{citation.quote}”", source))


def _gaps(out: list[Block], review: ThemeReview, annex: Annex) -> None:
    out.append(Heading(2, "Gaps"))
    if not review.gaps:
        out.append(para("The panel raised no gaps for this theme."))
    for kind, heading in GAP_HEADINGS.items():
        gaps = [g for g in review.gaps if g.kind == kind]
        if gaps:
            out.append(Heading(3, heading))
        for gap in gaps:
            out.append(para(_claim_text(gap, annex), "bullet"))
            _quotes(out, gap.citations, annex)


def _recommendations(
    out: list[Block], review: ThemeReview, decided: dict[int, Decision], annex: Annex
) -> None:
    out.append(Heading(2, "Recommendations"))
    if not review.recommendations:
        out.append(para("No recommendation for this theme beyond those made under others."))
    for number, rec in enumerate(review.recommendations, start=1):
        out.append(Heading(3, f"Recommendation {number} ({rec.priority} priority)"))
        out.append(para(_recommendation_text(rec, annex)))
        if rec.also_in:
            out.append(para(f"Also raised under: {', '.join(rec.also_in)}."))
        out.append(_action_fields(rec))
        if number in decided:
            out.append(Para(labelled("The chair's decision", _decision(decided[number]))))
        _quotes(out, rec.citations, annex)


def _recommendation_text(rec: Recommendation, annex: Annex) -> str:
    if rec.action == "change" and rec.objective and f"“{rec.objective}”" not in rec.text:
        return f"Change the objective “{rec.objective}”: {_claim_text(rec, annex)}"
    return f"{'Change' if rec.action == 'change' else 'Add'}: {_claim_text(rec, annex)}"


def _action_fields(rec: Recommendation) -> Para:
    """Owner, measure, baseline, date and resource, one a line; "not given" where missing."""
    content: list[Span | Break] = []
    for index, (name, label) in enumerate(ACTION_FIELDS.items()):
        if index:
            content.append(Break())
        content += labelled(label, getattr(rec, name) or NOT_GIVEN)
    return Para(tuple(content))


def _decision(decision: Decision) -> str:
    return decision.verdict + (f": {decision.reason}" if decision.reason else "")


def _sign_off(out: list[Block], review: ThemeReview) -> None:
    out.append(Heading(2, "Sign-off"))
    agreed = len(review.agreed)
    lines = [f"{agreed} panelist{'s' if agreed != 1 else ''} signed off this review."]
    if review.dissent:
        lines.append(f"{len(review.dissent)} dissented (see Dissent).")
    if review.invalid_sign_offs:
        lines.append(f"{len(review.invalid_sign_offs)} gave no valid sign-off.")
    if review.set_aside:
        lines.append(
            f"The claim checks left {counted(len(review.set_aside), 'statement')} by the panel "
            "out of this pack."
        )
    if review.dropped_evidence_ids:
        lines.append(
            f"Dropped {counted(len(review.dropped_evidence_ids), 'citation')} of passages that "
            "do not exist."
        )
    out.append(para(" ".join(lines)))


def _dissent(out: list[Block], review: StrategyReview) -> None:
    dissent = [(t, d) for t in review.themes for d in t.dissent]
    if not dissent:
        out.append(para("No panelist dissented from a theme's review."))
    for theme, entry in dissent:
        said = f" — {_panelist(entry.agent)}: {reading(entry.text)}"
        out.append(Para((Span(theme.theme_name, bold=True), Span(said)), "bullet"))


def _panelist(agent: str) -> str:
    return PANELISTS.get(agent, f"The {agent.replace('-', ' ')} panelist")


def _whole_strategy(out: list[Block], review: StrategyReview, annex: Annex) -> None:
    out.append(Heading(2, "Missing or dropped themes"))
    if not review.missing_themes:
        out.append(para("The draft keeps every theme of the previous strategy."))
    for item in review.missing_themes:
        verdict = labelled(item.theme, f"{VERDICTS[item.verdict]}. {_why(item)}")
        out.append(Para((*verdict, Span(annex.refs(item.citations))), "bullet"))
        _quotes(out, item.citations, annex)
    out.append(Heading(2, "Prioritised recommendations"))
    if not review.priorities:
        out.append(para("The panel made no recommendations."))
    theme_of = {r.text: t.theme_name for t in review.themes for r in t.recommendations}
    for rec in review.priorities:
        where = theme_of.get(rec.text, "the whole strategy")
        shared = f" Also under: {', '.join(rec.also_in)}." if rec.also_in else ""
        said = labelled(f"{rec.priority.title()}, {where}", _claim_text(rec, annex) + shared)
        out.append(Para(said, "numbered"))


def _why(item: ThemeAssessment) -> str:
    """The verdict's reason in words (the report's rationale carries similarity scores)."""
    closest = item.best_match or "no current theme"
    return {
        "reinstate": f"The documents give {item.theme} real weight and no current theme "
        f"carries it (closest: {closest}).",
        "fold_into_existing": f"The documents support {item.theme}; {closest} is close enough "
        "to carry it if its objectives say so explicitly.",
        "not_needed": f"The documents give {item.theme} only partial support; {closest} is the "
        "closest theme.",
        "no_evidence": f"The documents say little about {item.theme}.",
    }[item.verdict]


def _decisions(out: list[Block], review: StrategyReview) -> None:
    names = {t.theme_id: t.theme_name for t in review.themes}
    counts = [
        f"{n} {verdict}"
        for verdict in ("accepted", "rejected", "deferred")
        if (n := sum(d.verdict == verdict for d in review.decisions))
    ]
    out.append(
        para(
            f"The chair has decided on {len(review.decisions)} recommendation(s): "
            + ", ".join(counts)
            + "."
        )
    )
    rows = tuple(
        (
            names.get(d.theme_id, d.theme_id),
            str(d.number),
            reading(d.recommendation),
            d.verdict,
            reading(d.reason) or "—",
        )
        for d in review.decisions
    )
    out.append(Table(("Theme", "No.", "Recommendation", "Decision", "Reason"), rows))
    accepted = [d for d in review.decisions if d.verdict == "accepted"]
    if accepted:
        out.append(Heading(2, "Accepted: the action list"))
        header = ("Recommendation", *ACTION_FIELDS.values())
        out.append(Table(header, tuple(_action_row(review, d) for d in accepted)))


def _action_row(review: StrategyReview, decision: Decision) -> tuple[str, ...]:
    theme = next(t for t in review.themes if t.theme_id == decision.theme_id)
    rec = theme.recommendations[decision.number - 1]
    return (reading(rec.text), *(getattr(rec, name) or NOT_GIVEN for name in ACTION_FIELDS))


def _annex(out: list[Block], annex: Annex) -> None:
    out.append(
        para(
            "Each passage cited in this pack, once, under the number the text gives it. The "
            "reference after the place is the passage's id in the review's evidence index."
        )
    )
    for evidence_id, number in annex.numbers.items():
        citations = annex.quotes[evidence_id]
        first = citations[0]
        out.append(Heading(3, f"E{number}. {first.title}"))
        where = annex.where(first)
        out.append(para(f"{where[:1].upper()}{where[1:]}. Reference {evidence_id}."))
        out += [Quote(f"“{citation.quote}”") for citation in citations]
