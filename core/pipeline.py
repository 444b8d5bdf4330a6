"""Indexing: scan → decode pool → embed → catalogue + index, committed in small batches.

Every batch is one SQLite transaction holding vectors and file rows together, so a crash or
`kill -9` loses at most the batch in flight and the next run resumes where this one stopped.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from core.catalog import Catalog, Embedded, FileState, Root
from core.decode import Prepared, is_access_problem
from core.decode_pool import DecodeJob as _Job
from core.decode_pool import DecodePool, decode_time_limit, run_inline
from core.decode_worker import init_worker, work
from core.errors import SimiliError
from core.hashing import HashPrefixSet
from core.library import Library
from core.pathtext import display
from core.records import IndexReport, Problem, Progress, RetryReport
from core.scanner import holds_photos, is_mount, mount_points, scan
from core.tagging import prepare_tags, tag_missing
from core.tags import top_tags
from core.tasks import Cancelled, CancelToken, ProgressCallback

ProblemCallback = Callable[[Problem], None]

BATCH = 32
# Below this many files, spawning decode processes costs more than it saves.
POOL_THRESHOLD = 24
INDEX_SAVE_EVERY_S = 300.0


def default_workers() -> int:
    """Decode processes: one per core, since decoding bounds indexing speed."""
    try:
        return max(1, len(os.sched_getaffinity(0)))  # honours affinity and container limits
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


# -- the run ---------------------------------------------------------------------------------
def index_library(
    library: Library,
    paths: Iterable[str] | None = None,
    *,
    targets: Iterable[str] | None = None,
    workers: int | None = None,
    batch_size: int = BATCH,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
    on_problem: ProblemCallback | None = None,
    extra_excludes: Iterable[str] = (),
    retry_all_problems: bool = False,
) -> IndexReport:
    """Bring the library up to date with the disk.

    Problem files are tried again when they change, when reading them failed (a permission
    fixed or a disk reconnected changes neither size nor mtime), or, with
    `retry_all_problems`, always. A retry that fails the same way again is not reported again.

    Args:
        library: opened as writer.
        paths: folders to add as roots and index; None means every root.
        targets: changed files or folders (from the watcher); only these are rescanned.
        workers: decode processes (default: one per core; 0 decodes in this process).
        batch_size: photos embedded and committed together.
        cancel: set it to stop at the next batch; Cancelled is raised after saving.
        on_progress: called with Progress records (from this thread).
        on_problem: called once per file that could not be indexed.
        extra_excludes: patterns skipped in every root (the app's settings), besides each root's.
        retry_all_problems: try every known problem file in scope again, whatever its reason.

    Raises:
        SimiliError: a path to add is missing or not a folder.
        Cancelled: the token was set; finished batches are kept.
    """
    if not library.writer:
        raise SimiliError(f"{library.folder}: library opened read-only; cannot index")
    cancel = cancel or CancelToken()
    report = IndexReport()
    started = time.monotonic()
    catalog = library.catalog
    emit = on_progress or (lambda _p: None)
    complain = on_problem or (lambda _p: None)

    scopes = _scopes(library, paths, targets)
    emit(Progress("scanning", message="looking for photos"))
    jobs: list[_Job] = []
    missing: list[str] = []
    problem_rows: list[tuple[Problem, int, int, int]] = []
    stale = set(catalog.stale_paths())
    scanned_roots: dict[int, str] = {}
    for root, start in scopes:
        cancel.raise_if_cancelled()
        patterns = (*root.excludes, *extra_excludes)
        result = scan(root.path, patterns, start, cancel, skip=(str(library.folder),))
        known = catalog.files_under(root.id, start)
        seen = {e.path for e in result.entries} | {p.path for p in result.problems}
        dark: list[str] = []
        if not result.offline and any(p not in seen for p in known):
            dark = _offline_folders(catalog, root, start, known, seen, result.mounts)
        if result.offline or root.path in dark:
            report.offline_roots.append(root.path)
            scanned_roots[root.id] = "offline"
            continue
        scanned_roots[root.id] = "ok"
        report.offline_roots.extend(dark)
        dark_prefixes = tuple(d.rstrip(os.sep) + os.sep for d in dark)
        for entry in result.entries:
            if dark_prefixes and entry.path.startswith(dark_prefixes):
                continue  # under an offline mount point: left alone until the drive is back
            old = known.get(entry.path)
            if old is None:
                jobs.append(_Job(entry.path, root.id, entry.size, entry.mtime_ns, "new"))
            elif (old.size, old.mtime_ns) != (entry.size, entry.mtime_ns):
                jobs.append(_Job(entry.path, root.id, entry.size, entry.mtime_ns, "changed"))
            elif entry.path in stale:
                jobs.append(_Job(entry.path, root.id, entry.size, entry.mtime_ns, "stale"))
            elif old.state == "ok":
                report.unchanged += 1
            elif retry_all_problems or is_access_problem(old.error or ""):
                jobs.append(
                    _Job(entry.path, root.id, entry.size, entry.mtime_ns, "retry", old.error)
                )
            # else: undecodable bytes, unchanged on disk: not retried until the file changes
        for problem in result.problems:
            if problem.path not in known or known[problem.path].state != "error":
                problem_rows.append((problem, root.id, 0, 0))
                report.problems.append(problem)
                complain(problem)
        missing.extend(
            p
            for p in known
            if p not in seen and not (dark_prefixes and p.startswith(dark_prefixes))
        )
        _remember_mounts(catalog, root.id, start, result.mounts, dark)
        report.scanned += len(result.entries)
        emit(Progress("scanning", report.scanned, message=root.path))

    try:
        prepare_tags(library)
        _embed_jobs(
            library, jobs, report, problem_rows, workers, batch_size, cancel, emit, complain
        )
        tag_missing(library, cancel, emit)  # photos indexed before the model had tags
    except Cancelled:
        report.cancelled = True
    finally:
        library.save_index()
    if report.cancelled:
        report.seconds = time.monotonic() - started
        raise Cancelled(report)

    emit(Progress("finishing", message="removing photos that are gone"))
    report.removed = catalog.forget_files(missing)
    gone = catalog.collect_garbage()
    if gone:
        library.index.remove(gone)
    if library.index.needs_rebuild:
        library.index.clear()
        library.index.generation = -1
        library.sync_index()
    library.save_index()
    report.seconds = time.monotonic() - started
    with catalog.transaction():
        for root_id, state in scanned_roots.items():
            catalog.set_root_state(root_id, state, scanned=True)
        summary = asdict(report)
        summary["problems"] = len(report.problems)
        summary["offline_roots"] = [display(p) for p in report.offline_roots]  # valid UTF-8
        summary["finished_at"] = time.time()
        catalog.set_meta("last_index", json.dumps(summary))
    if targets is None:  # a full run: keep a copy of what a rescan could not give back
        from core.backup import backup_catalog

        emit(Progress("finishing", message="backing up the catalogue"))
        backup_catalog(catalog.db, library.folder)
    emit(Progress("done", report.added + report.changed + report.reused, len(jobs)))
    return report


def retry_problems(
    library: Library,
    *,
    workers: int | None = None,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
    on_problem: ProblemCallback | None = None,
    extra_excludes: Iterable[str] = (),
) -> RetryReport:
    """Try every problem file again now, whatever its reason (`simili problems --retry`).

    Only the problem files are rescanned; files in offline folders stay as they were.

    Args:
        library: opened as writer.
        workers: decode processes, as for `index_library`.
        cancel: set it to stop; finished work is kept.
        on_progress: called with Progress records.
        on_problem: called for each file that fails differently from before.
        extra_excludes: patterns skipped in every root (the app's settings).

    Raises:
        Cancelled: the token was set.
    """
    catalog = library.catalog
    before = catalog.problems()
    if not before:
        return RetryReport([], [], [], IndexReport())
    report = index_library(
        library,
        targets=[p.path for p in before],
        workers=workers,
        cancel=cancel,
        on_progress=on_progress,
        on_problem=on_problem,
        extra_excludes=extra_excludes,
        retry_all_problems=True,
    )
    after = {p.path: p for p in catalog.problems()}
    fixed = [p.path for p in before if p.path not in after and os.path.lexists(p.path)]
    gone = [p.path for p in before if p.path not in after and not os.path.lexists(p.path)]
    failing = [after[p.path] for p in before if p.path in after]
    return RetryReport(fixed, failing, gone, report)


def _mounts_key(root_id: int) -> str:
    return f"mounts:{root_id}"


def _recorded_mounts(catalog: Catalog, root_id: int) -> set[str]:
    raw = catalog.get_meta(_mounts_key(root_id))
    return set(json.loads(raw)) if raw else set()


def _remember_mounts(
    catalog: Catalog, root_id: int, start: str | None, found: list[str], dark: list[str]
) -> None:
    """Keep the mount points seen inside a root, so an unmounted one (an empty folder) is known.

    A full scan keeps what is mounted now plus what is offline; a partial one only adds.
    """
    recorded = _recorded_mounts(catalog, root_id)
    wanted = {*found, *dark} if start is None else recorded | set(found)
    if wanted != recorded:
        with catalog.transaction():
            catalog.set_meta(_mounts_key(root_id), json.dumps(sorted(wanted)))


def _offline_folders(
    catalog: Catalog,
    root: Root,
    start: str | None,
    known: dict[str, FileState],
    seen: set[str],
    mounts: list[str],
) -> list[str]:
    """The root, or mount points inside it, where no known photo and no photo at all is present.

    Such a place is offline (a drive unplugged, or mounted blank: only `lost+found` or a
    `.Trash-1000` on it), never "everything deleted". A place where some known photos, or other
    photos, are present really lost the missing ones. Candidates are the root itself, the
    mount points recorded or found by the walk, and any folder above a vanished photo that is a
    mount point right now.
    """
    gone = [p for p in known if p not in seen]
    candidates = {root.path, *_recorded_mounts(catalog, root.id), *mounts}
    checked: dict[str, bool] = {}
    top = root.path.rstrip(os.sep)
    listed = mount_points()
    for path in gone:
        folder = str(Path(path).parent)
        while len(folder) > len(top) and folder not in checked:
            checked[folder] = is_mount(folder, listed)
            folder = str(Path(folder).parent)
    candidates |= {f for f, mounted in checked.items() if mounted}
    dark = []
    for folder in sorted(candidates):
        prefix = folder.rstrip(os.sep) + os.sep
        if not any(p.startswith(prefix) for p in gone):
            continue
        if start is None or prefix.startswith(start.rstrip(os.sep) + os.sep):
            under = {p for p in known if p.startswith(prefix)}
        else:  # the scan covered only part of this folder: ask the catalogue for the rest
            under = catalog.files_under(root.id, folder)
        if any(p in seen or os.path.lexists(p) for p in under):
            continue
        # No known photo is left. Photos moved within it, or another drive full of photos,
        # mean it is online; only a blank place (empty, lost+found, a trash folder) is offline.
        scanned = start is None or prefix.startswith(start.rstrip(os.sep) + os.sep)
        if not (any(p.startswith(prefix) for p in seen) if scanned else holds_photos(folder)):
            dark.append(folder)
    return dark


def _scopes(
    library: Library, paths: Iterable[str] | None, targets: Iterable[str] | None
) -> list[tuple[Root, str | None]]:
    """(root, start) pairs to scan: whole roots, or changed paths inside them."""
    from core.paths import normalise

    catalog = library.catalog
    if paths is not None:
        roots: list[Root] = []
        for raw in paths:
            path = normalise(raw)
            if not Path(path).exists():
                raise SimiliError(f"{raw}: no such folder; check the path")
            if not Path(path).is_dir():
                raise SimiliError(f"{raw}: is a file; give the folder that holds your photos")
            roots.append(catalog.add_root(path))
        by_id = {r.id: r for r in catalog.roots()}
        return [(by_id[r.id], None) for r in roots if r.id in by_id]
    all_roots = catalog.roots()
    if targets is None:
        return [(r, None) for r in all_roots]
    scopes: dict[str, tuple[Root, str | None]] = {}
    for raw in sorted({normalise(t) for t in targets}):
        if any(raw == s or raw.startswith(s.rstrip(os.sep) + os.sep) for s in scopes):
            continue  # already covered by a folder in the list
        for root in all_roots:
            if raw == root.path:
                scopes[raw] = (root, None)
                break
            if raw.startswith(root.path.rstrip(os.sep) + os.sep):
                scopes[raw] = (root, raw)
                break
    return list(scopes.values())


def _embed_jobs(
    library: Library,
    jobs: list[_Job],
    report: IndexReport,
    problem_rows: list[tuple[Problem, int, int, int]],
    workers: int | None,
    batch_size: int,
    cancel: CancelToken,
    emit: ProgressCallback,
    complain: ProblemCallback,
) -> None:
    catalog = library.catalog
    if problem_rows:
        catalog.write([], problem_rows)
    if not jobs:
        return
    size = library.model.size
    known = HashPrefixSet(catalog.known_hashes())
    workers = default_workers() if workers is None else workers
    embedder = library.embedder
    index = library.index
    pending: list[tuple[_Job, Prepared]] = []
    problems: list[tuple[Problem, int, int, int]] = []
    done = 0
    started = time.monotonic()
    last_save = started

    def flush() -> None:
        nonlocal last_save
        items: list[Embedded] = []
        to_embed = [(j, p) for j, p in pending if p.pixels is not None]
        vectors, probs = (
            embedder.embed_and_tag(np.stack([p.pixels for _, p in to_embed]))  # type: ignore[misc]
            if to_embed
            else (np.zeros((0, library.model.dim), np.float32), None)
        )
        lookup = {id(p): v for (_, p), v in zip(to_embed, vectors, strict=True)}
        tags = {} if probs is None else {
            id(p): tuple(top_tags(row)) for (_, p), row in zip(to_embed, probs, strict=True)
        }  # fmt: skip
        for job, p in pending:
            items.append(
                Embedded(p.path, job.root_id, p.size, p.mtime_ns, p.content_hash,
                         lookup.get(id(p)), p.meta, tags.get(id(p)))
            )  # fmt: skip
            if p.pixels is None:
                report.reused += 1
            elif job.kind in ("new", "retry"):
                report.added += 1
            else:
                report.changed += 1
        added = catalog.write(items, problems)
        if added:
            keys = np.asarray([k for k, _ in added], np.uint64)
            index.add(keys, np.stack([v for _, v in added]))
        pending.clear()
        problems.clear()
        if time.monotonic() - last_save > INDEX_SAVE_EVERY_S:
            library.save_index()
            last_save = time.monotonic()

    if workers > 0:
        # Even a few files go to a (one-process) pool: only a process can be stopped when a
        # decoder hangs. --workers 0 decodes in this process, without that time limit.
        workers = workers if len(jobs) >= POOL_THRESHOLD else 1
        pool = DecodePool(
            workers, size, known, max(2 * batch_size, 8 * workers), decode_time_limit()
        )
        results = pool.run(jobs, cancel)
    else:
        results = run_inline(jobs, size, known, cancel)
    redo: list[_Job] = []
    try:
        for job, result in results:
            if isinstance(result, Problem):
                problems.append((result, job.root_id, job.size, job.mtime_ns))
                if job.kind != "retry" or result.reason != job.previous:  # else: nothing new
                    report.problems.append(result)
                    report.skipped += 1
                    complain(result)
            elif result.pixels is None and catalog.lookup_hash(result.content_hash) is None:
                redo.append(job)  # a 64-bit prefix collision: decode it for real
            else:
                pending.append((job, result))
            done += 1
            if len(pending) >= batch_size:
                flush()
                elapsed = time.monotonic() - started
                rate = done / elapsed if elapsed > 0 else 0.0
                eta = (len(jobs) - done) / rate if rate > 0 else None
                emit(Progress("indexing", done, len(jobs), rate, eta))
            if cancel.cancelled:
                break
        init_worker(size, known)
        for job in redo:
            result = work(job.path, force=True)
            if isinstance(result, Prepared):
                pending.append((job, result))
    except KeyboardInterrupt:
        cancel.cancel()
    finally:
        if hasattr(results, "close"):
            results.close()
    if pending or problems:
        flush()
    elapsed = time.monotonic() - started
    emit(Progress("indexing", done, len(jobs), done / elapsed if elapsed > 0 else 0.0, 0.0))
    cancel.raise_if_cancelled()
