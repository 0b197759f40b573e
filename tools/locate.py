"""Where a passage sits in its original file: the line a person opens the file at.

Offsets are exact in the normalised text; normalising drops blank and debris lines, so the line
in the original file is found by matching the passage's first line against the file's lines.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tools.loaders import TEXT_SUFFIXES
from tools.normalize import normalize_text


def source_line(path: Path, sha256: str, passage_text: str) -> int | None:
    """The 1-based line of ``path`` where the passage starts, if the file is text and unchanged."""
    if path.suffix.lower() not in TEXT_SUFFIXES or not path.exists():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    first = passage_text.split("\n", 1)[0].strip()[:60]
    if not first:
        return None
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if first in normalize_text(line):
            return number
    return None
