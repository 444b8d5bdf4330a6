"""Entry points of the decode worker processes; imports nothing heavier than Pillow and numpy."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.queues import SimpleQueue
from pathlib import Path

from core.decode import Prepared, prepare
from core.errors import NotAnImageError
from core.hashing import HashPrefixSet
from core.records import Problem

# Test hook: a worker whose file has this name sleeps forever, as a hung decoder would. It is
# read only in pool workers, only when this variable is set, and matches whole file names only.
HANG_ENV = "SIMILI_TEST_HANG_DECODING_OF"
_PR_SET_PDEATHSIG = 1

_size = 224
_known: HashPrefixSet = HashPrefixSet()
_hang_on: str | None = None
_started: SimpleQueue | None = None


def init_worker(
    size: int,
    known: HashPrefixSet,
    in_pool: bool = False,
    lifeline: Connection | None = None,
    parent_pid: int | None = None,
    started: SimpleQueue | None = None,
) -> None:
    """Set the model input size and the already-embedded hashes for this process.

    In a pool worker, `lifeline` is the read end of a pipe only the parent writes to, and
    `parent_pid` the parent's pid: the worker ends itself when the parent dies (see
    `exit_with_parent`), and `started` receives each file's path as its decoding begins, so the
    parent can time it.
    """
    global _size, _known, _hang_on, _started
    _size = size
    _known = known
    _started = started
    if in_pool:  # Ctrl+C is the parent's to handle; it shuts the pool down cleanly
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _hang_on = os.environ.get(HANG_ENV) or None
    if lifeline is not None:
        exit_with_parent(lifeline, parent_pid)


def exit_with_parent(lifeline: Connection, parent_pid: int | None) -> None:
    """End this process as soon as its parent dies, even by `kill -9`.

    Why: a pool worker waits on the pool's queue, whose write end every worker also holds, so it
    would wait forever (with the resource tracker) after its parent is killed. Two guards:
    on Linux the kernel sends SIGKILL when the parent goes (PR_SET_PDEATHSIG; it fires when the
    *thread* that started the worker ends, and the pipeline starts its pool from the thread that
    runs it, for the whole run); everywhere, a thread waits on `lifeline`, whose only write end
    the parent holds, and reads EOF when the parent dies or gives the pool up.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the lifeline below still works
    if parent_pid is not None and sys.platform != "win32" and os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the guards were in place

    def wait_for_parent() -> None:
        try:
            while True:
                lifeline.recv()  # the parent never sends: this returns only with EOF
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=wait_for_parent, name="simili-lifeline", daemon=True).start()


def work(path: str, force: bool = False) -> Prepared | Problem:
    """Hash and decode one file; failures come back as a Problem, never an exception."""
    if _started is not None:
        _started.put(path)
    if _hang_on is not None and Path(path).name == _hang_on:
        while True:
            time.sleep(60)
    try:
        return prepare(path, _size, HashPrefixSet() if force else _known)
    except NotAnImageError as exc:
        return Problem(path, exc.reason)
    except MemoryError:
        return Problem(path, "not enough memory to decode this image")
    except Exception as exc:  # one strange file must not stop the run
        return Problem(path, f"cannot decode ({type(exc).__name__}: {exc})")
