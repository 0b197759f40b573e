"""Helpers shared by the tests: paths, the isolated environment, small documents, output
squashing, waiting in Pilot tests, PDF/DOCX writers."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from agents.runtime.local_server import bundled_gguf
from orchestration.review_models import StrategyReview
from tools.evidence import Passage
from tools.ingest import IngestReport
from tools.quality import passage_quality
from tools.settings import RetrievalSettings

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "corpus" / "documents"
CATALOG = ROOT / "corpus" / "catalog.toml"
SEED_FILES = sorted(CORPUS_DIR.iterdir())


@dataclass
class IndexedCorpus:
    """An ingested corpus: the settings that reach its index, and what the ingest reported."""

    settings: RetrievalSettings
    report: IngestReport


def isolate(monkeypatch: pytest.MonkeyPatch, base: Path) -> None:
    """The environment every test runs in (conftest applies it to each test; module-scoped
    fixtures apply it themselves): the repository root as working directory, no ``REVIEW_*``
    variables, an empty config file, and ``XDG_DATA_HOME`` under the session's temporary folder."""
    for name in list(os.environ):
        if name.startswith("REVIEW_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "xdg-data-home"))
    config = base / "empty-review.toml"  # a user's review.toml never applies
    config.touch(exist_ok=True)
    monkeypatch.setenv("REVIEW_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(ROOT)


async def until(pilot: Any, condition: Callable[[], object], seconds: float = 60.0) -> None:
    """Let a Pilot-driven app run until ``condition()`` holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"the UI did not get there within {seconds} s")
        await pilot.pause(0.02)


_BOX = re.compile(r"[│╭╮╰╯─┃┏┓┗┛━┡┩┣┫╇╈┼┬┴├┤┌┐└┘═║╔╗╚╝╞╡╪]")


def squash(text: str) -> str:
    """Console output with box-drawing characters gone and whitespace collapsed.

    Rich wraps long lines at spaces and draws panels and tables; squashing both the output and
    the expected text lets a test look for a sentence regardless of the terminal width.
    """
    return " ".join(_BOX.sub(" ", text).split())


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# Small documents for synthetic corpora: distinct vocabulary so searches can tell them apart.
DOC_ALPHA = """# Alpha workforce plan

## Retention

We will keep experienced nurses by offering flexible rotas and career conversations.
Retention of district nurses is our first priority for the coming year.

## Apprenticeships

Apprenticeships in social care open routes for school leavers into paid work.
"""

DOC_BETA = """Beta pharmacy workforce review

Community pharmacists face rising demand for prescriptions across rural towns.
The review recommends shared training posts between hospital and community pharmacy.
"""

DOC_GAMMA = """Gamma digital skills note

Digital literacy training helps care staff use electronic care records confidently.
Every care home will have a digital champion by the end of the programme.
"""


def write_small_corpus(folder: Path) -> Path:
    """Three short documents (two .md, one .txt) in ``folder``."""
    write(folder / "alpha.md", DOC_ALPHA)
    write(folder / "beta.txt", DOC_BETA)
    write(folder / "gamma.md", DOC_GAMMA)
    return folder


def write_text_pdf(path: Path, pages: list[str], user_password: str | None = None) -> Path:
    """A PDF with one line of Helvetica text per page; encrypted (RC4) when a password is given."""
    writer = PdfWriter()
    for line in pages:
        page = writer.add_blank_page(612, 792)
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        stream = DecodedStreamObject()
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream.set_data(f"BT /F1 10 Tf 40 740 Td ({escaped}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    if user_password is not None:
        writer.encrypt(user_password, owner_password="owner-secret")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        writer.write(out)
    return path


def write_docx(path: Path) -> Path:
    """A Word document with a title, nested headings, body text, a bullet and a table."""
    import docx

    document = docx.Document()
    document.add_heading("Bradford care workforce plan", 0)
    document.add_heading("Retention", 1)
    document.add_paragraph(
        "We will keep experienced home carers by paying for travel time between visits. "
        "Carers told us unpaid travel was the main reason they left."
    )
    document.add_heading("Pay and reward", 2)
    document.add_paragraph(
        "Pay will rise to the real living wage for all care staff.", style="List Bullet"
    )
    document.add_heading("Recruitment", 1)
    document.add_paragraph("A shared recruitment campaign will reach school leavers and returners.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Vacancy rate"
    table.rows[0].cells[1].text = "11 per cent"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def passage_of(text: str, start: int = 0, pid: str = "T#1") -> Passage:
    """A passage holding ``text`` (its quality scored as at ingest), for tests of quoting."""
    return Passage(
        id=pid,
        doc_id=pid.split("#")[0],
        title="T",
        section="",
        scope="place",
        position=1,
        start=start,
        end=start + len(text),
        text=text,
        quality=passage_quality(text),
    )


@contextmanager
def running_llama_server(*options: str, n_ctx: int = 2048) -> Iterator[str]:
    """A llama.cpp OpenAI-compatible server on a free port with the bundled GGUF (model
    ``smollm2``); yields its base URL and stops it afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_gguf())]
    command += ["--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--n_ctx", str(n_ctx), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/models", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the llama.cpp server did not start")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


SAVED_RUN = ROOT / "tests" / "fixtures" / "runs" / "20261124-090000-demo01"


def copy_saved_run(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture run in ``base/transcripts``, the folder the command line uses."""
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(base / "transcripts"))
    folder = base / "transcripts" / SAVED_RUN.name
    shutil.copytree(SAVED_RUN, folder)
    return folder


def read_review(folder: Path) -> StrategyReview:
    return StrategyReview.model_validate_json((folder / "report.json").read_text())


def write_review(folder: Path, review: StrategyReview) -> None:
    (folder / "report.json").write_text(review.model_dump_json(indent=2))


def finished_talent_run(retrieval: RetrievalSettings, base: Path) -> tuple[Path, bytes]:
    """One finished run of the Talent theme with a scripted panel, and the installation's
    sealing key."""
    import asyncio

    from orchestration.engine import run as run_module
    from orchestration.record.sealing import installation_key
    from orchestration.settings import load_settings
    from tests.scripted import ScriptedSpeaker

    settings = load_settings(
        {"transcripts_dir": str(base / "runs"), "retrieval": retrieval.model_dump()}
    )
    speaker = ScriptedSpeaker().enqueue("critic", "The claims are supported. OPEN OBJECTIONS: 0")
    strategy = ROOT / "corpus" / "strategy" / "workforce-strategy-2026-2031.toml"
    result = asyncio.run(run_module.run_review(settings, strategy, ["talent"], speaker=speaker))
    return result.folder, installation_key(retrieval.data_dir)
