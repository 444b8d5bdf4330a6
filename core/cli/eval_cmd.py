"""`simili eval`: retrieval quality of the model on a labelled set."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from core.cli.common import EXIT_OK, ProgressPrinter


def register(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add this module's commands to the parser; return their handlers by name."""
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
    return {"eval": cmd_eval}


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
            on_progress=ProgressPrinter(),
            rotated=not args.no_rotated,
        )
        for model in models
    ]
    if not args.compare:
        print(json.dumps(results[0]) if args.json else format_table(results[0]))
    else:
        print(json.dumps(results) if args.json else format_comparison(results))
    return EXIT_OK
