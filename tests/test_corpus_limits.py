"""A panelist whose remit has no documents of its own scope is said to argue from others: in the
brief, at the top of the report, and in `review documents` and `review doctor`."""

from __future__ import annotations

from orchestration.cli.entry import main
from orchestration.engine.corpus_limits import corpus_limits
from orchestration.report.markdown import render_markdown
from orchestration.review_models import StrategyReview


def test_a_remit_without_documents_of_its_scope_is_named():
    [note] = corpus_limits({"regional": 2, "place": 2})
    assert note.startswith("No national policy documents in the corpus: national-policy argues")
    assert "regional (integrated care system) documents" in note
    assert corpus_limits({"national": 1, "regional": 2, "place": 2}) == []
    assert "leeds-local argues from the other documents" in corpus_limits({"national": 3})[0]


def test_the_report_says_it_at_the_top():
    review = StrategyReview(
        title="T",
        organisation="O",
        themes=[],
        corpus_limits=corpus_limits({"regional": 1, "place": 1}),
    )
    markdown = render_markdown(review, "run", {})
    assert markdown.index("> **Corpus limit:** No national policy documents") < markdown.index(
        "## Contents"
    )


def test_the_bundled_corpus_lacks_national_documents_and_the_commands_say_so(corpus_index, capsys):
    data = ["--data-dir", str(corpus_index.settings.data_dir)]
    assert main(["documents", *data]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Documents by scope: national: 0; regional: 2; place: 2" in out
    assert "Corpus limit: No national policy documents in the corpus" in out
    main(["doctor", "--no-call", *data])
    assert "No national policy documents" in " ".join(capsys.readouterr().out.split())
