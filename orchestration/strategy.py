"""The strategy under review: themes, each with objectives; read from TOML or a Markdown outline.

TOML is the editable format (``corpus/strategy/*.toml``); a Markdown outline (``## Theme``
headings, ``- objective`` bullets) imports too. Errors name the file and the line or field.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from corpus import bundled

DEFAULT_STRATEGY = bundled("strategy/workforce-strategy-2026-2031.toml")


class StrategyError(ValueError):
    """The strategy file cannot be used; the message names the file and what to fix."""


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable kebab-case id.")
    name: str = Field(min_length=2)
    summary: str = ""
    objectives: list[str] = Field(min_length=1)

    @field_validator("objectives")
    @classmethod
    def _objectives_have_text(cls, objectives: list[str]) -> list[str]:
        cleaned = [o.strip() for o in objectives]
        if any(len(o) < 3 for o in cleaned):
            raise ValueError("every objective needs some words")
        return cleaned

    def text(self) -> str:
        """The theme as one text: name, summary and objectives (what coverage is measured on)."""
        return " ".join(part for part in (f"{self.name}.", self.summary, *self.objectives) if part)


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
    themes: list[Theme] = Field(alias="theme", min_length=1)

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
    """Read a strategy from ``.toml`` or ``.md``; raise ``StrategyError`` with a plain message."""
    if not path.exists():
        raise StrategyError(
            f"{path} does not exist; give the path of a strategy .toml or .md file."
        )
    if path.is_dir():
        raise StrategyError(
            f"{path} is a folder; give the path of the strategy file in it (.toml or .md)."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StrategyError(f"{path} is not UTF-8 text; save it with UTF-8 encoding.") from exc
    if path.suffix.lower() in (".md", ".markdown", ".txt"):
        raw = parse_markdown_outline(text, path)
    elif path.suffix.lower() == ".toml":
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise StrategyError(f"{path}: {exc}. Fix the TOML and try again.") from exc
    else:
        raise StrategyError(
            f"{path.name}: a strategy must be a .toml file or a Markdown outline (.md)."
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
    """``# Title``, ``## Theme`` headings with ``- objective`` bullets, into the TOML shape."""
    raw: dict = {"title": path.stem, "theme": []}
    current: dict | None = None
    previous: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading and len(heading.group(1)) == 1:
            raw["title"] = heading.group(2)
        elif heading:
            name = heading.group(2)
            if re.search(r"previous", name, re.IGNORECASE):
                previous, current = [], None
                raw["previous"] = {"title": name, "themes": previous}
            else:
                previous = None
                current = {"id": slug(name), "name": name, "summary": "", "objectives": []}
                raw["theme"].append(current)
        elif bullet and previous is not None:
            previous.append(bullet.group(1))
        elif bullet and current is not None:
            current["objectives"].append(bullet.group(1))
        elif bullet:
            raise StrategyError(
                f"{path}, line {number}: an objective comes before any '## Theme' heading; "
                "put each theme's objectives under its heading."
            )
        elif (match := _ORGANISATION.match(line.strip())) and current is None:
            raw["organisation"] = match.group(1).strip()
        elif line.strip() and current is not None and not current["objectives"]:
            current["summary"] = (current["summary"] + " " + line.strip()).strip()
    return raw
