"""The board pack as PDF (``review export RUN --format pdf``), read back with pypdf.

The same saved two-theme run as ``test_board_pack`` (a scripted panel's finished run in
``tests/fixtures/runs``); each test exports its own copy, some after changing its report.json.
The Word and the PDF pack are rendered from one outline, so the PDF must hold every paragraph
and table cell of the Word pack, in the same order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from orchestration.cli.entry import main
from orchestration.record.export import export_run
from orchestration.report.pdf import printable
from orchestration.review_models import strategy_citations
from tests.helpers import copy_saved_run, read_review, write_review

ANNEX = "Evidence annex"
SECTIONS = [
    "About this review",
    "Theme 1: Talent",
    "Theme 2: Inclusion",
    "Dissent",
    "The whole strategy",
    ANNEX,
]
EVIDENCE_ID = re.compile(r"[A-Z0-9-]+#\d+")
SCORE = re.compile(r"\b0\.\d\d\b")
FOOTER = re.compile(r"^.*: panel review\nPage \d+\n")  # extracted first: drawn as a page begins


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's copy of the saved run, in a transcripts folder the command line uses."""
    return copy_saved_run(tmp_path, monkeypatch)


def _export(folder: Path) -> PdfReader:
    path = export_run(folder, "pdf")
    assert path == folder / "export.pdf"
    return PdfReader(path)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pages(pdf: PdfReader) -> list[str]:
    """Each page's text, its footer taken out."""
    return [FOOTER.sub("", page.extract_text()) for page in pdf.pages]


def _sections(pdf: PdfReader) -> list[tuple[str, int]]:
    """The top-level bookmarks: each section's heading and its page (from 1)."""
    return [
        (item.title, pdf.get_destination_page_number(item) + 1)
        for item in pdf.outline
        if not isinstance(item, list)
    ]


def _body_and_annex(pdf: PdfReader) -> tuple[str, str]:
    """The text before the annex heading (title and contents pages included), and after it."""
    pages = _pages(pdf)
    at = dict(_sections(pdf))[ANNEX] - 1
    before, heading, after = pages[at].partition(ANNEX + "\n")
    assert heading, "the annex heading is not on the page its bookmark names"
    return "\n".join([*pages[:at], before]), "\n".join([after, *pages[at + 1 :]])


def test_the_title_page_names_the_strategy_and_the_run(run):
    pdf = _export(run)
    title_page = pdf.pages[0].extract_text().splitlines()
    assert title_page[0] == "Workforce Strategy 2026-2031"
    assert "Review run: 20261124-090000-demo01" in title_page
    assert "Organisation: Leeds Community Healthcare NHS Trust" in title_page
    assert "Panel models: local:SmolLM2-135M-Instruct" in title_page
    assert not any(line.startswith("Page ") for line in title_page)  # no footer on it
    assert pdf.metadata is not None
    assert pdf.metadata.title == "Workforce Strategy 2026-2031: panel review"


def test_the_contents_give_each_section_and_its_page(run):
    pdf = _export(run)
    sections = _sections(pdf)
    assert [title for title, _ in sections] == SECTIONS
    contents = pdf.pages[1].extract_text(extraction_mode="layout")
    assert contents.split()[0] == "Contents"
    listed = dict(re.findall(r"(?m)^\s*(\S.*?)\s+(?:\.\s+)+(\d+)$", contents))
    pages = _pages(pdf)
    for title, page in sections:
        assert listed[title] == str(page), title  # the page its bookmark names
        assert re.search(rf"(^|\n){re.escape(title)}\n", pages[page - 1]), title
    assert "Gaps" in listed and "Recommendations" in listed  # headings 2 are listed too
    assert min(int(n) for n in listed.values()) == 3  # the body starts on page 3
    assert (
        pdf.pages[2]
        .extract_text()
        .startswith("Workforce Strategy 2026-2031: panel review\nPage 3\n")
    )


def test_the_pdf_holds_the_word_packs_text_in_the_same_order(run):
    review = read_review(run)
    review.themes[0].recommendations[0].owner = "Director of People & OD"
    write_review(run, review)
    pdf_text = _squash("\n".join(_pages(_export(run))))
    doc = Document(str(export_run(run, "docx")))
    texts: list[str] = []
    for element in doc.element.body.iterchildren():
        if element.tag == qn("w:p"):
            texts.append(Paragraph(element, doc).text)
        elif element.tag == qn("w:tbl"):
            texts += [cell.text for row in Table(element, doc).rows for cell in row.cells]
    at = 0
    for text in filter(None, map(_squash, texts[texts.index(SECTIONS[0]) :])):
        found = pdf_text.find(text, at)
        assert found >= 0, f"not in the PDF after {pdf_text[at - 80 : at]!r}: {text!r}"
        at = found + len(text)


def test_the_theme_headings_come_in_order_after_the_contents(run):
    pdf = _export(run)
    body = "\n".join(_pages(pdf)[2:])
    names = [theme.theme_name for theme in read_review(run).themes]
    at = [body.index(f"\nTheme {n}: {name}\n") for n, name in enumerate(names, start=1)]
    assert at == sorted(at)


def test_a_recommendations_quote_appears_verbatim_with_curly_quotes(run):
    review = read_review(run)
    rec = review.themes[0].recommendations[0]
    rec.owner, rec.due = "Director of People", "March 2027"
    write_review(run, review)
    text = _squash("\n".join(_pages(_export(run))))
    quote = rec.citations[0].quote
    assert f"“{_squash(quote)}” {rec.citations[0].title}" in text
    assert f"Add: {rec.text} (E8)" in text
    assert "Owner: Director of People Measure: not given Baseline: not given By: March 2027" in text


def test_the_body_has_no_evidence_ids_scores_or_agent_names(run):
    review = read_review(run)
    gap = review.themes[0].gaps[-1]
    gap.text += " [WY-HCP-WF-2022#30]"  # what a model leaves in its text
    write_review(run, review)
    body, annex = _body_and_annex(_export(run))
    assert not EVIDENCE_ID.search(body), EVIDENCE_ID.findall(body)
    assert not SCORE.search(body)
    assert "national-policy" not in body and "leeds-local" not in body
    assert gap.text.removesuffix(" [WY-HCP-WF-2022#30]") in _squash(body)
    assert EVIDENCE_ID.search(annex)  # the ids are in the annex


def test_the_annex_lists_each_cited_passage_once_with_its_quotes(run):
    review = read_review(run)
    body, annex = _body_and_annex(_export(run))
    in_pack = [c for c in strategy_citations(review) if not c.where.endswith("corpus topic")]
    cited = {c.citation.evidence_id for c in in_pack}
    squashed = _squash(annex)
    references = re.findall(r"Reference (\S+)\.(?: |$)", squashed)
    assert sorted(references) == sorted(cited)
    entries = re.findall(r"(?:^|\n)(E\d+)\. ", annex)
    assert entries == [f"E{n}" for n in range(1, len(cited) + 1)]
    body_refs = set(re.findall(r"\bE\d+\b", body))
    assert body_refs == set(entries)
    for cited_passage in in_pack:
        assert f"“{_squash(cited_passage.citation.quote)}”" in squashed


def test_typographic_characters_survive_and_others_are_spelt_plainly(run):
    review = read_review(run)
    rec = review.themes[0].recommendations[0]
    rec.owner = "“Chief People Officer” – A&E <wards>, ‘£1.2m’… — Győr → 中"
    write_review(run, review)
    text = _squash("\n".join(_pages(_export(run))))
    assert "Owner: “Chief People Officer” – A&E <wards>, ‘£1.2m’… — Gyor → ?" in text
    assert "■" not in text  # no character drawn as a black box


def test_printable_keeps_what_the_standard_fonts_show_and_spells_the_rest():
    shown = "“quotes” ‘single’ – — £ € … › é ß ≥ → α"
    assert printable(shown) == shown
    assert printable("Győr ﬁnal x\u2010y a\u200bb 中\x0bz") == "Gyor final x-y ab ? z"


def test_export_pdf_from_the_command_line_says_where_it_went(run, capsys):
    assert main(["export", run.name, "--format", "pdf"]) == 0
    out = capsys.readouterr().out.replace("\n", "")
    assert f"Wrote {run / 'export.pdf'}" in out
    assert (run / "export.pdf").read_bytes().startswith(b"%PDF-")
    assert not list(run.glob(".export.pdf.*"))  # written whole: no temporary file left


def test_a_run_without_a_report_has_no_pdf_board_pack(run, capsys):
    (run / "report.json").unlink()
    assert main(["export", run.name, "--format", "pdf"]) == 2
    assert "has no report yet" in capsys.readouterr().err
    assert not (run / "export.pdf").exists()
