"""The transcript browser: saved runs with their state; open one read-only, audit it, or resume
an interrupted one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from orchestration.record.saved_runs import RunSummary, list_runs
from orchestration.settings import Settings

STATUS_STYLE = {
    "complete": "green",
    "interrupted": "yellow",
    "running": "bold cyan",
    "failed": "red",
    "damaged": "bold red",
}


class RunsScreen(Screen[None]):
    CSS_PATH = "runs_screen.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("u", "audit", "Audit"),
        Binding("R", "resume", "Resume"),
        Binding("n", "new_run", "New run"),
        Binding("g", "reload", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.runs: list[RunSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="runs-help")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Saved runs"
        self.sub_title = str(self.settings.transcripts_dir)
        table = self.query_one(DataTable)
        table.add_columns("run", "status", "themes", "started", "strategy", "models")
        self.action_reload()
        table.focus()

    def action_reload(self) -> None:
        self.runs = list_runs(self.settings.transcripts_dir)
        table = self.query_one(DataTable)
        table.clear()
        for run in self.runs:
            style = STATUS_STYLE.get(run.status, "")
            table.add_row(
                run.run_id,
                f"[{style}]{run.status}[/]" if style else run.status,
                f"{run.themes_done}/{run.themes_total}",
                run.started,
                run.strategy,
                run.models,
                key=run.run_id,
            )
        self.query_one("#runs-help", Static).update(
            f"{len(self.runs)} saved run(s). Enter opens a run read-only; u audits it; "
            "R resumes an interrupted run; n starts a new run on the bundled strategy."
            if self.runs
            else "No saved runs yet: press n to start a review of the bundled strategy."
        )

    def _chosen(self) -> RunSummary | None:
        table = self.query_one(DataTable)
        if not self.runs or table.cursor_row is None:
            return None
        return self.runs[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        if (run := self._chosen()) is not None:
            self.app.open_run(run.run_id)  # type: ignore[attr-defined]

    def action_audit(self) -> None:
        if (run := self._chosen()) is not None:
            self.app.audit_run(run.run_id)  # type: ignore[attr-defined]

    def action_resume(self) -> None:
        run = self._chosen()
        if run is not None and run.status in ("interrupted", "failed"):
            self.app.resume_run(run.run_id)  # type: ignore[attr-defined]
        elif run is not None:
            self.notify(f"Run {run.run_id} is {run.status}; only a stopped run can be resumed.")

    def action_new_run(self) -> None:
        self.app.start_run()  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
