"""Read source files (Markdown, plain text, PDF, DOCX) into text, with plain-language errors.

Each loader returns the document as a list of pages (one page for formats without pages), so the
index can say on which page of a PDF a passage sits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx"}
SUPPORTED_NAMES = "Markdown (.md), plain text (.txt), PDF (.pdf) or Word (.docx)"


class LoadError(Exception):
    """A file could not be read; ``str(error)`` is one sentence naming the file and the fix."""


@dataclass
class LoadedFile:
    """The raw text of one file, page by page, and any warnings met while reading it."""

    path: Path
    pages: list[str]
    warnings: list[str] = field(default_factory=list)


def load_file(path: Path, max_bytes: int) -> LoadedFile:
    """Read ``path`` into pages of raw text.

    Raises:
        LoadError: the file is missing, empty, too large, of an unsupported type, or unreadable.
    """
    if not path.exists():
        raise LoadError(f"{path} does not exist; check the path and try again.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(
            f"{path.name} is not a supported type ({suffix or 'no extension'}); "
            f"convert it to {SUPPORTED_NAMES}."
        )
    size = path.stat().st_size
    if size == 0:
        raise LoadError(f"{path.name} is empty (0 bytes); add its content or remove it.")
    if size > max_bytes:
        raise LoadError(
            f"{path.name} is {size / 1e6:.3g} MB, over the {max_bytes / 1e6:.3g} MB limit; "
            "split it into smaller files or raise retrieval.max_file_mb."
        )
    if suffix == ".pdf":
        loaded = _load_pdf(path)
    elif suffix == ".docx":
        loaded = _load_docx(path)
    else:
        loaded = _load_text(path)
    if not any(page.strip() for page in loaded.pages):
        raise LoadError(
            f"{path.name} has no readable text (a scanned document?); "
            "run it through OCR or export it as text, then ingest it again."
        )
    return loaded


def _load_text(path: Path) -> LoadedFile:
    data = path.read_bytes()
    try:
        return LoadedFile(path, [data.decode("utf-8-sig")])
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{path.name} is not UTF-8 text; save it with UTF-8 encoding and ingest it again."
        ) from exc
    warning = (
        f"{path.name} is not UTF-8; it was read as Windows-1252. "
        "Save it as UTF-8 if any characters look wrong."
    )
    return LoadedFile(path, [text], [warning])


def _load_pdf(path: Path) -> LoadedFile:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs its own warnings about damaged files; our one sentence replaces them.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(
                f"{path.name} is password-protected; save an unprotected copy and ingest that."
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(
            f"{path.name} cannot be read as a PDF (it may be damaged or encrypted); "
            "open and re-save it, or export it as text."
        ) from exc
    except Exception as exc:  # pypdf raises many types on malformed input
        if "crypt" in str(exc).lower():
            raise LoadError(
                f"{path.name} is encrypted in a way that cannot be opened; "
                "save an unprotected copy and ingest that."
            ) from exc
        raise LoadError(
            f"{path.name} cannot be read as a PDF ({type(exc).__name__}); "
            "open and re-save it, or export it as text."
        ) from exc
    return LoadedFile(path, pages)


def _load_docx(path: Path) -> LoadedFile:
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise LoadError(
            f"{path.name} cannot be read as a Word document; open and re-save it as .docx."
        ) from exc
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.startswith("Heading") or style == "Title":
            level = style.removeprefix("Heading").strip()
            lines.append("#" * (int(level) if level.isdigit() else 1) + " " + text)
        elif "List" in style:
            lines.append("- " + text)
        else:
            lines.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                lines.append(" | ".join(cells))
    return LoadedFile(path, ["\n\n".join(lines)])
