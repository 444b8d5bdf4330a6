"""What every command shares: options, opening the library, progress and result printing."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.formatting import count_of, human_duration
from core.levels import WORDS
from core.pathtext import display, json_fields
from core.records import IndexReport, Match, Problem, Progress
from core.tasks import CancelToken

if TYPE_CHECKING:  # the library pulls in onnxruntime and usearch: spawned decode workers
    from core.library import Library  # re-import the main module and it must stay light

EXIT_OK, EXIT_ERROR, EXIT_CANCELLED = 0, 1, 130


def common_options() -> argparse.ArgumentParser:
    """Options every command takes: --library, --debug, --model, --device."""
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


# -- output helpers ---------------------------------------------------------------------------
class ProgressPrinter:
    """Progress on stderr: a live line on a terminal, a line every few seconds in a log."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        """Print one progress report, throttled."""
        now = time.monotonic()
        final = progress.phase == "done"
        if not final and now - self.last < (0.2 if self.tty else 5.0):
            return
        self.last = now
        if final:  # the summary line follows
            if self.tty:
                sys.stderr.write("\r\033[K")
            return
        if progress.phase in ("indexing", "tagging") and progress.total:
            eta = f", {human_duration(progress.eta_s)} left" if progress.eta_s else ""
            text = (
                f"{progress.phase} {progress.done}/{progress.total} "
                f"({100 * progress.done / progress.total:.0f}%, {progress.rate:.1f}/s{eta})"
            )
        elif progress.phase == "scanning":
            text = f"scanning: {progress.done} photos found" if progress.done else "scanning…"
        elif progress.total:
            text = f"{progress.phase} {progress.done}/{progress.total}"
        else:
            text = progress.phase
        if self.tty:
            sys.stderr.write(f"\r\033[K{text}")
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()


def skip_line(problem: Problem) -> None:
    """Say on stderr that a file was skipped, and why."""
    sys.stderr.write("\r\033[K" if sys.stderr.isatty() else "")
    sys.stderr.write(display(f"skipping {problem.path}: {problem.reason}") + "\n")


def index_summary(report: IndexReport) -> str:
    """The one-line summary of an indexing run."""
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
    speed = f"{report.seconds:.1f} s ({rate:.1f}/s)"
    text = f"indexed {count_of(worked, 'photo')} in {speed}: " + ", ".join(parts)
    if report.offline_roots:
        text += "\noffline (photos kept): " + ", ".join(map(display, report.offline_roots))
    return text


def print_matches(query: str, matches: list[Match], as_json: bool, error: str = "") -> None:
    """Results of one query: a JSON line, or an indented list."""
    if as_json:
        record: dict = {
            **json_fields(query, "query"),
            # "match" where the score is a likeness with a level (a words-only score has none)
            "results": [
                {**json_fields(m.path), "score": round(m.score, 5)}
                | ({"match": m.level} if m.level else {})
                for m in matches
            ],
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
    leveled = any(m.level for m in matches)  # a words-only search has no likeness levels
    for m in matches:
        level = f"{WORDS.get(m.level, ''):<11}  " if leveled else ""
        print(f"  {m.score:.3f}  {level}{display(m.path)}")


def at_least(matches: list[Match], min_score: float | None) -> list[Match]:
    """The matches scoring at least --min-score (all of them without it)."""
    if min_score is None:
        return matches
    return [m for m in matches if m.score >= min_score]


def print_image_queries(images: list[str], run: Callable[[str], list[Match]], as_json: bool) -> int:
    """Run and print each image query; an unreadable image gets its error line. Failed count."""
    from core.errors import NotAnImageError

    failed = 0
    for image in images:
        try:
            matches = run(image)
        except NotAnImageError as exc:
            failed += 1
            sys.stderr.write(f"error: {exc}\n")
            print_matches(image, [], as_json, error=exc.reason)
            continue
        print_matches(image, matches, as_json)
    return failed


# -- opening and indexing ---------------------------------------------------------------------
def open_library(args: argparse.Namespace, writer: bool = False) -> Library:
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


def run_index(
    library: Library,
    paths: list[str] | None,
    workers: int | None,
    targets: set[str] | None = None,
    quiet: bool = False,
) -> IndexReport:
    """Index `paths` (None: every root) with the settings' workers and excludes."""
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
        on_progress=None if quiet else ProgressPrinter(),
        on_problem=skip_line,
        extra_excludes=settings.exclude_patterns if settings is not None else (),
    )


def note_index_damage(library: Library) -> None:
    """Say that the vector index was damaged and rebuilt, when it was."""
    if library.index_damage:
        sys.stderr.write(
            f"the vector index {library.folder / 'vectors.usearch'} was damaged "
            f"({library.index_damage}); rebuilt from the catalogue\n"
        )
