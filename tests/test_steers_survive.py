"""Every steer survives a stop: a run steered with each kind of steer is cut off after each of its
steers (what kill -9 leaves: the log up to its last line), resumed, and comes out as the
uninterrupted run; and it replays byte for byte."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agents.speaking import Delta, Said, TurnRequest
from orchestration.engine.run import run_review
from orchestration.engine.steering import Steering
from orchestration.events import HumanSteer, MessageDelta, RunResumed
from orchestration.record.event_log import read_log
from orchestration.settings import Settings, load_settings
from tests.scripted import ScriptedSpeaker

pytestmark = pytest.mark.slow  # a whole steered run, then one resume per steer

STRATEGY = Path("corpus/strategy/workforce-strategy-2026-2031.toml")
UNLOGGED = {"at", "seconds", "after_seq", "report_path"}  # when and where, not what


class EchoSpeaker(ScriptedSpeaker):
    """Each reply is a function of its prompt, so two runs told the same things say the same
    things, and a run that lost a steer says something else. The critic keeps one objection
    open, so every round is debated."""

    async def speak(self, request: TurnRequest) -> AsyncIterator[Delta | Said]:
        self.requests.append(request)
        digest = hashlib.sha256(request.task.encode()).hexdigest()[:8]
        text = f"Point {digest}: apprenticeships are taken up [WY-HCP-WF-2022#28]."
        if request.agent == "critic":
            text += "\nOBJECTION: leeds-local overreaches.\nOPEN OBJECTIONS: 1"
        yield Delta(text)
        yield Said(text)


def _on(kind: str, agent: str | None = None, phase: str | None = None, nth: int = 1):
    """A trigger: the ``nth`` event of ``kind`` (by ``agent``, in ``phase``)."""
    seen = 0

    def fires(item: object, line: int) -> bool:
        nonlocal seen
        if getattr(item, "type", None) != kind:
            return False
        if agent and getattr(item, "agent", None) != agent:
            return False
        if phase and getattr(item, "phase", None) != phase:
            return False
        seen += 1
        return seen == nth

    return fires


def _at(line: int):
    """A trigger: the event logged on ``line``."""
    return lambda item, logged: logged == line


def _script() -> list[tuple[Callable[[object, int], bool], tuple]]:
    """Every kind of steer, each sent when the run reaches a point."""
    return [
        (_on("agent_message", "moderator"), ("redirect", "digital skills")),
        (_on("agent_message", "moderator"), ("pause",)),
        (_on("agent_message", "moderator"), ("resume",)),
        (_on("agent_message", "national-policy"), ("interject", "Is retention covered?")),
        (_on("agent_message", "critic"), ("ask", "What about disabled staff?", "inclusion")),
        (_on("agent_message", "critic", nth=2), ("end_theme",)),
        (_on("phase_changed", phase="consensus"), ("send_back", "Say what the levy funds.")),
        (_on("phase_changed", phase="consensus", nth=2), ("approve",)),
    ]


@dataclass
class _Chair:
    """Sends the script's steers as the run reaches each point, and notes how many events the
    log held when each was sent (a cut between sending and taking would lose it unrecorded)."""

    steering: Steering = field(default_factory=Steering)
    script: list = field(default_factory=_script)
    logged: int = 0  # lines in the log so far, less the resume marker
    sent_at: list[int] = field(default_factory=list)

    def __call__(self, item: object) -> None:
        if isinstance(item, MessageDelta | RunResumed):
            return
        self.logged += 1
        for trigger, steer in self.script:
            if trigger(item, self.logged):
                kind, *rest = steer
                self.steering.send(kind, *rest)
                self.sent_at.append(self.logged)


def _settings(base: Path, data_dir: Path) -> Settings:
    return load_settings(
        {
            "retrieval": {"data_dir": str(data_dir)},
            "transcripts_dir": str(base),
            "panel": {"max_rounds": 3},
            "models": {"default": {"backend": "replay", "replay_file": str(base / "none.json")}},
        }
    )


def _run(settings: Settings, chair: _Chair, **how: object) -> Path:
    run = run_review(
        settings,
        STRATEGY,
        themes=["talent"],
        steering=chair.steering,
        sink=chair,
        speaker=EchoSpeaker(),
        chair_approval=True,
        **how,
    )
    result = asyncio.run(asyncio.wait_for(run, 60))  # a lost steer can leave it waiting
    return result.folder


def _story(folder: Path) -> list[dict]:
    """What the log says happened, in order (not when, and not the resume marker)."""
    events = read_log(folder / "events.jsonl").events
    return [e.model_dump(exclude=UNLOGGED) for e in events if e.type != "run_resumed"]


@pytest.fixture(scope="module")
def steered_run(corpus_index, tmp_path_factory) -> tuple[Settings, Path, _Chair]:
    base = tmp_path_factory.mktemp("steered")
    settings = _settings(base, corpus_index.settings.data_dir)
    chair = _Chair()
    return settings, _run(settings, chair), chair


def test_every_kind_of_steer_is_logged_with_its_step(steered_run):
    _, folder, _ = steered_run
    steers = [e for e in read_log(folder / "events.jsonl").events if isinstance(e, HumanSteer)]
    assert [s.kind for s in steers] == [
        "redirect",
        "pause",
        "resume",
        "interject",
        "ask",
        "end_theme",
        "send_back",
        "approve",
    ]
    assert all(s.step is not None and s.theme_id == "talent" for s in steers)


def test_a_run_cut_after_any_steer_resumes_to_the_uninterrupted_run(steered_run, tmp_path):
    settings, whole, first_chair = steered_run
    lines = (whole / "events.jsonl").read_text().splitlines(keepends=True)
    steer_lines = [i + 1 for i, line in enumerate(lines) if '"type":"human_steer"' in line]
    sent_then_logged = list(zip(first_chair.sent_at, steer_lines, strict=True))
    cuts = [  # a cut between sending a steer and the debate taking it loses it: it never happened
        n
        for n in range(steer_lines[0], len(lines))
        if not any(sent <= n < logged for sent, logged in sent_then_logged)
    ]
    assert set(steer_lines[2:]) <= set(cuts)  # after resume, interject, ask, end, send back…

    def still_to_come(cut: int) -> list[tuple[int, tuple]]:
        """The steers the chair had not sent yet, each sent on the line it was sent before."""
        steers = [steer for _, steer in _script()]
        return [
            (sent, steer)
            for sent, steer in zip(first_chair.sent_at, steers, strict=True)
            if sent > cut
        ]

    for cut in cuts:
        base = tmp_path / f"cut-{cut}"
        folder = base / whole.name
        folder.mkdir(parents=True)
        (folder / "events.jsonl").write_text("".join(lines[:cut]))
        chair = _Chair(
            script=[(_at(sent), steer) for sent, steer in still_to_come(cut)], logged=cut
        )
        resumed = _run(
            settings.model_copy(update={"transcripts_dir": base}), chair, resume=whole.name
        )
        assert _story(resumed) == _story(whole), f"cut after line {cut}"


def test_a_steered_run_replays_byte_for_byte(steered_run):
    settings, whole, _ = steered_run
    replayed = _run(settings, _Chair(Steering(recorded_only=True), script=[]), replay=whole.name)
    for name in ("report.md", "report.json"):
        assert (replayed / name).read_bytes() == (whole / name).read_bytes()
    assert _story(replayed) == _story(whole)
