"""The PDF renderer of a document ``Outline`` (``render``), on reportlab's platypus: a title page,
a contents page with page numbers (reportlab's ``TableOfContents``, filled by a multi-pass
build), PDF bookmarks for headings 1-2, page numbers in the footer, tables with a light grid.

Only the PDF standard fonts are used (Helvetica, with reportlab's Symbol and ZapfDingbats
fallbacks), so nothing is embedded and nothing has to be installed. They show Windows-1252
(curly quotes, dashes, £, €, ...) and the Symbol glyphs (arrows, ≤, ≥, Greek); any other
character is replaced by a close ASCII spelling (``printable``) rather than drawn as a box.
"""

from __future__ import annotations

import io
import unicodedata
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.tableofcontents import TableOfContents

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

MARGIN = 2 * cm
GRID = colors.HexColor("#9BB3D6")
HEADER_FILL = colors.HexColor("#DCE6F2")
QUOTE_FILL = colors.HexColor("#F4F5FA")
TOC_TABLE = [  # reportlab's contents table, with less padding: a long contents fits a page
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 1),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
]
ASCII_FOR = {  # characters the standard fonts lack, spelt in ASCII
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2015": "--",
    "\u2212": "-",
    "\u2032": "'",
    "\u2033": '"',
    "\u2043": "-",
    "\u2190": "<-",
    "\u2192": "->",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2713": "v",
    "\u2717": "x",
}
_FONT = pdfmetrics.getFont("Helvetica")
_ENCODINGS = [f.encName for f in (_FONT, *_FONT.substitutionFonts)]


def printable(text: str) -> str:
    """``text`` with each character the standard fonts cannot show replaced by a close ASCII
    spelling (a table, then the character's decomposition: "ő" -> "o", "ﬁ" -> "fi"), or "?"."""
    if all(_shown(ch) for ch in text):
        return text
    return "".join(ch if _shown(ch) else _ascii(ch) for ch in text)


def _shown(ch: str) -> bool:
    if unicodedata.category(ch) == "Cc":
        return ch in "\t\n"
    for encoding in _ENCODINGS:
        try:
            ch.encode(encoding)
        except UnicodeEncodeError:
            continue
        return True
    return False


def _ascii(ch: str) -> str:
    if ch in ASCII_FOR:
        return ASCII_FOR[ch]
    category = unicodedata.category(ch)
    if category == "Cf":  # zero-width and other invisible format characters
        return ""
    if category[0] in "CZ":  # control characters, line and other spaces
        return " "
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = "".join(c for c in decomposed if c != ch and _shown(c) and not unicodedata.combining(c))
    return kept or "?"


def markup(text: str) -> str:
    """Plain text as reportlab Paragraph markup: printable, with &, < and > escaped."""
    return escape(printable(text))


def _inline(content: tuple[Inline, ...]) -> str:
    parts = []
    for part in content:
        if isinstance(part, Break):
            parts.append("<br/>")
        elif part.bold:
            parts.append(f"<b>{markup(part.text)}</b>")
        else:
            parts.append(markup(part.text))
    return "".join(parts)


def _styles() -> StyleSheet1:
    """The sample style sheet, with the pack's own styles added."""
    sheet = getSampleStyleSheet()
    body = sheet["BodyText"]
    body.spaceAfter = 6
    for level, space in ((1, 14), (2, 10), (3, 8)):
        sheet[f"Heading{level}"].keepWithNext = 1
        sheet[f"Heading{level}"].spaceBefore = space
    sheet["Title"].fontSize, sheet["Title"].leading = 26, 32
    sheet.add(ParagraphStyle("Subtitle", sheet["Heading2"], alignment=TA_CENTER))
    sheet.add(ParagraphStyle("Contents", sheet["Heading1"], spaceAfter=12))
    sheet.add(ParagraphStyle("Fact", body, fontSize=11, leading=15, spaceAfter=4))
    sheet.add(ParagraphStyle("Point", body, leftIndent=16, bulletIndent=4, spaceAfter=3))
    sheet.add(
        ParagraphStyle(
            "QuoteText",
            body,
            fontName="Helvetica-Oblique",
            leftIndent=18,
            rightIndent=12,
            backColor=QUOTE_FILL,
            borderPadding=(4, 6, 4, 6),
            spaceBefore=4,
            spaceAfter=10,
        )
    )
    sheet.add(ParagraphStyle("Cell", body, fontSize=9, leading=11, spaceAfter=0))
    sheet.add(ParagraphStyle("HeaderCell", sheet["Cell"], fontName="Helvetica-Bold"))
    sheet.add(ParagraphStyle("Toc1", body, fontSize=11, leading=14, spaceBefore=6, spaceAfter=0))
    sheet.add(ParagraphStyle("Toc2", body, leading=12, leftIndent=18, spaceBefore=0, spaceAfter=0))
    return sheet


class _Pack(BaseDocTemplate):
    """A document whose headings 1-2 feed the contents and the PDF's bookmarks."""

    def __init__(self, out: io.BytesIO, outline: Outline) -> None:
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=outline.title,
            subject=outline.subject,
            author="strategy-review",
            creator="strategy-review",
        )
        self.footer = printable(outline.title)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates(
            [
                PageTemplate(id="title", frames=[frame]),
                PageTemplate(id="body", frames=[frame], onPage=self._footer),
            ]
        )

    def _footer(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.grey)
        y = MARGIN / 2
        canvas.drawString(self.leftMargin, y, self.footer)
        canvas.drawRightString(self.leftMargin + self.width, y, f"Page {doc.page}")
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        level = getattr(flowable, "toc_level", None)
        if level is None:
            return
        key = flowable.toc_key
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=level > 0)
        self.notify("TOCEntry", (level, flowable.toc_markup, self.page, key))


def render(outline: Outline) -> bytes:
    """The outline as a PDF document (the bytes of a .pdf file)."""
    out = io.BytesIO()
    doc = _Pack(out, outline)
    doc.multiBuild(_story(outline, _styles(), doc.width))
    return out.getvalue()


def _story(outline: Outline, styles: StyleSheet1, width: float) -> list[Flowable]:
    story: list[Flowable] = []
    numbered = 0
    for block in outline.blocks:
        numbered = numbered + 1 if isinstance(block, Para) and block.kind == "numbered" else 0
        if isinstance(block, TitlePage):
            story += _title_page(block, styles)
        elif isinstance(block, Contents):
            story.append(Paragraph("Contents", styles["Contents"]))
            levels = [styles["Toc1"], styles["Toc2"]]
            story.append(TableOfContents(levelStyles=levels, tableStyle=TOC_TABLE, dotsMinLevel=0))
        elif isinstance(block, PageBreak):
            story.append(PdfPageBreak())
        elif isinstance(block, Heading):
            story.append(_heading(block, styles, len(story)))
        elif isinstance(block, Para):
            bullet = {"body": None, "bullet": "\u2022", "numbered": f"{numbered}."}[block.kind]
            style = styles["BodyText"] if bullet is None else styles["Point"]
            story.append(Paragraph(_inline(block.content), style, bulletText=bullet))
        elif isinstance(block, Quote):
            text = markup(block.text)
            if block.source:
                text += f'<br/><font name="Helvetica">{markup(block.source)}</font>'
            story.append(Paragraph(text, styles["QuoteText"]))
        elif isinstance(block, Table):
            story.append(_table(block, styles, width))
    return story


def _title_page(page: TitlePage, styles: StyleSheet1) -> list[Flowable]:
    flowables: list[Flowable] = [
        NextPageTemplate("body"),
        Spacer(1, 5 * cm),
        Paragraph(markup(page.title), styles["Title"]),
        Paragraph(markup(page.subtitle), styles["Subtitle"]),
        Spacer(1, 2 * cm),
    ]
    for label, value in page.facts:
        flowables.append(Paragraph(f"<b>{markup(label)}:</b> {markup(value)}", styles["Fact"]))
    return flowables


def _heading(heading: Heading, styles: StyleSheet1, index: int) -> Paragraph:
    text = markup(heading.text)
    paragraph = Paragraph(text, styles[f"Heading{heading.level}"])
    if heading.level <= 2:  # headings 1-2 in the contents and bookmarks, as in Word's field
        paragraph.toc_level = heading.level - 1
        paragraph.toc_key = f"h{index}"
        paragraph.toc_markup = text
    return paragraph


def _table(table: Table, styles: StyleSheet1, width: float) -> PdfTable:
    """A table with a shaded header row (repeated on each page) and a light grid; columns
    as wide as their text asks, within the page."""
    columns = list(zip(table.header, *table.rows, strict=True))
    weights = [
        min(max(max(len(w) for w in cell.split() or [""]) for cell in column), 40)
        + min(max(len(cell) for cell in column), 60)
        + 6
        for column in columns
    ]
    widths = [width * w / sum(weights) for w in weights]
    data = [[Paragraph(markup(cell), styles["HeaderCell"]) for cell in table.header]]
    data += [[Paragraph(markup(cell), styles["Cell"]) for cell in row] for row in table.rows]
    grid = PdfTable(data, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    grid.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )
    return grid
