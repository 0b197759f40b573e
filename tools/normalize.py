"""Text normalisation applied before chunking, so passages read cleanly and quotes match.

Every chunk's character offsets point into the *normalised* text, which the index stores, so a
quote can always be located exactly.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE_LIKE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"})
_HTML_TAG = re.compile(r"</?(?:u|b|i|em|strong|span|sup|sub|br)\b[^>]*>", re.IGNORECASE)
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-[ \t]*\n[ \t]*(?=[a-z])")
_EMPHASIS = re.compile(r"(\*{1,2}|_{2})(?=\S)([^*\n]+?)(?<=\S)\1")
_SLIDE_MARKER = re.compile(r"^\s*Slide No\b.*$", re.MULTILINE)
_TABLE_RULE = re.compile(r"^[\s|:+-]*-{3,}[\s|:+-]*$", re.MULTILINE)
_RUN_OF_SPACES = re.compile(r"[ \t]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(raw: str) -> str:
    """Clean extracted text while keeping its words, punctuation and line structure.

    - Unicode NFC; ligatures spelt out; non-breaking and other odd spaces become spaces;
      soft hyphens and zero-width characters go.
    - Words hyphenated across a line break are joined ("work-\\nforce" -> "workforce").
    - Slide-deck debris goes: inline HTML tags, "Slide No" navigation lines, table rules,
      Markdown emphasis markers.
    - Runs of spaces and tabs become one space; lines are trimmed; at most one blank line
      separates blocks.
    """
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_LIGATURES)
    text = _SPACE_LIKE.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = _HYPHEN_BREAK.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _SLIDE_MARKER.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _RUN_OF_SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip() + "\n"


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """Normalise each page and join them; also return the offset where each page starts."""
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for page in pages:
        clean = normalize_text(page) if page.strip() else ""
        starts.append(offset)
        if clean:
            parts.append(clean + "\n")
            offset += len(clean) + 1
    return "".join(parts).rstrip("\n") + "\n", starts
