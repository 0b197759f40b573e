"""The panel's shared tools as AutoGen tools: typed arguments, results with evidence ids."""

from __future__ import annotations

import asyncio
import json

import pytest
from autogen_core import CancellationToken
from pydantic import ValidationError

from agents.runtime.tools import corpus_tools
from tools.coverage import CoverageAnalyzer
from tools.search import Searcher


@pytest.fixture(scope="module")
def tools(corpus_index):
    searcher = Searcher(corpus_index.settings)
    return {t.name: t for t in corpus_tools(searcher, CoverageAnalyzer(searcher))}


def _call(tool, args):
    return asyncio.run(tool.run_json(args, CancellationToken()))


def test_tool_schemas_are_typed(tools):
    assert set(tools) == {"search_corpus", "get_passage", "list_documents", "theme_coverage"}
    params = tools["search_corpus"].schema["parameters"]
    assert params["required"] == ["query"]
    assert params["properties"]["scopes"]["items"]["enum"] == [
        "national",
        "regional",
        "place",
        "organisation",
    ]
    with pytest.raises(ValidationError):
        _call(tools["search_corpus"], {"query": "x", "k": 500})


def test_search_and_get_passage_carry_evidence_ids(tools):
    result = _call(
        tools["search_corpus"], {"query": "apprenticeship levy", "k": 3, "scopes": ["regional"]}
    )
    assert len(result.hits) == 3 and all(h.scope == "regional" and "#" in h.id for h in result.hits)
    text = tools["search_corpus"].return_value_as_string(result)
    assert json.loads(text)["hits"][0]["id"] == result.hits[0].id
    passage = _call(tools["get_passage"], {"evidence_id": result.hits[0].id, "neighbours": 1})
    assert passage.found and passage.passage.id == result.hits[0].id and passage.neighbours
    missing = _call(tools["get_passage"], {"evidence_id": "NOPE#1"})
    assert not missing.found and "NOPE#1" in missing.message


def test_list_documents_and_theme_coverage(tools):
    docs = _call(tools["list_documents"], {}).documents
    assert {d.doc_id for d in docs} == {
        "LEEDS-OWS-2024",
        "LEEDS-SCRUTINY-2022",
        "LSC-ICB-WFS-2023",
        "WY-HCP-WF-2022",
    }
    coverage = _call(
        tools["theme_coverage"],
        {
            "theme": "Talent",
            "objectives": ["Grow apprenticeships", "Recruit internationally, ethically"],
        },
    )
    assert [o.objective for o in coverage.objectives] == [
        "Grow apprenticeships",
        "Recruit internationally, ethically",
    ]
    for objective in coverage.objectives:  # both are in the regional plan
        assert objective.strength != "weak" and objective.evidence_ids
    topics = [t.topic for t in coverage.uncovered_topics]
    assert topics and all("," not in t and 2 <= len(t.split()) <= 5 for t in topics), topics


def test_a_search_naming_unknown_documents_still_searches_and_says_so(tools):
    result = _call(
        tools["search_corpus"], {"query": "apprenticeship levy", "doc_ids": ["evidence_id"]}
    )
    assert result.hits and "evidence_id" in result.message and "every document" in result.message
