"""A whole run through the real AutoGen path with the replay backend (recorded replies).

The run is made once per module (``replayed_run``); each test that works on it gets its own copy
of the run folder (``run_folder``), so a test may tamper with it, resume it or add to it."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.cli.entry import main
from orchestration.record.event_log import read_log
from tests.helpers import isolate
from tests.scripted import REPLAYED_TALENT_RUN as REPLIES

SECRET = "sk-live-very-secret-key"


@dataclass(frozen=True)
class ReplayedRun:
    folder: Path  # the run folder as `review run` left it: read it, never change it
    code: int  # what `review run` returned
    out: str  # what it printed


def _replay_environment(monkeypatch: pytest.MonkeyPatch, base: Path) -> None:
    """The replay backend answering from REPLIES, a live-looking API key, transcripts in base."""
    replies = base / "replies.json"
    replies.write_text(json.dumps(REPLIES))
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__BACKEND", "replay")
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__REPLAY_FILE", str(replies))
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__API_KEY", SECRET)
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(base / "transcripts"))


@pytest.fixture(scope="module")
def replayed_run(corpus_index, tmp_path_factory) -> ReplayedRun:
    """One `review run --themes talent` through the replay backend, made once for the module."""
    base = tmp_path_factory.mktemp("replayed-run")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as monkeypatch, redirect_stdout(out):
        isolate(monkeypatch, tmp_path_factory.getbasetemp())
        _replay_environment(monkeypatch, base)
        code = main(
            ["run", "--themes", "talent", "--data-dir", str(corpus_index.settings.data_dir)]
        )
    [folder] = list((base / "transcripts").iterdir())
    return ReplayedRun(folder, code, out.getvalue())


@pytest.fixture
def run_folder(replayed_run, tmp_path, monkeypatch) -> Path:
    """This test's own copy of the replayed run, in the environment that made it."""
    _replay_environment(monkeypatch, tmp_path)
    assert replayed_run.code == 0, replayed_run.out
    folder = tmp_path / "transcripts" / replayed_run.folder.name
    shutil.copytree(replayed_run.folder, folder)
    return folder


def test_a_replayed_run_writes_a_checked_log_and_report_without_secrets(replayed_run):
    assert replayed_run.code == 0, replayed_run.out
    folder = replayed_run.folder
    check = read_log(folder / "events.jsonl")
    assert check.intact
    kinds = [e.type for e in check.events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    spoken = [(e.agent, e.phase) for e in check.events if e.type == "agent_message"]
    assert spoken[1:5] == [
        ("national-policy", "opening"),
        ("leeds-local", "opening"),
        ("inclusion", "opening"),
        ("critic", "critique"),
    ]
    report = json.loads((folder / "report.json").read_text())
    theme = report["themes"][0]
    assert theme["recommendations"][0]["citations"][0]["evidence_id"] == "WY-HCP-WF-2022#30"
    assert theme["dissent"] == [{"agent": "inclusion", "text": "Nothing on disabled staff."}]
    brief = next(e for e in check.events if e.type == "agent_message" and e.phase == "brief")
    assert "Corpus limit: No national policy documents in the corpus" in brief.content
    assert "> **Corpus limit:** No national policy documents" in (folder / "report.md").read_text()
    for name in ("events.jsonl", "report.md", "report.json"):
        assert SECRET not in (folder / name).read_text()
    assert "report.md" in replayed_run.out  # the run printed where its report is...
    assert SECRET not in replayed_run.out  # ...and never the key


def test_runs_lists_complete_interrupted_and_damaged_runs(tmp_path, monkeypatch, capsys):
    from orchestration.events import RunFinished, RunStarted, ThemeReviewed
    from orchestration.record.event_log import EventLog
    from orchestration.review_models import ThemeReview

    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(tmp_path))
    start = RunStarted(
        run_id="x",
        strategy_title="Plan",
        strategy_path="p",
        strategy_sha256="h",
        themes=["a", "b"],
        models={"critic": "local:m"},
        embedding_model="e",
        index_version="v",
        settings_sha256="s",
    )
    for name, finish in (("20260101-000000-aaaaaa", True), ("20260102-000000-bbbbbb", False)):
        log = EventLog(tmp_path / name / "events.jsonl")
        log.append(start)
        log.append(
            ThemeReviewed(
                theme_id="a", review=ThemeReview(theme_id="a", theme_name="A", coverage_summary="")
            )
        )
        if finish:
            log.append(RunFinished(status="complete"))
        log.close()
    damaged = tmp_path / "20260103-000000-cccccc" / "events.jsonl"
    damaged.parent.mkdir()
    damaged.write_text("{broken\n{}\n")
    assert main(["runs"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "2026010" in line]
    assert "damaged" in rows[0] and "interrupted" in rows[1] and "complete" in rows[2]
    assert "1/2" in rows[1] and "Plan" in rows[2]

    from orchestration.events import RunResumed
    from orchestration.record.saved_runs import summarise

    live = EventLog(tmp_path / "20260104-000000-dddddd" / "events.jsonl")
    live.append(start)  # a run this process is still writing
    assert summarise(live.path.parent).status == "running"
    live.append(RunFinished(status="failed"))
    live.append(RunResumed(after_seq=2, themes_done=[]))
    live.close()  # resumed, then stopped without a word: interrupted, not its earlier end
    assert summarise(live.path.parent).status == "interrupted"


def test_audit_passes_a_clean_run_and_fails_a_tampered_one(run_folder, corpus_index, capsys):
    base = ["audit", run_folder.name, "--data-dir", str(corpus_index.settings.data_dir)]

    assert main([*base, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["chain_intact"] and result["citations"]
    assert all(c["resolves"] and c["quote_verbatim"] for c in result["citations"])
    [recommendation] = [
        c
        for c in result["claims"]
        if c["where"] == "Talent / recommendation" and c["origin"] == "panel"
    ]
    assert recommendation["lexical"] > 0.3 and recommendation["semantic"] > 0.3

    evidence = json.loads((run_folder / "evidence.json").read_text())
    evidence["WY-HCP-WF-2022#30"]["text"] = "A passage someone rewrote."
    (run_folder / "evidence.json").write_text(json.dumps(evidence))
    assert main(base) == 1
    assert "quote not found verbatim" in capsys.readouterr().out

    lines = (run_folder / "events.jsonl").read_text().splitlines()
    lines[3] = lines[3].replace("opening", "closing", 1)
    (run_folder / "events.jsonl").write_text("\n".join(lines) + "\n")
    assert main([*base, "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["chain_problems"]
    assert problems[0] == "line 4 (event 4) was changed after it was written"


def test_export_writes_report_and_transcript(run_folder):
    for fmt in ("md", "html", "json"):
        assert main(["export", run_folder.name, "--format", fmt]) == 0
    markdown = (run_folder / "export.md").read_text()
    assert "## Transcript" in markdown and "### Theme: talent" in markdown
    assert "**critic**" in markdown and "The claims are supported." in markdown
    assert "cites WY-HCP-WF-2022#28" in markdown
    page = (run_folder / "export.html").read_text()
    assert page.startswith("<!doctype html>") and "<blockquote>" in page and "<table>" in page
    exported = json.loads((run_folder / "export.json").read_text())
    assert exported["events"][0]["type"] == "run_started" and exported["report"]["themes"]


def test_replay_reproduces_the_report_byte_for_byte(
    run_folder, corpus_index, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(
        "REVIEW_MODELS__DEFAULT__REPLAY_FILE", str(tmp_path / "missing.json")
    )  # no model needed
    assert main(["replay", run_folder.name, "--data-dir", str(corpus_index.settings.data_dir)]) == 0
    assert "identical to the original" in capsys.readouterr().out
    for name in ("report.md", "report.json"):
        assert (run_folder / "replay" / name).read_bytes() == (run_folder / name).read_bytes()


def test_resume_repairs_a_torn_tail_and_refuses_a_damaged_log(
    run_folder, corpus_index, tmp_path, monkeypatch, capsys
):
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    log = run_folder / "events.jsonl"
    lines = log.read_text().splitlines()

    assert main(["run", "--resume", run_folder.name, *data]) == 2
    assert "already complete" in capsys.readouterr().err

    # The run died while writing its sign-offs: drop the end of the log and tear the last line.
    cut = next(i for i, line in enumerate(lines) if '"phase":"sign_off"' in line)
    log.write_text("\n".join(lines[:cut]) + "\n" + lines[cut][:30])
    rest = tmp_path / "rest.json"  # the live model answers only what the log does not hold
    rest.write_text(json.dumps(REPLIES[5:]))
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__REPLAY_FILE", str(rest))
    assert main(["run", "--resume", run_folder.name, *data]) == 0
    capsys.readouterr()
    check = read_log(log)
    assert (
        check.intact
        and check.events[-1].type == "run_finished"
        and check.events[-1].status == "complete"
    )
    signers = [e.agent for e in check.events if e.type == "agent_message" and e.phase == "sign_off"]
    assert signers == ["national-policy", "leeds-local", "inclusion", "critic"]

    damaged = log.read_text().splitlines()
    damaged[2] = damaged[2].replace("talent", "tallent")
    log.write_text("\n".join(damaged) + "\n")
    assert main(["run", "--resume", run_folder.name, *data]) == 2
    assert "damaged" in capsys.readouterr().err


def test_a_follow_up_is_answered_appended_and_audited(
    run_folder, corpus_index, tmp_path, monkeypatch, capsys
):
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    answer = tmp_path / "answer.json"
    answer.write_text(
        json.dumps(["Yes: partners recruit nurses abroad ethically [WY-HCP-WF-2022#30] [BOGUS#9]."])
    )
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__REPLAY_FILE", str(answer))
    assert (
        main(
            [
                "ask",
                run_folder.name,
                "Is international recruitment covered?",
                "--agent",
                "national-policy",
                *data,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "WY-HCP-WF-2022#30" in out and "Added to the log" in out
    check = read_log(run_folder / "events.jsonl")
    assert check.intact
    asked, pack, answered = [
        e for e in check.events if e.type in ("human_steer", "evidence_pack", "agent_message")
    ][-3:]
    assert asked.kind == "ask" and asked.text == "Is international recruitment covered?"
    assert pack.evidence_ids and pack.agent == "national-policy"
    assert answered.phase == "follow_up" and answered.agent == "national-policy"
    assert answered.evidence_ids == ["WY-HCP-WF-2022#30"]  # the bogus id is not a citation
    assert main(["audit", run_folder.name, "--json", *data]) == 0
    result = json.loads(capsys.readouterr().out)
    assert any(
        c["where"] == "follow-up by national-policy" and c["resolves"] for c in result["citations"]
    )


def test_a_follow_up_on_a_list_is_shown_the_list_whole_within_its_passage_budget(
    run_folder, corpus_index, tmp_path, monkeypatch
):
    from orchestration.record.followup import _budget
    from orchestration.settings import load_settings

    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(["The corpus lists the work streams [LEEDS-SCRUTINY-2022#13]."]))
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__REPLAY_FILE", str(answer))
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    question = "What are the six collaborative work streams of the Leeds City Resourcing Group?"
    assert main(["ask", run_folder.name, question, "--agent", "leeds-local", *data]) == 0
    pack = [e for e in read_log(run_folder / "events.jsonl").events if e.type == "evidence_pack"]
    ids = pack[-1].evidence_ids
    # the passage that opens the list brings the one that carries it on ...
    assert ids[:2] == ["LEEDS-SCRUTINY-2022#13", "LEEDS-SCRUTINY-2022#14"]
    # ... and the prompt is still sized for the answer's passage budget
    settings = load_settings({"retrieval": {"data_dir": str(corpus_index.settings.data_dir)}})
    assert len(ids) == _budget(settings, "leeds-local").answer_hits


def test_audit_can_ask_a_model_to_judge_each_claim(
    run_folder, corpus_index, tmp_path, monkeypatch, capsys
):
    verdicts = tmp_path / "verdicts.json"
    verdicts.write_text(json.dumps(['{"support": "supported", "reason": "It says so."}'] * 4))
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__REPLAY_FILE", str(verdicts))
    assert (
        main(
            [
                "audit",
                run_folder.name,
                "--judge",
                "--json",
                "--data-dir",
                str(corpus_index.settings.data_dir),
            ]
        )
        == 0
    )
    claims = json.loads(capsys.readouterr().out)["claims"]
    assert claims and all(c["judged"] == "supported" for c in claims)


def _cut_before_the_end(folder: Path) -> None:
    """What a crash while the reports were written leaves: no run_finished, evidence.json torn."""
    log = folder / "events.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(line for line in lines if '"type":"run_finished"' not in line))
    (folder / "evidence.json").write_text("")


@pytest.mark.slow  # resumes a run
def test_a_damaged_snapshot_is_named_by_audit_and_rebuilt_by_resume(
    run_folder, corpus_index, capsys
):
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    _cut_before_the_end(run_folder)
    assert main(["audit", run_folder.name, "--json", *data]) == 1
    problems = json.loads(capsys.readouterr().out)["chain_problems"]
    assert any(p.startswith("evidence.json is damaged") for p in problems)
    assert any("ends without run_finished" in p for p in problems)

    assert main(["run", "--resume", run_folder.name, *data]) == 0
    capsys.readouterr()
    assert (run_folder / "evidence.json.damaged").exists()  # kept aside, not lost
    assert main(["audit", run_folder.name, *data]) == 0
    assert "PASSED" in capsys.readouterr().out


@pytest.mark.slow  # resumes a run
def test_a_full_disk_stops_the_run_plainly_and_it_resumes_after(
    run_folder, corpus_index, tmp_path, monkeypatch, capsys
):
    """The disk fills while the resumed run writes its log: one sentence naming the log, the
    lines already written kept, and the run resumes once there is space again."""
    import errno
    import os

    import orchestration.record.event_log as event_log

    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    log = run_folder / "events.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if '"phase":"sign_off"' in line)
    log.write_text("".join(lines[:cut]))
    rest = tmp_path / "rest.json"
    rest.write_text(json.dumps(REPLIES[5:]))
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__REPLAY_FILE", str(rest))

    writes = 0
    real_fsync = os.fsync

    def fills_up(fd: int) -> None:
        nonlocal writes
        writes += 1
        if writes > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(event_log.os, "fsync", fills_up)
    assert main(["run", "--resume", run_folder.name, *data]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"The disk is full: {log} could not be written" in err and "Errno" not in err
    assert read_log(log).events[-1].type != "run_finished"

    monkeypatch.setattr(event_log.os, "fsync", real_fsync)
    assert main(["run", "--resume", run_folder.name, *data]) == 0
    capsys.readouterr()
    check = read_log(log)
    assert check.intact and check.events[-1].status == "complete"
    signers = [e.agent for e in check.events if e.type == "agent_message" and e.phase == "sign_off"]
    assert signers == ["national-policy", "leeds-local", "inclusion", "critic"]


def test_a_follow_up_the_model_answers_with_nothing_says_so_and_is_logged(
    run_folder, corpus_index, tmp_path, monkeypatch, capsys
):
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(["", "  "]))  # a busy server's empty replies, twice
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__REPLAY_FILE", str(answer))
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    assert main(["ask", run_folder.name, "Is international recruitment covered?", *data]) == 2
    err = capsys.readouterr().err
    assert "gave no answer" in err and "Traceback" not in err
    check = read_log(run_folder / "events.jsonl")
    assert check.intact and check.events[-1].type == "error"
    assert check.events[-1].kind == "empty_reply"
    assert not any(e.type == "agent_message" and e.phase == "follow_up" for e in check.events)


def test_a_follow_up_whose_model_fails_is_logged_as_an_error(
    run_folder, corpus_index, monkeypatch, capsys
):
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__BACKEND", "openai-compatible")
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__MODEL", "m")
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__BASE_URL", "http://127.0.0.1:9/v1")  # nobody
    monkeypatch.setenv("REVIEW_MODELS__DEFAULT__MAX_RETRIES", "0")
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    assert main(["ask", run_folder.name, "Is international recruitment covered?", *data]) != 0
    assert "Traceback" not in capsys.readouterr().err
    check = read_log(run_folder / "events.jsonl")
    assert check.intact and check.events[-1].type == "error"
    assert check.events[-1].agent == "editor"
