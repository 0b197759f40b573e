"""The strategy under review: themes, each with objectives; read from TOML, a Markdown outline
or a Word draft.

TOML is the editable format (``corpus/strategy/*.toml``); a Markdown outline (``## Theme``
headings, ``- objective`` bullets) imports too, and so does a Word ``.docx`` (``strategy_docx``:
Heading 2 themes, list objectives). Errors name the file and the line, heading or field.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from corpus import bundled

DEFAULT_STRATEGY = bundled("strategy/workforce-strategy-2026-2031.toml")


class StrategyError(ValueError):
    """The strategy file cannot be used; the message names the file and what to fix."""


class Objective(BaseModel):
    """An objective of a theme: its title as the draft words it, and what it means (optional)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, description="The objective as the draft words it.")
    description: str = Field(default="", description="What the objective means, in a sentence.")

    @model_validator(mode="before")
    @classmethod
    def _from_title(cls, value: Any) -> Any:
        return {"title": value} if isinstance(value, str) else value

    @field_validator("title", "description")
    @classmethod
    def _trimmed(cls, text: str) -> str:
        return " ".join(text.split())

    def text(self) -> str:
        """Title and description together (what searches and coverage are measured on)."""
        return f"{self.title}: {self.description}" if self.description else self.title


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable kebab-case id.")
    name: str = Field(min_length=2)
    summary: str = ""
    objectives: list[Objective] = Field(min_length=1)

    def titles(self) -> list[str]:
        """The objectives as the draft words them."""
        return [o.title for o in self.objectives]

    def meanings(self) -> dict[str, str]:
        """Each objective's title -> what the draft says it means ("" when it does not say)."""
        return {o.title: o.description for o in self.objectives}

    def text(self) -> str:
        """The theme as one text: name, summary and objectives (what coverage is measured on)."""
        parts = (f"{self.name}.", self.summary, *(o.text() for o in self.objectives))
        return " ".join(part for part in parts if part)


class PreviousStrategy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    themes: list[str] = Field(default_factory=list)


class Strategy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    organisation: str = "unknown"
    period: str = ""
    status: str = "draft"
    previous: PreviousStrategy | None = None
    glossary: dict[str, str] = Field(
        default_factory=dict,
        description="The organisation's abbreviations and what they stand for, e.g. "
        "10YP = NHS 10 Year Health Plan.",
    )
    themes: list[Theme] = Field(alias="theme", min_length=1)

    def abbreviations_in(self, text: str) -> dict[str, str]:
        """The glossary entries whose abbreviation ``text`` uses."""
        return {
            short: meaning
            for short, meaning in self.glossary.items()
            if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text)
        }

    def spelled_out(self, text: str) -> str:
        """``text`` with what its abbreviations stand for added (for searching the corpus)."""
        found = self.abbreviations_in(text)
        return f"{text} ({'; '.join(found.values())})" if found else text

    def theme(self, key: str) -> Theme:
        """A theme by id or (case-insensitive) name."""
        for theme in self.themes:
            if key in (theme.id, theme.name) or key.lower() == theme.name.lower():
                return theme
        names = ", ".join(t.name for t in self.themes)
        raise StrategyError(f"No theme '{key}' in {self.title}; the themes are: {names}.")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "theme"


def load_strategy(path: Path) -> Strategy:
    """Read a strategy from ``.toml``, ``.md`` or ``.docx``; raise ``StrategyError`` with a plain
    message."""
    if not path.exists():
        raise StrategyError(
            f"{path} does not exist; give the path of a strategy .toml, .md or .docx file."
        )
    if path.is_dir():
        raise StrategyError(
            f"{path} is a folder; give the path of the strategy file in it (.toml, .md or .docx)."
        )
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from orchestration.strategy_docx import parse_docx_outline

        raw = parse_docx_outline(path)
    elif suffix in (".md", ".markdown", ".txt"):
        raw = parse_markdown_outline(_utf8(path), path)
    elif suffix == ".toml":
        try:
            raw = tomllib.loads(_utf8(path))
        except tomllib.TOMLDecodeError as exc:
            raise StrategyError(f"{path}: {exc}. Fix the TOML and try again.") from exc
    else:
        raise StrategyError(
            f"{path.name}: a strategy must be a .toml file, a Markdown outline (.md) or a Word "
            "document (.docx)."
        )
    try:
        strategy = Strategy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe_error(e, raw) for e in exc.errors()[:3])
        raise StrategyError(f"{path}: {problems}.") from exc
    ids = [theme.id for theme in strategy.themes]
    if repeated := sorted({i for i in ids if ids.count(i) > 1}):
        raise StrategyError(
            f"{path}: more than one theme has the id {', '.join(repeated)}; give each theme its "
            "own id (or name), or one theme's review would be lost."
        )
    return strategy


def _utf8(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StrategyError(f"{path} is not UTF-8 text; save it with UTF-8 encoding.") from exc


def strategy_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _describe_error(error: ErrorDetails, raw: dict[str, Any]) -> str:
    loc = list(error["loc"])
    where = ""
    if loc and loc[0] == "theme":
        where = "theme"
        if len(loc) > 1 and isinstance(loc[1], int):
            themes = raw.get("theme", [])
            name = (
                themes[loc[1]].get("name")
                if loc[1] < len(themes) and isinstance(themes[loc[1]], dict)
                else None
            )
            where = f"theme {loc[1] + 1}" + (f" ('{name}')" if name else "")
            loc = loc[2:]
        else:
            loc = loc[1:]
    field = ".".join(str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in loc)
    place = " ".join(part for part in (where, field) if part) or "the file"
    message = error["msg"].replace(
        "List should have at least 1 item after validation, not 0", "is empty"
    )
    return f"{place}: {message}"


_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(.*\S)\s*$")
_ORGANISATION = re.compile(r"^organi[sz]ation\s*:\s*(.+)$", re.IGNORECASE)


def parse_markdown_outline(text: str, path: Path) -> dict[str, Any]:
    """``# Title``, ``## Theme`` headings with ``- objective`` bullets, into the TOML shape. A
    line indented under an objective describes it; a ``## Glossary`` (or ``## Abbreviations``)
    section lists ``- ABBR: what it stands for``."""
    raw: dict = {"title": path.stem, "theme": []}
    current: dict | None = None
    previous: list[str] | None = None
    glossary: dict[str, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading and len(heading.group(1)) == 1:
            raw["title"] = heading.group(2)
        elif heading:
            name = heading.group(2)
            previous = glossary = current = None
            if re.search(r"previous", name, re.IGNORECASE):
                previous = []
                raw["previous"] = {"title": name, "themes": previous}
            elif _GLOSSARY.match(name):
                glossary = raw.setdefault("glossary", {})
            else:
                current = {"id": slug(name), "name": name, "summary": "", "objectives": []}
                raw["theme"].append(current)
        elif bullet and previous is not None:
            previous.append(bullet.group(1))
        elif bullet and glossary is not None:
            short, meaning = _glossary_entry(bullet.group(1), path, number)
            glossary[short] = meaning
        elif bullet and current is not None:
            current["objectives"].append({"title": bullet.group(1), "description": ""})
        elif bullet:
            raise StrategyError(
                f"{path}, line {number}: an objective comes before any '## Theme' heading; "
                "put each theme's objectives under its heading."
            )
        elif (match := _ORGANISATION.match(line.strip())) and current is None:
            raw["organisation"] = match.group(1).strip()
        elif line.strip() and current is not None and current["objectives"]:
            if not line.startswith((" ", "\t")):
                raise StrategyError(
                    f"{path}, line {number}: text after a theme's objectives must be indented "
                    "under the objective it describes (or start a new '## Theme')."
                )
            objective = current["objectives"][-1]
            objective["description"] = f"{objective['description']} {line.strip()}".strip()
        elif line.strip() and current is not None:
            current["summary"] = (current["summary"] + " " + line.strip()).strip()
    return raw


_GLOSSARY = re.compile(r"^(glossary|abbreviations)\b", re.IGNORECASE)
_ENTRY = re.compile(r"^(\S+?)\s*(?::|=|\s[-–]\s)\s*(.+)$")


def _glossary_entry(text: str, path: Path, number: int) -> tuple[str, str]:
    match = _ENTRY.match(text)
    if match is None:
        raise StrategyError(
            f"{path}, line {number}: a glossary entry reads 'ABBR: what it stands for', "
            f"e.g. '10YP: NHS 10 Year Health Plan', not '{text}'."
        )
    return match.group(1), match.group(2).strip()
