"""The hash-chained event log: written line by line, and checked when read back."""

from __future__ import annotations

import json

from orchestration.events import AgentMessage, PhaseChanged
from orchestration.record.event_log import EventLog, read_log


def _write(path, count=4):
    log = EventLog(path)
    for n in range(count):
        log.append(
            AgentMessage(theme_id="talent", agent="critic", phase="critique", content=f"point {n}")
        )
    log.close()


def test_a_clean_log_reads_back_intact(tmp_path):
    path = tmp_path / "events.jsonl"
    _write(path)
    check = read_log(path)
    assert check.intact and check.last_seq == 4
    assert [e.content for e in check.events] == ["point 0", "point 1", "point 2", "point 3"]


def test_appending_later_continues_the_chain(tmp_path):
    path = tmp_path / "events.jsonl"
    _write(path, 2)
    first = read_log(path)
    log = EventLog(path, first.last_seq, first.last_hash)
    log.append(PhaseChanged(theme_id="talent", phase="review"))
    log.close()
    check = read_log(path)
    assert check.intact and check.last_seq == 3 and check.events[-1].phase == "review"


def test_a_torn_last_line_is_reported_and_the_rest_kept(tmp_path):
    path = tmp_path / "events.jsonl"
    _write(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 25])  # a crash in the middle of writing the last line
    check = read_log(path)
    assert check.torn_tail and not check.problems
    assert len(check.events) == 3


def test_an_edited_middle_line_breaks_the_chain(tmp_path):
    path = tmp_path / "events.jsonl"
    _write(path)
    lines = path.read_text().splitlines()
    record = json.loads(lines[1])
    record["event"]["content"] = "something the panel never said"
    lines[1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    check = read_log(path)
    assert check.problems == ["line 2 (event 2) was changed after it was written"]
    assert len(check.events) == 1


def test_a_garbled_middle_line_and_a_missing_line(tmp_path):
    path = tmp_path / "events.jsonl"
    _write(path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "{not json", *lines[2:]]) + "\n")
    assert read_log(path).problems == ["line 2 is not a valid log record"]
    path.write_text("\n".join([lines[0], *lines[2:]]) + "\n")
    assert read_log(path).problems == ["line 2 has sequence 3, expected 2"]


def test_a_resumed_run_counts_the_time_of_every_attempt():
    from orchestration.events import PhaseChanged, RunFinished, RunResumed, RunStarted
    from orchestration.record.replaying import PriorRun

    started = RunStarted(
        at=100,
        run_id="r",
        strategy_title="T",
        strategy_path="s",
        strategy_sha256="h",
        themes=["talent"],
        models={},
        embedding_model="e",
        index_version="v",
        settings_sha256="s",
    )
    events = [
        started,
        PhaseChanged(at=160, theme_id="talent", phase="opening"),
        RunFinished(at=170, status="interrupted", seconds=70),
        RunResumed(at=500, after_seq=3, themes_done=[]),
        PhaseChanged(at=530, theme_id="talent", phase="critique"),  # then killed
    ]
    assert PriorRun(started, events, 5, "h").elapsed() == 100
