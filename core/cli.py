"""The `simili` command line: the same engine as the app, with a stable JSON contract."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from core import __version__
from core.errors import NotAnImageError, PhotoNotInLibraryError, SimiliError
from core.formatting import count_of, human_duration
from core.pathtext import display, json_fields, parse
from core.records import IndexReport, Match, Problem, Progress
from core.tasks import Cancelled, CancelToken

if TYPE_CHECKING:  # the library pulls in onnxruntime and usearch: spawned decode workers
    from core.library import Library  # re-import this module and must stay light

EXIT_OK, EXIT_ERROR, EXIT_CANCELLED = 0, 1, 130


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS lets `simili --library X cmd` and `simili cmd --library X` both work.
    common.add_argument(
        "--library",
        type=Path,
        default=argparse.SUPPRESS,
        help="library folder (default: $SIMILI_HOME or the per-user data folder)",
    )
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    common.add_argument(
        "--model", type=Path, default=argparse.SUPPRESS, help="model manifest (default: shipped)"
    )
    common.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default=argparse.SUPPRESS,
        help="where the model runs (default: auto = CUDA if usable, else CPU)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the docs and tests)."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="simili",
        description="Search your photo library by picture. Without a command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"simili {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="add folders and index them (incremental)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="folders to add (none: all roots)")
    p.add_argument("--workers", type=int, default=None, help="decode processes (default: cores)")
    p.add_argument(
        "--exclude", action="append", default=[], metavar="PATTERN", help="skip matching paths"
    )

    p = sub.add_parser("search", parents=[common], help="photos most like an image")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("--top", type=int, default=20, metavar="K")
    p.add_argument("--json", action="store_true", help="one JSON object per query per line")

    p = sub.add_parser("similar", parents=[common], help="more like a photo in the library")
    p.add_argument("photo", metavar="PATH")
    p.add_argument("--top", type=int, default=20, metavar="K")
    p.add_argument("--json", action="store_true")

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

    p = sub.add_parser("duplicates", parents=[common], help="exact copies, edited copies, bursts")
    p.add_argument(
        "--mode",
        choices=("exact", "near", "similar"),
        default="near",
        help="exact ⊂ near (edited copies) ⊂ similar (bursts); default near",
    )
    p.add_argument("--json", action="store_true", help="one JSON list of groups")
    p.add_argument("--gap", type=float, default=10.0, metavar="SECONDS", help="burst time gap")
    p.add_argument(
        "--min-similarity", type=float, default=None, metavar="X", help="burst similarity floor"
    )
    p.add_argument(
        "--strictness",
        choices=("strict", "normal", "loose"),
        default="strict",
        help="evidence an edited copy needs: strict (default) confirms only what is certain",
    )
    p.add_argument(
        "--reference",
        action="append",
        default=None,
        metavar="FOLDER",
        help="never suggest trashing from here (repeatable; default: the app's reference folders)",
    )
    p.add_argument(
        "--not-duplicates", nargs="+", metavar="PATH", help="record: these are not duplicates"
    )
    p.add_argument("--keep-all", nargs="+", metavar="PATH", help="record: keep all of these")

    p = sub.add_parser(
        "repair", parents=[common], help="restore a damaged catalogue from its backup, rescan"
    )
    p.add_argument("--workers", type=int, default=None, help="decode processes (default: cores)")

    p = sub.add_parser("eval", parents=[common], help="retrieval quality on a labelled set")
    p.add_argument("dataset", type=Path, help="folder with images/ and groundtruth.json")
    p.add_argument("--json", action="store_true")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument(
        "--compare",
        type=Path,
        action="append",
        default=[],
        metavar="MANIFEST",
        help="also evaluate this model, side by side with --model (repeatable)",
    )
    p.add_argument("--no-rotated", action="store_true", help="skip the rotated-query measurement")
    return parser


# Lower (and upper) bounds of numeric options, checked after parsing so the message is plain.
_AT_LEAST = {"top": 1, "gap": 0.0, "debounce": 0.0, "workers": 0}


def check_ranges(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse out-of-range numbers with one usage line (exit 2), before any work starts."""
    for name, low in _AT_LEAST.items():
        value = getattr(args, name, None)
        if value is not None and value < low:
            parser.error(f"--{name} must be at least {low}")
    similarity = getattr(args, "min_similarity", None)
    if similarity is not None and not 0.0 <= similarity <= 1.0:
        parser.error("--min-similarity must be between 0 and 1")


# -- output helpers ---------------------------------------------------------------------------
class _ProgressPrinter:
    """Progress on stderr: a live line on a terminal, a line every few seconds in a log."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        final = progress.phase == "done"
        if not final and now - self.last < (0.2 if self.tty else 5.0):
            return
        self.last = now
        if final:  # the summary line follows
            if self.tty:
                sys.stderr.write("\r\033[K")
            return
        if progress.phase == "indexing" and progress.total:
            eta = f", {human_duration(progress.eta_s)} left" if progress.eta_s else ""
            text = (
                f"indexing {progress.done}/{progress.total} "
                f"({100 * progress.done / progress.total:.0f}%, {progress.rate:.1f}/s{eta})"
            )
        elif progress.phase == "scanning":
            text = f"scanning: {progress.done} photos found" if progress.done else "scanning…"
        else:
            text = progress.phase
        if self.tty:
            sys.stderr.write(f"\r\033[K{text}")
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _skip_line(problem: Problem) -> None:
    sys.stderr.write("\r\033[K" if sys.stderr.isatty() else "")
    sys.stderr.write(display(f"skipping {problem.path}: {problem.reason}") + "\n")


def _summary(report: IndexReport) -> str:
    worked = report.added + report.changed + report.reused
    rate = worked / report.seconds if report.seconds > 0 else 0.0
    parts = [
        f"{report.added} new",
        f"{report.changed} changed",
        f"{report.reused} moved/copied (vector reused)",
        f"{report.removed} removed",
        f"{len(report.problems)} skipped",
        f"{report.unchanged} unchanged",
    ]
    text = f"indexed {worked} photos in {report.seconds:.1f} s ({rate:.1f}/s): " + ", ".join(parts)
    if report.offline_roots:
        text += "\noffline (photos kept): " + ", ".join(map(display, report.offline_roots))
    return text


def _print_matches(query: str, matches: list[Match], as_json: bool, error: str = "") -> None:
    if as_json:
        record: dict = {
            **json_fields(query, "query"),
            "results": [{**json_fields(m.path), "score": round(m.score, 5)} for m in matches],
        }
        if error:
            record["error"] = error
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    if error:
        return
    print(f"{display(query)}:")
    if not matches:
        print("  (no photos in the library yet)")
    for m in matches:
        print(f"  {m.score:.3f}  {display(m.path)}")


# -- commands ---------------------------------------------------------------------------------
def _open(args: argparse.Namespace, writer: bool = False) -> Library:
    """The library named by --library; device and workers default to the app's settings."""
    from core.library import Library
    from core.paths import default_library_dir
    from core.settings import load_settings

    folder = getattr(args, "library", None) or default_library_dir()
    settings = load_settings(folder)
    library = Library(
        folder,
        writer=writer,
        model=getattr(args, "model", None),
        device=getattr(args, "device", settings.device),
    )
    library.settings = settings
    return library


def _run_index(
    library: Library,
    paths: list[str] | None,
    workers: int | None,
    targets: set[str] | None = None,
    quiet: bool = False,
) -> IndexReport:
    from core.pipeline import index_library

    cancel = CancelToken()
    settings = getattr(library, "settings", None)
    if workers is None and settings is not None and settings.workers:
        workers = settings.workers
    return index_library(
        library,
        paths,
        targets=targets,
        workers=workers,
        cancel=cancel,
        on_progress=None if quiet else _ProgressPrinter(),
        on_problem=_skip_line,
        extra_excludes=settings.exclude_patterns if settings is not None else (),
    )


def cmd_index(args: argparse.Namespace) -> int:
    """Add roots and index them."""
    with _open(args, writer=True) as library:
        if args.exclude:
            from core.paths import normalise

            for path in args.paths:
                root = library.catalog.add_root(normalise(path))
                patterns = sorted(set(root.excludes) | set(args.exclude))
                with library.catalog.transaction():
                    library.catalog.set_root_excludes(root.id, patterns)
        if not args.paths and not library.catalog.roots():
            raise SimiliError("the library has no folders yet; run `simili index FOLDER`")
        report = _run_index(library, args.paths or None, args.workers)
        _note_index_damage(library)
        sys.stderr.write(_summary(report) + "\n")
    return EXIT_OK


def _note_index_damage(library: Library) -> None:
    if library.index_damage:
        sys.stderr.write(
            f"the vector index {library.folder / 'vectors.usearch'} was damaged "
            f"({library.index_damage}); rebuilt from the catalogue\n"
        )


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
    with _open(args, writer=True) as library:
        if not library.catalog.roots():
            sys.stderr.write("the library has no folders; nothing to rescan\n")
            return EXIT_OK
        sys.stderr.write("rescanning the library's folders\n")
        report = _run_index(library, None, args.workers)
        _note_index_damage(library)
        sys.stderr.write(_summary(report) + "\n")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    """Photos like each query image; one model and index load for all of them."""
    from core.search import search

    failed = 0
    with _open(args) as library:
        for image in args.images:
            try:
                matches = search(library, image, args.top)
            except NotAnImageError as exc:
                failed += 1
                sys.stderr.write(f"error: {exc}\n")
                _print_matches(image, [], args.json, error=exc.reason)
                continue
            _print_matches(image, matches, args.json)
    return EXIT_ERROR if failed else EXIT_OK


def cmd_similar(args: argparse.Namespace) -> int:
    """More like a library photo."""
    from core.search import similar

    with _open(args) as library:
        try:
            matches = similar(library, args.photo, args.top)
        except PhotoNotInLibraryError as exc:
            if getattr(args, "debug", False) or os.environ.get("SIMILI_DEBUG"):
                traceback.print_exc()
            sys.stderr.write(f"error: {exc}\n")
            reason = str(exc).removeprefix(f"{args.photo}: ")
            _print_matches(args.photo, [], args.json, error=reason)
            return EXIT_ERROR
        _print_matches(args.photo, matches, args.json)
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
        "model": {
            "name": library.model.name,
            "version": library.model.version,
            "dim": library.model.dim,
            "input_size": library.model.size,
            "fingerprint": library.model.fingerprint,
            "file": str(library.model.file),
        },
        "device": {"active": embedder.device, "provider": embedder.provider, "note": embedder.note},
        "index": {
            "vectors": library.vector_count,
            "bytes": index.file_bytes(),
            "catalog_bytes": catalog_bytes,
            "in_sync": library.index_lag == 0,
        },
        "last_index": json.loads(last) if last else None,
    }


def cmd_status(args: argparse.Namespace) -> int:
    """Folders, counts, model, device, problems."""
    with _open(args) as library:
        record = status_record(library)
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
        return EXIT_OK
    print(f"library   {record['library']}")
    print(f"photos    {record['photos']}  (problems: {record['problems']}; `simili problems`)")
    for root in record["roots"]:
        print(f"folder    {root['path']}  [{root['state']}]  {root['photos']} photos")
    m, d, ix = record["model"], record["device"], record["index"]
    print(f"model     {m['name']} v{m['version']} ({m['dim']}-d, {m['input_size']} px)")
    print(f"device    {d['active']} ({d['provider']}){'  ' + d['note'] if d['note'] else ''}")
    print(f"index     {ix['vectors']} vectors, {ix['bytes'] / 1e6:.1f} MB")
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
    with _open(args) as library:
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

    with _open(args, writer=True) as library:
        settings = library.settings or Settings()
        result = retry_problems(
            library,
            workers=args.workers if args.workers is not None else (settings.workers or None),
            on_progress=_ProgressPrinter(),
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

    with _open(args, writer=True) as library:
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

    with _open(args, writer=True) as library:
        if not library.catalog.roots():
            raise SimiliError("the library has no folders yet; run `simili index FOLDER` first")
        report = _run_index(library, None, args.workers)
        sys.stderr.write(_summary(report) + "\n")
        lock = threading.Lock()

        def on_batch(paths: set[str]) -> None:
            with lock:
                report = _run_index(library, None, args.workers, targets=paths, quiet=True)
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


def cmd_eval(args: argparse.Namespace) -> int:
    """Index a labelled set into a temporary library and print retrieval metrics."""
    from core.evaluation import evaluate, format_comparison, format_table

    models = [getattr(args, "model", None), *args.compare]
    results = [
        evaluate(
            args.dataset,
            model=model,
            device=getattr(args, "device", "auto"),
            workers=args.workers,
            on_progress=_ProgressPrinter(),
            rotated=not args.no_rotated,
        )
        for model in models
    ]
    if not args.compare:
        print(json.dumps(results[0]) if args.json else format_table(results[0]))
    else:
        print(json.dumps(results) if args.json else format_comparison(results))
    return EXIT_OK


def cmd_duplicates(args: argparse.Namespace) -> int:
    """Duplicate groups with the suggested keeper, or record a review decision."""
    from core.duplicates import KEEP_ALL, NOT_DUPLICATES, DuplicateOptions, find_duplicates

    decision = (NOT_DUPLICATES, args.not_duplicates) if args.not_duplicates else None
    if args.keep_all:
        decision = (KEEP_ALL, args.keep_all)
    if decision is not None:
        from core.duplicates import record_decision

        with _open(args, writer=True) as library:
            record_decision(library, decision[0], decision[1])
        sys.stderr.write(f"recorded: {len(decision[1])} files, {decision[0].replace('_', ' ')}\n")
        return EXIT_OK
    from core.duplicates import confidence_words
    from core.paths import normalise
    from core.settings import load_settings

    with _open(args) as library:
        reference = args.reference
        if reference is None:
            reference = getattr(load_settings(library.folder), "reference_folders", ())
        options = DuplicateOptions(
            args.mode,
            args.gap,
            args.min_similarity,
            strictness=args.strictness,
            reference=tuple(normalise(r) for r in reference),
        )
        groups = find_duplicates(library, options, on_progress=_ProgressPrinter())
    if args.json:
        records = [
            {
                "kind": g.kind,
                "files": [display(p) for p in g.paths],
                "keep": display(g.keep),
                "reason": g.reason,
                "confidence": g.confidence,
                "evidence": [
                    {
                        "a": display(e.a),
                        "b": display(e.b),
                        "method": e.method,
                        "strength": e.strength,
                        "summary": e.summary,
                    }
                    for e in g.evidence
                ],
            }
            for g in groups
        ]
        print(json.dumps(records, ensure_ascii=False))
        return EXIT_OK
    total = sum(g.reclaimable for g in groups)
    for g in groups:
        print(
            f"{g.kind} · {len(g.files)} files · {g.reclaimable / 1e6:.1f} MB reclaimable · "
            f"{confidence_words(g)}"
        )
        for f in g.files:
            mark = "keep" if f.path == g.keep else "    "
            print(
                f"  {mark}  {f.width}×{f.height} {f.format:<4} {f.size / 1e6:6.2f} MB  "
                + display(f.path)
            )
        print(f"  why: {g.reason}")
        for e in g.evidence[:3]:
            print(f"  seen: {e.summary}")
    print(f"{count_of(len(groups), 'group')}, {total / 1e6:.1f} MB reclaimable (suggestions only)")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "index": cmd_index,
    "search": cmd_search,
    "similar": cmd_similar,
    "status": cmd_status,
    "problems": cmd_problems,
    "remove": cmd_remove,
    "watch": cmd_watch,
    "eval": cmd_eval,
    "duplicates": cmd_duplicates,
    "repair": cmd_repair,
}


def _explain(exc: BaseException, args: argparse.Namespace) -> SimiliError | None:
    """A full disk or a damaged catalogue, told as such (core/integrity.py); None for a bug."""
    from core.integrity import explain
    from core.paths import default_library_dir

    folder = (getattr(args, "library", None) or default_library_dir()).expanduser().absolute()
    try:
        return explain(exc, folder)
    except Exception:  # the diagnosis must never hide the original error
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (`python -m core.cli`; `simili` adds the desktop app on top)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    check_ranges(parser, args)
    debug = getattr(args, "debug", False) or bool(os.environ.get("SIMILI_DEBUG"))
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        return COMMANDS[args.command](args)
    except Cancelled:
        sys.stderr.write("\ncancelled; finished work is kept, run the command again to resume\n")
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return EXIT_CANCELLED
    except SimiliError as exc:
        if debug:
            traceback.print_exc()
        sys.stderr.write(display(f"error: {exc}") + "\n")
        return EXIT_ERROR
    except Exception as exc:
        if debug:
            raise
        explained = _explain(exc, args)
        if explained is not None:
            sys.stderr.write(f"error: {explained}\n")
            return EXIT_ERROR
        sys.stderr.write(
            display(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)")
            + "\n"
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
