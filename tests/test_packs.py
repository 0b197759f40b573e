"""How an evidence pack orders what its queries found."""

from __future__ import annotations

from orchestration.engine.packs import found_first
from tools.evidence import Hit, QueryResult


def _hit(pid: str, continues: str | None = None) -> Hit:
    doc = pid.partition("#")[0]
    return Hit(
        id=pid,
        doc_id=doc,
        title=doc,
        section="",
        scope="place",
        text="…",
        score=0.5,
        continues=continues,
    )


def test_a_pack_takes_what_the_queries_found_before_the_lists_they_carry_on() -> None:
    results = [
        QueryResult(query="one", hits=[_hit("A#1"), _hit("A#2", continues="A#1"), _hit("B#4")]),
        QueryResult(query="two", hits=[_hit("C#7"), _hit("A#1"), _hit("C#8", continues="C#7")]),
    ]
    assert found_first(results) == ["A#1", "B#4", "C#7", "A#2", "C#8"]


def test_a_continuation_another_query_found_outright_keeps_its_place() -> None:
    results = [
        QueryResult(query="one", hits=[_hit("A#1"), _hit("A#2", continues="A#1")]),
        QueryResult(query="two", hits=[_hit("A#2")]),
    ]
    assert found_first(results) == ["A#1", "A#2"]
