"""What went wrong, in one plain sentence for the person at the keyboard: an error from the
file system (a folder where a file belongs, a full disk, a read-only folder) says which path and
what to do, never an errno; any other error is its own message."""

from __future__ import annotations

import errno

FOLDER_OPTIONS = (
    "--data-dir or REVIEW_RETRIEVAL__DATA_DIR for the index, REVIEW_TRANSCRIPTS_DIR for the runs"
)


def plain_message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        return _file_system(exc)
    return str(exc).strip() or type(exc).__name__


def naming(exc: OSError, path: object) -> OSError:
    """``exc`` as the same error about ``path`` (what a user can find), not a temporary file."""
    return OSError(exc.errno, exc.strerror, str(path))


def is_disk_failure(exc: BaseException) -> bool:
    """The disk failed the program (full, or an I/O error), rather than the input being wrong."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO)


def _file_system(exc: OSError) -> str:
    where = exc.filename or "a file it needed"
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk is full: {where} could not be written. Free some space on that disk and "
            "try again; a run that stopped keeps everything it wrote and can be resumed "
            "(`review runs` lists it)."
        )
    if code == errno.EISDIR:
        return f"{where} is a folder, where a file was expected: give the path of the file itself."
    if code == errno.ENOTDIR:
        return (
            f"{where} runs through a file where a folder was expected: choose a folder "
            f"({FOLDER_OPTIONS})."
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"{where} cannot be written or read here (permission denied or a read-only disk): "
            f"fix its permissions or choose another folder ({FOLDER_OPTIONS})."
        )
    if code == errno.ENOENT:
        return f"{where} does not exist: check the path."
    reason = (exc.strerror or "failed").rstrip(".")
    return f"{where}: {reason[0].lower()}{reason[1:]}."
