"""The audit of a saved run: its hash chain, every citation (does it resolve, is the quote
verbatim), how well each claim is supported by what it cites, and what the claim checks set
aside."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from orchestration.record.audit import AuditResult, audit_run
from orchestration.record.sealing import installation_key
from orchestration.settings import Settings
from tools.embeddings import EmbeddingError, build_embedder


def _mark(ok: bool) -> Text:
    return Text("yes", style="green") if ok else Text("NO", style="bold red")


class AuditScreen(Screen[None]):
    CSS_PATH = "audit_screen.tcss"
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, settings: Settings, run_id: str) -> None:
        super().__init__()
        self.settings, self.run_id = settings, run_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("Auditing…", id="verdict")
            yield DataTable(id="citations", cursor_type="row")
            yield DataTable(id="claims", cursor_type="row")
            yield DataTable(id="set-aside", cursor_type="row")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = f"Audit · {self.run_id}"
        citations = self.query_one("#citations", DataTable)
        citations.border_title = "Citations"
        citations.add_columns("where", "evidence", "resolves", "verbatim quote", "claim")
        claims = self.query_one("#claims", DataTable)
        claims.border_title = "Claim support"
        claims.add_columns("where", "lexical", "semantic", "evidence", "claim")
        aside = self.query_one("#set-aside", DataTable)
        aside.border_title = "Set aside by the claim checks"
        aside.add_columns("theme", "what", "by", "why", "statement")
        self._audit()

    @work(thread=True, exit_on_error=False)
    def _audit(self) -> None:
        try:
            retrieval = self.settings.retrieval
            embedder = build_embedder(retrieval.embedding, retrieval.data_dir)
            key = installation_key(retrieval.data_dir)
            result = audit_run(self.settings.transcripts_dir / self.run_id, embedder.embed, key)
        except (OSError, ValueError, EmbeddingError) as exc:
            message = f"The audit could not run: {exc}"
            self.app.call_from_thread(self.query_one("#verdict", Static).update, message)
            return
        self.app.call_from_thread(self._show, result)

    def _show(self, result: AuditResult) -> None:
        first, *rest = result.summary()
        verdict = Text.assemble(
            (first.split(":")[0], "bold green" if result.passed else "bold red"),
            first[first.index(":") :] + f" {result.events} events.\n",
            " ".join(rest),
        )
        self.query_one("#verdict", Static).update(verdict)
        citations = self.query_one("#citations", DataTable)
        for check in result.citations:
            citations.add_row(
                check.where,
                check.evidence_id,
                _mark(check.resolves),
                _mark(check.quote_verbatim),
                check.claim[:90],
            )
        claims = self.query_one("#claims", DataTable)
        for claim in result.claims:
            semantic = "-" if claim.semantic is None else f"{claim.semantic:.2f}"
            claims.add_row(
                claim.where,
                f"{claim.lexical:.2f}",
                semantic,
                ", ".join(claim.evidence_ids),
                claim.claim[:90],
            )
        aside = self.query_one("#set-aside", DataTable)
        for entry in result.set_aside:
            item = entry.statement
            aside.add_row(
                entry.theme, item.where, item.agent, "; ".join(item.reasons)[:70], item.text[:90]
            )

    def action_back(self) -> None:
        self.app.pop_screen()
