"""The board pack: a run's ``StrategyReview`` as a Word document for a board (``board_pack``).

The reading version of the report: a title page, a contents list, a section per theme (its
coverage as a table, its gaps and recommendations with their quotes), the dissent, the
whole-strategy pass, the chair's decisions and an evidence annex. The body names each source by
its title and place and refers to the annex by a short number (E1, E2, ...); evidence ids,
similarity scores, topic keywords, agent names and commands stay out of it. Only Word's built-in
styles are used (Title, Heading 1-3, List Bullet, List Number, Quote, a built-in table style), so
a team can restyle the pack to its own template.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from docx import Document
from docx.document import Document as DocxDocument

from orchestration.report.word import contents_field, labelled, table, update_fields_on_open
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
# "[LEEDS-OWS-2024#7]", "[A#1, B#2]" or a bare "A#1": evidence ids a model left in its text
EVIDENCE_IDS = re.compile(r"\s*\[[A-Z0-9][A-Z0-9-]*#\d+(?:[,;]\s*[A-Z0-9][A-Z0-9-]*#\d+)*\]")
BARE_ID = re.compile(r"\b[A-Z0-9][A-Z0-9-]*#\d+\b")


@dataclass(frozen=True)
class RunFacts:
    """What the pack says about the run beside the review (from its log and evidence)."""

    run_id: str
    models: dict[str, str] = field(default_factory=dict)
    embedding_model: str = ""
    started_at: float | None = None
    pages: dict[str, int] = field(default_factory=dict)  # evidence id -> page, paged sources


@dataclass
class Annex:
    """The cited passages, numbered E1, E2, ... in the order the body first cites them."""

    pages: dict[str, int]
    numbers: dict[str, int] = field(default_factory=dict)
    quotes: dict[str, list[Citation]] = field(default_factory=dict)

    def ref(self, citation: Citation) -> str:
        """The passage's annex number ("E3"), numbering it (and keeping the quote) if new."""
        number = self.numbers.setdefault(citation.evidence_id, len(self.numbers) + 1)
        kept = self.quotes.setdefault(citation.evidence_id, [])
        if all(c.quote != citation.quote for c in kept):
            kept.append(citation)
        return f"E{number}"

    def listed(self, citations: list[Citation]) -> str:
        """The citations' annex numbers ("E1, E4"), or an empty string."""
        return ", ".join(dict.fromkeys(self.ref(c) for c in citations))

    def refs(self, citations: list[Citation]) -> str:
        """The citations' annex numbers in brackets after a space, or an empty string."""
        listed = self.listed(citations)
        return f" ({listed})" if listed else ""

    def where(self, citation: Citation) -> str:
        """Where in its document a passage is: page and section, as far as known."""
        page = self.pages.get(citation.evidence_id)
        parts = [f"page {page}"] if page else []
        if citation.section:
            parts.append("section “" + citation.section.replace(" > ", " › ") + "”")
        return ", ".join(parts) or "place in the document not recorded"


def reading(text: str) -> str:
    """Text for the body: evidence ids a model wrote into it taken out."""
    return BARE_ID.sub("", EVIDENCE_IDS.sub("", text)).strip()


def board_pack(review: StrategyReview, facts: RunFacts) -> bytes:
    """The review as a Word board pack (the bytes of a .docx file)."""
    doc = Document()
    doc.core_properties.title = f"{review.title}: panel review"
    doc.core_properties.subject = f"Board pack of review run {facts.run_id}"
    annex = Annex(facts.pages)
    sections = _sections(review, annex)
    _title_page(doc, review, facts)
    _contents(doc, [title for title, _ in sections])
    for title, write in sections:
        doc.add_heading(title, level=1)
        write(doc)
    update_fields_on_open(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


Section = tuple[str, Callable[[DocxDocument], None]]


def _sections(review: StrategyReview, annex: Annex) -> list[Section]:
    """Each section's heading and the function that writes its body, in order."""
    sections: list[Section] = [("About this review", lambda doc: _about(doc, review))]
    for number, theme in enumerate(review.themes, start=1):
        decided = {d.number: d for d in review.decisions if d.theme_id == theme.theme_id}
        write = partial(_theme, review=theme, decided=decided, annex=annex)
        sections.append((f"Theme {number}: {theme.theme_name}", write))
    sections += [
        ("Dissent", lambda doc: _dissent(doc, review)),
        ("The whole strategy", lambda doc: _whole_strategy(doc, review, annex)),
    ]
    if review.decisions:
        sections.append(("The chair's decisions", lambda doc: _decisions(doc, review)))
    sections.append(("Evidence annex", lambda doc: _annex(doc, annex)))
    return sections


def _title_page(doc: DocxDocument, review: StrategyReview, facts: RunFacts) -> None:
    doc.add_paragraph(review.title, style="Title")
    doc.add_paragraph("Panel review: board pack", style="Subtitle")
    models = list(dict.fromkeys(m.split(" @ ")[0] for m in facts.models.values()))
    lines = [
        ("Organisation", review.organisation),
        ("Strategy", review.title),
        ("Review run", facts.run_id),
        ("Date of the review", _date(facts.started_at)),
        ("Panel models", ", ".join(models) or "not recorded"),
        ("Evidence search", facts.embedding_model or "not recorded"),
    ]
    for label, value in lines:
        labelled(doc.add_paragraph(), label, value)
    doc.add_page_break()


def _date(at: float | None) -> str:
    if at is None:
        return "not recorded"
    day = time.localtime(at)
    return f"{day.tm_mday} {time.strftime('%B %Y', day)}"


def _contents(doc: DocxDocument, titles: list[str]) -> None:
    """A Word contents field (filled when Word opens the file) and the section headings as a
    plain list, readable without it."""
    doc.add_paragraph("Contents", style="TOC Heading")
    contents_field(doc.add_paragraph())
    doc.add_paragraph("In this pack:")
    for title in titles:
        doc.add_paragraph(title, style="List Bullet")
    doc.add_page_break()


def _about(doc: DocxDocument, review: StrategyReview) -> None:
    doc.add_paragraph(
        f"A panel reviewed the draft {review.title} of {review.organisation}, theme by theme, "
        "against the documents below. Each objective's corpus support is labelled strong, "
        "partial or weak: how well the documents back it. Quotations are verbatim from the "
        "documents; the numbers E1, E2, ... refer to the evidence annex."
    )
    if review.corpus_documents:
        doc.add_heading("Documents reviewed", level=2)
        titles = {
            cited.citation.doc_id: cited.citation.title for cited in strategy_citations(review)
        }
        for doc_id in review.corpus_documents:
            doc.add_paragraph(titles.get(doc_id, doc_id), style="List Bullet")
    if review.corpus_limits:
        doc.add_heading("What the documents cannot speak to", level=2)
        for note in review.corpus_limits:
            doc.add_paragraph(reading(note), style="List Bullet")
    if review.glossary:
        doc.add_heading("Abbreviations in the draft", level=2)
        table(doc, ["Abbreviation", "Meaning"], [list(i) for i in review.glossary.items()])


def _theme(
    doc: DocxDocument, review: ThemeReview, decided: dict[int, Decision], annex: Annex
) -> None:
    if review.ended_early:
        doc.add_paragraph(
            "The chair ended this theme's debate early; the review was still written."
        )
    if review.chair_approved:
        doc.add_paragraph("The chair approved this review.")
    for comment in review.chair_comments:
        doc.add_paragraph(f"The chair sent this review back: “{reading(comment)}”")
    _coverage(doc, review, annex)
    _gaps(doc, review, annex)
    _recommendations(doc, review, decided, annex)
    _sign_off(doc, review)


def _coverage(doc: DocxDocument, review: ThemeReview, annex: Annex) -> None:
    doc.add_heading("Current coverage", level=2)
    if review.computed_summary:
        doc.add_paragraph(f"{review.computed_summary} ({COMPUTED_LABEL})")
    if review.summary:
        doc.add_paragraph(" ".join(_claim_text(c, annex) for c in review.summary))
    rows = [
        [item.objective, item.strength, annex.listed(item.evidence) or "none"]
        for item in review.objective_coverage
    ]
    if rows:
        table(doc, ["Objective", "Corpus support", "Evidence"], rows)


def _claim_text(claim: Claim, annex: Annex) -> str:
    label = f" ({COMPUTED_LABEL})" if claim.origin == "computed" else ""
    return f"{reading(claim.text)}{annex.refs(claim.citations)}{label}"


def _quotes(doc: DocxDocument, citations: list[Citation], annex: Annex) -> None:
    """Each citation's verbatim quote as a Quote paragraph, with its source and annex number."""
    for citation in citations:
        paragraph = doc.add_paragraph(f"“{citation.quote}”", style="Quote")
        paragraph.add_run().add_break()
        paragraph.add_run(f"{citation.title}, {annex.where(citation)} ({annex.ref(citation)})")


def _gaps(doc: DocxDocument, review: ThemeReview, annex: Annex) -> None:
    doc.add_heading("Gaps", level=2)
    if not review.gaps:
        doc.add_paragraph("The panel raised no gaps for this theme.")
    for kind, heading in GAP_HEADINGS.items():
        gaps = [g for g in review.gaps if g.kind == kind]
        if gaps:
            doc.add_heading(heading, level=3)
        for gap in gaps:
            doc.add_paragraph(_claim_text(gap, annex), style="List Bullet")
            _quotes(doc, gap.citations, annex)


def _recommendations(
    doc: DocxDocument, review: ThemeReview, decided: dict[int, Decision], annex: Annex
) -> None:
    doc.add_heading("Recommendations", level=2)
    if not review.recommendations:
        doc.add_paragraph("No recommendation for this theme beyond those made under others.")
    for number, rec in enumerate(review.recommendations, start=1):
        doc.add_heading(f"Recommendation {number} ({rec.priority} priority)", level=3)
        doc.add_paragraph(_recommendation_text(rec, annex))
        if rec.also_in:
            doc.add_paragraph(f"Also raised under: {', '.join(rec.also_in)}.")
        _action_fields(doc, rec)
        if number in decided:
            labelled(doc.add_paragraph(), "The chair's decision", _decision(decided[number]))
        _quotes(doc, rec.citations, annex)


def _recommendation_text(rec: Recommendation, annex: Annex) -> str:
    if rec.action == "change" and rec.objective and f"“{rec.objective}”" not in rec.text:
        return f"Change the objective “{rec.objective}”: {_claim_text(rec, annex)}"
    return f"{'Change' if rec.action == 'change' else 'Add'}: {_claim_text(rec, annex)}"


def _action_fields(doc: DocxDocument, rec: Recommendation) -> None:
    """Owner, measure, baseline, date and resource, one a line; "not given" where missing."""
    paragraph = doc.add_paragraph()
    for index, (name, label) in enumerate(ACTION_FIELDS.items()):
        if index:
            paragraph.add_run().add_break()
        labelled(paragraph, label, getattr(rec, name) or NOT_GIVEN)


def _decision(decision: Decision) -> str:
    return decision.verdict + (f": {decision.reason}" if decision.reason else "")


def _sign_off(doc: DocxDocument, review: ThemeReview) -> None:
    doc.add_heading("Sign-off", level=2)
    agreed = len(review.agreed)
    lines = [f"{agreed} panelist{'s' if agreed != 1 else ''} signed off this review."]
    if review.dissent:
        lines.append(f"{len(review.dissent)} dissented (see Dissent).")
    if review.invalid_sign_offs:
        lines.append(f"{len(review.invalid_sign_offs)} gave no valid sign-off.")
    if review.set_aside:
        lines.append(
            f"{len(review.set_aside)} statement(s) by the panel failed the claim checks and "
            "are left out of this pack."
        )
    if review.dropped_evidence_ids:
        lines.append(
            f"{len(review.dropped_evidence_ids)} citation(s) named passages that do not exist "
            "and were dropped."
        )
    doc.add_paragraph(" ".join(lines))


def _dissent(doc: DocxDocument, review: StrategyReview) -> None:
    dissent = [(t, d) for t in review.themes for d in t.dissent]
    if not dissent:
        doc.add_paragraph("No panelist dissented from a theme's review.")
    for theme, entry in dissent:
        paragraph = doc.add_paragraph(style="List Bullet")
        paragraph.add_run(theme.theme_name).bold = True
        paragraph.add_run(f" — {_panelist(entry.agent)}: {reading(entry.text)}")


def _panelist(agent: str) -> str:
    return PANELISTS.get(agent, f"The {agent.replace('-', ' ')} panelist")


def _whole_strategy(doc: DocxDocument, review: StrategyReview, annex: Annex) -> None:
    doc.add_heading("Missing or dropped themes", level=2)
    if not review.missing_themes:
        doc.add_paragraph("The draft keeps every theme of the previous strategy.")
    for item in review.missing_themes:
        paragraph = doc.add_paragraph(style="List Bullet")
        labelled(paragraph, item.theme, f"{VERDICTS[item.verdict]}. {_why(item)}")
        paragraph.add_run(annex.refs(item.citations))
        _quotes(doc, item.citations, annex)
    doc.add_heading("Prioritised recommendations", level=2)
    if not review.priorities:
        doc.add_paragraph("The panel made no recommendations.")
    theme_of = {r.text: t.theme_name for t in review.themes for r in t.recommendations}
    for rec in review.priorities:
        where = theme_of.get(rec.text, "the whole strategy")
        shared = f" Also under: {', '.join(rec.also_in)}." if rec.also_in else ""
        paragraph = doc.add_paragraph(style="List Number")
        labelled(paragraph, f"{rec.priority.title()}, {where}", _claim_text(rec, annex) + shared)


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


def _decisions(doc: DocxDocument, review: StrategyReview) -> None:
    names = {t.theme_id: t.theme_name for t in review.themes}
    counts = [
        f"{n} {verdict}"
        for verdict in ("accepted", "rejected", "deferred")
        if (n := sum(d.verdict == verdict for d in review.decisions))
    ]
    doc.add_paragraph(
        f"The chair has decided on {len(review.decisions)} recommendation(s): "
        + ", ".join(counts)
        + "."
    )
    rows = [
        [
            names.get(d.theme_id, d.theme_id),
            str(d.number),
            reading(d.recommendation),
            d.verdict,
            reading(d.reason) or "—",
        ]
        for d in review.decisions
    ]
    table(doc, ["Theme", "No.", "Recommendation", "Decision", "Reason"], rows)
    accepted = [d for d in review.decisions if d.verdict == "accepted"]
    if accepted:
        doc.add_heading("Accepted: the action list", level=2)
        table(
            doc,
            ["Recommendation", *ACTION_FIELDS.values()],
            [_action_row(review, d) for d in accepted],
        )


def _action_row(review: StrategyReview, decision: Decision) -> list[str]:
    theme = next(t for t in review.themes if t.theme_id == decision.theme_id)
    rec = theme.recommendations[decision.number - 1]
    return [reading(rec.text), *(getattr(rec, name) or NOT_GIVEN for name in ACTION_FIELDS)]


def _annex(doc: DocxDocument, annex: Annex) -> None:
    doc.add_paragraph(
        "Each passage cited in this pack, once, under the number the text gives it. The "
        "reference after the place is the passage's id in the review's evidence index."
    )
    for evidence_id, number in annex.numbers.items():
        citations = annex.quotes[evidence_id]
        first = citations[0]
        doc.add_heading(f"E{number}. {first.title}", level=3)
        where = annex.where(first)
        doc.add_paragraph(f"{where[:1].upper()}{where[1:]}. Reference {evidence_id}.")
        for citation in citations:
            doc.add_paragraph(f"“{citation.quote}”", style="Quote")
