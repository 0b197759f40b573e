"""What the terminal UI shows of a run, folded from events (no screen needed), and the debate
log's worked-out heights against rich's real wrapping."""

from __future__ import annotations

import random

import pytest
from rich.console import Console

from orchestration.events import (
    AgentMessage,
    EvidencePack,
    HumanSteer,
    MessageDelta,
    PhaseChanged,
    RunFinished,
    RunStarted,
    ToolCalled,
    UsageRecorded,
)
from tui.run_view import Entry, RunView
from tui.widgets.debate_log import entry_height, render_entry


def started() -> RunStarted:
    return RunStarted(
        run_id="r1",
        strategy_title="Strategy",
        strategy_path="s.toml",
        strategy_sha256="0",
        themes=["talent", "inclusion"],
        models={},
        embedding_model="m",
        index_version="v",
        settings_sha256="0",
    )


def test_streamed_pieces_become_one_message_with_its_evidence_pack():
    view = RunView({"talent": "Talent"})
    view.apply(started())
    view.apply(PhaseChanged(theme_id="talent", phase="opening"))
    view.apply(EvidencePack(theme_id="talent", agent="critic", queries=["q"], evidence_ids=["A#1"]))
    for piece in ("Claims ", "need ", "evidence."):
        view.apply(MessageDelta(theme_id="talent", agent="critic", text=piece))
    [streaming] = [e for e in view.entries if e.kind == "message"]
    assert streaming.streaming and streaming.text == "Claims need evidence."
    view.apply(
        AgentMessage(
            theme_id="talent",
            agent="critic",
            phase="opening",
            content="Claims need evidence [B#2].",
            evidence_ids=["B#2"],
        )
    )
    [message] = [e for e in view.entries if e.kind == "message"]
    assert not message.streaming and message.evidence_ids == ["B#2"]
    assert message.context_ids == ["A#1"]
    assert view.themes["talent"].state == "debating" and view.themes["inclusion"].state == "waiting"


def test_theme_states_totals_and_the_theme_steers_go_to():
    view = RunView({"talent": "Talent"})
    view.apply(started())
    assert view.current_theme() is None
    view.apply(PhaseChanged(theme_id="talent", phase="critique", round=2))
    assert view.current_theme().id == "talent"
    assert "round 2" in view.entries[-1].text
    view.apply(PhaseChanged(theme_id="talent", phase="consensus"))
    assert view.themes["talent"].state == "consensus" and view.current_theme().id == "talent"
    view.apply(
        UsageRecorded(
            agent="critic", model="m", prompt_tokens=100, completion_tokens=20, latency_s=1.0
        )
    )
    assert view.totals.tokens == 120 and view.totals.cost is None
    view.apply(
        UsageRecorded(
            agent="critic",
            model="m",
            prompt_tokens=1,
            completion_tokens=1,
            latency_s=1.0,
            cost=0.25,
        )
    )
    assert view.totals.cost == 0.25
    view.apply(HumanSteer(kind="pause", theme_id="talent"))
    assert view.paused
    view.apply(RunFinished(status="complete", seconds=12.0))
    assert view.status == "complete" and view.elapsed() == 12.0


def test_filters_by_agent_phase_text_and_cited_passages():
    view = RunView()
    view.apply(started())
    messages = [
        ("critic", "critique", "Retention is weak", ["A#1"]),
        ("inclusion", "opening", "Bank staff are left out", ["B#2"]),
        ("critic", "rebuttal", "Conceded", []),
    ]
    for agent, phase, text, ids in messages:
        view.apply(
            AgentMessage(
                theme_id="talent", agent=agent, phase=phase, content=text, evidence_ids=ids
            )
        )
    view.apply(
        ToolCalled(
            theme_id="talent",
            agent="critic",
            tool="search_corpus",
            arguments={"query": "bank staff"},
            result_ids=["B#2"],
        )
    )
    texts = lambda indices: [view.entries[i].text for i in indices]  # noqa: E731
    assert texts(view.matching(agent="critic", phase="critique")) == ["Retention is weak"]
    assert texts(view.matching(text="BANK")) == [
        "Bank staff are left out",
        "search_corpus(query='bank staff') → 1 passage",
    ]
    assert len(view.matching(evidence_ids={"B#2"})) == 2
    assert view.matching(theme_id="inclusion") == []


@pytest.mark.parametrize("width", [24, 57, 96])
def test_worked_out_heights_match_rich_wrapping(width):
    console = Console(width=200)
    rng = random.Random(width)
    words = [
        "the",
        "retention",
        "of",
        "newly",
        "qualified",
        "nurses",
        "Leeds",
        "anchor-institutions",
        "a",
        "of",
        "and",
    ]
    entries = [
        Entry("phase", "Talent · Critique (round 2)", "talent"),
        Entry("steer", "chair interjects: " + " ".join(rng.choices(words, k=30)), agent="chair"),
        Entry("note", "Talent reviewed: 1 gap, 2 recommendations; 3 agreed, 1 dissented."),
        Entry("tool", "evidence pack → A#1, B#2, C#3, D#4, E#5, F#6", agent="leeds-local"),
        Entry("error", "The editor's review was not valid JSON " * 3),
    ]
    for _ in range(30):
        text = "\n".join(" ".join(rng.choices(words, k=rng.randint(1, 60))) for _ in range(2))
        entries.append(
            Entry(
                "message",
                text,
                agent="critic",
                phase="critique",
                evidence_ids=[f"LEEDS-OWS-2024#{n}" for n in range(rng.randint(0, 5))],
                detail="computed brief" if rng.random() < 0.2 else "",
            )
        )
    for entry in entries:
        drawn = console.render_lines(
            render_entry(entry, False), console.options.update_width(width), pad=False
        )
        assert entry_height(entry, False, width) == len(drawn), entry


@pytest.mark.parametrize(
    ("status", "kind", "sign"),
    [("complete", "note", "✔"), ("interrupted", "note", "⏸"), ("failed", "error", "✖")],
)
def test_a_run_s_end_is_marked_for_what_it_was(status, kind, sign):
    view = RunView()
    view.apply(started())
    view.apply(RunFinished(status=status, seconds=3))
    end = view.entries[-1]
    assert end.kind == kind
    console = Console(width=80, record=True)
    console.print(render_entry(end, expanded=False))
    assert console.export_text().startswith(f"{sign} Run {status}")


async def test_the_debate_pane_shows_nothing_below_its_last_line():
    from textual.app import App

    from tui.widgets.debate_log import DebateLog

    entries = [Entry("note", "Talent reviewed."), Entry("steer", "chair interjects: why?")]

    class One(App[None]):
        def compose(self):
            yield DebateLog(entries, id="debate")

    app = One()
    async with app.run_test(size=(60, 12)) as pilot:
        debate = app.query_one(DebateLog)
        debate.show()
        await pilot.pause()
        lines = [debate.render_line(y).text.strip() for y in range(debate.size.height)]
    assert lines[1] == "▶ chair interjects: why?"
    assert lines[2:] == [""] * (len(lines) - 2)  # not the last line again and again


def test_the_status_line_says_whose_model_is_working_and_for_how_long():
    import time

    from tui.widgets.status_bar import status_text

    view = RunView({"talent": "Talent"})
    view.apply(started())
    view.apply(PhaseChanged(theme_id="talent", phase="opening"))
    asked = time.time() - 65
    view.apply(
        EvidencePack(at=asked, theme_id="talent", agent="leeds-local", queries=[], evidence_ids=[])
    )
    assert "leeds-local working 01:0" in status_text(view, read_only=False).plain
    view.apply(AgentMessage(theme_id="talent", agent="leeds-local", phase="opening", content="x"))
    assert "working" not in status_text(view, read_only=False).plain


def test_the_status_line_counts_turns_and_estimates_the_time_left_from_this_run():
    import time

    from tui.widgets.status_bar import status_text

    view = RunView({"talent": "Talent", "inclusion": "Inclusion"})
    begun = started().model_copy(
        update={"at": time.time() - 400, "panel": {"max_rounds": 1, "max_rebuttals": 2}}
    )
    view.apply(begun)
    view.apply(PhaseChanged(theme_id="talent", phase="opening"))
    for agent in ("national-policy", "leeds-local", "inclusion", "critic"):
        view.apply(AgentMessage(theme_id="talent", agent=agent, phase="opening", content="x"))
    # 11 turns a theme at most (3 openings, a critique, 2 rebuttals, the review, 4 sign-offs);
    # 4 taken in 400 s: 7 + 11 left at 100 s each
    line = status_text(view, read_only=False).plain
    assert "Talent: Openings, turn 4 of ≤11" in line
    assert "about 30 min left" in line


def test_the_token_count_moves_while_a_reply_streams_and_is_exact_once_its_usage_arrives():
    from tui.widgets.status_bar import status_text

    view = RunView({"talent": "Talent"})
    view.apply(started())
    view.apply(PhaseChanged(theme_id="talent", phase="opening"))
    view.apply(MessageDelta(theme_id="talent", agent="critic", text="x" * 400))
    assert "~100 tokens" in status_text(view, read_only=False).plain
    usage = dict(model="m", prompt_tokens=900, completion_tokens=120, latency_s=1.0)
    view.apply(UsageRecorded(theme_id="talent", agent="critic", **usage))
    line = status_text(view, read_only=False).plain
    assert "1,020 tokens" in line and "~" not in line
