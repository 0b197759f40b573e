"""Tool use end to end: panelists on a model that calls tools search the corpus for themselves.

The test starts a real OpenAI-compatible server that answers tool calls: llama.cpp with its
``chatml-function-calling`` format and the bundled model. That format cannot stream a reply to
a request that offers tools, so the endpoint says ``streams_tool_calls = false``.
"""

from __future__ import annotations

import json

import pytest

from agents.model_settings import Capabilities, ModelEndpoint, ModelSettings
from agents.runtime.models import ModelFactory
from agents.runtime.panelist import AutoGenSpeaker
from agents.speaking import Delta, Said, ToolUse, TurnRequest
from orchestration.cli.entry import main
from orchestration.record.event_log import read_log
from tests.helpers import running_llama_server
from tools.search import Searcher

pytestmark = pytest.mark.slow


_CAN_CALL_TOOLS = {"function_calling": True, "streams_tool_calls": False}


@pytest.fixture(scope="module")
def tool_server():
    with running_llama_server("--chat_format", "chatml-function-calling", n_ctx=8192) as base:
        yield base


@pytest.fixture
def tool_calling_model(tool_server, monkeypatch):
    for name, value in {
        "BACKEND": "openai-compatible",
        "MODEL": "smollm2",
        "BASE_URL": tool_server,
        "API_KEY": "not-needed",
        "CONTEXT_WINDOW": "8192",
        "TEMPERATURE": "0",  # the same calls on every run, so the test takes the same time
        "CAPABILITIES": json.dumps(_CAN_CALL_TOOLS),
    }.items():
        monkeypatch.setenv(f"REVIEW_MODELS__DEFAULT__{name}", value)


async def test_a_turn_that_calls_a_tool_is_shown_whole_and_ends_in_words(
    corpus_index, tool_server, tmp_path
):
    endpoint = ModelEndpoint(
        backend="openai-compatible",
        model="smollm2",
        base_url=tool_server,
        api_key="not-needed",
        max_tokens=48,
        temperature=0.0,
        capabilities=Capabilities(**_CAN_CALL_TOOLS),
    )
    speaker = AutoGenSpeaker(
        ModelFactory(ModelSettings(default=endpoint), tmp_path), Searcher(corpus_index.settings)
    )
    request = TurnRequest(
        agent="leeds-local",
        shared="You review a workforce strategy against an evidence corpus.",
        transcript="",
        task="Search the corpus for evidence on apprenticeships in Leeds, then say what it shows.",
        theme_id="talent",
    )
    items = [item async for item in speaker.speak(request)]
    uses = [i for i in items if isinstance(i, ToolUse)]
    [said] = [i for i in items if isinstance(i, Said)]
    assert uses and all(use.result_ids for use in uses if use.tool == "search_corpus")
    assert said.text.strip() and len(said.usage) >= 2  # a call for the tool, one for the words
    assert "".join(i.text for i in items if isinstance(i, Delta)) == said.text


def test_panelists_search_the_corpus_through_real_tool_calls(
    corpus_index, tool_calling_model, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("REVIEW_PANEL__MAX_TURNS", "9")  # openings, review, sign-offs
    monkeypatch.setenv("REVIEW_PANEL__TURN_TOKENS", "48")
    monkeypatch.setenv("REVIEW_PANEL__REVIEW_TOKENS", "300")
    monkeypatch.setenv("REVIEW_PANEL__SIGN_OFF_TOKENS", "40")
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(tmp_path / "transcripts"))
    data_dir = str(corpus_index.settings.data_dir)
    code = main(["--data-dir", data_dir, "run", "--themes", "talent", "--rounds", "1"])
    assert code == 0, capsys.readouterr().out
    [folder] = list((tmp_path / "transcripts").iterdir())
    check = read_log(folder / "events.jsonl")
    assert check.intact
    events = check.events
    assert events[-1].type == "run_finished" and events[-1].status == "complete"

    calls = [e for e in events if e.type == "tool_call"]
    assert calls, "no panelist called a tool"
    assert {c.tool for c in calls} <= {
        "search_corpus",
        "get_passage",
        "list_documents",
        "theme_coverage",
    }
    searcher = Searcher(corpus_index.settings)  # what the tools found is in the index
    assert all(searcher.passage(pid) is not None for c in calls for pid in c.result_ids)

    # Each turn that used a tool still ends in a message, its reply checked like any other.
    for agent in {c.agent for c in calls}:
        said = [e for e in events if e.type == "agent_message" and e.agent == agent]
        assert said and all(e.content.strip() for e in said)
    assert (folder / "report.md").is_file()
