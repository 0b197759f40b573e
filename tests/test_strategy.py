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
    assert (theme.id, theme.summary, theme.objectives) == (
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
        ("s.docx", b"PK", ".toml"),
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
