"""Exporting a run for people without the tool: the report plus the full transcript (who said
what, when, with which evidence) as Markdown, standalone HTML or JSON; or the report alone as a
board pack in Word or PDF (``orchestration.report.board_pack``)."""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import Literal

from markdown_it import MarkdownIt

from orchestration.events import (
    AgentMessage,
    ErrorRaised,
    EvidencePack,
    HumanSteer,
    PhaseChanged,
    RunStarted,
    ToolCalled,
)
from orchestration.record.event_log import read_log
from orchestration.record.folder import DamagedFile, RunFolder, write_atomically

Format = Literal["md", "html", "json", "docx", "pdf", "csv"]
CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
blockquote{border-left:4px solid #88a;margin:0.5rem 0;padding:0.2rem 0.8rem;background:#f4f5fa}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:0.3rem 0.5rem}
code{background:#f0f0f0;padding:0 0.2rem}h3{margin-top:2rem}"""


def transcript_markdown(folder: Path) -> str:
    """The debate as Markdown, theme by theme, from the run's event log."""
    check = read_log(RunFolder(folder).events)
    lines = ["## Transcript", ""]
    if check.problems or check.torn_tail:
        lines += [
            f"*Warning: the event log is not intact ({'; '.join(check.problems) or 'last line cut off'}); "
            "the transcript stops where the log can no longer be trusted.*",
            "",
        ]
    theme = None
    for event in check.events:
        stamp = time.strftime("%H:%M:%S", time.localtime(event.at))
        if isinstance(event, RunStarted):
            lines += [
                f"Run `{event.run_id}` of *{event.strategy_title}*, started "
                f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(event.at))}.",
                "",
            ]
        elif isinstance(event, PhaseChanged):
            if event.theme_id != theme:
                theme = event.theme_id
                lines += [f"### Theme: {theme}", ""]
            lines += [f"#### {event.to_text()}", ""]
        elif isinstance(event, AgentMessage):
            cites = f" — cites {', '.join(event.evidence_ids)}" if event.evidence_ids else ""
            body = event.to_text().strip().replace("\n", "\n> ")
            lines += [f"**{event.agent}** ({stamp}){cites}", "", f"> {body}", ""]
        elif isinstance(event, EvidencePack | ToolCalled):
            lines += [f"*{event.agent}: {event.to_text()}*", ""]
        elif isinstance(event, HumanSteer):
            lines += [f"**{event.to_text()}** ({stamp})", ""]
        elif isinstance(event, ErrorRaised):
            lines += [f"*Problem ({event.kind}): {event.to_text()}*", ""]
    return "\n".join(lines)


def export_run(path: Path, fmt: Format) -> Path:
    """Write ``export.<fmt>`` into the run folder and return its path. Raises ``ValueError``
    for a board pack (docx, pdf) or action list (csv) of a run that has no report."""
    folder = RunFolder(path)
    if fmt == "docx" or fmt == "pdf":
        return _board_pack(folder, fmt)
    if fmt == "csv":
        return _action_list(folder)
    report = folder.report_md
    report_text = (
        report.read_text(encoding="utf-8") if report.exists() else "# Run without a report\n"
    )
    if fmt == "json":
        events = [e.model_dump(mode="json") for e in read_log(folder.events).events]
        saved = folder.saved_review()
        review = saved.model_dump(mode="json") if saved is not None else None
        out = folder.export("json")
        write_atomically(
            out, json.dumps({"report": review, "events": events}, indent=1, ensure_ascii=False)
        )
        return out
    document = report_text.rstrip() + "\n\n" + transcript_markdown(folder.path) + "\n"
    if fmt == "md":
        write_atomically(folder.export("md"), document)
        return folder.export("md")
    body = MarkdownIt("commonmark").enable("table").render(document)
    title = html.escape(report_text.splitlines()[0].lstrip("# ")) if report_text else folder.run_id
    write_atomically(
        folder.export("html"),
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{CSS}</style></head><body>{body}</body></html>\n",
    )
    return folder.export("html")


def _action_list(folder: RunFolder) -> Path:
    """``export.csv``: the recommendations the chair accepted, as an action list."""
    from orchestration.record.decisions import action_list_csv

    review = folder.saved_review()
    if review is None:
        raise ValueError(f"Run {folder.run_id} has no report yet, so there is no action list.")
    write_atomically(folder.export("csv"), action_list_csv(review))
    return folder.export("csv")


def _board_pack(folder: RunFolder, fmt: Literal["docx", "pdf"]) -> Path:
    """``export.docx`` or ``export.pdf``: the report as a board pack, in Word or PDF."""
    from orchestration.report.board_pack import RunFacts, board_pack, board_pack_pdf

    review = folder.saved_review()
    if review is None:
        raise ValueError(
            f"Run {folder.run_id} has no report yet, so there is no board pack to write; "
            "export it as md or html for its transcript."
        )
    started = next((e for e in read_log(folder.events).events if isinstance(e, RunStarted)), None)
    try:
        pages = {pid: p.page for pid, p in folder.snapshot().items() if p.page is not None}
    except DamagedFile:
        pages = {}  # the pack then gives sections without pages
    facts = RunFacts(
        run_id=started.run_id if started else folder.run_id,
        models=dict(started.models) if started else {},
        embedding_model=started.embedding_model if started else "",
        started_at=started.at if started else None,
        pages=pages,
    )
    out = folder.export(fmt)
    write_atomically(out, (board_pack if fmt == "docx" else board_pack_pdf)(review, facts))
    return out
