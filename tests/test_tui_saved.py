"""A saved run in the terminal UI: read-only, filtered and searched, and from a claim in the
report back to the messages and passages behind it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Collapsible, Input, Markdown, OptionList, Select, Static, Tabs

from orchestration.record.event_log import read_log
from orchestration.review_models import COMPUTED_LABEL
from orchestration.settings import Settings, load_settings
from tests.helpers import until
from tui.app import create_app
from tui.screens.report_screen import ClaimJump, ReportScreen, claims_of
from tui.screens.run_screen import RunScreen
from tui.widgets.debate_log import DebateLog

FIXTURE = Path("tests/fixtures/runs/20261124-090000-demo01")
SIZE = (120, 40)


@pytest.fixture
def settings(tmp_path) -> Settings:
    shutil.copytree(FIXTURE, tmp_path / "runs" / FIXTURE.name)
    return load_settings(
        {
            "transcripts_dir": str(tmp_path / "runs"),
            "retrieval": {"data_dir": str(tmp_path / "no-index")},
        }
    )


async def test_a_saved_run_is_read_only_and_filters(settings):
    app = create_app(settings, open_run=FIXTURE.name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunScreen)
        assert not screen.check_action("interject", ()) and not screen.check_action("approve", ())
        assert screen.check_action("follow_up", ())
        debate = screen.query_one(DebateLog)
        everything = len(debate.shown)
        screen.query_one("#agent-filter", Select).value = "critic"
        await pilot.pause()
        critic = [screen.view.entries[i] for i in debate.shown]
        assert critic and all(e.agent == "critic" for e in critic)
        assert len(critic) < everything
        screen.query_one("#search", Input).value = "OPEN OBJECTIONS"
        await pilot.pause()
        assert {screen.view.entries[i].phase for i in debate.shown} == {"critique"}
        await pilot.press("x")
        await pilot.pause()
        assert len(debate.shown) == everything
        said: list[str] = []
        screen.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        debate.focus()
        await pilot.press("i", "y")  # keys that cannot act on a saved run say why
        await pilot.pause()
        assert len(said) == 2 and all("cannot be steered" in s for s in said)
        screen.query_one("#search", Input).focus()
        await pilot.press("i")  # typed into the search box: no notice
        await pilot.pause()
        assert len(said) == 2
    assert (settings.transcripts_dir / FIXTURE.name / "events.jsonl").read_bytes() == (
        FIXTURE / "events.jsonl"
    ).read_bytes()  # opening a run writes nothing


async def test_from_a_claim_to_the_messages_and_passages_behind_it(settings):
    app = create_app(settings, open_run=FIXTURE.name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen) and app.screen.is_mounted)
        report = app.screen
        claims = report.query_one("#claims", OptionList)
        labels = [str(claims.get_option_at_index(i).prompt) for i in range(claims.option_count)]
        # the whole-strategy report lists each theme's gaps, then its recommendations
        assert report.view.whole is not None
        listed = [item for review in report.view.whole.themes for item in claims_of(review)]
        theme_labels = labels[: len(listed)]  # whole-strategy priorities follow them
        assert all(c.text in label for (_, c, _), label in zip(listed, theme_labels, strict=True))
        first_by_panel = next(i for i, label in enumerate(labels) if COMPUTED_LABEL not in label)
        _, claim, theme_id = listed[first_by_panel]
        assert claim.origin == "panel"
        claims.focus()
        for _ in range(first_by_panel):
            await pilot.press("down")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
        screen = app.screen
        debate = screen.query_one(DebateLog)
        await until(pilot, lambda: len(debate.shown) < len(screen.view.entries))  # narrowed
        shown = [screen.view.entries[i] for i in debate.shown]
        assert shown and all(e.theme_id == theme_id for e in shown)
        assert all(set(e.evidence_ids) & set(claim.evidence_ids) for e in shown)
        console = Console(width=400, record=True, file=io.StringIO())
        console.print(screen.query_one("#passages", Static).content)
        assert claim.citations[0].quote in console.export_text().replace("\n", " ")


async def test_statements_set_aside_by_the_claim_checks_are_listed_collapsed(settings):
    app = create_app(settings, open_run=FIXTURE.name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen) and app.screen.is_mounted)
        report = app.screen
        box = report.query_one("#set-aside", Collapsible)
        talent = report.view.reviews["talent"]
        assert box.collapsed and box.display
        assert box.title == f"Set aside by the claim checks ({_all_set_aside(report)})"
        report.query_one(Tabs).active = "t-talent"
        await pilot.pause()
        assert box.title == f"Set aside by the claim checks ({len(talent.set_aside)})"
        box.collapsed = False
        await pilot.pause()
        listed = report.query_one("#set-aside-list", Markdown).source
        assert "DISCUSBIONEERS" in listed and "run-together capitals" in listed
        assert "DISCUSBIONEERS" not in report.query_one("#report", Markdown).source
        assert all(item.reasons[0] in listed for item in talent.set_aside)


def _all_set_aside(report: ReportScreen) -> int:
    return sum(len(r.set_aside) for r in report.view.reviews.values())


async def test_a_run_is_exported_from_the_app_and_says_where(settings):
    from tui.dialogs.export_format import ExportFormat

    app = create_app(settings, open_run=FIXTURE.name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        said: list[str] = []
        screen.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        await pilot.press("E")
        await until(pilot, lambda: isinstance(app.screen, ExportFormat))
        await pilot.press("enter")  # the first format: a web page
        await until(pilot, lambda: any(s.startswith("Exported to") for s in said))
    page = settings.transcripts_dir / FIXTURE.name / "export.html"
    assert said[-1] == f"Exported to {page}"
    assert page.read_text().startswith("<!doctype html>")


async def test_the_chair_decides_on_recommendations_in_the_report(settings):
    app = create_app(settings, open_run=FIXTURE.name)
    folder = settings.transcripts_dir / FIXTURE.name
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen) and app.screen.is_mounted)
        report = app.screen
        report.query_one(Tabs).active = "t-talent"
        await pilot.pause()
        said: list[str] = []
        report.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        claims = report.query_one("#claims", OptionList)
        kinds = [kind for kind, _, _ in report._claims]
        claims.highlighted = kinds.index("summary") if "summary" in kinds else kinds.index("gap")
        await pilot.press("a")  # not a recommendation: says so
        await pilot.pause()
        assert said == ["Choose a recommendation in the claims list first."]
        first = kinds.index("recommendation")
        claims.highlighted = first
        await pilot.press("a")
        await until(pilot, lambda: len(report.view.decisions) == 1)
        claims.highlighted = first + 1
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter")  # an empty reason is refused; the dialog stays
        await pilot.pause()
        await pilot.press(*"No budget this year", "enter")
        await until(pilot, lambda: len(report.view.decisions) == 2)
        shown = report.query_one("#report", Markdown).source
        assert "**Chair: accepted.**" in shown and "Chair: rejected — No budget this year." in shown
        label = str(claims.get_option_at_index(first).prompt)
        assert "Chair: accepted." in label
    saved = (folder / "report.md").read_text()
    assert "## The chair's decisions" in saved and "No budget this year" in saved
    kinds_logged = [
        e.kind for e in read_log(folder / "events.jsonl").events if e.type == "human_steer"
    ]
    assert kinds_logged[-2:] == ["accept", "reject"]


async def test_the_debate_is_wrapped_at_the_width_it_is_drawn_at_whatever_is_shown(settings):
    """Lines wrapped for one width and drawn at another lose their last characters."""
    app = create_app(settings, open_run=FIXTURE.name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        debate = screen.query_one(DebateLog)

        async def wrapped_as_drawn() -> bool:
            await pilot.pause()
            return debate._width == debate.scrollable_content_region.width

        assert await wrapped_as_drawn()
        await pilot.press("v")  # the evidence pane hidden: the debate widens
        assert await wrapped_as_drawn()
        screen.query_one("#search", Input).value = "OPEN OBJECTIONS"  # a few entries: no scrollbar
        assert await wrapped_as_drawn()
        await pilot.press("x")
        assert await wrapped_as_drawn()


async def test_a_claim_that_cites_nothing_leads_to_the_review_that_made_it(settings):
    app = create_app(settings, open_run=FIXTURE.name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        said: list[str] = []
        screen.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        screen._jump_to_claim(ClaimJump("A claim on its own.", [], {}, "talent"))
        await pilot.pause()
        shown = [screen.view.entries[i] for i in screen.query_one(DebateLog).shown]
        assert shown and all(e.theme_id == "talent" and e.phase == "review" for e in shown)
        assert any(e.agent == "editor" for e in shown)
        assert "cites no passage" in said[-1]
