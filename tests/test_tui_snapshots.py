"""Snapshots of the main screens at fixed sizes, over a saved run kept in tests/fixtures/runs
(rebuilt by ``python -m tests.fixtures.make_saved_run``). Update them with
``pytest tests/test_tui_snapshots.py --snapshot-update`` after a deliberate change, and look at
the SVGs in the report before committing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from orchestration.settings import Settings, load_settings
from tui.app import create_app
from tui.screens.run_screen import EVIDENCE_DELAY_S

RUNS = Path("tests/fixtures/runs")
RUN_ID = "20261124-090000-demo01"


@pytest.fixture
def settings(monkeypatch, tmp_path) -> Settings:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    return load_settings(
        {"transcripts_dir": str(RUNS), "retrieval": {"data_dir": str(tmp_path / "no-index")}}
    )


async def settle(pilot) -> None:
    """Wait for the app's workers (the index, an audit) and for the screen to redraw."""
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_saved_run_at_120x40(snap_compare, settings):
    app = create_app(settings, open_run=RUN_ID)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)


def test_saved_run_at_80x24(snap_compare, settings):
    app = create_app(settings, open_run=RUN_ID)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_a_selected_message_shows_its_passages_with_the_quote(snap_compare, settings):
    async def select(pilot) -> None:
        await settle(pilot)
        await pilot.press("end")
        for _ in range(7):  # up to the editor's review
            await pilot.press("up")
        await pilot.pause(EVIDENCE_DELAY_S + 0.1)  # the evidence pane follows a resting cursor
        await settle(pilot)

    app = create_app(settings, open_run=RUN_ID)
    assert snap_compare(app, terminal_size=(120, 40), run_before=select)


SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


def _after(*keys: str):
    """Settle, press ``keys`` and settle again (a screen or dialog opened by keys)."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_report_screen(snap_compare, settings, size):
    app = create_app(settings, open_run=RUN_ID)
    assert snap_compare(app, terminal_size=size, run_before=_after("m"))


@pytest.mark.parametrize("size", SIZES)
def test_saved_runs_screen(snap_compare, settings, size):
    app = create_app(settings, browse=True)
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_audit_screen(snap_compare, settings, size):
    app = create_app(settings, browse=True)
    assert snap_compare(app, terminal_size=size, run_before=_after("u"))


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param(("E",), id="export"),
        pytest.param(("f",), id="follow-up"),
        pytest.param(("m", "down", "down", "r"), id="reject-reason"),
    ],
)
def test_dialogs_at_80x24(snap_compare, settings, keys):
    app = create_app(settings, open_run=RUN_ID)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_after(*keys))
