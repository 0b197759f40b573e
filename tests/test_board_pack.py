"""The board pack (``review export RUN --format docx``), read back with python-docx.

Each test exports its own copy of the saved two-theme run in ``tests/fixtures/runs`` (a scripted
panel's finished run: log, report.json, evidence); some first change its report.json the way a
later run or the chair would (action fields, a model's stray evidence id, decisions)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from orchestration.cli.entry import main
from orchestration.record.event_log import read_log
from orchestration.record.export import export_run
from orchestration.review_models import Decision, strategy_citations
from tests.helpers import copy_saved_run, read_review, write_review

ANNEX = "Evidence annex"
EVIDENCE_ID = re.compile(r"[A-Z0-9-]+#\d+")
SCORE = re.compile(r"\b0\.\d\d\b")
AGENT_LABELS = ("national-policy", "leeds-local")


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's copy of the saved run, in a transcripts folder the command line uses."""
    return copy_saved_run(tmp_path, monkeypatch)


def _export(folder: Path) -> DocxDocument:
    path = export_run(folder, "docx")
    assert path == folder / "export.docx"
    return Document(str(path))


def _blocks(doc: DocxDocument) -> Iterator[Paragraph | Table]:
    """The body's paragraphs and tables, in reading order."""
    for element in doc.element.body.iterchildren():
        if element.tag == qn("w:p"):
            yield Paragraph(element, doc)
        elif element.tag == qn("w:tbl"):
            yield Table(element, doc)


def _texts(block: Paragraph | Table) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    return [cell.text for row in block.rows for cell in row.cells]


def _split_at_annex(doc: DocxDocument) -> tuple[list[Paragraph | Table], list[Paragraph]]:
    """The blocks before the annex heading, and the annex's paragraphs."""
    blocks = list(_blocks(doc))
    at = next(
        i
        for i, b in enumerate(blocks)
        if isinstance(b, Paragraph)
        and b.style is not None
        and b.style.name == "Heading 1"
        and b.text == ANNEX
    )
    return blocks[:at], [b for b in blocks[at + 1 :] if isinstance(b, Paragraph)]


def _style(paragraph: Paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def _headings(doc: DocxDocument, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if _style(p) == f"Heading {level}"]


def test_the_title_page_names_the_strategy_the_run_its_models_and_date(run):
    doc = _export(run)
    first_heading = next(i for i, p in enumerate(doc.paragraphs) if _style(p) == "Heading 1")
    title_page = [p.text for p in doc.paragraphs[:first_heading]]
    started = read_log(run / "events.jsonl").events[0]
    day = time.localtime(started.at)
    assert doc.paragraphs[0].text == "Workforce Strategy 2026-2031"
    assert _style(doc.paragraphs[0]) == "Title"
    assert "Review run: 20261124-090000-demo01" in title_page
    assert "Organisation: Leeds Community Healthcare NHS Trust" in title_page
    assert "Panel models: local:SmolLM2-135M-Instruct" in title_page
    assert f"Date of the review: {day.tm_mday} {time.strftime('%B %Y', day)}" in title_page


def test_the_contents_hold_a_word_field_and_the_section_headings_in_order(run):
    doc = _export(run)
    fields = [t.text for t in doc.element.body.iter(qn("w:instrText"))]
    assert any(f.startswith("TOC ") for f in fields)
    listed = [p.text for p in doc.paragraphs if _style(p) == "List Bullet"]
    sections = _headings(doc, 1)
    assert sections == [
        "About this review",
        "Theme 1: Talent",
        "Theme 2: Inclusion",
        "Dissent",
        "The whole strategy",
        ANNEX,
    ]
    assert listed[: len(sections)] == sections
    settings = doc.settings.element
    assert settings.find(qn("w:updateFields")) is not None  # Word fills the field on open


def test_each_theme_has_its_coverage_as_a_table_of_objectives_and_labels(run):
    review = read_review(run)
    doc = _export(run)
    body, _ = _split_at_annex(doc)
    tables = [b for b in body if isinstance(b, Table)]
    assert len(tables) == len(review.themes)
    for table, theme in zip(tables, review.themes, strict=True):
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        assert rows[0] == ["Objective", "Corpus support", "Evidence"]
        assert [r[:2] for r in rows[1:]] == [
            [item.objective, item.strength] for item in theme.objective_coverage
        ]
        assert all(re.fullmatch(r"(E\d+(, E\d+)*)|none", r[2]) for r in rows[1:])
        assert table.style is not None and table.style.name == "Light Grid Accent 1"


def test_a_recommendation_keeps_its_quote_source_and_action_fields(run):
    review = read_review(run)
    rec = review.themes[0].recommendations[0]
    rec.owner, rec.due = "Director of People", "March 2027"
    write_review(run, review)
    doc = _export(run)
    quote = rec.citations[0].quote
    quoted = [p for p in doc.paragraphs if quote in p.text and _style(p) == "Quote"]
    assert quoted, "the recommendation's quote is not in a Quote paragraph"
    assert rec.citations[0].title in quoted[0].text  # the source, by its title
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("Add: " + rec.text + " (E8)")
    fields = texts[at + 2].split("\n")  # after "Also raised under: Inclusion."
    assert fields == [
        "Owner: Director of People",
        "Measure: not given",
        "Baseline: not given",
        "By: March 2027",
        "Needs: not given",
    ]


def test_the_body_has_no_evidence_ids_scores_or_agent_names(run):
    review = read_review(run)
    gap = review.themes[0].gaps[-1]
    gap.text += " [WY-HCP-WF-2022#30]"  # what a model leaves in its text
    review.themes[1].dissent.append(review.themes[0].dissent[0].model_copy())
    review.themes[1].dissent[-1].agent = "national-policy"
    write_review(run, review)
    assert "0.57" in (run / "report.json").read_text()  # the whole-strategy pass has scores
    doc = _export(run)
    body, annex = _split_at_annex(doc)
    for text in (t for block in body for t in _texts(block)):
        assert not EVIDENCE_ID.search(text), text
        assert not SCORE.search(text), text
        assert not any(label in text for label in AGENT_LABELS), text
        assert "review show" not in text and "`" not in text
    texts = [t for block in body for t in _texts(block)]
    assert "Emerging priorities not yet in the objectives" in texts
    stripped = gap.text.removesuffix(" [WY-HCP-WF-2022#30]")
    assert any(re.fullmatch(re.escape(stripped) + r" \(E\d+\).*", t) for t in texts)
    assert any("The national policy panelist: Bank staff absent." in t for t in texts)
    assert annex  # the ids are in the annex


def test_the_annex_lists_each_cited_passage_once_under_the_body_numbers(run):
    review = read_review(run)
    doc = _export(run)
    body, annex = _split_at_annex(doc)
    in_pack = [c for c in strategy_citations(review) if not c.where.endswith("corpus topic")]
    cited = {c.citation.evidence_id for c in in_pack}  # corpus topics are keyword labels: out
    entries = [p.text for p in annex if _style(p) == "Heading 3"]
    assert [e.split(".")[0] for e in entries] == [f"E{n}" for n in range(1, len(cited) + 1)]
    references = [m for p in annex for m in re.findall(r"Reference (\S+)\.$", p.text)]
    assert sorted(references) == sorted(cited)
    body_refs = {r for b in body for t in _texts(b) for r in re.findall(r"\bE\d+\b", t)}
    assert body_refs == {e.split(".")[0] for e in entries}
    quotes = {p.text for p in annex if _style(p) == "Quote"}
    assert {f"“{c.citation.quote}”" for c in in_pack} <= quotes


def test_the_chairs_decisions_have_their_own_section(run):
    review = read_review(run)
    first, second = review.themes[0].recommendations
    review.decisions = [
        Decision(theme_id="talent", number=1, recommendation=first.text, verdict="accepted"),
        Decision(
            theme_id="talent",
            number=2,
            recommendation=second.text,
            verdict="rejected",
            reason="The ATS is being replaced.",
        ),
    ]
    write_review(run, review)
    doc = _export(run)
    assert "The chair's decisions" in _headings(doc, 1)
    texts = [p.text for p in doc.paragraphs]
    assert "The chair's decision: rejected: The ATS is being replaced." in texts
    decided = next(t for t in doc.tables if t.rows[0].cells[0].text == "Theme")
    rows = [[c.text for c in row.cells] for row in decided.rows[1:]]
    assert rows == [
        ["Talent", "1", first.text, "accepted", "—"],
        ["Talent", "2", second.text, "rejected", "The ATS is being replaced."],
    ]
    actions = doc.tables[-1]
    assert [c.text for c in actions.rows[1].cells][:2] == [first.text, "not given"]


def test_export_docx_from_the_command_line_says_where_it_went(run, capsys):
    assert main(["export", run.name, "--format", "docx"]) == 0
    out = capsys.readouterr().out.replace("\n", "")
    assert f"Wrote {run / 'export.docx'}" in out
    assert Document(str(run / "export.docx")).paragraphs[0].text == "Workforce Strategy 2026-2031"
    assert not list(run.glob(".export.docx.*"))  # written whole: no temporary file left


def test_a_run_without_a_report_has_no_board_pack(run, capsys):
    (run / "report.json").unlink()
    assert main(["export", run.name, "--format", "docx"]) == 2
    assert "has no report yet" in capsys.readouterr().err
    assert not (run / "export.docx").exists()
