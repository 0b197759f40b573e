"""The bundled corpus and the draft strategy under review, shipped as package data so that the
defaults work from any directory: four public source documents (``documents/``), their catalog
(``catalog.toml``) and the draft (``strategy/``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled(relative: str) -> Path:
    """The path of a bundled file, e.g. ``bundled("catalog.toml")``."""
    return Path(str(resources.files(__name__).joinpath(relative)))
