"""How the terminal UI copes with a long run: a synthetic 5,000-message transcript is written to a
temporary folder, then opened in the app (headless, at 120x40) and scrolled.

    .venv/bin/python bench/tui_transcript.py [--messages 5000]

Prints: the time to read and fold the log; the time from launching the app to the first drawn
screen, in this process and in a new one (imports included); and the time per key press when
scrolling (page up, cursor up, jumps to the ends), each until the screen has been redrawn
("none" is an unbound key: the test harness's own cost).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from agents.panel import PANEL
from orchestration.events import (
    AgentMessage,
    PhaseChanged,
    RunFinished,
    RunStarted,
    ToolCalled,
)
from orchestration.record.event_log import EventLog
from orchestration.settings import load_settings
from tui.app import create_app
from tui.session import Session
from tui.widgets.debate_log import DebateLog

STRATEGY = Path("corpus/strategy/workforce-strategy-2026-2031.toml")
WORDS = [
    "workforce",
    "retention",
    "apprenticeships",
    "Leeds",
    "community",
    "nursing",
    "inclusion",
    "evidence",
    "pipeline",
    "staff",
    "experience",
    "flexible",
    "working",
    "leadership",
    "partners",
    "integrated",
    "care",
    "board",
    "regional",
    "plan",
]


def write_transcript(folder: Path, messages: int) -> None:
    rng = random.Random(7)
    log = EventLog(folder / "events.jsonl")
    themes = ["people-services", "inclusion", "talent", "staff-experience", "organisation-design"]
    log.append(
        RunStarted(
            run_id=folder.name,
            strategy_title="Workforce Strategy 2026-2031",
            strategy_path=str(STRATEGY),
            strategy_sha256="0" * 64,
            themes=themes,
            models={agent: "local:bench" for agent in PANEL},
            embedding_model="bench",
            index_version="bench",
            settings_sha256="0" * 64,
        )
    )
    for i in range(messages):
        theme = themes[i * len(themes) // messages]
        if i % 50 == 0:
            log.append(PhaseChanged(theme_id=theme, phase="critique", round=1 + i // 50))
        agent = PANEL[i % len(PANEL)]
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 90)))
        ids = [f"LEEDS-OWS-2024#{rng.randint(1, 40)}"]
        log.append(
            AgentMessage(
                theme_id=theme, agent=agent, phase="critique", content=text, evidence_ids=ids
            )
        )
        if i % 10 == 0:
            log.append(
                ToolCalled(
                    theme_id=theme,
                    agent=agent,
                    tool="search_corpus",
                    arguments={"query": text[:40]},
                    result_ids=ids,
                )
            )
    log.append(RunFinished(status="complete", seconds=3600.0))
    log.close()


async def measure(transcripts: Path, run_id: str) -> dict[str, float | list[float]]:
    settings = load_settings({"transcripts_dir": str(transcripts)})
    started = time.perf_counter()
    Session.saved(settings, run_id)
    fold_s = time.perf_counter() - started

    started = time.perf_counter()
    app = create_app(settings, open_run=run_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        debate = app.screen.query_one(DebateLog)
        first_paint_s = time.perf_counter() - started
        await pilot.press("end")  # a saved run opens at its start; scroll back up from its end
        timings: dict[str, list[float]] = {"none": [], "pageup": [], "up": [], "home/end": []}
        for key, count in (("none", 30), ("pageup", 60), ("up", 60), ("home/end", 10)):
            for n in range(count):
                press = ("home" if n % 2 == 0 else "end") if key == "home/end" else key
                press = "z" if key == "none" else press  # an unbound key: the harness's own cost
                tick = time.perf_counter()
                await pilot.press(press)
                await pilot.pause()
                timings[key].append(time.perf_counter() - tick)
        lines = debate.virtual_size.height
    return {"fold_s": fold_s, "first_paint_s": first_paint_s, "lines": lines, **timings}


COLD_START = """
import asyncio, sys
from orchestration.settings import load_settings
from tui.app import create_app
async def main():
    app = create_app(load_settings({"transcripts_dir": sys.argv[1]}), open_run=sys.argv[2])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
asyncio.run(main())
"""


def cold_start_s(transcripts: Path, run_id: str) -> float:
    """A new Python process: imports, the log read and folded, the first screen drawn."""
    tick = time.perf_counter()
    subprocess.run([sys.executable, "-c", COLD_START, str(transcripts), run_id], check=True)
    return time.perf_counter() - tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_id = "bench-run"
        tick = time.perf_counter()
        write_transcript(Path(tmp) / run_id, args.messages)
        written = time.perf_counter() - tick
        figures = asyncio.run(measure(Path(tmp), run_id))
        cold = min(cold_start_s(Path(tmp), run_id) for _ in range(3))
        size = (Path(tmp) / run_id / "events.jsonl").stat().st_size / 1e6
    print(f"transcript: {args.messages} messages, {size:.1f} MB log, written in {written:.1f} s")
    print(f"read and fold the log:      {figures['fold_s']:.2f} s")
    print(f"launch to first screen:     {figures['first_paint_s']:.2f} s  (includes the fold)")
    print(f"new process to first screen: {cold:.2f} s  (imports too; best of 3)")
    print(f"debate height:              {figures['lines']} lines at 120 columns")
    for key in ("none", "pageup", "up", "home/end"):
        values = figures[key]
        assert isinstance(values, list)
        p95 = sorted(values)[int(len(values) * 0.95) - 1]
        print(
            f"key {key:<9} per press: median {statistics.median(values) * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
