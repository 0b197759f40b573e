"""The shared retrieval tools as AutoGen tools with typed pydantic arguments and results."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from autogen_core import CancellationToken
from autogen_core.tools import BaseTool
from pydantic import BaseModel

from tools.coverage import CoverageAnalyzer
from tools.panel_tools import (
    CoverageArgs,
    CoverageResult,
    GetPassageArgs,
    GetPassageResult,
    ListDocumentsResult,
    SearchCorpusArgs,
    SearchCorpusResult,
    get_passage,
    list_documents,
    search_corpus,
    theme_coverage,
)
from tools.search import Searcher

ArgsT = TypeVar("ArgsT", bound=BaseModel)
ResultT = TypeVar("ResultT", bound=BaseModel)


class NoArgs(BaseModel):
    """This tool takes no arguments."""


class CorpusTool(BaseTool[ArgsT, ResultT], Generic[ArgsT, ResultT]):
    """An AutoGen tool that runs one of our typed retrieval functions off the event loop."""

    def __init__(
        self,
        name: str,
        description: str,
        args_type: type[ArgsT],
        result_type: type[ResultT],
        func: Callable[[ArgsT], ResultT],
    ) -> None:
        super().__init__(args_type, result_type, name, description)
        self._func = func

    async def run(self, args: ArgsT, cancellation_token: CancellationToken) -> ResultT:
        return await asyncio.to_thread(self._func, args)

    def return_value_as_string(self, value: Any) -> str:
        return (
            value.model_dump_json(exclude_none=True) if isinstance(value, BaseModel) else str(value)
        )


def corpus_tools(
    searcher: Searcher, coverage: CoverageAnalyzer | None = None, passage_words: int | None = None
) -> list[BaseTool[Any, Any]]:
    """``search_corpus``, ``get_passage``, ``list_documents`` (and ``theme_coverage`` when a
    coverage analyzer is given) bound to one searcher; search hits clipped to
    ``passage_words``."""
    tools: list[BaseTool[Any, Any]] = [
        CorpusTool(
            "search_corpus",
            "Hybrid search of the evidence corpus; returns passages with evidence ids to cite.",
            SearchCorpusArgs,
            SearchCorpusResult,
            lambda a: search_corpus(searcher, a, passage_words),
        ),
        CorpusTool(
            "get_passage",
            "Read a passage by evidence id (e.g. LEEDS-OWS-2024#12), optionally with neighbours.",
            GetPassageArgs,
            GetPassageResult,
            lambda a: get_passage(searcher, a),
        ),
        CorpusTool(
            "list_documents",
            "List the documents in the corpus with their ids, scope, publisher and year.",
            NoArgs,
            ListDocumentsResult,
            lambda _: list_documents(searcher),
        ),
    ]
    if coverage is not None:
        tools.append(
            CorpusTool(
                "theme_coverage",
                "Computed coverage of a theme: how strongly the corpus supports each objective, "
                "and corpus topics no objective covers, with evidence ids.",
                CoverageArgs,
                CoverageResult,
                lambda a: theme_coverage(coverage, a),
            )
        )
    return tools
