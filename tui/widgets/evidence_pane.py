"""The evidence pane: the passages behind the selected message or claim, each with its
document, section and full text, and the quoted span highlighted."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tools.evidence import Passage
from tools.quotes import best_quote
from tui.passages import PassageBook


def passage_view(passage: Passage, quote: str | None) -> RenderableType:
    """One passage: id, document and section, then its text with ``quote`` highlighted."""
    where = f"{passage.title} › {passage.section}" + (
        f" (p. {passage.page})" if passage.page else ""
    )
    body = Text(passage.text)
    if quote and (at := passage.text.find(quote)) >= 0:
        body.stylize("bold black on yellow", at, at + len(quote))
    return Group(
        Text(passage.id, style="bold"),
        Text(where, style="dim"),
        body,
        Text(""),
    )


class EvidencePane(VerticalScroll):
    """Shows passages by evidence id; see the module docstring."""

    def __init__(self, book: PassageBook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.book = book
        self.border_title = "Evidence"

    def compose(self) -> ComposeResult:
        yield Static("Select a message or a claim to see the passages behind it.", id="passages")

    def show(
        self,
        evidence_ids: list[str],
        claim: str = "",
        quotes: dict[str, str] | None = None,
        context_ids: list[str] | None = None,
    ) -> None:
        """Show the cited passages, then those the agent was given (``context_ids``). The
        highlight is ``quotes[id]``, else the sentence nearest ``claim``."""
        quotes = quotes or {}
        context = [i for i in context_ids or [] if i not in evidence_ids]
        parts: list[RenderableType] = []
        missing: list[str] = []
        for heading, ids in (("Cited", evidence_ids), ("In the agent's evidence pack", context)):
            if not ids:
                continue
            parts.append(Text(heading.upper(), style="bold underline"))
            for evidence_id in ids:
                passage = self.book.get(evidence_id)
                if passage is None:
                    missing.append(evidence_id)
                    continue
                quote = quotes.get(evidence_id) or (
                    best_quote(passage, claim).text if claim else None
                )
                parts.append(passage_view(passage, quote))
        if missing:
            if self.book.index_error:
                note = f"not in the run's snapshot, and the index is unavailable ({self.book.index_error})"
            elif self.book.searcher is None:
                note = "still loading the index"
            else:
                note = "not in the index"
            parts.append(Text(f"{', '.join(missing)}: {note}.", style="dim"))
        if not parts:
            parts.append(Text("No passages behind this entry.", style="dim"))
        self.query_one("#passages", Static).update(Group(*parts))
        found = len(evidence_ids) + len(context) - len(missing)
        self.border_subtitle = f"{len(evidence_ids)} cited · {found} shown"
        self.scroll_home(animate=False)
