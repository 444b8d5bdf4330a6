"""Cancellation and progress reporting shared by every long-running core function."""

from __future__ import annotations

import threading
from collections.abc import Callable

from core.records import Progress

ProgressCallback = Callable[[Progress], None]


class Cancelled(Exception):
    """Raised inside long work once its CancelToken has been set."""


class CancelToken:
    """A thread-safe flag that long work checks between batches."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next checkpoint."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel() has been called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise Cancelled if cancel() has been called."""
        if self._event.is_set():
            raise Cancelled
