"""The corpus catalog: stable document ids and metadata (title, publisher, year, scope).

A document missing from the catalog still ingests: ``describe`` infers an id and a title from the
file and returns a warning for the user.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Scope = Literal["national", "regional", "place", "organisation"]
SCOPES: tuple[str, ...] = ("national", "regional", "place", "organisation")


class CatalogError(ValueError):
    """The catalog file cannot be read; the message says which line or field and what to fix."""


class DocumentInfo(BaseModel):
    """What the index records about one source document."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="Short stable id.")
    file: str = Field(description="File name under the corpus folder.")
    title: str
    publisher: str = "unknown"
    year: int | None = None
    scope: Scope = "organisation"
    geography: str = "unknown"


class Catalog(BaseModel):
    """All catalog entries, looked up by file name."""

    documents: list[DocumentInfo] = Field(default_factory=list)

    def by_file(self, name: str) -> DocumentInfo | None:
        return next((d for d in self.documents if d.file == name), None)


def load_catalog(path: Path) -> Catalog:
    """Read a catalog TOML file; a missing file is an empty catalog."""
    if not path.exists():
        return Catalog()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path} is not UTF-8 text; save it with UTF-8 encoding.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: {exc}. Fix the TOML syntax and try again.") from exc
    try:
        return Catalog(documents=raw.get("document", []))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CatalogError(
            f"{path}: document entry {where}: {first['msg']}. Fix that field and try again."
        ) from exc


def infer_document_id(path: Path) -> str:
    """An id for an uncatalogued file: its stem, upper-cased, with unsafe characters as '-'."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._")
    return (stem or "DOC").upper()


def infer_title(path: Path, text: str) -> str:
    """The first non-empty line of the text (shortened), else the file name."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if len(line) >= 4:
            return line[:120]
    return path.name


def describe(path: Path, text: str, catalog: Catalog) -> tuple[DocumentInfo, str | None]:
    """The catalog entry for ``path``, or an inferred one plus a warning for the user."""
    entry = catalog.by_file(path.name)
    if entry is not None:
        return entry, None
    info = DocumentInfo(id=infer_document_id(path), file=path.name, title=infer_title(path, text))
    warning = (
        f"{path.name} has no catalog entry; indexed as {info.id} with scope "
        f"'{info.scope}'. Add it to the catalog to set its title, publisher, year and scope."
    )
    return info, warning
