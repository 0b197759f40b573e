"""``review compare``: what changed between two runs of two drafts (``tests.compare_drafts``),
matched by meaning: the strategy's changes, findings resolved, still open and new (with their
citations), coverage labels that moved; the command line, its errors, and the terminal UI view."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orchestration.cli.entry import main
from orchestration.record.compare import CompareSettings, Comparison, compare_runs
from orchestration.report.comparison_markdown import comparison_markdown
from orchestration.settings import load_settings
from tests.compare_drafts import (
    ATS,
    ATS_RECOMMENDATION_B,
    ATS_REWORDED,
    CO_DESIGN,
    INTERNATIONAL,
    NEW_GAP,
    NEW_RECOMMENDATION,
    RUN_A,
    RUN_B,
    TEN_YEAR_PLAN,
    report_b,
    saved_run,
    write_drafts,
)
from tests.helpers import squash, until
from tools.embeddings import LocalMiniLM

ETHICAL_GAP = "Ethical international recruitment is not among the objectives."
ETHICAL_RECOMMENDATION = "Add an objective on ethical international recruitment with partners."
PRIORITIES_GAP = "No objective covers strategic priorities."
ATS_RECOMMENDATION = f"Give “{ATS}” a measure and a baseline: the corpus barely supports it."


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    draft_a, draft_b = write_drafts(tmp_path / "drafts")
    folder = tmp_path / "runs"
    saved_run(folder, RUN_A, draft_a, None)
    saved_run(folder, RUN_B, draft_b, report_b())
    return folder


@pytest.fixture
def embedder(local_model_dir: Path) -> LocalMiniLM:
    return LocalMiniLM(local_model_dir)


def _compare(runs: Path, embedder: LocalMiniLM, **settings: float) -> Comparison:
    return compare_runs(runs, RUN_A, RUN_B, embedder, CompareSettings(**settings))


def test_the_drafts_changes_are_found_by_meaning(runs, embedder):
    strategy = _compare(runs, embedder).strategy
    assert (strategy.a.source, strategy.b.source) == ("strategy file", "strategy file")
    assert [(t.change, t.before, t.after) for t in strategy.themes] == [
        ("removed", "Inclusion", None)
    ]
    assert [(o.change, o.theme, o.before, o.after) for o in strategy.objectives] == [
        ("added", "Talent", None, INTERNATIONAL),
        ("reworded", "Talent", ATS, ATS_REWORDED),
        ("removed", "Talent", CO_DESIGN, None),
    ]


def test_findings_resolved_open_and_new_keep_their_citations(runs, embedder):
    comparison = _compare(runs, embedder)
    talent, inclusion = comparison.themes
    assert (talent.theme_id, talent.reviewed) == ("talent", "both")
    found = [
        (i.status, i.kind, i.before and i.before.text, i.after and i.after.text)
        for i in talent.items
    ]
    assert found == [
        ("resolved", "gap", ETHICAL_GAP, None),
        ("resolved", "recommendation", ETHICAL_RECOMMENDATION, None),
        ("open", "gap", PRIORITIES_GAP, PRIORITIES_GAP),
        ("open", "recommendation", ATS_RECOMMENDATION, ATS_RECOMMENDATION_B),
        ("new", "gap", None, NEW_GAP),
        ("new", "recommendation", None, NEW_RECOMMENDATION),
    ]
    resolved = talent.with_status("resolved")
    assert all(i.covered_by and i.covered_by.objective == INTERNATIONAL for i in resolved)
    report_a = json.loads((runs / RUN_A / "report.json").read_text())["themes"][0]
    gap_a = resolved[0].before
    assert gap_a and gap_a.citations and gap_a.evidence_ids == ["WY-HCP-WF-2022#30"]
    assert gap_a.model_dump()["citations"] == report_a["gaps"][0]["citations"]
    new_recommendation = talent.with_status("new")[1].after
    assert new_recommendation and new_recommendation.citations[0].evidence_id == "WY-HCP-WF-2022#28"
    assert [(m.objective_before, m.objective, m.before, m.after) for m in talent.labels] == [
        (TEN_YEAR_PLAN, TEN_YEAR_PLAN, "partial", "strong"),
        (ATS, ATS_REWORDED, "weak", "partial"),
    ]
    assert all(m.improved and m.evidence_after for m in talent.labels)
    assert (inclusion.reviewed, inclusion.items) == ("a_only", [])
    assert inclusion.note.startswith("Dropped from B's strategy")


def test_the_thresholds_are_settings(runs, embedder):
    strict = _compare(runs, embedder, same_meaning=0.99, covers=0.99)
    changes = [(o.change, o.before or o.after) for o in strict.strategy.objectives]
    assert ("added", ATS_REWORDED) in changes and ("removed", ATS) in changes
    talent = strict.themes[0]
    assert [i.kind for i in talent.with_status("open")] == ["gap"]  # only the identical one
    assert all(i.covered_by is None for i in talent.items)


@pytest.mark.parametrize("how", ["gone", "changed"])
def test_without_the_strategy_file_as_run_a_read_it_the_report_stands_in(runs, embedder, how):
    draft_a = runs.parent / "drafts" / "draft-a.toml"
    if how == "gone":
        draft_a.unlink()
    else:
        draft_a.write_text(draft_a.read_text() + "\n# edited since\n")
    comparison = _compare(runs, embedder)
    side = comparison.strategy.a
    assert side.source == "report" and f"{draft_a} {'is gone' if how == 'gone' else 'has'}" in (
        side.note
    )
    assert "read from report.json (only the 2 themes" in side.note
    assert [(t.change, t.before) for t in comparison.strategy.themes] == [("removed", "Inclusion")]
    assert [(o.change, o.before or o.after) for o in comparison.strategy.objectives] == [
        ("added", INTERNATIONAL),
        ("reworded", ATS),
        ("removed", CO_DESIGN),
    ]
    assert "read from its report" in comparison_markdown(comparison)


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(runs, data_dir, monkeypatch):
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(runs))

    def run(*args: str) -> int:
        return main(["--data-dir", str(data_dir), "compare", *args])

    return run


def test_the_command_prints_tables_that_fit_80_columns_markdown_and_json(cli, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert cli(RUN_A, RUN_B) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    flat = squash(out)
    for expected in (
        f"What changed from run {RUN_A} to run {RUN_B}",
        "1 theme removed; 1 objective added, 1 objective reworded, 1 objective removed",
        "2 findings resolved, 2 still open, 2 new; 2 coverage labels moved",
        f"reworded Talent {ATS} → {ATS_REWORDED}",
        "Talent: gaps and recommendations (2 resolved, 2 open, 2 new)",
        f"resolved gap {ETHICAL_GAP} Covered by B's objective “{INTERNATIONAL}”",
        "cites WY-HCP-WF-2022#30",
        f"new gap {NEW_GAP}",
        "weak → partial",
        "Inclusion: Dropped from B's strategy",
    ):
        assert expected in flat

    assert cli(RUN_A, RUN_B, "--markdown") == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith(f"# What changed from run {RUN_A} to run {RUN_B}")
    assert "### Resolved (2)" in markdown and "### Coverage labels that moved" in markdown
    assert "> “Whilst international recruitment of nurses" in markdown

    assert cli(RUN_A, RUN_B, "--json") == 0
    comparison = Comparison.model_validate_json(capsys.readouterr().out)
    assert comparison.count("resolved") == 2 and comparison.themes[0].items[0].before


def test_runs_that_cannot_be_compared_say_why_in_one_sentence(cli, runs, capsys):
    shutil.copytree(runs / RUN_B, runs / "20261202-090000-halfway")
    (runs / "20261202-090000-halfway" / "report.json").unlink()
    cases = {
        (RUN_A, "no-such-run"): "No run no-such-run in",
        (RUN_A, RUN_A): f"Both runs are {RUN_A}; give two different runs",
        (RUN_A, "20261202-090000-halfway"): "Run 20261202-090000-halfway has no report yet",
    }
    for args, message in cases.items():
        assert cli(*args) == 2
        err = capsys.readouterr().err
        assert message in squash(err) and "Traceback" not in err
        assert len(err.strip().splitlines()) <= 3  # one sentence, wrapped


def test_the_thresholds_are_read_from_review_settings(monkeypatch):
    monkeypatch.setenv("REVIEW_COMPARE__SAME_MEANING", "0.8")
    assert load_settings().compare == CompareSettings(same_meaning=0.8)


# --- the terminal UI --------------------------------------------------------------------------


async def test_two_saved_runs_are_compared_from_the_list(runs, data_dir):
    from textual.widgets import DataTable, Markdown, Static

    from tui.app import create_app
    from tui.screens.compare_screen import CompareScreen
    from tui.screens.runs_screen import RunsScreen

    shutil.copytree(runs / RUN_B, runs / "20261202-090000-halfway")
    (runs / "20261202-090000-halfway" / "report.json").unlink()
    settings = load_settings(
        {"transcripts_dir": str(runs), "retrieval": {"data_dir": str(data_dir)}}
    )
    app = create_app(settings, browse=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, RunsScreen)
        said: list[str] = []
        listing.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        listing.query_one(DataTable).focus()
        await pilot.press("c")  # the newest run: no report yet
        assert said[-1].startswith("Run 20261202-090000-halfway has no report yet")
        await pilot.press("down", "c", "c")  # marked, then unmarked
        assert said[-1] == f"Run {RUN_B} is no longer marked."
        await pilot.press("c")
        assert RUN_B in str(listing.query_one("#runs-help", Static).content)
        await pilot.press("down", "c")  # the later run marked first: still compared as B
        await until(pilot, lambda: isinstance(app.screen, CompareScreen))
        screen = app.screen
        assert (screen.run_a, screen.run_b) == (RUN_A, RUN_B)
        await until(pilot, lambda: screen.comparison is not None or screen.problem is not None)
        assert screen.problem is None
        shown = screen.query_one("#comparison", Markdown).source
        assert shown == comparison_markdown(screen.comparison)
        assert "### Resolved (2)" in shown and ATS_REWORDED in shown
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is listing)
        assert listing.marked is None
