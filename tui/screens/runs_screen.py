"""The transcript browser: saved runs with their state; open one read-only, audit it, resume an
interrupted one, or compare two (``c`` on one run, then ``c`` on the other)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from orchestration.record.folder import RunFolder
from orchestration.record.saved_runs import RunSummary, list_runs
from orchestration.settings import Settings
from orchestration.wording import counted
from tui.screens.compare_screen import CompareScreen

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
        Binding("c", "compare", "Compare two"),
        Binding("n", "new_run", "New run"),
        Binding("g", "reload", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.runs: list[RunSummary] = []
        self.marked: RunSummary | None = None  # the first run chosen for a comparison

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="runs-help")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

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
        if self.marked is not None and self.marked.run_id not in {r.run_id for r in self.runs}:
            self.marked = None
        self._help()

    def _help(self) -> None:
        if self.marked is not None:
            text = (
                f"Run {self.marked.run_id} is marked to compare: highlight the other run and press "
                "c (c on the marked run unmarks it)."
            )
        elif self.runs:
            text = (
                f"{counted(len(self.runs), 'saved run')}. Enter opens a run read-only; u audits it; "
                "R resumes an interrupted run; c on two runs compares them (earlier with later); "
                "n starts a new run on the bundled strategy."
            )
        else:
            text = "No saved runs yet: press n to start a review of the bundled strategy."
        self.query_one("#runs-help", Static).update(text)

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

    def action_compare(self) -> None:
        """The first press marks the highlighted run; the second, on another run, compares the
        two, the earlier started as A."""
        run = self._chosen()
        if run is None:
            self.notify("There are no saved runs to compare.")
            return
        if not RunFolder(run.folder).report_json.exists():
            self.notify(
                f"Run {run.run_id} has no report yet, so it cannot be compared; "
                "resume it (R) to finish it first."
            )
            return
        marked = self.marked
        self.marked = run if marked is None else None
        self._help()
        if marked is None:
            self.notify(f"Run {run.run_id} marked: press c on the run to compare it with.")
        elif marked.run_id == run.run_id:
            self.notify(f"Run {run.run_id} is no longer marked.")
        else:
            a, b = sorted((marked, run), key=lambda r: (r.started, r.run_id))
            self.app.push_screen(CompareScreen(self.settings, a.run_id, b.run_id))

    def action_new_run(self) -> None:
        self.app.start_run()  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
