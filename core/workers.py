"""Entry points of the decode worker processes; imports nothing heavier than Pillow and numpy."""

from __future__ import annotations

import signal

from core.decode import Prepared, prepare
from core.errors import NotAnImageError
from core.hashing import HashPrefixSet
from core.records import Problem

_size = 224
_known: HashPrefixSet = HashPrefixSet()


def init_worker(size: int, known: HashPrefixSet, in_pool: bool = False) -> None:
    """Set the model input size and the already-embedded hashes for this process."""
    global _size, _known
    _size = size
    _known = known
    if in_pool:  # Ctrl+C is the parent's to handle; it shuts the pool down cleanly
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def work(path: str, force: bool = False) -> Prepared | Problem:
    """Hash and decode one file; failures come back as a Problem, never an exception."""
    try:
        return prepare(path, _size, HashPrefixSet() if force else _known)
    except NotAnImageError as exc:
        return Problem(path, exc.reason)
    except MemoryError:
        return Problem(path, "not enough memory to decode this image")
    except Exception as exc:  # one strange file must not stop the run
        return Problem(path, f"cannot decode ({type(exc).__name__}: {exc})")
