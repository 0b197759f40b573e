"""A strategy drafted in Word (.docx): how headings, lists, tracked changes and tables are read,
the plain errors, and ``review strategy`` showing how any strategy file was read."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.text.paragraph import Paragraph

from orchestration.cli.entry import main
from orchestration.strategy import Strategy, StrategyError, load_strategy
from tests.helpers import squash

BUNDLED = Path("corpus/strategy/workforce-strategy-2026-2031.toml")
W = nsdecls("w")
CHANGE = 'w:author="Editor" w:date="2025-06-01T09:00:00Z"'


# -- building Word documents ----------------------------------------------------------------------


def tracked(paragraph: Paragraph, kind: str, text: str, change_id: int) -> None:
    """Append a tracked insertion (``kind="ins"``) or deletion (``"del"``) of ``text``."""
    tag = "t" if kind == "ins" else "delText"
    paragraph._p.append(
        parse_xml(
            f'<w:{kind} {W} w:id="{change_id}" {CHANGE}><w:r>'
            f'<w:{tag} xml:space="preserve">{text}</w:{tag}></w:r></w:{kind}>'
        )
    )


def numbered(paragraph: Paragraph, num_id: int) -> Paragraph:
    """Give ``paragraph`` Word numbering of its own (``num_id`` 0 takes numbering off)."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id
    return paragraph


def save(document: Any, path: Path) -> Path:
    document.save(str(path))
    return path


def clean_draft(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Workforce Strategy 2026-2031"
    document.add_heading("Draft for the board", 1)  # the title property wins over it
    document.add_paragraph("Organisation: Leeds Community Healthcare NHS Trust")
    document.add_paragraph("An introduction that belongs to no theme.")
    document.add_heading("Talent", 2)
    document.add_paragraph("Grow and develop the workforce.")
    document.add_paragraph("Through apprenticeships and local pipelines.")
    document.add_paragraph("Deliver 10YP objectives", style="List Bullet")
    document.add_paragraph("Grow apprenticeships and preceptorships.")
    document.add_paragraph("Support talent pipelines", style="List Bullet")
    document.add_paragraph("Recruit from local communities.", style="List Continue")
    document.add_paragraph("With partners across Leeds.", style="Body Text")
    document.add_heading("Inclusion", 2)
    document.add_paragraph("An inclusive culture.")
    document.add_paragraph("Embed inclusive practices", style="List Bullet")
    document.add_paragraph("Reduce disparities in experience", style="List Bullet")
    document.add_heading("Previous strategy themes", 2)
    document.add_paragraph("The 2021-25 strategy also had these themes.")
    document.add_paragraph("Leadership", style="List Bullet")
    document.add_paragraph("System Partner", style="List Bullet")
    document.add_heading("Glossary", 2)
    document.add_paragraph("10YP: NHS 10 Year Health Plan", style="List Bullet")
    document.add_paragraph("LCH - Leeds Community Healthcare NHS Trust")
    return save(document, path)


CLEAN = {
    "title": "Workforce Strategy 2026-2031",
    "organisation": "Leeds Community Healthcare NHS Trust",
    "period": "",
    "status": "draft",
    "previous": {"title": "Previous strategy themes", "themes": ["Leadership", "System Partner"]},
    "glossary": {"10YP": "NHS 10 Year Health Plan", "LCH": "Leeds Community Healthcare NHS Trust"},
    "themes": [
        {
            "id": "talent",
            "name": "Talent",
            "summary": "Grow and develop the workforce. Through apprenticeships and local pipelines.",
            "objectives": [
                {
                    "title": "Deliver 10YP objectives",
                    "description": "Grow apprenticeships and preceptorships.",
                },
                {
                    "title": "Support talent pipelines",
                    "description": "Recruit from local communities. With partners across Leeds.",
                },
            ],
        },
        {
            "id": "inclusion",
            "name": "Inclusion",
            "summary": "An inclusive culture.",
            "objectives": [
                {"title": "Embed inclusive practices", "description": ""},
                {"title": "Reduce disparities in experience", "description": ""},
            ],
        },
    ],
}


def messy_draft(path: Path) -> Path:
    """Numbered lists, Word's own numbering, a table, empty headings, tracked changes."""
    document = docx.Document()
    document.add_heading("Our People Plan", 0)
    document.add_heading("Introduction", 1)
    document.add_paragraph("Not part of any theme.", style="List Bullet")
    talent = document.add_heading("Talent", 2)
    tracked(talent, "ins", " and Skills", 1)
    tracked(talent, "del", " (old)", 2)
    document.add_paragraph("Targets by year:")
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "Apprentices"
    table.rows[1].cells[0].text = "Hire 200 apprentices a year"
    item = document.add_paragraph("Recruit ", style="List Number")
    tracked(item, "ins", "local ", 3)
    item.add_run("people")
    tracked(item, "del", " quickly", 4)
    gone = document.add_paragraph(style="List Number")  # an item deleted outright
    tracked(gone, "del", "Close the training school", 5)
    document.add_heading("", 2)  # empty: skipped, the theme goes on
    document.add_heading("Delivery", 3)  # a subsection: its heading is not kept
    numbered(document.add_paragraph("Modernise recruitment", style="List Paragraph"), 1)
    document.add_paragraph("Use the ATS.", style="List Paragraph")  # no numbering: description
    numbered(document.add_paragraph("Taken off the list", style="List Bullet"), 0)
    typed = document.add_paragraph("•\tOpen rotational posts")
    typed.add_run().add_break()
    typed.add_run("Shared with partners.")
    document.add_heading("2. Inclusion", 2)  # a typed number is not part of the name
    document.add_paragraph("1. Embed inclusive practices")
    return save(document, path)


def objectives_of(strategy: Strategy) -> dict[str, list[tuple[str, str]]]:
    return {t.name: [(o.title, o.description) for o in t.objectives] for t in strategy.themes}


# -- reading ---------------------------------------------------------------------------------------


def test_a_clean_draft_reads_to_the_expected_strategy(tmp_path):
    strategy = load_strategy(clean_draft(tmp_path / "draft.docx"))
    assert strategy.model_dump() == CLEAN


def test_a_messy_draft_reads_as_if_changes_were_accepted(tmp_path):
    strategy = load_strategy(messy_draft(tmp_path / "messy.docx"))
    assert strategy.title == "Our People Plan"
    assert [(t.id, t.name) for t in strategy.themes] == [
        ("talent-and-skills", "Talent and Skills"),
        ("inclusion", "Inclusion"),
    ]
    assert strategy.themes[0].summary == "Targets by year:"
    assert objectives_of(strategy) == {
        "Talent and Skills": [
            ("Recruit local people", ""),
            ("Modernise recruitment", "Use the ATS. Taken off the list"),
            ("Open rotational posts", "Shared with partners."),
        ],
        "Inclusion": [("Embed inclusive practices", "")],
    }
    everything = strategy.model_dump_json()
    for unread in ("Apprentices", "200", "quickly", "(old)", "training school", "any theme"):
        assert unread not in everything


def test_heading_1_themes_when_there_is_no_heading_2(tmp_path):
    document = docx.Document()
    document.add_heading("Community Plan", 0)
    for name in ("Retention", "Recruitment"):
        document.add_heading(name, 1)
        document.add_paragraph(f"Improve {name.lower()}", style="List Bullet")
    document.add_heading("Glossary", 2)  # a Heading 2, but not a theme: themes stay Heading 1
    document.add_paragraph("HCA = healthcare assistant", style="List Bullet")
    strategy = load_strategy(save(document, tmp_path / "plan.docx"))
    assert (strategy.title, strategy.glossary) == (
        "Community Plan",
        {"HCA": "healthcare assistant"},
    )
    assert objectives_of(strategy) == {
        "Retention": [("Improve retention", "")],
        "Recruitment": [("Improve recruitment", "")],
    }


def test_without_a_title_the_file_name_is_the_title(tmp_path):
    document = docx.Document()
    document.add_heading("Retention", 2)
    document.add_paragraph("Keep experienced nurses", style="List Number")
    assert load_strategy(save(document, tmp_path / "nursing-plan.docx")).title == "nursing-plan"


# -- errors ------------------------------------------------------------------------------------------


def error_of(path: Path) -> str:
    with pytest.raises(StrategyError) as error:
        load_strategy(path)
    message = str(error.value)
    assert "\n" not in message and "Traceback" not in message and message.endswith(".")
    return message


def test_a_theme_without_objectives_is_named_with_its_heading(tmp_path):
    document = docx.Document()
    document.add_heading("Plan", 1)
    document.add_heading("Inclusion", 2)
    document.add_paragraph("Embed inclusive practices", style="List Bullet")
    document.add_heading("Talent", 2)
    document.add_paragraph("We will grow our own staff.")
    path = save(document, tmp_path / "draft.docx")
    assert error_of(path) == (
        f'{path}: the theme "Talent" (heading 3 of the document) has no objectives; put them '
        "as a bulleted or numbered list under it."
    )


def test_a_theme_whose_objectives_are_in_a_table_says_tables_are_not_read(tmp_path):
    document = docx.Document()
    document.add_heading("Talent", 2)
    document.add_table(rows=1, cols=1).rows[0].cells[0].text = "Grow our own"
    message = error_of(save(document, tmp_path / "draft.docx"))
    assert '"Talent" (heading 1 of the document)' in message
    assert "text in tables is not read" in message


def test_a_document_without_theme_headings(tmp_path):
    document = docx.Document()
    document.add_paragraph("Talent").runs[0].bold = True  # looks like a heading, is not one
    document.add_paragraph("Grow our own", style="List Bullet")
    message = error_of(save(document, tmp_path / "bold.docx"))
    assert message.startswith(f"{tmp_path / 'bold.docx'}: no themes found;")
    assert "Heading 2" in message and "bold" in message


def test_a_glossary_item_that_is_not_an_entry_is_quoted(tmp_path):
    document = docx.Document()
    document.add_heading("Talent", 2)
    document.add_paragraph("Grow our own", style="List Bullet")
    document.add_heading("Abbreviations", 2)
    document.add_paragraph("10YP", style="List Bullet")
    message = error_of(save(document, tmp_path / "draft.docx"))
    assert 'the glossary entry "10YP" under "Abbreviations"' in message


def broken_word_xml(path: Path) -> None:
    """A real .docx whose document.xml is cut short."""
    good = clean_draft(path.with_name("good.docx"))
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            archive.writestr(item, data[:200] if item.filename == "word/document.xml" else data)


@pytest.mark.parametrize(
    "content",
    [b"# My strategy\n\n## Talent\n- Grow our own\n", b"PK\x03\x04 truncated", "zip", "xml"],
    ids=["renamed-text", "truncated-zip", "zip-without-word-parts", "broken-document-xml"],
)
def test_a_file_that_is_not_a_word_document(tmp_path, content):
    path = tmp_path / "draft.docx"
    if content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "not a Word document")
    elif content == "xml":
        broken_word_xml(path)
    else:
        path.write_bytes(content)
    assert error_of(path) == (
        f"{path} is not a Word document python-docx can open; save it again from Word as .docx."
    )


# -- review strategy ---------------------------------------------------------------------------------


def test_review_strategy_shows_how_a_word_draft_was_read(tmp_path, capsys):
    path = clean_draft(tmp_path / "draft.docx")
    assert main(["strategy", str(path)]) == 0
    out = squash(capsys.readouterr().out)
    expected_in_order = [
        "Workforce Strategy 2026-2031",
        "Leeds Community Healthcare NHS Trust",
        f"Read from {path}",
        "2 themes, 4 objectives",
        "Talent (talent)",
        "Grow and develop the workforce. Through apprenticeships and local pipelines.",
        "1. Deliver 10YP objectives Grow apprenticeships and preceptorships.",
        "2. Support talent pipelines Recruit from local communities. With partners across Leeds.",
        "Inclusion (inclusion)",
        "1. Embed inclusive practices 2. Reduce disparities in experience",
        "Dropped themes (Previous strategy themes): Leadership, System Partner",
        "Glossary",
        "10YP: NHS 10 Year Health Plan",
    ]
    missing = [text for text in expected_in_order if text not in out]
    assert not missing, out
    positions = [out.find(text) for text in expected_in_order]
    assert positions == sorted(positions)


def test_review_strategy_without_a_file_shows_the_bundled_draft(capsys):
    assert main(["strategy"]) == 0
    out = squash(capsys.readouterr().out)
    assert out.startswith("Workforce Strategy 2026-2031 Leeds Community Healthcare NHS Trust")
    assert "5 themes, 20 objectives" in out
    assert "Organisation Design (organisation-design)" in out
    assert "Dropped themes (Workforce Strategy 2021-25): Leadership, System Partner" in out
    assert "ATS: applicant tracking system" in out


@pytest.mark.parametrize("kind", ["docx", "md", "toml"])
def test_review_strategy_json_round_trips(tmp_path, capsys, kind):
    path = (
        clean_draft(tmp_path / "draft.docx") if kind == "docx" else BUNDLED.with_suffix(f".{kind}")
    )
    assert main(["strategy", str(path), "--json"]) == 0
    printed = Strategy.model_validate_json(capsys.readouterr().out)
    assert printed == load_strategy(path)
    assert len(printed.themes) == (2 if kind == "docx" else 5)


def test_review_strategy_of_a_bad_file_exits_2_with_one_sentence(tmp_path, capsys):
    path = tmp_path / "draft.docx"
    path.write_text("just text, renamed")
    assert main(["strategy", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err and len(captured.err.strip().splitlines()) == 1
    assert squash(captured.err) == (
        f"error: {path} is not a Word document python-docx can open; save it again from Word "
        "as .docx."
    )
