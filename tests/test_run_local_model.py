"""End to end with the real embedded model: one theme, minimal rounds, through `review run`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orchestration.cli.entry import main
from orchestration.record.event_log import read_log
from tools.search import Searcher

pytestmark = pytest.mark.slow
_LINKED_ID = re.compile(r"\[[A-Za-z0-9._-]+#\d+\](?:\(#[^)]*\))?")


def test_one_theme_with_the_embedded_model(corpus_index, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REVIEW_PANEL__MAX_TURNS", "6")
    monkeypatch.setenv("REVIEW_PANEL__TURN_TOKENS", "48")
    monkeypatch.setenv("REVIEW_PANEL__REVIEW_TOKENS", "300")
    monkeypatch.setenv("REVIEW_PANEL__SIGN_OFF_TOKENS", "40")
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(tmp_path / "transcripts"))
    code = main(
        [
            "--data-dir",
            str(corpus_index.settings.data_dir),
            "run",
            "--themes",
            "talent",
            "--rounds",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    [folder] = list((tmp_path / "transcripts").iterdir())
    check = read_log(folder / "events.jsonl")
    assert check.intact
    events = [e.model_dump(mode="json") for e in check.events]
    assert events[0]["type"] == "run_started" and events[-1]["type"] == "run_finished"
    assert events[-1]["status"] == "complete"
    spoken = [e for e in events if e["type"] == "agent_message" and e["agent"] != "moderator"]
    assert spoken and all(e["content"].strip() for e in spoken)
    assert any(e["type"] == "usage" and e["prompt_tokens"] > 0 for e in events)

    report = json.loads((folder / "report.json").read_text())
    [theme] = report["themes"]
    assert theme["theme_name"] == "Talent" and len(theme["objective_coverage"]) == 4
    searcher = Searcher(corpus_index.settings)
    citations = [c for o in theme["objective_coverage"] for c in o["evidence"]]
    citations += [c for g in theme["gaps"] + theme["recommendations"] for c in g["citations"]]
    assert citations
    for c in citations:  # every quote shown is verbatim from the stored source
        assert searcher.store.document_text(c["doc_id"])[c["start"] : c["end"]] == c["quote"]
    markdown = (folder / "report.md").read_text()
    assert (
        "### 1. Theme: Talent" in markdown
        and "> “" in markdown
        and "## Evidence appendix" in markdown
    )
    assert Path(str(folder / "report.md")).name in out
    body = _LINKED_ID.sub("", markdown.split("## Evidence appendix")[0])
    assert not re.search(r"\[[^\]\n]*\](?!\(#)", body), "a bracketed token that is no evidence id"
    assert not re.search(r"your task|json", body, re.IGNORECASE)
    assert not re.search(r"\b[A-Z]{12,}\b", body)  # run-together capitals
    assert sum(bool(g["citations"]) for g in theme["gaps"]) >= 2
    assert sum(bool(r["citations"]) for r in theme["recommendations"]) >= 2
    shown = "\n".join(e["content"] for e in spoken)
    assert not re.search(r"\[(?![A-Za-z0-9._-]+#\d+\])[^\]\n]*\]", shown)  # on screen too
