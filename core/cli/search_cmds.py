"""Search by example: `search` (any image) and `similar` (a photo in the library)."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable

from core.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    at_least,
    open_library,
    print_image_queries,
    print_matches,
)
from core.errors import PhotoNotInLibraryError

_MIN_SCORE_HELP = "leave out results scoring below X (0..1; the levels are in `simili status`)"


def register(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add this module's commands to the parser; return their handlers by name."""
    p = sub.add_parser("search", parents=[common], help="photos most like an image")
    p.add_argument("images", nargs="*", metavar="IMAGE")  # none with --text (tags_cmds)
    p.add_argument("--top", type=int, default=20, metavar="K")
    p.add_argument("--min-score", type=float, default=None, metavar="X", help=_MIN_SCORE_HELP)
    p.add_argument("--json", action="store_true", help="one JSON object per query per line")

    p = sub.add_parser("similar", parents=[common], help="more like a photo in the library")
    p.add_argument("photo", metavar="PATH")
    p.add_argument("--top", type=int, default=20, metavar="K")
    p.add_argument("--min-score", type=float, default=None, metavar="X", help=_MIN_SCORE_HELP)
    p.add_argument("--json", action="store_true")
    return {"search": cmd_search, "similar": cmd_similar}


def cmd_search(args: argparse.Namespace) -> int:
    """Photos like each query image; one model and index load for all of them."""
    from core.cli import tags_cmds
    from core.search import search

    if tags_cmds.wants_words_or_filters(args) or not args.images:
        return tags_cmds.cmd_search(args)
    with open_library(args) as library:
        failed = print_image_queries(
            args.images,
            lambda image: at_least(search(library, image, args.top), args.min_score),
            args.json,
        )
    return EXIT_ERROR if failed else EXIT_OK


def cmd_similar(args: argparse.Namespace) -> int:
    """More like a library photo."""
    from core.cli import tags_cmds
    from core.search import similar

    if tags_cmds.wants_words_or_filters(args):
        return tags_cmds.cmd_similar(args)
    with open_library(args) as library:
        try:
            matches = at_least(similar(library, args.photo, args.top), args.min_score)
        except PhotoNotInLibraryError as exc:
            if getattr(args, "debug", False) or os.environ.get("SIMILI_DEBUG"):
                traceback.print_exc()
            sys.stderr.write(f"error: {exc}\n")
            reason = str(exc).removeprefix(f"{args.photo}: ")
            print_matches(args.photo, [], args.json, error=reason)
            return EXIT_ERROR
        print_matches(args.photo, matches, args.json)
    return EXIT_OK
