"""``RunFolder``: one run's folder under the transcripts directory, the one home of its file
names (the event log, the reports, the evidence snapshot), of the "no such run" check, of
writing the reports, and of the snapshot of cited passages that lets the folder audit on its
own. Files are written whole or not at all (a temporary file, then a rename)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.events import AgentMessage
from orchestration.plain_errors import naming
from orchestration.record.event_log import read_log
from orchestration.record.sealing import file_hash
from orchestration.report.markdown import cited_ids, render_markdown
from orchestration.review_models import StrategyReview
from tools.evidence import Passage


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8; bytes as they are) to a temporary file beside ``path``, then rename
    it into place. A failure leaves ``path`` as it was and names ``path`` (not the temporary
    file)."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        mode, encoding = ("wb", None) if isinstance(text, bytes) else ("w", "utf-8")
        with os.fdopen(handle, mode, encoding=encoding) as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise naming(exc, path) from exc
        raise


def writable_folder(path: Path) -> None:
    """Make ``path`` if need be; an ``OSError`` naming it when it cannot be made or written."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise naming(exc, path) from exc
    if not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))


class DamagedFile(ValueError):
    """A file of the run folder that cannot be read back (cut short, or not what it should be)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} is damaged (cut short or edited) and cannot be read; "
            "`review audit` shows what else is wrong."
        )
        self.path = path


@dataclass(frozen=True)
class RunFolder:
    path: Path

    @classmethod
    def existing(cls, transcripts_dir: Path, run_id: str) -> RunFolder:
        """The folder of a saved run; a plain ``ValueError`` when there is no such run."""
        folder = cls(transcripts_dir / run_id)
        if not folder.events.exists():
            raise ValueError(
                f"No run {run_id} in {transcripts_dir}; `review runs` lists the saved runs."
            )
        return folder

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def events(self) -> Path:
        return self.path / "events.jsonl"

    @property
    def report_md(self) -> Path:
        return self.path / "report.md"

    @property
    def report_json(self) -> Path:
        return self.path / "report.json"

    @property
    def evidence(self) -> Path:
        return self.path / "evidence.json"

    def file_hashes(self) -> dict[str, str]:
        """The sha256 of each file the run wrote (to seal them in the log)."""
        paths = (self.report_md, self.report_json, self.evidence)
        return {p.name: digest for p in paths if (digest := file_hash(p)) is not None}

    def export(self, fmt: str) -> Path:
        return self.path / f"export.{fmt}"

    def replay(self) -> RunFolder:
        """Where a replay of this run writes (the original is never touched)."""
        return RunFolder(self.path / "replay")

    def saved_review(self) -> StrategyReview | None:
        """report.json, when the run got as far as writing it. Raises ``DamagedFile`` when it
        cannot be read."""
        if not self.report_json.exists():
            return None
        try:
            return StrategyReview.model_validate_json(self.report_json.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise DamagedFile(self.report_json) from exc

    def snapshot(self) -> dict[str, Passage]:
        """The cited passages saved with the run (empty when there are none yet). Raises
        ``DamagedFile`` when evidence.json cannot be read."""
        return {pid: Passage.model_validate(v) for pid, v in self.snapshot_entries().items()}

    def snapshot_entries(self) -> dict[str, dict[str, Any]]:
        """evidence.json as saved: each passage with the content hash of its text."""
        if not self.evidence.exists():
            return {}
        try:
            raw = json.loads(self.evidence.read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
                raise ValueError("not a map of passages")
            for value in raw.values():
                Passage.model_validate(value)
        except (ValueError, UnicodeDecodeError) as exc:
            raise DamagedFile(self.evidence) from exc
        return raw

    def add_to_snapshot(
        self, passages: Iterable[Passage], lookup: Callable[[str], Passage | None]
    ) -> None:
        """Keep the folder self-contained: these passages join the saved ones. A damaged
        snapshot is not read back: it is kept aside as evidence.json.damaged and rebuilt, with
        ``lookup``, from the passages the log's follow-up answers cite (the caller adds the
        report's)."""
        try:
            saved = {pid: _entry(p) for pid, p in self.snapshot().items()}
        except DamagedFile:
            os.replace(self.evidence, self.evidence.with_name("evidence.json.damaged"))
            cited = self._cited_by_follow_ups()
            saved = {p.id: _entry(p) for i in cited if (p := lookup(i)) is not None}
        saved |= {p.id: _entry(p) for p in passages}
        write_atomically(self.evidence, json.dumps(saved, indent=1, ensure_ascii=False))

    def _cited_by_follow_ups(self) -> list[str]:
        events = read_log(self.events).events if self.events.exists() else []
        return [
            evidence_id
            for e in events
            if isinstance(e, AgentMessage) and e.phase == "follow_up"
            for evidence_id in e.evidence_ids
        ]

    def write_reports(
        self,
        review: StrategyReview,
        run_id: str,
        models: dict[str, str],
        lookup: Callable[[str], Passage | None],
    ) -> Path:
        """report.json, report.md and the snapshot of every passage they cite (kept: passages
        cited by follow-ups asked while the run went on); returns report.md's path."""
        write_atomically(self.report_json, review.model_dump_json(indent=2))
        self.add_to_snapshot((p for i in cited_ids(review) if (p := lookup(i)) is not None), lookup)
        write_atomically(self.report_md, render_markdown(review, run_id, models))
        return self.report_md


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry(passage: Passage) -> dict[str, object]:
    """A passage as the snapshot keeps it, with the content hash of its text."""
    return passage.model_dump(mode="json") | {"sha256": text_hash(passage.text)}
