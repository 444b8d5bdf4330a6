"""Commands that build and look after the library.

index, repair, status, problems, remove and watch.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.cli.common import (
    EXIT_CANCELLED,
    EXIT_OK,
    ProgressPrinter,
    index_summary,
    note_index_damage,
    open_library,
    run_index,
)
from core.errors import SimiliError
from core.formatting import count_of
from core.pathtext import display, json_fields, parse
from core.tags import count_untagged

if TYPE_CHECKING:
    from core.library import Library


def register(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add this module's commands to the parser; return their handlers by name."""
    p = sub.add_parser("index", parents=[common], help="add folders and index them (incremental)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="folders to add (none: all roots)")
    p.add_argument("--workers", type=int, default=None, help="decode processes (default: cores)")
    p.add_argument(
        "--exclude", action="append", default=[], metavar="PATTERN", help="skip matching paths"
    )
    p.add_argument(
        "--no-verify-ahead", dest="verify_ahead", action="store_false",
        help="do not check candidate pairs for edited copies after indexing (then the first "
        "`simili duplicates` does it)",
    )  # fmt: skip

    p = sub.add_parser("status", parents=[common], help="folders, counts, model, device, problems")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("problems", parents=[common], help="files that could not be indexed")
    p.add_argument("--json", action="store_true")
    p.add_argument("--retry", action="store_true", help="try them all again now; say what is fixed")
    p.add_argument("--workers", type=int, default=None, help="decode processes for --retry")

    p = sub.add_parser("remove", parents=[common], help="remove folders from the library")
    p.add_argument("paths", nargs="+", metavar="PATH", help="roots to forget (disk untouched)")

    p = sub.add_parser("watch", parents=[common], help="keep the index current as files change")
    p.add_argument("--debounce", type=float, default=2.0, metavar="SECONDS")
    p.add_argument("--workers", type=int, default=None)

    p = sub.add_parser(
        "repair", parents=[common], help="restore a damaged catalogue from its backup, rescan"
    )
    p.add_argument("--workers", type=int, default=None, help="decode processes (default: cores)")
    return {
        "index": cmd_index,
        "status": cmd_status,
        "problems": cmd_problems,
        "remove": cmd_remove,
        "watch": cmd_watch,
        "repair": cmd_repair,
    }


def cmd_index(args: argparse.Namespace) -> int:
    """Add roots and index them."""
    with open_library(args, writer=True) as library:
        if args.exclude:
            from core.paths import normalise

            for path in args.paths:
                root = library.catalog.add_root(normalise(path))
                patterns = sorted(set(root.excludes) | set(args.exclude))
                with library.catalog.transaction():
                    library.catalog.set_root_excludes(root.id, patterns)
        if not args.paths and not library.catalog.roots():
            raise SimiliError("the library has no folders yet; run `simili index FOLDER`")
        report = run_index(library, args.paths or None, args.workers)
        note_index_damage(library)
        sys.stderr.write(index_summary(report) + "\n")
        if args.verify_ahead:
            return _verify_ahead(library)
    return EXIT_OK


def _verify_ahead(library: Library) -> int:
    """Verify the duplicate finder's candidate pairs now (`core.duplicates.verify_ahead`)."""
    from core.duplicates import verify_ahead

    try:
        ahead = verify_ahead(library, on_progress=ProgressPrinter())
    except KeyboardInterrupt:
        sys.stderr.write(
            "\nstopped checking for edited copies; the index is complete, and "
            "`simili duplicates` will check the remaining pairs\n"
        )
        return EXIT_CANCELLED
    if ahead.verified:
        sys.stderr.write(
            f"checked {count_of(ahead.verified, 'candidate pair')} for edited copies in "
            f"{ahead.seconds:.0f} s; `simili duplicates` reuses these verdicts\n"
        )
    return EXIT_OK


def cmd_repair(args: argparse.Namespace) -> int:
    """Restore the newest sound catalogue backup if the catalogue is damaged, then rescan."""
    from core.paths import default_library_dir
    from core.repair import restore_catalog

    folder = (getattr(args, "library", None) or default_library_dir()).expanduser().absolute()
    restored = restore_catalog(folder)
    if restored is None:
        sys.stderr.write(f"the catalogue {folder / 'catalog.sqlite'} passed its integrity check\n")
    else:
        for skipped in restored.skipped:
            sys.stderr.write(f"skipped a damaged backup: {skipped}\n")
        sys.stderr.write(
            f"the catalogue was damaged ({restored.damage}); restored the backup from "
            f"{restored.backup.date}: {restored.photos} photos, {restored.decisions} duplicate "
            "decisions\n"
        )
        if restored.kept_as is not None:
            sys.stderr.write(f"the damaged file is kept as {restored.kept_as}\n")
    with open_library(args, writer=True) as library:
        if not library.catalog.roots():
            sys.stderr.write("the library has no folders; nothing to rescan\n")
            return EXIT_OK
        sys.stderr.write("rescanning the library's folders\n")
        report = run_index(library, None, args.workers)
        note_index_damage(library)
        sys.stderr.write(index_summary(report) + "\n")
    return EXIT_OK


def status_record(library: Library) -> dict:
    """Everything `simili status --json` reports."""
    catalog = library.catalog
    counts = catalog.counts()
    per_root = catalog.root_counts()
    index = library.index
    embedder = library.embedder
    last = catalog.get_meta("last_index")
    catalog_bytes = sum(
        f.stat().st_size for f in library.folder.glob("catalog.sqlite*") if f.is_file()
    )
    return {
        "library": display(str(library.folder)),
        "roots": [
            {
                **json_fields(r.path),
                "state": r.state,
                "photos": per_root.get(r.id, 0),
                "excludes": list(r.excludes),
                "last_scan": r.last_scan,
            }
            for r in catalog.roots()
        ],
        "photos": counts["photos"],
        "problems": counts["problems"],
        "vectors": counts["vectors"],
        # photos still waiting for tags (tagged in the background at the end of each index run)
        "untagged": count_untagged(catalog.db),
        "model": {
            "name": library.model.name,
            "version": library.model.version,
            "dim": library.model.dim,
            "input_size": library.model.size,
            "fingerprint": library.model.fingerprint,
            "file": str(library.model.file),
            "levels": {
                "same": library.model.levels.same,
                "similar": library.model.levels.similar,
                "related": library.model.levels.related,
            },
        },
        "device": {"active": embedder.device, "provider": embedder.provider, "note": embedder.note},
        "index": {
            "vectors": library.vector_count,
            "bytes": index.file_bytes(),
            "catalog_bytes": catalog_bytes,
            "in_sync": library.index_lag == 0,
        },
        "last_index": json.loads(last) if last else None,
        "taught": _taught_record(library),
    }


def _taught_record(library: Library) -> dict | None:
    """The applied projection taught from albums (core/taught_space.py), or None."""
    taught = library.taught
    if taught is None:
        return None
    p = taught.projection
    return {"albums": p.albums, "photos": p.photos, "created": round(p.created, 3)}


def cmd_status(args: argparse.Namespace) -> int:
    """Folders, counts, model, device, problems."""
    with open_library(args) as library:
        record = status_record(library)
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
        return EXIT_OK
    print(f"library   {record['library']}")
    print(f"photos    {record['photos']}  (problems: {record['problems']}; `simili problems`)")
    if record["untagged"]:
        print(f"tags      {record['untagged']} photos not tagged yet (done by `simili index`)")
    for root in record["roots"]:
        print(f"folder    {root['path']}  [{root['state']}]  {root['photos']} photos")
    m, d, ix = record["model"], record["device"], record["index"]
    print(f"model     {m['name']} v{m['version']} ({m['dim']}-d, {m['input_size']} px)")
    lv = m["levels"]
    print(f"levels    same ≥ {lv['same']}, similar ≥ {lv['similar']}, related ≥ {lv['related']}")
    print(f"device    {d['active']} ({d['provider']}){'  ' + d['note'] if d['note'] else ''}")
    print(f"index     {ix['vectors']} vectors, {ix['bytes'] / 1e6:.1f} MB")
    if record["taught"]:
        t = record["taught"]
        print(f"taught    {t['albums']} albums, {t['photos']} photos (`simili teach --reset`)")
    last = record["last_index"]
    if last:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(last["finished_at"]))
        print(f"last run  {when}: {last['added']} new, {last['removed']} removed, "
              f"{last['problems']} problems, {last['seconds']:.1f} s")  # fmt: skip
    return EXIT_OK


def cmd_problems(args: argparse.Namespace) -> int:
    """Files that could not be indexed, with reasons."""
    if args.retry:
        return _retry_problems(args)
    with open_library(args) as library:
        problems = library.catalog.problems()
    if args.json:
        print(json.dumps([{**json_fields(p.path), "reason": p.reason} for p in problems]))
    else:
        for p in problems:
            print(f"{display(p.path)}: {p.reason}")
    return EXIT_OK


def _retry_problems(args: argparse.Namespace) -> int:
    """Try every problem file again; print what is fixed and what still fails."""
    from core.pipeline import retry_problems
    from core.settings import Settings

    with open_library(args, writer=True) as library:
        settings = library.settings or Settings()
        result = retry_problems(
            library,
            workers=args.workers if args.workers is not None else (settings.workers or None),
            on_progress=ProgressPrinter(),
            extra_excludes=settings.exclude_patterns,
        )
    if args.json:
        record = {
            "fixed": [display(p) for p in result.fixed],
            "failing": [{**json_fields(p.path), "reason": p.reason} for p in result.failing],
            "gone": [display(p) for p in result.gone],
        }
        print(json.dumps(record, ensure_ascii=False))
        return EXIT_OK
    for path in result.fixed:
        print(f"fixed: {display(path)}")
    for problem in result.failing:
        print(f"still failing: {display(problem.path)}: {problem.reason}")
    for path in result.gone:
        print(f"gone: {display(path)}")
    gone = f", {len(result.gone)} gone" if result.gone else ""
    sys.stderr.write(f"{len(result.fixed)} fixed, {len(result.failing)} still failing{gone}\n")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    """Forget roots (never touches the photos)."""
    from core.paths import normalise

    with open_library(args, writer=True) as library:
        for raw in args.paths:
            if not library.catalog.remove_root(normalise(raw)) and not (
                parse(raw) != raw and library.catalog.remove_root(normalise(parse(raw)))
            ):
                raise SimiliError(f"{raw}: not a folder of this library (see `simili status`)")
        gone = library.catalog.collect_garbage()
        library.index.remove(gone)
        library.save_index()
        sys.stderr.write(f"removed {len(args.paths)} folder(s); photos on disk untouched\n")
    return EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    """Index, then keep the index current until interrupted."""
    from core.watcher import Watcher

    with open_library(args, writer=True) as library:
        if not library.catalog.roots():
            raise SimiliError("the library has no folders yet; run `simili index FOLDER` first")
        report = run_index(library, None, args.workers)
        sys.stderr.write(index_summary(report) + "\n")
        lock = threading.Lock()

        def on_batch(paths: set[str]) -> None:
            with lock:
                report = run_index(library, None, args.workers, targets=paths, quiet=True)
                sys.stderr.write(
                    f"{time.strftime('%H:%M:%S')} {len(paths)} change(s): {report.added} new, "
                    f"{report.changed} changed, {report.reused} moved, {report.removed} removed\n"
                )

        def on_error(message: str) -> None:
            sys.stderr.write(f"{time.strftime('%H:%M:%S')} {message}\n")

        roots = [r.path for r in library.catalog.roots()]
        watcher = Watcher(roots, on_batch, args.debounce, on_error=on_error)
        watcher.start()
        for root, why in watcher.unwatched.items():
            sys.stderr.write(f"not watching {root}: {why}\n")
        sys.stderr.write("watching for changes; Ctrl+C to stop\n")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        interrupted = False
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            interrupted = True
        finally:
            watcher.stop()
    if interrupted:  # Ctrl+C exits 130, as every other command
        sys.stderr.write("\nstopped watching; finished work is kept\n")
        return EXIT_CANCELLED
    return EXIT_OK
