"""The Word renderer of a document ``Outline`` (``render``), on python-docx, keeping to Word's
built-in styles so a team can restyle a document to its own template: Title, Subtitle, Heading
1-3, List Bullet, List Number, Quote, TOC Heading and a built-in table style. The contents are a
Word field that Word fills when it opens the file."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from orchestration.report.outline import (
    Break,
    Contents,
    Heading,
    Inline,
    Outline,
    PageBreak,
    Para,
    Quote,
    Table,
    TitlePage,
)

TABLE_STYLE = "Light Grid Accent 1"
LIST_STYLES = {"body": None, "bullet": "List Bullet", "numbered": "List Number"}


def render(outline: Outline) -> bytes:
    """The outline as a Word document (the bytes of a .docx file)."""
    doc = Document()
    doc.core_properties.title = outline.title
    doc.core_properties.subject = outline.subject
    for block in outline.blocks:
        if isinstance(block, TitlePage):
            doc.add_paragraph(block.title, style="Title")
            doc.add_paragraph(block.subtitle, style="Subtitle")
            for label, value in block.facts:
                labelled(doc.add_paragraph(), label, value)
        elif isinstance(block, Contents):
            _contents(doc, block)
        elif isinstance(block, PageBreak):
            doc.add_page_break()
        elif isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            _inline(doc.add_paragraph(style=LIST_STYLES[block.kind]), block.content)
        elif isinstance(block, Quote):
            paragraph = doc.add_paragraph(block.text, style="Quote")
            if block.source:
                paragraph.add_run().add_break()
                paragraph.add_run(block.source)
        elif isinstance(block, Table):
            table(doc, list(block.header), [list(row) for row in block.rows])
    update_fields_on_open(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _inline(paragraph: Paragraph, content: tuple[Inline, ...]) -> None:
    """Add the spans (a bold run where bold) and line breaks to ``paragraph``."""
    for part in content:
        if isinstance(part, Break):
            paragraph.add_run().add_break()
        else:
            run = paragraph.add_run(part.text)
            if part.bold:
                run.bold = True


def _contents(doc: DocxDocument, contents: Contents) -> None:
    """A Word contents field (filled when Word opens the file) and the section headings as a
    plain list, readable without it."""
    doc.add_paragraph("Contents", style="TOC Heading")
    contents_field(doc.add_paragraph())
    doc.add_paragraph("In this pack:")
    for title in contents.titles:
        doc.add_paragraph(title, style="List Bullet")


def labelled(paragraph: Paragraph, label: str, value: str) -> Paragraph:
    """Add "**label:** value" to ``paragraph``."""
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)
    return paragraph


def contents_field(paragraph: Paragraph) -> None:
    """A Word contents field (headings 1-2, as links) in ``paragraph``, with a placeholder
    until Word updates it."""
    parts: list[tuple[str, str]] = [
        ("begin", ""),
        ("instr", 'TOC \\o "1-2" \\h \\z \\u'),
        ("separate", ""),
        ("text", "The contents appear here when Word updates the document's fields."),
        ("end", ""),
    ]
    for kind, text in parts:
        run = paragraph.add_run(text if kind == "text" else "")
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
            run._r.append(element)
        elif kind != "text":
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)


def update_fields_on_open(doc: DocxDocument) -> None:
    """Ask Word to update the document's fields (the contents) when it opens the file."""
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    compat = settings.find(qn("w:compat"))  # the schema puts updateFields before compat
    if compat is not None:
        compat.addprevious(update)
    else:
        settings.append(update)


def table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    """A table in the built-in ``TABLE_STYLE``: a header row, then ``rows``."""
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = TABLE_STYLE
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = text
