"""Search, show and documents against the bundled corpus (ingested once per session)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import openai
import pytest

from orchestration.cli.entry import main
from tests.helpers import CORPUS_DIR, SEED_FILES, IndexedCorpus, squash, write_small_corpus
from tools.chunker import chunk_text
from tools.embeddings import RemoteEmbedder
from tools.ingest import ingest
from tools.normalize import normalize_text
from tools.search import Filters, Searcher, lexical_is_decisive
from tools.settings import EmbeddingSettings, RetrievalSettings, SearchSettings
from tools.store import CorpusStore, IndexError_, NoIndexError

IDS = {
    "001_89b7e46f1cb73dbb.txt": "LEEDS-OWS-2024",
    "002_198a3abac36d85c3.txt": "LEEDS-SCRUTINY-2022",
    "003_d7c4ba42fa4e0db5.txt": "LSC-ICB-WFS-2023",
    "004_932bb65de8e7fdc8.txt": "WY-HCP-WF-2022",
}
PLACE = {"LEEDS-OWS-2024", "LEEDS-SCRUTINY-2022"}
EVIDENCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*#[1-9][0-9]*$")
HIT_KEYS = {"id", "doc_id", "title", "section", "scope", "text", "score", "continues"}


@pytest.fixture(scope="module")
def searcher(corpus_index: IndexedCorpus) -> Searcher:
    return Searcher(corpus_index.settings)


def _cli(corpus_index: IndexedCorpus, *args: str) -> list[str]:
    return ["--data-dir", str(corpus_index.settings.data_dir), *args]


def _search_json(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str], *args: str
) -> list[dict[str, object]]:
    code = main(_cli(corpus_index, "search", "--json", *args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


# -- the index itself ----------------------------------------------------------------------------


def test_bundled_corpus_ingests_cleanly(corpus_index: IndexedCorpus) -> None:
    report = corpus_index.report
    assert sorted(report.added) == sorted(IDS)
    assert report.problems == [] and report.warnings == []
    assert report.passages_written > 100


def test_indexed_passages_match_the_chunker_exactly(corpus_index: IndexedCorpus) -> None:
    store = CorpusStore(corpus_index.settings)
    passages = list(store.iter_passages())
    assert len(passages) == corpus_index.report.passages_written
    records = store.document_records()
    catalog_scope = {
        "LEEDS-OWS-2024": "place",
        "LEEDS-SCRUTINY-2022": "place",
        "LSC-ICB-WFS-2023": "regional",
        "WY-HCP-WF-2022": "regional",
    }
    for path in SEED_FILES:
        doc_id = IDS[path.name]
        text = store.document_text(doc_id)
        assert text == normalize_text(path.read_text(encoding="utf-8-sig"))
        expected = chunk_text(
            text, corpus_index.settings.chunk_words, corpus_index.settings.overlap_words
        )
        mine = sorted((p for p in passages if p.doc_id == doc_id), key=lambda p: p.position)
        assert [(p.position, p.start, p.end, p.text, p.section) for p in mine] == [
            (c.position, c.start, c.end, c.text, c.section) for c in expected
        ]
        assert all(p.id == f"{doc_id}#{p.position}" for p in mine)
        assert all(p.scope == catalog_scope[doc_id] for p in mine)
        assert all(p.page is None for p in mine)
        assert records[doc_id]["n_chunks"] == len(mine)
        assert records[doc_id]["file"] == path.name


def test_reingesting_the_bundled_corpus_is_a_no_op(corpus_index: IndexedCorpus) -> None:
    report = ingest([CORPUS_DIR], corpus_index.settings)
    assert report.passages_written == 0
    assert sorted(report.unchanged) == sorted(IDS)
    assert not report.changed


# -- search --------------------------------------------------------------------------------------


def test_search_json_shape_one_object_per_query(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = ["staff retention", "apprenticeships in social care", "digital skills"]
    results = _search_json(corpus_index, capsys, *queries, "--k", "4")
    assert isinstance(results, list)
    assert [r["query"] for r in results] == queries
    for result in results:
        assert set(result) == {"query", "hits"}
        hits = result["hits"]
        assert isinstance(hits, list)
        assert len([h for h in hits if h["continues"] is None]) == 4
        ids = [h["id"] for h in hits]
        assert len(set(ids)) == len(ids)
        for hit in hits:
            assert set(hit) == HIT_KEYS
            assert EVIDENCE_ID.match(hit["id"]), hit["id"]
            assert hit["id"].rpartition("#")[0] == hit["doc_id"]
            assert hit["doc_id"] in IDS.values()
            assert hit["scope"] in ("place", "regional")
            assert isinstance(hit["score"], float) and hit["score"] > 0
            assert isinstance(hit["text"], str) and hit["text"].strip()
            assert isinstance(hit["section"], str) and isinstance(hit["title"], str)
        scores = [h["score"] for h in hits]
        assert scores == sorted(scores, reverse=True)


def test_search_hits_carry_catalog_titles_and_passage_text(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str], searcher: Searcher
) -> None:
    [result] = _search_json(
        corpus_index, capsys, "Schwartz rounds and compassionate leadership", "--k", "3"
    )
    top = result["hits"][0]
    assert top["doc_id"] == "WY-HCP-WF-2022"
    assert top["title"] == "West Yorkshire Health and Care Partnership: workforce priorities"
    assert "Schwartz rounds" in top["text"]
    passage = searcher.passage(top["id"])
    assert passage is not None and passage.text == top["text"] and passage.section == top["section"]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_scope_filter_returns_only_that_scope(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    # Without a filter the best hits for this query are regional (West Yorkshire).
    [unfiltered] = _search_json(corpus_index, capsys, "clinical placement capacity", "--mode", mode)
    assert unfiltered["hits"][0]["scope"] == "regional"
    [result] = _search_json(
        corpus_index,
        capsys,
        "clinical placement capacity",
        "--scope",
        "place",
        "--k",
        "8",
        "--mode",
        mode,
    )
    hits = result["hits"]
    assert hits
    assert {h["scope"] for h in hits} == {"place"}
    assert {h["doc_id"] for h in hits} <= PLACE


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_doc_filter_returns_only_that_document(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    [result] = _search_json(
        corpus_index,
        capsys,
        "We Care Academy recruitment",
        "--doc",
        "WY-HCP-WF-2022",
        "--k",
        "6",
        "--mode",
        mode,
    )
    assert result["hits"]
    assert {h["doc_id"] for h in result["hits"]} == {"WY-HCP-WF-2022"}


def test_two_doc_filters_are_a_union(searcher: Searcher) -> None:
    [result] = searcher.search(
        ["workforce"], k=40, filters=Filters(doc_ids=("LEEDS-OWS-2024", "WY-HCP-WF-2022"))
    )
    assert {h.doc_id for h in result.hits} == {"LEEDS-OWS-2024", "WY-HCP-WF-2022"}


def test_scope_and_doc_filters_combine(searcher: Searcher) -> None:
    [result] = searcher.search(
        ["workforce"], k=5, filters=Filters(scopes=("regional",), doc_ids=("LEEDS-OWS-2024",))
    )
    assert result.hits == []


@pytest.mark.parametrize(
    "query,doc_id",
    [
        ("Schwartz rounds and compassionate leadership", "WY-HCP-WF-2022"),
        ("We Care Academy attraction and selection for adult social care", "LEEDS-SCRUTINY-2022"),
        ("clinical placement capacity for students", "WY-HCP-WF-2022"),
        (
            "Lancashire and South Cumbria five-year workforce strategy executive summary",
            "LSC-ICB-WFS-2023",
        ),
    ],
)
def test_search_finds_the_document_that_is_about_the_query(
    searcher: Searcher, query: str, doc_id: str
) -> None:
    [result] = searcher.search([query], k=3)
    assert result.hits[0].doc_id == doc_id


@pytest.mark.parametrize(
    ("query", "passage_id"),
    [("Schwartz rounds", "WY-HCP-WF-2022#15"), ("Kevin Lavery", "LSC-ICB-WFS-2023#2")],
)
def test_a_rare_exact_term_ranks_the_passage_containing_it_first(
    searcher: Searcher, query: str, passage_id: str
) -> None:
    [lexical] = searcher.search([query], k=5, mode="lexical")
    assert lexical.hits[0].id == passage_id
    [hybrid] = searcher.search([query], k=5)
    assert hybrid.hits[0].id == passage_id


def test_a_hit_that_stops_inside_a_list_brings_the_passages_that_carry_it_on(
    searcher: Searcher,
) -> None:
    # LEEDS-SCRUTINY-2022#13 introduces six work streams and stops at the second; #14-#16
    # hold the rest
    query = "What are the six collaborative work streams of the Leeds City Resourcing Group?"
    [result] = searcher.search([query], k=3)
    ids = [h.id for h in result.hits]
    head = ids.index("LEEDS-SCRUTINY-2022#13")
    following = result.hits[head + 1 : head + 4]
    assert [h.id for h in following] == [f"LEEDS-SCRUTINY-2022#{n}" for n in (14, 15, 16)]
    assert [h.continues for h in following] == [f"LEEDS-SCRUTINY-2022#{n}" for n in (13, 14, 15)]
    assert len([h for h in result.hits if h.continues is None]) == 3  # not counted in k
    assert len(ids) == len(set(ids))


def test_list_following_can_be_turned_off(corpus_index: IndexedCorpus) -> None:
    settings = corpus_index.settings.model_copy(deep=True)
    settings.search.follow_lists = 0
    query = "What are the six collaborative work streams of the Leeds City Resourcing Group?"
    [result] = Searcher(settings).search([query], k=3)
    assert len(result.hits) == 3 and all(h.continues is None for h in result.hits)


def test_a_decisive_lexical_match_goes_first_even_when_dense_search_misses_it(
    searcher: Searcher,
) -> None:
    # the wording is the document's own, but MiniLM ranks other passages above it
    query = (
        "What will be extended for key roles to make employment consistent across health, "
        "care and VCFSE employers?"
    )
    [dense] = searcher.search([query], k=10, mode="dense")
    assert "LSC-ICB-WFS-2023#45" not in [h.id for h in dense.hits]
    [hybrid] = searcher.search([query], k=5)
    assert hybrid.hits[0].id == "LSC-ICB-WFS-2023#45"


def test_many_queries_in_one_call_match_single_calls(searcher: Searcher) -> None:
    queries = ["nurse retention", "international recruitment", "health and wellbeing hub"]
    together = searcher.search(queries, k=5)
    for query, result in zip(queries, together, strict=True):
        [alone] = searcher.search([query], k=5)
        assert [h.id for h in result.hits] == [h.id for h in alone.hits]


def test_lexical_search_with_unknown_words_returns_no_hits(searcher: Searcher) -> None:
    [result] = searcher.search(["xyzzyplugh quuxblorp"], k=5, mode="lexical")
    assert result.hits == []


def test_human_readable_search_prints_ids_and_text(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        _cli(corpus_index, "search", "Schwartz rounds and compassionate leadership", "--k", "2")
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Schwartz rounds" in out
    assert re.search(r"WY-HCP-WF-2022#\d+", out)


def test_human_readable_search_marks_a_lists_continuation(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "What are the six collaborative work streams of the Leeds City Resourcing Group?"
    assert main(_cli(corpus_index, "search", query, "--k", "1")) == 0
    out = squash(capsys.readouterr().out)
    assert "↳ LEEDS-SCRUTINY-2022#14" in out
    assert "list continued from LEEDS-SCRUTINY-2022#13" in out


def test_k_below_one_is_a_plain_error(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_cli(corpus_index, "search", "retention", "--k", "0"))
    out, err = capsys.readouterr()
    assert code == 2
    assert "--k must be at least 1" in err
    assert "Traceback" not in out + err


def test_unknown_scope_is_rejected_by_the_parser(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(_cli(corpus_index, "search", "retention", "--scope", "galactic"))
    assert info.value.code == 2
    assert "galactic" in capsys.readouterr().err


# -- show ----------------------------------------------------------------------------------------


def test_show_prints_the_passage_its_neighbours_and_its_location(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str], searcher: Searcher
) -> None:
    code = main(_cli(corpus_index, "show", "LEEDS-OWS-2024#3"))
    out, err = capsys.readouterr()
    assert code == 0, err
    flat = squash(out)
    passage = searcher.passage("LEEDS-OWS-2024#3")
    assert passage is not None
    for pid in ("LEEDS-OWS-2024#2", "LEEDS-OWS-2024#3", "LEEDS-OWS-2024#4"):
        neighbour = searcher.passage(pid)
        assert neighbour is not None
        assert squash(neighbour.text) in flat, pid
        assert pid in flat
    assert "LEEDS-OWS-2024#1 " not in flat and "LEEDS-OWS-2024#5 " not in flat
    assert "Leeds Health and Care One Workforce Strategy 2024" in flat
    assert "(LEEDS-OWS-2024, place)" in flat
    assert re.search(
        r"001_89b7e46f1cb73dbb\.txt, line \d+; characters \d+-\d+ of the normalised text", flat
    )
    assert f"characters {passage.start}-{passage.end}" in flat


def test_show_with_no_context_prints_only_the_passage(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_cli(corpus_index, "show", "LSC-ICB-WFS-2023#6", "--context", "0"))
    flat = squash(capsys.readouterr().out)
    assert code == 0
    assert "LSC-ICB-WFS-2023#6" in flat
    assert "LSC-ICB-WFS-2023#5" not in flat and "LSC-ICB-WFS-2023#7" not in flat
    assert "2. Executive summary > 2.1 What is this strategy?" in flat


def test_show_first_passage_has_only_a_following_neighbour(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_cli(corpus_index, "show", "WY-HCP-WF-2022#1")) == 0
    flat = squash(capsys.readouterr().out)
    assert "WY-HCP-WF-2022#1" in flat and "WY-HCP-WF-2022#2" in flat
    assert "WY-HCP-WF-2022#0" not in flat and "WY-HCP-WF-2022#3" not in flat


def test_show_line_number_points_at_the_passage_in_the_source_file(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str], searcher: Searcher
) -> None:
    assert main(_cli(corpus_index, "show", "LSC-ICB-WFS-2023#6", "--context", "0")) == 0
    flat = squash(capsys.readouterr().out)
    line = int(re.search(r"003_d7c4ba42fa4e0db5\.txt, line (\d+)", flat).group(1))  # type: ignore[union-attr]
    passage = searcher.passage("LSC-ICB-WFS-2023#6")
    assert passage is not None
    first_line = passage.text.split("\n", 1)[0]
    source_lines = (
        (CORPUS_DIR / "003_d7c4ba42fa4e0db5.txt").read_text(encoding="utf-8").splitlines()
    )
    assert source_lines[line - 1].strip() == first_line


def test_show_unknown_id_is_a_plain_error(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_cli(corpus_index, "show", "LEEDS-OWS-2024#999"))
    out, err = capsys.readouterr()
    assert code == 2
    assert "No passage LEEDS-OWS-2024#999 in the index" in squash(err)
    assert "Traceback" not in out + err


def test_show_malformed_id_is_a_plain_error(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_cli(corpus_index, "show", "not-an-id"))
    out, err = capsys.readouterr()
    assert code == 2
    assert "'not-an-id' is not an evidence id" in squash(err)
    assert "Traceback" not in out + err


def test_documents_lists_every_indexed_document(
    corpus_index: IndexedCorpus, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_cli(corpus_index, "documents")) == 0
    flat = squash(capsys.readouterr().out)
    for doc_id in IDS.values():
        assert doc_id in flat
    assert "001_89b7e46f1cb73dbb.txt" in flat


# -- no index / wrong model ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["search", "retention"], ["show", "LEEDS-OWS-2024#3"], ["documents"]]
)
def test_commands_before_any_ingest_say_to_run_ingest(
    data_dir: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code = main(["--data-dir", str(data_dir), *command])
    out, err = capsys.readouterr()
    assert code == 2
    assert "run `review ingest`" in squash(err)
    assert "Traceback" not in out + err


def test_searcher_before_any_ingest_raises_no_index(data_dir: Path) -> None:
    with pytest.raises(NoIndexError, match="review ingest"):
        Searcher(RetrievalSettings(data_dir=data_dir))


def _remote_settings(data_dir: Path) -> RetrievalSettings:
    return RetrievalSettings(
        data_dir=data_dir,
        embedding=EmbeddingSettings(
            backend="openai-compatible", model="x", base_url="http://127.0.0.1:9"
        ),
    )


@pytest.fixture(scope="module")
def small_index(
    build_index: Callable[..., IndexedCorpus], tmp_path_factory: pytest.TempPathFactory
) -> RetrievalSettings:
    """The three small documents, indexed with the local model once for this module; the
    tests only try (and fail) to use it with another model."""
    return build_index(write_small_corpus(tmp_path_factory.mktemp("small-corpus"))).settings


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the remote embedding API was called")

    monkeypatch.setattr(RemoteEmbedder, "embed", refuse)
    monkeypatch.setattr(openai, "OpenAI", refuse)
    monkeypatch.setattr(openai, "AzureOpenAI", refuse)


def _still_answers_with_the_local_model(settings: RetrievalSettings) -> None:
    [result] = Searcher(settings).search(["digital champion"], k=1)
    assert result.hits[0].doc_id == "GAMMA"


def test_searching_with_another_embedding_model_is_refused(
    small_index: RetrievalSettings, no_network: None
) -> None:
    with pytest.raises(IndexError_) as info:
        Searcher(_remote_settings(small_index.data_dir))
    message = str(info.value)
    assert "review ingest --rebuild" in message
    assert "local:all-MiniLM-L6-v2" in message and "openai-compatible:x" in message
    # The index is untouched and still answers with the model it was built with.
    _still_answers_with_the_local_model(small_index)


def test_cli_search_with_another_embedding_model_exits_2(
    small_index: RetrievalSettings,
    no_network: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REVIEW_RETRIEVAL__EMBEDDING__BACKEND", "openai-compatible")
    monkeypatch.setenv("REVIEW_RETRIEVAL__EMBEDDING__MODEL", "x")
    monkeypatch.setenv("REVIEW_RETRIEVAL__EMBEDDING__BASE_URL", "http://127.0.0.1:9")
    code = main(["--data-dir", str(small_index.data_dir), "search", "retention"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "review ingest --rebuild" in squash(err)
    assert "Traceback" not in out + err
    _still_answers_with_the_local_model(small_index)


def test_incremental_ingest_with_another_embedding_model_is_refused(
    small_index: RetrievalSettings, no_network: None
) -> None:
    remote = _remote_settings(small_index.data_dir).model_copy(
        update={"catalog": small_index.catalog}
    )
    with pytest.raises(IndexError_, match="rebuild"):
        ingest([small_index.corpus_dir], remote)
    _still_answers_with_the_local_model(small_index)


@pytest.mark.parametrize(
    ("lexical", "coverage", "expected"),
    [
        ([("a", 8.0), ("b", 4.0)], 0.9, True),  # half again as good, most terms
        ([("a", 8.0)], 0.9, True),  # the only passage with the query's words
        ([("a", 8.0), ("b", 7.0)], 0.9, False),  # a close second
        ([("a", 8.0), ("b", 4.0)], 0.5, False),  # half the query's terms missing
        ([], 1.0, False),
    ],
)
def test_lexical_is_decisive_only_with_a_clear_margin_and_most_terms(
    lexical: list[tuple[str, float]], coverage: float, expected: bool
) -> None:
    assert lexical_is_decisive(lexical, coverage, SearchSettings()) is expected


def test_doctor_says_to_rebuild_an_index_built_with_another_hnsw_ef(
    corpus_index: IndexedCorpus,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    assert main(["doctor", "--no-call", *data]) == 0
    assert "retrieval.hnsw_ef" not in capsys.readouterr().out  # built with the setting
    monkeypatch.setenv("REVIEW_RETRIEVAL__HNSW_EF", "300")
    assert main(["doctor", "--no-call", *data]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "built with HNSW ef 200 but retrieval.hnsw_ef is 300" in out
    assert "review ingest --rebuild" in out
