"""The chair's decisions on recommendations: steers in the log, in the report, sealed, audited."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from orchestration.record.audit import audit_run
from orchestration.record.decisions import decide
from orchestration.record.event_log import read_log
from orchestration.record.export import export_run
from orchestration.record.folder import RunFolder
from orchestration.review_models import ACTION_FIELDS
from tests.helpers import finished_talent_run


@pytest.fixture(scope="module")
def finished_run(corpus_index, tmp_path_factory):
    return finished_talent_run(corpus_index.settings, tmp_path_factory.mktemp("decided"))


@pytest.fixture
def run(finished_run, tmp_path):
    folder, key = finished_run
    shutil.copytree(folder, tmp_path / folder.name)
    return RunFolder(tmp_path / folder.name), key


def test_decisions_are_logged_written_into_the_report_and_still_pass_the_audit(run):
    folder, key = run
    recommendations = json.loads(folder.report_json.read_text())["themes"][0]["recommendations"]
    assert len(recommendations) >= 2
    decide(folder, key, "talent", 1, "accepted")
    decide(folder, key, "talent", 2, "deferred")
    decide(folder, key, "talent", 2, "rejected", "  The trust has  no budget for it. ")

    steers = [e for e in read_log(folder.events).events if e.type == "human_steer"]
    assert [(s.kind, s.target) for s in steers][-3:] == [
        ("accept", "talent#1"),
        ("defer", "talent#2"),
        ("reject", "talent#2"),
    ]
    saved = json.loads(folder.report_json.read_text())["decisions"]
    assert [(d["number"], d["verdict"], d["reason"]) for d in saved] == [
        (1, "accepted", ""),
        (2, "rejected", "The trust has no budget for it."),  # the latest decision stands
    ]
    assert saved[0]["recommendation"] == recommendations[0]["text"]
    report = folder.report_md.read_text()
    assert "**Chair: accepted.**" in report
    assert "**Chair: rejected — The trust has no budget for it..**" not in report
    assert "Chair: rejected — The trust has no budget for it." in report
    actions = report.split("### Action list")[1].split("\n## ")[0]
    assert recommendations[0]["text"] in actions and recommendations[1]["text"] not in actions
    assert "Owner:" in actions  # every action line names its fields, missing or not
    assert audit_run(folder.path, key=key).passed  # the rewritten report is sealed again


def test_a_decision_that_cannot_be_taken_says_why_and_writes_nothing(run):
    folder, key = run
    before = folder.events.read_bytes(), folder.report_md.read_bytes()
    with pytest.raises(ValueError, match="Say why"):
        decide(folder, key, "talent", 1, "rejected", "   ")
    with pytest.raises(ValueError, match="no recommendation 99"):
        decide(folder, key, "talent", 99, "accepted")
    with pytest.raises(ValueError, match="no recommendation 1"):
        decide(folder, key, "no-such-theme", 1, "accepted")
    assert (folder.events.read_bytes(), folder.report_md.read_bytes()) == before


def test_the_accepted_recommendations_export_as_an_action_list(run, capsys):
    folder, key = run
    with pytest.raises(ValueError, match="No recommendation has been accepted"):
        export_run(folder.path, "csv")
    decide(folder, key, "talent", 2, "accepted")
    decide(folder, key, "talent", 1, "deferred")
    rows = list(csv.DictReader(export_run(folder.path, "csv").open(encoding="utf-8")))
    recommendation = json.loads(folder.report_json.read_text())["themes"][0]["recommendations"][1]
    assert [r["recommendation"] for r in rows] == [recommendation["text"]]
    [row] = rows
    assert row["theme"] == "Talent" and set(ACTION_FIELDS) <= set(row)
    cited = recommendation["citations"][0]
    assert f"{cited['evidence_id']} “{cited['quote']}”" in row["evidence"]
