"""Strategy files: the bundled TOML, the Markdown outline import, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.strategy import StrategyError, load_strategy

BUNDLED = Path("corpus/strategy/workforce-strategy-2026-2031.toml")


def test_the_bundled_strategy_has_the_five_themes_and_previous_ones():
    strategy = load_strategy(BUNDLED)
    assert [t.name for t in strategy.themes] == [
        "People Services",
        "Inclusion",
        "Talent",
        "Staff Experience",
        "Organisation Design",
    ]
    assert all(len(t.objectives) >= 3 for t in strategy.themes)
    assert strategy.previous is not None
    assert {"Leadership", "System Partner"} <= set(strategy.previous.themes)


def test_the_markdown_outline_imports_to_the_same_themes():
    toml = load_strategy(BUNDLED)
    markdown = load_strategy(BUNDLED.with_suffix(".md"))
    assert markdown.themes == toml.themes
    assert markdown.previous is not None and markdown.previous.themes == toml.previous.themes


def test_a_minimal_outline(tmp_path):
    path = tmp_path / "s.md"
    path.write_text(
        "# Our Strategy\n\n## Digital Workforce\nWhy it matters.\n- Train every team\n* Hire two analysts\n"
    )
    strategy = load_strategy(path)
    assert strategy.title == "Our Strategy"
    [theme] = strategy.themes
    assert (theme.id, theme.summary, theme.titles()) == (
        "digital-workforce",
        "Why it matters.",
        ["Train every team", "Hire two analysts"],
    )


def _error(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(StrategyError) as error:
        load_strategy(path)
    message = str(error.value)
    assert name in message and "Traceback" not in message
    return message


def test_broken_toml_names_the_line(tmp_path):
    message = _error(tmp_path, "bad.toml", 'title = "x"\n[[theme]]\nid = "a"\nname = \n')
    assert "line 4" in message


def test_a_theme_without_objectives_names_the_theme_and_field(tmp_path):
    message = _error(
        tmp_path,
        "empty.toml",
        'title = "x"\n[[theme]]\nid = "a"\nname = "Alpha"\nobjectives = ["Do a thing"]\n'
        '[[theme]]\nid = "b"\nname = "Beta"\nobjectives = []\n',
    )
    assert "theme 2 ('Beta')" in message and "objectives" in message


def test_unknown_fields_are_refused(tmp_path):
    message = _error(
        tmp_path,
        "typo.toml",
        'title = "x"\n[[theme]]\nid = "a"\nname = "A"\nobjectivs = ["x y z"]\n',
    )
    assert "objectivs" in message


def test_objectives_before_any_theme_heading(tmp_path):
    message = _error(
        tmp_path, "outline.md", "# Plan\n- orphan objective\n## Theme\n- ok objective\n"
    )
    assert "line 2" in message


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("none.toml", None, "does not exist"),
        ("s.docx", b"PK", "not a Word document"),
        ("s.odt", b"PK", r"\.toml file, a Markdown outline \(\.md\) or a Word document \(\.docx\)"),
        ("latin.toml", b'title = "caf\xe9"', "UTF-8"),
    ],
)
def test_other_bad_inputs(tmp_path, name, content, words):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(StrategyError, match=words):
        load_strategy(tmp_path / name)


def test_unknown_theme_lists_the_themes():
    strategy = load_strategy(BUNDLED)
    with pytest.raises(StrategyError, match="People Services, Inclusion"):
        strategy.theme("Finance")
    assert strategy.theme("staff experience").id == "staff-experience"


def test_objectives_may_carry_a_description_and_the_draft_a_glossary(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text(
        'title = "T"\n[glossary]\n10YP = "NHS 10 Year Health Plan"\n'
        '[[theme]]\nid = "talent"\nname = "Talent"\nobjectives = [\n'
        '  "Grow our own",\n'
        '  { title = "Deliver 10YP objectives", description = "Apprenticeships first." },\n]\n'
    )
    strategy = load_strategy(toml)
    [theme] = strategy.themes
    assert theme.titles() == ["Grow our own", "Deliver 10YP objectives"]
    assert theme.objectives[1].text() == "Deliver 10YP objectives: Apprenticeships first."
    assert strategy.spelled_out("the 10YP asks") == "the 10YP asks (NHS 10 Year Health Plan)"
    assert strategy.spelled_out("no abbreviation") == "no abbreviation"

    outline = tmp_path / "s.md"
    outline.write_text(
        "# T\n\n## Talent\n\n- Grow our own\n- Deliver 10YP objectives\n  Apprenticeships first.\n"
        "\n## Glossary\n\n- 10YP: NHS 10 Year Health Plan\n"
    )
    assert load_strategy(outline).model_dump() == strategy.model_dump()


@pytest.mark.parametrize(
    ("outline", "words"),
    [
        ("## Talent\n\n- Grow\n\nNot indented.\n", "line 5: text after a theme's objectives"),
        ("## Talent\n\n- Grow\n\n## Glossary\n\n- 10YP\n", "line 7: a glossary entry reads"),
    ],
)
def test_outline_mistakes_name_the_line(tmp_path, outline, words):
    path = tmp_path / "s.md"
    path.write_text(outline)
    with pytest.raises(StrategyError, match=words):
        load_strategy(path)


def test_the_brief_and_the_report_use_the_draft_s_own_words(tmp_path):
    from orchestration.engine.prompts import shared_context
    from orchestration.report.markdown import render_markdown
    from orchestration.review_models import ObjectiveCoverage, StrategyReview, ThemeReview

    strategy = load_strategy(BUNDLED)
    talent = strategy.theme("talent")
    brief = shared_context(strategy, talent, [], [], [])
    assert "Abbreviations: 10YP = NHS 10 Year Health Plan; ATS = applicant tracking system" in brief
    review = ThemeReview(
        theme_id="talent",
        theme_name="Talent",
        coverage_summary="",
        objective_coverage=[
            ObjectiveCoverage(
                objective=talent.objectives[0].title,
                description=talent.objectives[0].description,
                strength="partial",
                score=0.5,
            )
        ],
    )
    report = StrategyReview(
        title="T", organisation="O", themes=[review], glossary=strategy.glossary
    )
    markdown = render_markdown(report, "run", {})
    assert "**Abbreviations in the draft:** **10YP**: NHS 10 Year Health Plan" in markdown
    first = talent.objectives[0]
    assert f"- *{first.title}* (partial). {first.description}" in markdown
