"""Sealing a run's record so that someone holding only the run folder cannot rewrite it unseen.

Each log line carries a seal: an HMAC of its chain hash under a key that belongs to this
installation (``<data_dir>/record.key``, created on first use, readable by its owner only). An
edited line whose hash chain was recomputed, or a forged line appended with a correct hash, has
no valid seal. What it does not protect against: someone who can also read the key (the same
user on the same machine), and a log copied to another installation is verifiable there only
with this key. The files a run writes (report.md, report.json, evidence.json) are sealed by their
hashes in the log (``run_finished``, and ``files_sealed`` after a follow-up).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE = "record.key"


def installation_key(data_dir: Path) -> bytes:
    """This installation's sealing key (made on first use)."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def seal(key: bytes, digest: str) -> str:
    return hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()


def file_hash(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
