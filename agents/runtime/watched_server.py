"""The llama.cpp server, run so that it stops when the process that started it is gone, for any
reason, ``kill -9`` included: a watcher thread exits as soon as the parent process changes.

    python -m agents.runtime.watched_server PARENT_PID [llama_cpp.server arguments ...]
"""

from __future__ import annotations

import os
import runpy
import sys
import threading
import time

POLL_S = 0.5


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_S)
    os._exit(0)  # the parent is gone: nothing is left to serve


def main() -> None:
    parent = int(sys.argv[1])
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()
    sys.argv = ["llama_cpp.server", *sys.argv[2:]]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
