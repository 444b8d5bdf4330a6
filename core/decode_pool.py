"""The decode worker pool: bounded look-ahead, crash and hang recovery, workers that die with us."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.queues import SimpleQueue

from core.decode import Prepared
from core.decode_worker import init_worker, work
from core.errors import SimiliError
from core.hashing import HashPrefixSet
from core.records import Problem
from core.tasks import CancelToken

# A file whose decode takes longer than this (per 50 MB) is reported and its worker replaced.
DECODE_TIME_LIMIT_S = 60.0
DECODE_TIME_LIMIT_ENV = "SIMILI_DECODE_TIME_LIMIT"
# How long closing the pool waits for workers to finish the file in hand before killing them.
CLOSE_GRACE_S = 10.0


@dataclass(frozen=True, slots=True)
class DecodeJob:
    """A file to decode, with what the pipeline must remember of it."""

    path: str
    root_id: int
    size: int
    mtime_ns: int
    kind: str  # "new", "changed", "stale" or "retry" (a problem file tried again)
    previous: str | None = None  # a retried problem's reason


def decode_time_limit() -> float:
    """The per-file decode time limit: $SIMILI_DECODE_TIME_LIMIT seconds, else 60."""
    try:
        value = float(os.environ.get(DECODE_TIME_LIMIT_ENV, ""))
    except ValueError:
        return DECODE_TIME_LIMIT_S
    return value if value > 0 else DECODE_TIME_LIMIT_S


class DecodePool:
    """A process pool with bounded look-ahead that survives a worker crashing or hanging on a file.

    Workers end with the parent (core.decode_worker.exit_with_parent). Workers say when they begin a
    file; one still busy with it after its time limit is reported, the pool replaced (the stuck
    worker killed) and the other files in flight queued again, so one bad file never stops the
    run.
    """

    def __init__(
        self, workers: int, size: int, known: HashPrefixSet, window: int, time_limit: float
    ) -> None:
        self.workers = workers
        self.size = size
        self.known = known
        self.window = window
        self.time_limit = time_limit
        self.executor: ProcessPoolExecutor | None = None
        self._lifeline: tuple[Connection, Connection] | None = None
        self._started: SimpleQueue | None = None

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent may hold ONNX Runtime or Qt threads.
        context = multiprocessing.get_context("spawn")
        reader, writer = context.Pipe(duplex=False)
        self._lifeline = (reader, writer)
        self._started = context.SimpleQueue()
        return ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(self.size, self.known, True, reader, os.getpid(), self._started),
        )

    def _drain_started(self, started: dict[str, float]) -> None:
        """Note when workers began their files (a worker still starting up has begun none)."""
        queue = self._started
        now = time.monotonic()
        while queue is not None and not queue.empty():
            started.setdefault(queue.get(), now)

    def limit_for(self, job: DecodeJob) -> float:
        """Seconds one file may take: the base limit, longer for files over 50 MB."""
        return self.time_limit * max(1.0, job.size / (50 << 20))

    def run(
        self, jobs: Iterable[DecodeJob], cancel: CancelToken
    ) -> Iterator[tuple[DecodeJob, Prepared | Problem]]:
        """Yield each job with its result, in completion order."""
        queue = deque(jobs)
        suspects: deque[DecodeJob] = deque()
        self.executor = self._start()
        inflight: dict[Future, DecodeJob] = {}
        started: dict[str, float] = {}  # path -> when a worker began it (to within 0.5 s)
        healthy = False  # has any worker ever returned a result?
        failures = 0
        try:
            while queue or suspects or inflight:
                # Suspects of a crash or hang run alone, so the file that caused it is found.
                limit = 1 if suspects else self.window
                source = suspects if suspects else queue
                while source and len(inflight) < limit and not cancel.cancelled:
                    job = source.popleft()
                    inflight[self.executor.submit(work, job.path)] = job
                if cancel.cancelled and not inflight:
                    return
                if not inflight:
                    continue
                done, _ = wait(inflight, timeout=0.5, return_when=FIRST_COMPLETED)
                self._drain_started(started)
                crashed: list[DecodeJob] = []
                for future in done:
                    job = inflight.pop(future)
                    started.pop(job.path, None)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        crashed.append(job)
                        continue
                    healthy = True
                    yield job, result
                alone = limit == 1
                if crashed:
                    failures = 0 if healthy else failures + 1
                    if failures >= 2:
                        raise SimiliError(
                            "decode worker processes could not start; "
                            "run with --workers 0 and report this"
                        )
                    crashed.extend(inflight.values())
                    inflight.clear()
                    started.clear()
                    self._replace()
                    if alone and len(crashed) == 1:
                        yield (
                            crashed[0],
                            Problem(crashed[0].path, "the decoder crashed on this file"),
                        )
                    else:
                        suspects.extend(crashed)
                    continue
                now = time.monotonic()
                hung = [
                    j
                    for j in inflight.values()
                    if j.path in started and now - started[j.path] > self.limit_for(j)
                ]
                if hung:  # a worker reported starting these: it is decoding them, not booting
                    waiting = [j for j in inflight.values() if j not in hung]
                    inflight.clear()
                    started.clear()
                    self._replace()
                    for job in hung:
                        reason = f"decoding took longer than {self.limit_for(job):.0f} s"
                        yield job, Problem(job.path, reason)
                    queue.extendleft(reversed(waiting))
        finally:
            self.close()

    def _replace(self) -> None:
        """Give the pool up at once, killing its workers (one may be stuck), and start anew."""
        self._stop(grace=0.0)
        self.executor = self._start()

    def _stop(self, grace: float) -> None:
        executor, self.executor = self.executor, None
        if executor is not None:
            processes = list((getattr(executor, "_processes", None) or {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            deadline = time.monotonic() + grace
            for process in processes:
                process.join(max(0.0, deadline - time.monotonic()))
            for process in processes:
                if process.is_alive():
                    process.kill()
            executor.shutdown(wait=True)
        if self._lifeline is not None:
            for end in self._lifeline:
                end.close()
            self._lifeline = None
        if self._started is not None:
            self._started.close()
            self._started = None

    def close(self) -> None:
        """Let the workers finish their file, then stop them; a stuck one is killed."""
        self._stop(grace=CLOSE_GRACE_S)


def run_inline(
    jobs: Iterable[DecodeJob], size: int, known: HashPrefixSet, cancel: CancelToken
) -> Iterator[tuple[DecodeJob, Prepared | Problem]]:
    """Decode in this process (--workers 0, and tests): no time limit, no crash recovery."""
    init_worker(size, known)
    for job in jobs:
        if cancel.cancelled:
            return
        yield job, work(job.path)
