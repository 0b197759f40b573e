"""Paths that cannot be used get one plain sentence naming the path and what to do, and an exit
code that says whose fault it was: 2 for input to fix, 1 for a disk that failed."""

from __future__ import annotations

import errno
import os

import pytest

from orchestration.cli.entry import main
from orchestration.plain_errors import is_disk_failure, plain_message


def _error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Errno" not in err
    return " ".join(err.split())


def test_a_folder_given_as_the_strategy(tmp_path, capsys):
    assert main(["run", str(tmp_path), "--themes", "talent"]) == 2
    assert f"{tmp_path} is a folder; give the path of the strategy file in it" in _error(capsys)


def test_a_file_given_as_the_data_dir(tmp_path, capsys):
    data = tmp_path / "data"
    data.write_text("not a folder")
    assert main(["search", "apprenticeships", "--data-dir", str(data)]) == 2
    assert "runs through a file where a folder was expected" in _error(capsys)


def test_a_transcripts_folder_that_cannot_be_made(tmp_path, monkeypatch, capsys):
    """Said before the index and the models are loaded."""
    blocked = tmp_path / "blocked"
    blocked.write_text("")  # a file where the transcripts folder should go
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(blocked / "runs"))
    assert main(["run", "--themes", "talent", "--data-dir", str(tmp_path / "no-index")]) == 2
    message = _error(capsys)
    assert str(blocked / "runs") in message and "REVIEW_TRANSCRIPTS_DIR" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not bind root")
def test_a_read_only_transcripts_folder(tmp_path, monkeypatch, capsys):
    runs = tmp_path / "runs"
    runs.mkdir()
    runs.chmod(0o555)
    monkeypatch.setenv("REVIEW_TRANSCRIPTS_DIR", str(runs))
    assert main(["run", "--themes", "talent", "--data-dir", str(tmp_path / "no-index")]) == 2
    assert "permission denied or a read-only disk" in _error(capsys)


@pytest.mark.parametrize(
    ("code", "words", "disk"),
    [
        (errno.ENOSPC, "The disk is full: /srv/runs/x/events.jsonl could not be written", True),
        (errno.EACCES, "/srv/runs/x/events.jsonl cannot be written or read here", False),
        (errno.EROFS, "permission denied or a read-only disk", False),
        (errno.EISDIR, "/srv/runs/x/events.jsonl is a folder, where a file was expected", False),
        (errno.ENOENT, "/srv/runs/x/events.jsonl does not exist", False),
        (errno.EMLINK, "/srv/runs/x/events.jsonl: too many links.", False),
    ],
)
def test_each_file_system_error_is_one_sentence(code, words, disk):
    error = OSError(code, os.strerror(code), "/srv/runs/x/events.jsonl")
    message = plain_message(error)
    assert words in message and "Errno" not in message and "\n" not in message
    assert is_disk_failure(error) is disk
