"""A strategy drafted in Word: ``parse_docx_outline`` turns a ``.docx`` into the raw dict the
Markdown outline gives (``load_strategy`` validates it), raising ``StrategyError`` in a sentence.

How the document is read, in the order of its body:

- **Title**: the document's title property (File > Info), or else the first heading above the
  theme level (a paragraph in Word's Title style, or a Heading 1 when the themes are Heading 2),
  or else the file's name.
- **Themes**: each Heading 2, or each Heading 1 when the document has no Heading 2; a number
  typed before the name ("1. ", "2.3 ") is dropped from it. Empty headings are skipped. Deeper
  headings inside a theme are subsections: their text is not kept, what is under them still
  belongs to the theme. Headings above the theme level (an "Introduction" Heading 1) end the
  theme before them; text under them is not read.
- **Summary**: the theme's paragraphs before its first list item.
- **Objectives**: list items, i.e. paragraphs that Word numbers or bullets (numbering of their
  own, or from a style such as List Bullet or List Number), paragraphs in another style named
  "List ..." (but List Paragraph and List Continue, which Word uses for text under an item), and
  paragraphs typed with a bullet or a number ("• ", "- ", "1. "). A line break (Shift+Enter) in
  an item puts the rest of the item into its description.
- **Descriptions**: once a theme's list has begun, every other paragraph describes the objective
  above it (indented or not), until the theme ends.
- **Previous strategy**: a heading of any level with "previous" in it, as in the Markdown
  outline; the list items under it are the themes the draft dropped.
- **Glossary**: a heading of any level starting "Glossary" or "Abbreviations"; each list item,
  and each plain paragraph that reads like one, is an entry "ABBR: what it stands for" (or
  "ABBR = ...", "ABBR - ..."). Neither of these two headings is ever a theme.
- **Organisation**: a paragraph "Organisation: ..." before the first theme.
- **Tracked changes**: text as if every change were accepted: inserted text counts, deleted
  (and moved-away) text does not.
- **Tables**, text boxes, headers, footers, footnotes and comments are not read: objectives and
  summaries belong in the body text.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.strategy import StrategyError, slug

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_KEPT = "not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent)"
_BODY_TEXT = f".//w:t[{_KEPT}] | .//w:br[{_KEPT}] | .//w:r/w:tab[{_KEPT}]"
_HEADING_STYLE = re.compile(r"^Heading ([1-9])$")
_TYPED_BULLET = re.compile(r"^(?:[•◦▪‣·*–-]|\d{1,2}[.)])[ \t]+(.*\S)", re.DOTALL)
_CONTINUATION_STYLE = re.compile(r"^List (Paragraph|Continue)")
_ORGANISATION = re.compile(r"^organi[sz]ation\s*:\s*(.+)$", re.IGNORECASE)
_GLOSSARY = re.compile(r"^(glossary|abbreviations)\b", re.IGNORECASE)
_PREVIOUS = re.compile(r"previous", re.IGNORECASE)
_TYPED_NUMBER = re.compile(r"^(?:\d+[.)]|\d+(?:\.\d+)+)\s+(?=\S)")
_ENTRY = re.compile(r"^(\S+?)\s*(?::|=|\s[-–]\s)\s*(.+)$")


@dataclass
class _Block:
    """One paragraph of the body, as the outline sees it."""

    text: str
    level: int | None  # 0 for Title, 1-9 for Heading N, None for any other paragraph
    listed: bool
    heading_number: int = 0  # its place among the document's headings (headings only)
    table: bool = False  # a table stands in the body here (its text is not read)


@dataclass
class _Section:
    """A theme, the previous-strategy list or the glossary, while it is being read."""

    kind: str  # "theme", "previous", "glossary" or "ignored"
    heading: _Block | None = None
    theme: dict[str, Any] = field(default_factory=dict)
    has_table: bool = False


def parse_docx_outline(path: Path) -> dict[str, Any]:
    """The strategy in the Word document at ``path``, in the TOML shape (not yet validated)."""
    document = _open(path)
    blocks = list(_blocks(document))
    theme_level = 2 if any(b.level == 2 and not _special(b.text) for b in blocks) else 1
    raw: dict[str, Any] = {"title": document.core_properties.title.strip(), "theme": []}
    section = _Section("ignored")
    for block in blocks:
        if block.table:
            section.has_table = True
        elif block.level is not None and (block.level <= theme_level or _special(block.text)):
            _finish(section, path, raw)
            section = _open_section(block, theme_level, raw)
        elif block.level is None:
            _read_into(section, block, raw, path)
    _finish(section, path, raw)
    raw["title"] = raw["title"] or path.stem
    if not raw["theme"]:
        raise StrategyError(
            f"{path}: no themes found; give each theme a heading in Word's Heading 2 style (or "
            "Heading 1) with its objectives as a list under it (text typed in bold is not a "
            "heading to Word)."
        )
    return raw


def _open(path: Path) -> Any:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        return Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError) as exc:
        raise StrategyError(
            f"{path} is not a Word document python-docx can open; save it again from Word as .docx."
        ) from exc


def _blocks(document: Any) -> Iterator[_Block]:
    """The body's non-empty paragraphs in order, and a block with no text for each table."""
    from docx.text.paragraph import Paragraph

    headings = 0
    for element in _body_elements(document.element.body):
        if element.tag == f"{_W}tbl":
            yield _Block("", None, False, table=True)
            continue
        paragraph = Paragraph(element, document)
        text = _accepted_text(element)
        if not text.strip():
            continue
        style = paragraph.style.name if paragraph.style is not None else ""
        level = _heading_level(style or "")
        if level is not None:  # Title (level 0) is not numbered among the headings, as in Word
            headings += level > 0
            yield _Block(" ".join(text.split()), level, False, headings if level else 0)
        else:
            typed = _TYPED_BULLET.match(text.strip())
            listed = _is_list_item(paragraph, style or "") or typed is not None
            yield _Block(typed.group(1) if typed else text.strip(), None, listed)


def _body_elements(parent: Any) -> Iterator[Any]:
    """Paragraphs and tables in body order, looking inside content controls (``w:sdt``)."""
    for child in parent.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_elements(content)


def _accepted_text(element: Any) -> str:
    """The paragraph's text with tracked changes accepted; a line break is "\\n"."""
    parts = []
    for node in element.xpath(_BODY_TEXT):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}br" and node.get(f"{_W}type") in (None, "textWrapping"):
            parts.append("\n")
        else:
            parts.append(" ")
    return "".join(parts)


def _heading_level(style: str) -> int | None:
    if style == "Title":
        return 0
    match = _HEADING_STYLE.match(style)
    return int(match.group(1)) if match else None


def _is_list_item(paragraph: Any, style: str) -> bool:
    """Numbered or bulleted by Word (its own numbering, else its style's), or in a list style."""
    ppr = paragraph._p.pPr
    own = ppr.numPr if ppr is not None else None
    if own is not None and own.numId is not None:
        return bool(own.numId.val)  # numbering id 0 takes a style's numbering off
    current = paragraph.style
    while current is not None:
        if current.element.pPr is not None and current.element.pPr.numPr is not None:
            return True
        current = current.base_style
    return "List" in style and not _CONTINUATION_STYLE.match(style)


def _special(heading: str) -> bool:
    """A heading that starts the previous strategy's themes or the glossary, not a theme."""
    return bool(_PREVIOUS.search(heading) or _GLOSSARY.match(heading))


def _open_section(block: _Block, theme_level: int, raw: dict[str, Any]) -> _Section:
    if _PREVIOUS.search(block.text):
        raw["previous"] = {"title": block.text, "themes": []}
        return _Section("previous", block)
    if _GLOSSARY.match(block.text):
        raw.setdefault("glossary", {})
        return _Section("glossary", block)
    if block.level == theme_level:
        name = _TYPED_NUMBER.sub("", block.text)
        theme = {"id": slug(name), "name": name, "summary": "", "objectives": []}
        raw["theme"].append(theme)
        return _Section("theme", block, theme)
    if not raw["title"] and not raw["theme"]:
        raw["title"] = block.text
    return _Section("ignored", block)


def _read_into(section: _Section, block: _Block, raw: dict[str, Any], path: Path) -> None:
    """One paragraph into the section it is under."""
    text = " ".join(block.text.split())
    if section.kind == "theme":
        _read_theme_paragraph(section.theme, block)
    elif section.kind == "previous" and block.listed:
        raw["previous"]["themes"].append(text)
    elif section.kind == "glossary":
        match = _ENTRY.match(text)
        if match:
            raw["glossary"][match.group(1)] = match.group(2).strip()
        elif block.listed:
            raise StrategyError(
                f'{path}: the glossary entry "{text}" under "{_name(section)}" should read '
                "'ABBR: what it stands for', e.g. '10YP: NHS 10 Year Health Plan'."
            )
    elif not raw["theme"] and (match := _ORGANISATION.match(text)):
        raw["organisation"] = match.group(1).strip()


def _read_theme_paragraph(theme: dict[str, Any], block: _Block) -> None:
    objectives = theme["objectives"]
    if block.listed:
        title, _, rest = block.text.partition("\n")
        objectives.append({"title": title.strip(), "description": " ".join(rest.split())})
    elif objectives:
        described = f"{objectives[-1]['description']} {' '.join(block.text.split())}"
        objectives[-1]["description"] = described.strip()
    else:
        theme["summary"] = f"{theme['summary']} {' '.join(block.text.split())}".strip()


def _finish(section: _Section, path: Path, raw: dict[str, Any]) -> None:
    """Refuse a theme that has no objectives, naming its heading."""
    if section.kind != "theme" or section.theme["objectives"] or section.heading is None:
        return
    number = section.heading.heading_number
    fix = "put them as a bulleted or numbered list under it"
    if section.has_table:
        fix += " (text in tables is not read)"
    elif number == 1 and not raw["title"]:
        fix += ", or if it is the document's title, give it Word's Title style"
    raise StrategyError(
        f'{path}: the theme "{_name(section)}" (heading {number} of the document) has no '
        f"objectives; {fix}."
    )


def _name(section: _Section) -> str:
    return section.heading.text if section.heading is not None else ""
