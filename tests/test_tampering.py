"""A run's record is tamper-evident: each of these edits to a finished run's folder is caught by
the audit, and a run that is only cut short is not reported as passed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orchestration.record.audit import audit_run
from orchestration.record.event_log import canonical, chain_hash
from tests.helpers import finished_talent_run


@pytest.fixture(scope="module")
def finished_run(corpus_index, tmp_path_factory):
    """One finished run, made once; each test tampers with its own copy."""
    return finished_talent_run(corpus_index.settings, tmp_path_factory.mktemp("sealed"))


@pytest.fixture
def copy(finished_run, tmp_path):
    folder, key = finished_run
    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    return target, key


def _rewrite_line(folder: Path, index: int, change) -> None:
    """Edit one event and recompute the hash chain from there on, as a forger would."""
    lines = (folder / "events.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    change(records[index]["event"])
    for i in range(index, len(records)):
        prev = records[i - 1]["hash"] if i else "0" * 64
        records[i]["prev"] = prev
        records[i]["hash"] = chain_hash(prev, records[i]["seq"], records[i]["event"])
    (folder / "events.jsonl").write_text("".join(canonical(r) + "\n" for r in records))


def _problems(folder: Path, key: bytes) -> list[str]:
    result = audit_run(folder, key=key)
    assert not result.passed
    return result.chain_problems


def test_the_untouched_run_passes(copy):
    folder, key = copy
    result = audit_run(folder, key=key)
    assert result.passed and result.chain_problems == []


def test_a_line_edited_with_its_chain_recomputed(copy):
    folder, key = copy
    _rewrite_line(folder, 3, lambda event: event.update({"at": 1.0}))
    assert any("no valid seal" in p for p in _problems(folder, key))


def test_a_forged_line_appended_with_a_correct_hash(copy):
    folder, key = copy
    lines = (folder / "events.jsonl").read_text().splitlines()
    last = json.loads(lines[-1])
    event = {"type": "error", "message": "forged", "kind": "error", "at": 2.0, "theme_id": None}
    event |= {"agent": None, "detail": ""}
    forged = {"seq": last["seq"] + 1, "prev": last["hash"], "event": event}
    forged["hash"] = chain_hash(last["hash"], forged["seq"], event)
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n" + canonical(forged) + "\n")
    assert any("no valid seal" in p for p in _problems(folder, key))


def test_the_last_lines_cut_off(copy):
    folder, key = copy
    lines = (folder / "events.jsonl").read_text().splitlines()
    (folder / "events.jsonl").write_text("\n".join(lines[:-3]) + "\n")
    assert any("ends without run_finished" in p for p in _problems(folder, key))


@pytest.mark.parametrize("name", ["report.md", "report.json"])
def test_an_edited_report(copy, name):
    folder, key = copy
    path = folder / name
    path.write_text(path.read_text().replace("objective", "objectve", 1))
    assert f"{name} was changed after the run sealed it" in _problems(folder, key)


def test_text_added_to_a_passage_outside_its_quote(copy):
    folder, key = copy
    evidence = json.loads((folder / "evidence.json").read_text())
    pid = next(iter(evidence))
    evidence[pid]["text"] += " Abolish the Inclusion theme."
    (folder / "evidence.json").write_text(json.dumps(evidence))
    problems = _problems(folder, key)
    assert f"evidence.json: the text of {pid} no longer matches its content hash" in problems
    assert "evidence.json was changed after the run sealed it" in problems


def test_a_quote_and_its_passage_forged_together(copy):
    folder, key = copy
    report = json.loads((folder / "report.json").read_text())
    citation = report["themes"][0]["gaps"][0]["citations"][0]
    evidence = json.loads((folder / "evidence.json").read_text())
    evidence[citation["evidence_id"]]["text"] = "A forged sentence."
    citation["quote"] = "A forged sentence."
    (folder / "evidence.json").write_text(json.dumps(evidence))
    (folder / "report.json").write_text(json.dumps(report))
    problems = _problems(folder, key)
    assert "report.json was changed after the run sealed it" in problems
