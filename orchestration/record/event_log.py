"""The run's event log: append-only JSON lines with a hash chain, checked when read back.

Each line is ``{"seq": n, "prev": <hash of line n-1>, "hash": <hash of this line>, "seal": ...,
"event": {...}}`` where ``hash = sha256(prev + seq + canonical JSON of the event)`` and ``seal``
is that hash signed with the installation's key (``sealing``). A line is flushed and fsynced as it
is written, so a crash loses at most the line being written; reading the log back finds a torn
last line, a corrupted or edited line, a gap in the sequence and, given the key, a line whose
seal does not match (rewritten with its chain recomputed, or forged).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from orchestration.events import Event
from orchestration.plain_errors import naming
from orchestration.record.sealing import seal

GENESIS = "0" * 64
_EVENTS: TypeAdapter[Any] = TypeAdapter(Event)


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev: str, seq: int, payload: dict[str, Any]) -> str:
    return hashlib.sha256(f"{prev}|{seq}|{canonical(payload)}".encode()).hexdigest()


class EventLog:
    """Appends events to ``events.jsonl``, continuing the chain of an existing log.

    One writer per log in a process: ``EventLog.continuing`` hands out the log already open for a
    path (a follow-up question asked while the run is still writing), so the chain stays whole.
    """

    _open: ClassVar[dict[Path, EventLog]] = {}

    def __init__(
        self, path: Path, seq: int = 0, prev: str = GENESIS, key: bytes | None = None
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.key = key
        self.seq = seq
        self.prev = prev
        self._file = path.open("a", encoding="utf-8")
        self._users = 1
        self._failed: OSError | None = None
        EventLog._open[path.resolve()] = self

    @classmethod
    def continuing(cls, path: Path, seq: int, prev: str, key: bytes | None = None) -> EventLog:
        """The writer already open for ``path`` in this process, else one continuing at ``seq``."""
        if (writer := cls._open.get(path.resolve())) is not None:
            writer._users += 1
            return writer
        return cls(path, seq, prev, key)

    @classmethod
    def is_writing(cls, path: Path) -> bool:
        """Whether this process has the log at ``path`` open (its run is going on here)."""
        return path.resolve() in cls._open

    def append(self, event: BaseModel) -> None:
        """Write ``event`` as the log's next line, on disk before this returns. After a failed
        write (a full disk) the log takes nothing more: its last line may be torn, and a
        resume cuts that off and goes on from the line before."""
        if self._failed is not None:
            raise self._failed
        payload = event.model_dump(mode="json")
        seq = self.seq + 1
        digest = chain_hash(self.prev, seq, payload)
        record = {"seq": seq, "prev": self.prev, "hash": digest, "event": payload}
        if self.key is not None:
            record["seal"] = seal(self.key, digest)
        try:
            self._file.write(canonical(record) + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            self._failed = naming(exc, self.path)
            raise self._failed from exc
        self.seq, self.prev = seq, digest

    def close(self) -> None:
        self._users -= 1
        if self._users == 0:
            EventLog._open.pop(self.path.resolve(), None)
            try:
                self._file.close()
            except OSError:
                if self._failed is None:  # a failed write already said what went wrong
                    raise


@dataclass
class LogCheck:
    """What reading a log found: the good events, and anything wrong."""

    events: list[Any] = field(default_factory=list)
    last_seq: int = 0
    last_hash: str = GENESIS
    torn_tail: bool = False
    problems: list[str] = field(default_factory=list)
    sealed: bool = False  # every line carries a seal that matched the key

    @property
    def intact(self) -> bool:
        return not self.problems and not self.torn_tail


def read_log(path: Path, key: bytes | None = None) -> LogCheck:
    """Read and verify a log (its seals too, given the installation's ``key``). Stops at the
    first broken line: events after it are not trusted."""
    check = LogCheck(sealed=key is not None)
    raw = path.read_bytes().decode("utf-8", errors="replace")
    lines = raw.split("\n")
    ends_cleanly = raw.endswith("\n") or raw == ""
    body = lines[:-1] if ends_cleanly else lines
    for number, line in enumerate(body, start=1):
        is_last = number == len(body)
        try:
            record = json.loads(line)
            seq, prev, digest, payload = (
                record["seq"],
                record["prev"],
                record["hash"],
                record["event"],
            )
        except (json.JSONDecodeError, KeyError, TypeError):
            if is_last and not ends_cleanly:
                check.torn_tail = True
            else:
                check.problems.append(f"line {number} is not a valid log record")
            return check
        if seq != check.last_seq + 1:
            check.problems.append(
                f"line {number} has sequence {seq}, expected {check.last_seq + 1}"
            )
            return check
        if prev != check.last_hash or chain_hash(prev, seq, payload) != digest:
            check.problems.append(f"line {number} (event {seq}) was changed after it was written")
            return check
        if number == 1 and "seal" not in record:
            check.sealed, key = False, None  # written before sealing: nothing to check
        if key is not None and not hmac.compare_digest(record.get("seal", ""), seal(key, digest)):
            check.sealed = False
            check.problems.append(
                f"line {number} (event {seq}) has no valid seal: it was rewritten with its hash "
                "chain recomputed, forged, or written by another installation"
            )
            return check
        try:
            check.events.append(_EVENTS.validate_python(payload))
        except ValidationError:
            check.problems.append(f"line {number} (event {seq}) is not an event this version knows")
            return check
        check.last_seq, check.last_hash = seq, digest
    return check
