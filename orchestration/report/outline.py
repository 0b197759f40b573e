"""A format-neutral document outline: what a document says, block by block, for a renderer
(``orchestration.report.word`` for Word, ``orchestration.report.pdf`` for PDF) to lay out.

A document is an ``Outline``: its title, a subject line and a list of blocks. Text inside a
block is a tuple of ``Span`` (a piece of text, bold or not) and ``Break`` (a line break inside
the block), so a renderer never has to parse markup out of the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Span:
    """A piece of text in a block, bold or plain."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class Break:
    """A line break inside a block."""


Inline = Span | Break


def labelled(label: str, value: str) -> tuple[Inline, ...]:
    """The spans of a bold label and its value: "**label:** value"."""
    return (Span(f"{label}: ", bold=True), Span(value))


@dataclass(frozen=True)
class TitlePage:
    """The document's opening page: a title, a subtitle and labelled facts, one a line."""

    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Contents:
    """A contents list of headings 1-2; ``titles`` are the level-1 headings, for a renderer
    that cannot number pages itself to list them plainly."""

    titles: tuple[str, ...]


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


@dataclass(frozen=True)
class Heading:
    """A heading, level 1 (a section) to 3."""

    level: int
    text: str


@dataclass(frozen=True)
class Para:
    """A paragraph of body text, a bullet point or a numbered point."""

    content: tuple[Inline, ...]
    kind: Literal["body", "bullet", "numbered"] = "body"


def para(text: str, kind: Literal["body", "bullet", "numbered"] = "body") -> Para:
    """A paragraph of plain text (no span at all when the text is empty)."""
    return Para((Span(text),) if text else (), kind)


@dataclass(frozen=True)
class Quote:
    """A verbatim quotation (``text`` holds its quotation marks), with the line naming its
    source under it, if any."""

    text: str
    source: str = ""


@dataclass(frozen=True)
class Table:
    """A table: a header row, then rows of plain text cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = TitlePage | Contents | PageBreak | Heading | Para | Quote | Table


@dataclass
class Outline:
    """A whole document: its title and subject (for the file's properties) and its blocks."""

    title: str
    subject: str
    blocks: list[Block] = field(default_factory=list)
