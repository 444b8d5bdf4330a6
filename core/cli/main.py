"""The parser and the dispatcher: each command lives in the module named after what it does."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from core import __version__
from core.cli import (
    duplicates_cmd,
    eval_cmd,
    library_cmds,
    personal_cmds,
    search_cmds,
    tags_cmds,
)
from core.cli.common import EXIT_CANCELLED, EXIT_ERROR, EXIT_OK, common_options
from core.errors import SimiliError
from core.pathtext import display
from core.tasks import Cancelled

# Each module adds its commands with `register(sub, common)` and returns their handlers.
MODULES = (library_cmds, search_cmds, tags_cmds, duplicates_cmd, eval_cmd, personal_cmds)

Handler = Callable[[argparse.Namespace], int]


def _build() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="simili",
        description="Search your photo library by picture. Without a command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"simili {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers: dict[str, Handler] = {}
    for module in MODULES:
        handlers.update(module.register(sub, common))
    return parser, handlers


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the docs and tests)."""
    return _build()[0]


# Command names and their handlers (the desktop launcher tells commands from photos with it).
COMMANDS: dict[str, Handler] = _build()[1]


# Lower (and upper) bounds of numeric options, checked after parsing so the message is plain.
_AT_LEAST = {"top": 1, "gap": 0.0, "debounce": 0.0, "workers": 0}


def check_ranges(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse out-of-range numbers with one usage line (exit 2), before any work starts."""
    for name, low in _AT_LEAST.items():
        value = getattr(args, name, None)
        if value is not None and value < low:
            parser.error(f"--{name} must be at least {low}")
    for name in ("min_similarity", "min_score"):
        value = getattr(args, name, None)
        if value is not None and not 0.0 <= value <= 1.0:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 1")


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
