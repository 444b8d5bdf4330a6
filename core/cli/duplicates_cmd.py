"""`simili duplicates`: exact copies, edited copies and similar shots; review decisions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from core.cli.common import EXIT_OK, ProgressPrinter, open_library
from core.formatting import count_of, evidence_line
from core.pathtext import display


def register(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add this module's commands to the parser; return their handlers by name."""
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
    return {"duplicates": cmd_duplicates}


def cmd_duplicates(args: argparse.Namespace) -> int:
    """Duplicate groups with the suggested keeper, or record a review decision."""
    from core.duplicates import KEEP_ALL, NOT_DUPLICATES, DuplicateOptions, find_duplicates

    decision = (NOT_DUPLICATES, args.not_duplicates) if args.not_duplicates else None
    if args.keep_all:
        decision = (KEEP_ALL, args.keep_all)
    if decision is not None:
        from core.duplicates import record_decision

        with open_library(args, writer=True) as library:
            record_decision(library, decision[0], decision[1])
        sys.stderr.write(f"recorded: {len(decision[1])} files, {decision[0].replace('_', ' ')}\n")
        return EXIT_OK
    from core.duplicates import confidence_words
    from core.paths import normalise
    from core.settings import load_settings

    with open_library(args) as library:
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
        groups = find_duplicates(library, options, on_progress=ProgressPrinter())
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
            print(f"  seen: {evidence_line(e, g.keep)}")
    print(f"{count_of(len(groups), 'group')}, {total / 1e6:.1f} MB reclaimable (suggestions only)")
    return EXIT_OK
