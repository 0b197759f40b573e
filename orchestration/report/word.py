"""Word building blocks on python-docx that keep to Word's built-in styles (so a team can
restyle a document to its own template): a bold label and its value, a table in a built-in
table style, a contents field, and asking Word to fill fields when it opens the file."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

TABLE_STYLE = "Light Grid Accent 1"


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
