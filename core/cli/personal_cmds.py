"""Personal commands: favourite, favourites, recommend, teach and suggest."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable
from pathlib import Path

from core.cli.common import EXIT_ERROR, EXIT_OK, open_library
from core.errors import NotAnImageError, PhotoNotInLibraryError
from core.pathtext import display, json_fields


def register(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add this module's commands to the parser; return their handlers by name."""
    p = sub.add_parser("favourite", parents=[common], help="star photos (--remove: unstar)")
    p.add_argument("photos", nargs="+", metavar="PATH")
    p.add_argument("--remove", action="store_true", help="unstar them")

    p = sub.add_parser("favourites", parents=[common], help="list the starred photos")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("recommend", parents=[common], help="photos like your favourites")
    p.add_argument("--top", type=int, default=20, metavar="K")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("teach", parents=[common], help="teach Simili your albums (subfolders)")
    p.add_argument("albums", nargs="?", metavar="ALBUMS_DIR", help="one subfolder per album")
    p.add_argument("--force", action="store_true", help="apply even if it does not help")
    p.add_argument("--reset", action="store_true", help="forget the taught space")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("suggest", parents=[common], help="which taught album a photo belongs in")
    p.add_argument("photos", nargs="+", metavar="PATH")
    p.add_argument("--top", type=int, default=3, metavar="K")
    p.add_argument("--json", action="store_true")
    return {
        "favourite": cmd_favourite,
        "favourites": cmd_favourites,
        "recommend": cmd_recommend,
        "teach": cmd_teach,
        "suggest": cmd_suggest,
    }


def cmd_favourite(args: argparse.Namespace) -> int:
    """Star or unstar photos; all or nothing when one of them is not in the library."""
    from core.favourites import star, unstar

    with open_library(args, writer=True) as library:
        try:
            done = (unstar if args.remove else star)(library.catalog, args.photos)
        except PhotoNotInLibraryError as exc:
            sys.stderr.write(display(f"error: {exc} (nothing was changed)") + "\n")
            return EXIT_ERROR
    verb = "unstarred" if args.remove else "starred"
    for path in done:
        print(display(f"{verb}: {path}"))
    return EXIT_OK


def cmd_favourites(args: argparse.Namespace) -> int:
    """List favourites, newest first."""
    from core.favourites import favourites

    with open_library(args) as library:
        favs = favourites(library.catalog)
    if args.json:
        records = [
            {
                **json_fields(f.path),
                "paths": [display(p) for p in f.paths],
                "hash": f.content_hash,
                "missing": not f.paths,
                "starred": round(f.added_at, 3),
            }
            for f in favs
        ]
        sys.stdout.write(json.dumps(records, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not favs:
        print("no favourites yet; star photos with `simili favourite PATH`")
    for f in favs:
        when = datetime.datetime.fromtimestamp(f.added_at).strftime("%Y-%m-%d")
        extra = "  (missing: no file has this content now)" if not f.paths else ""
        copies = f"  (+{len(f.paths) - 1} identical copies)" if len(f.paths) > 1 else ""
        print(display(f"★ {f.path}  {when}{copies}{extra}"))
    return EXIT_OK


def cmd_recommend(args: argparse.Namespace) -> int:
    """Photos like the favourites, in the search JSON shape with a `like` field."""
    from core.recommend import recommend

    with open_library(args) as library:
        found = recommend(library, args.top)
    if args.json:
        record = {
            "query": "favourites",
            "results": [
                {**json_fields(r.path), "score": round(r.score, 5), **json_fields(r.like, "like")}
                for r in found
            ],
        }
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not found:
        print("nothing to recommend yet; star a few photos with `simili favourite PATH`")
    for r in found:
        print(display(f"  {r.score:.3f}  {r.path}  (like ★ {Path(r.like).name})"))
    return EXIT_OK


def cmd_teach(args: argparse.Namespace) -> int:
    """Learn a projection from albums; apply it when it helps (or --force); --reset undoes."""
    from core.cli.common import ProgressPrinter
    from core.teach import reset, teach

    if args.reset:
        with open_library(args, writer=True) as library:
            had = reset(library)
        print("taught space removed; searching the base vectors" if had else "nothing was taught")
        return EXIT_OK
    if not args.albums:
        sys.stderr.write("error: give ALBUMS_DIR (one subfolder per album), or --reset\n")
        return EXIT_ERROR
    with open_library(args, writer=True) as library:
        result = teach(library, Path(args.albums), force=args.force, on_progress=ProgressPrinter())
    record = {
        "albums": result.albums,
        "photos": result.photos,
        "before": {"mAP": round(result.before, 4)},
        "after": {"mAP": round(result.after, 4)},
        "applied": result.applied,
    }
    if args.json:
        sys.stdout.write(json.dumps(record) + "\n")
        return EXIT_OK
    print(
        f"{result.albums} albums, {result.photos} photos; within-album mAP "
        f"{result.before:.3f} before, {result.after:.3f} after "
        f"(cross-validated, {result.seconds:.1f} s)"
    )
    if result.applied:
        print("applied: search, similar, recommend and suggest use the taught space")
    else:
        print("not applied: it does not help on your albums (use --force to apply anyway)")
    for skipped in result.skipped:
        sys.stderr.write(display(f"skipping {skipped}") + "\n")
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace) -> int:
    """The albums each photo may belong in, best first, with an unsure mark."""
    from core.suggest import suggest

    failed = 0
    with open_library(args) as library:
        for photo in args.photos:
            try:
                found = suggest(library, photo, args.top)
            except NotAnImageError as exc:
                failed += 1
                sys.stderr.write(display(f"error: {exc}") + "\n")
                if args.json:
                    record = {**json_fields(photo, "query"), "albums": [], "error": exc.reason}
                    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                continue
            if args.json:
                record = {
                    **json_fields(photo, "query"),
                    "albums": [
                        {"album": a.album, "score": round(a.score, 5)} for a in found.albums
                    ],
                    "unsure": found.unsure,
                }
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                continue
            if not found.albums:
                print(display(f"{photo}: no albums taught yet; run `simili teach ALBUMS_DIR`"))
                continue
            best = found.albums[0]
            mark = " (unsure)" if found.unsure else ""
            print(display(f"{photo}: belongs in {best.album}?{mark}  {best.score:.3f}"))
    return EXIT_ERROR if failed else EXIT_OK
