"""Steering a live debate from the terminal UI, driven by Pilot against a paced scripted panel:
every steer lands in the run's log and reaches the next speaker's prompt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList

from orchestration.record.event_log import read_log
from orchestration.review_models import COMPUTED_LABEL
from orchestration.settings import Settings, load_settings
from tests.helpers import until
from tests.scripted import PacedSpeaker
from tui.app import ReviewApp, create_app
from tui.dialogs.ask_panelist import AskPanelist
from tui.dialogs.confirm import Confirm
from tui.dialogs.text_prompt import TextPrompt
from tui.screens.report_screen import ReportScreen
from tui.screens.run_screen import RunScreen

STRATEGY = Path("corpus/strategy/workforce-strategy-2026-2031.toml")
SIZE = (120, 40)


@pytest.fixture
def settings(corpus_index, tmp_path) -> Settings:
    replies = tmp_path / "replies.json"
    replies.write_text(
        json.dumps(["The apprenticeship levy is taken up across the sector [WY-HCP-WF-2022#28]."])
    )
    return load_settings(
        {
            "retrieval": {"data_dir": str(corpus_index.settings.data_dir)},
            "transcripts_dir": str(tmp_path / "transcripts"),
            "models": {"default": {"backend": "replay", "replay_file": str(replies)}},
        }
    )


def logged(settings: Settings, kind: str) -> list:
    [folder] = list(settings.transcripts_dir.iterdir())
    events = read_log(folder / "events.jsonl").events
    return [e for e in events if e.type == "human_steer" and e.kind == kind]


def live_app(settings: Settings, speaker: PacedSpeaker, approval: bool = False) -> ReviewApp:
    return create_app(
        settings, STRATEGY, themes=["talent"], speaker=speaker, chair_approval=approval
    )


async def finish(pilot, app: ReviewApp, speaker: PacedSpeaker) -> None:
    speaker.run_freely()
    screen = app.screen_stack[1]
    assert isinstance(screen, RunScreen)
    await until(pilot, lambda: screen.view.status == "complete")


def palette_matches(app: ReviewApp) -> int:
    lists = app.screen.query(OptionList)
    return lists.first().option_count if lists else 0


async def paste(pilot, text: str) -> None:
    """Put ``text`` into the input that has the focus, the way a terminal delivers a paste (one
    event, where typing it would be a key press, and a wait for the app to go idle, per letter)."""
    await until(pilot, lambda: isinstance(pilot.app.focused, Input))
    field = pilot.app.focused
    pilot.app.post_message(events.Paste(text))
    await until(pilot, lambda: field.value == text)


async def type_and_send(pilot, text: str) -> None:
    await paste(pilot, text)
    await pilot.press("enter")


async def test_interjecting_reaches_the_next_speaker(settings):
    speaker = PacedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(speaker.pending) == 1)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("enter")  # nothing typed: refused, the dialog stays open
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await type_and_send(pilot, "What about bank staff?")
        speaker.release()
        await until(pilot, lambda: len(speaker.pending) == 2)
        assert "What about bank staff?" in speaker.pending[1].task
        await finish(pilot, app, speaker)
    [steer] = logged(settings, "interject")
    assert steer.text == "What about bank staff?" and steer.theme_id == "talent"


async def test_asking_a_panelist_gives_it_the_next_turn(settings):
    speaker = PacedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(speaker.pending) == 1)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AskPanelist))
        dialog = app.screen
        assert dialog.query_one("#agent", OptionList).option_count == 4  # no editor mid-debate
        await pilot.press("up", "down", "down", "enter")  # no wrap: national-policy -> inclusion
        await type_and_send(pilot, "Who is left out?")
        speaker.release()
        await until(pilot, lambda: len(speaker.pending) == 2)
        assert speaker.pending[1].agent == "inclusion"
        assert "Who is left out?" in speaker.pending[1].task
        await finish(pilot, app, speaker)
    [steer] = logged(settings, "ask")
    assert steer.target == "inclusion"


async def test_redirecting_adds_a_focus_to_the_next_prompt(settings):
    speaker = PacedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(speaker.pending) == 1)
        await pilot.press("r")
        await type_and_send(pilot, "digital skills")
        speaker.release()
        await until(pilot, lambda: len(speaker.pending) == 2)
        assert "digital skills" in speaker.pending[1].shared
        assert "digital skills" not in speaker.pending[0].shared
        await finish(pilot, app, speaker)
    assert [s.text for s in logged(settings, "redirect")] == ["digital skills"]


async def test_ending_a_theme_skips_to_the_editors_review(settings):
    speaker = PacedSpeaker()
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(speaker.pending) == 1)
        await pilot.press("e")
        await pilot.pause()
        speaker.release()
        await until(pilot, lambda: len(speaker.pending) == 2)
        assert speaker.pending[1].agent == "editor"
        await finish(pilot, app, speaker)
    assert logged(settings, "end_theme")
    [folder] = list(settings.transcripts_dir.iterdir())
    assert json.loads((folder / "report.json").read_text())["themes"][0]["ended_early"]


async def test_pausing_holds_the_next_turn_until_resumed(settings):
    speaker = PacedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(speaker.pending) == 1)
        await pilot.press("p")
        await pilot.pause()
        speaker.release(3)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        await until(pilot, lambda: screen.view.paused)  # the debate took the pause...
        await pilot.pause(0.3)  # (nothing to wait for: this gives a wrong turn time to start)
        assert len(speaker.pending) == 1  # ...and holds between turns
        said: list[str] = []
        screen.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        await pilot.press("i")
        await type_and_send(pilot, "Mind the bank staff")
        assert "it takes this when you resume" in said[-1]  # not silently pending
        await pilot.press("p")
        await until(pilot, lambda: len(speaker.pending) >= 2)
        await finish(pilot, app, speaker)
    assert logged(settings, "pause") and logged(settings, "resume")
    assert [s.text for s in logged(settings, "interject")] == ["Mind the bank staff"]


@pytest.mark.slow  # two whole runs: the live one, then its replay
async def test_sending_back_and_approving_a_held_review(settings):
    speaker = PacedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    app = live_app(settings, speaker, approval=True)
    async with app.run_test(size=SIZE) as pilot:
        speaker.run_freely()
        screen = app.screen
        assert isinstance(screen, RunScreen)
        theme = screen.view.themes["talent"]
        await until(pilot, lambda: theme.state == "consensus")
        editor_turns = len(speaker.tasks_for("editor"))
        await pilot.press("b")
        await type_and_send(pilot, "Cite Leeds evidence")
        await until(pilot, lambda: len(speaker.tasks_for("editor")) == editor_turns + 1)
        assert "Cite Leeds evidence" in speaker.tasks_for("editor")[-1]
        await until(pilot, lambda: theme.state == "consensus")
        await pilot.press("y")
        await until(pilot, lambda: screen.view.status == "complete")
    assert [s.text for s in logged(settings, "send_back")] == ["Cite Leeds evidence"]
    assert logged(settings, "approve")
    [folder] = list(settings.transcripts_dir.iterdir())
    review = json.loads((folder / "report.json").read_text())["themes"][0]
    assert review["chair_approved"] and review["chair_comments"] == ["Cite Leeds evidence"]
    # the recorded verdicts replay: the same report, byte for byte, with nobody at the keys
    from orchestration.engine.run import run_review

    replayed = await run_review(settings, STRATEGY, replay=folder.name)
    assert replayed.report_path.read_bytes() == (folder / "report.md").read_bytes()


async def test_a_follow_up_question_is_answered_and_logged(settings):
    speaker = PacedSpeaker()
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await finish(pilot, app, speaker)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, AskPanelist))
        await pilot.press("end", "enter")  # the editor, last of the five
        await type_and_send(pilot, "Which objective is weakest?")
        screen = app.screen
        assert isinstance(screen, RunScreen)
        await until(
            pilot,
            lambda: any(
                e.phase == "follow_up" and e.kind == "message" for e in screen.view.entries
            ),
        )
    [folder] = list(settings.transcripts_dir.iterdir())
    check = read_log(folder / "events.jsonl")
    assert check.intact
    answer = [e for e in check.events if e.type == "agent_message" and e.phase == "follow_up"]
    assert answer and answer[0].evidence_ids == ["WY-HCP-WF-2022#28"]


async def test_quitting_mid_run_asks_first_and_leaves_a_resumable_run(settings):
    speaker = PacedSpeaker()
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(speaker.pending) == 1)  # mid-debate
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert app.is_running
        await pilot.press("n")  # keep running
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
        assert app.is_running
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running)
    assert app.return_value and "--resume" in app.return_value
    [folder] = list(settings.transcripts_dir.iterdir())
    events = read_log(folder / "events.jsonl").events
    assert events[-1].type == "run_finished" and events[-1].status == "interrupted"
    from orchestration.record.saved_runs import summarise

    assert summarise(folder).status == "interrupted"


@pytest.mark.slow  # two apps and two runs: one quit part-way, then resumed to the end
async def test_a_quit_run_resumes_in_the_app_to_completion(settings):
    speaker = PacedSpeaker()
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(speaker.pending) == 1)
        speaker.release()  # one opening is recorded before the chair quits
        await until(pilot, lambda: len(speaker.pending) == 2)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running)
    [folder] = list(settings.transcripts_dir.iterdir())

    again = PacedSpeaker()
    again.run_freely()
    resumed = create_app(settings, resume=folder.name, speaker=again, chair_approval=False)
    async with resumed.run_test(size=SIZE) as pilot:
        screen = resumed.screen
        assert isinstance(screen, RunScreen)
        await until(pilot, lambda: screen.view.status == "complete")
    assert again.pending[0].agent == "leeds-local"  # the recorded opening was not asked again
    events = read_log(folder / "events.jsonl").events
    assert [e.type for e in events].count("run_resumed") == 1
    assert events[-1].type == "run_finished" and events[-1].status == "complete"
    assert (folder / "report.md").exists()


@pytest.mark.slow  # a whole live run (the keys' own tests cover the steers)
async def test_steering_through_the_command_palette(settings):
    speaker = PacedSpeaker().enqueue("critic", "OPEN OBJECTIONS: 0")
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(speaker.pending) == 1)
        await pilot.press("ctrl+p")
        await paste(pilot, "Interject")
        await until(pilot, lambda: palette_matches(app) > 0)  # the search runs in the background
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await type_and_send(pilot, "Is agency spend covered?")
        speaker.release()
        await until(pilot, lambda: len(speaker.pending) == 2)
        assert "Is agency spend covered?" in speaker.pending[1].task
        await finish(pilot, app, speaker)
    assert [s.text for s in logged(settings, "interject")] == ["Is agency spend covered?"]


class FailingSpeaker(PacedSpeaker):
    async def speak(self, request):
        from agents.runtime.errors import ModelCallError

        raise ModelCallError("The model server timed out after 60 s; try again.", "timeout")
        yield  # an async generator, like every speaker


async def test_a_model_failure_is_one_plain_message_and_the_log_is_kept(settings):
    app = live_app(settings, FailingSpeaker())
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, RunScreen)
        await until(pilot, lambda: screen.view.status == "failed")
        await pilot.pause(0.2)  # (nothing to wait for: this gives a wrong exit time to happen)
        assert app.is_running  # the app stays up; the user reads the error and the debate
        errors = [e for e in screen.view.entries if e.kind == "error"]
        assert errors and "timed out" in errors[0].text
    [folder] = list(settings.transcripts_dir.iterdir())
    check = read_log(folder / "events.jsonl")
    assert check.intact and check.events[-1].status == "failed"


@pytest.mark.slow  # a whole live run, read as it goes
async def test_the_report_screen_follows_a_live_run(settings):
    recommendation = "Add an objective on ethical international recruitment."
    speaker = PacedSpeaker()
    speaker.enqueue_decision(
        "editor",
        {
            "coverage_summary": "Pipelines are well supported by the regional plans.",
            "gaps": [],
            "recommendations": [
                {
                    "action": "add",
                    "text": recommendation,
                    "priority": "high",
                    "evidence": ["WY-HCP-WF-2022#30"],
                }
            ],
        },
    )
    app = live_app(settings, speaker)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(speaker.pending) == 1)
        run_screen = app.screen
        assert isinstance(run_screen, RunScreen)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen) and app.screen.is_mounted)
        claims = app.screen.query_one("#claims", OptionList)
        assert claims.option_count == 0 and not claims.display  # nothing is reviewed yet
        speaker.run_freely()
        await until(pilot, lambda: run_screen.view.status == "complete")
        await until(pilot, lambda: any(recommendation in label for label in listed(claims)))
        assert claims.display
        # the finished theme's recommendation is listed, beside findings computed to fill it
        recommendations = [label for label in listed(claims) if label.startswith("Rec ")]
        by_panel = [label for label in recommendations if COMPUTED_LABEL not in label]
        assert len(by_panel) == 1 and recommendation in by_panel[0]
        assert "WY-HCP-WF-2022#30" in by_panel[0]
        assert len(by_panel) < len(recommendations)


def listed(claims: OptionList) -> list[str]:
    """The claims a report screen lists, as the reader sees them."""
    return [str(claims.get_option_at_index(i).prompt) for i in range(claims.option_count)]
