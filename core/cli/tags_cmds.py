"""Words and filters: `tags`, `search --text`, and --after/--before/--in/--camera on searches."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date

from core.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    at_least,
    open_library,
    print_image_queries,
    print_matches,
)
from core.errors import PhotoNotInLibraryError
from core.filters import PhotoFilter, parse_day
from core.pathtext import display, json_fields

FILTERED = ("search", "similar")


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except Exception as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    """The filters every search takes."""
    group = parser.add_argument_group("filters")
    group.add_argument("--after", type=_day, metavar="YYYY-MM-DD", help="taken on or after")
    group.add_argument("--before", type=_day, metavar="YYYY-MM-DD", help="taken on or before")
    group.add_argument("--in", dest="folder", metavar="FOLDER", help="only photos under FOLDER")
    group.add_argument("--camera", metavar="TEXT", help="camera make or model contains TEXT")


def register(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add `tags`, and --text and the filters to the search commands (registered before)."""
    for name in FILTERED:
        if name in sub.choices:
            add_filter_options(sub.choices[name])
    if "search" in sub.choices:
        sub.choices["search"].add_argument(
            "--text", metavar="WORDS", help="photos showing these words (all of them)"
        )
    p = sub.add_parser("tags", parents=[common], help="what the model sees in photos")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="one JSON object per photo per line")
    return {"tags": cmd_tags}


def photo_filter(args: argparse.Namespace) -> PhotoFilter:
    """The filter the options ask for (inactive when none is given)."""
    from core.paths import normalise

    folder = getattr(args, "folder", None)
    return PhotoFilter(
        getattr(args, "after", None),
        getattr(args, "before", None),
        normalise(folder) if folder else None,
        getattr(args, "camera", None) or None,
    )


def wants_words_or_filters(args: argparse.Namespace) -> bool:
    """Whether `search`/`similar` must go through this module."""
    return getattr(args, "text", None) is not None or photo_filter(args).active


def cmd_search(args: argparse.Namespace) -> int:
    """`search` with --text and/or filters: words alone, or images among the allowed photos."""
    from core.text_search import find_photos

    if not args.images and args.text is None:
        sys.stderr.write("error: give an IMAGE to search by, or --text WORDS\n")
        return 2
    wanted = photo_filter(args)
    with open_library(args) as library:
        if not args.images:
            matches = find_photos(library, text=args.text, photo_filter=wanted, top=args.top)
            print_matches(args.text, at_least(matches, args.min_score), args.json)
            return EXIT_OK
        failed = print_image_queries(
            args.images,
            lambda image: at_least(
                find_photos(
                    library, text=args.text, image=image, photo_filter=wanted, top=args.top
                ),
                args.min_score,
            ),
            args.json,
        )
    return EXIT_ERROR if failed else EXIT_OK


def cmd_similar(args: argparse.Namespace) -> int:
    """`similar` with filters: more like a library photo, among the allowed photos."""
    from core.filters import allowed_files, filtered_nearest
    from core.paths import normalise

    with open_library(args) as library:
        path = normalise(args.photo)
        found = library.catalog.lookup(path)
        if found is None:
            exc = PhotoNotInLibraryError(f"{args.photo}: not an indexed photo of this library")
            sys.stderr.write(f"error: {exc}\n")
            print_matches(args.photo, [], args.json, error="not an indexed photo of this library")
            return EXIT_ERROR
        _, vectors = library.catalog.vectors(library.model.dim, [found[0]])
        allowed = allowed_files(library, photo_filter(args))
        matches = filtered_nearest(library, vectors[0], args.top, allowed, frozenset({path}))
        print_matches(args.photo, at_least(matches, args.min_score), args.json)
    return EXIT_OK


def cmd_tags(args: argparse.Namespace) -> int:
    """One line per photo: its tags, best first."""
    from core.text_search import photo_tags

    failed = 0
    with open_library(args) as library:
        for path in args.paths:
            tags = photo_tags(library, path)
            record: dict = {**json_fields(path), "tags": []}
            if tags is None:
                failed += 1
                reason = "not an indexed photo of this library; run `simili index` its folder"
                sys.stderr.write(f"error: {display(path)}: {reason}\n")
                if args.json:
                    sys.stdout.write(json.dumps({**record, "error": reason}) + "\n")
                continue
            record["tags"] = [{"tag": name, "score": round(t.score, 4)} for name, t in tags]
            if args.json:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                words = ", ".join(f"{name} {t.score:.2f}" for name, t in tags) or "(no tags yet)"
                print(f"{display(path)}: {words}")
    return EXIT_ERROR if failed else EXIT_OK
