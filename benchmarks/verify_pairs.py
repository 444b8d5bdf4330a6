"""Re-verify a sample of labelled pairs with the current verifier: P/R per bar, edit and kind.

A fast loop for changing `core.verify` without rerunning the whole duplicate scan. The pair list
is the ``diagnosis_pairs.json`` that ``duplicates_bench.py --diagnose`` writes (every pair the
scan verified, labelled true/false). The sample keeps every false pair whose saved strength
reached --false-from and, per edit kind, up to --per-edit true pairs, so each edit weighs the
same however rare. Keep --false-from at 0 for a final check: a change can lift false pairs that
were weak before. Pairs the scan never verified (it stops at verify_tries and merges groups by
their anchors) are not here, so a scan benchmark still has the last word.

    PYTHONPATH=$PWD python benchmarks/verify_pairs.py \\
        --pairs /tmp/dup9work/diagnosis_pairs.json --dupset /work/data/dupset/tune

Precision here is over the sample (false pairs are over-represented on purpose: read it as "how
many false pairs pass", not as the scan's precision). --half picks a stable half of the sources
(0 or 1) so a number can be chosen on one half and checked on the other.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

from core.duplicates import Thresholds
from core.verify import Verifier

BARS = {"strict": Thresholds().strict, "normal": Thresholds().normal, "loose": Thresholds().loose}
PLAIN = {"original", "byte_copy", "unedited_negative"}


@dataclass(frozen=True, slots=True)
class Pair:
    a: str
    b: str
    true: bool
    edit: str  # the edit a true pair shows (the non-original side's), or "false"
    kind: str  # photo kind of a's source


def _edit(files: dict, a: str, b: str, true: bool) -> str:
    if not true:
        return "false"
    ea, eb = files.get(a, {}).get("edit", "?"), files.get(b, {}).get("edit", "?")
    edits = sorted({e for e in (ea, eb) if e not in PLAIN}, key=_hard) or ["byte_copy"]
    return edits[0]  # a pair of two copies counts under its harder edit


def _hard(edit: str) -> tuple[int, str]:
    order = ("tilt", "combo_tilt", "sticker", "watermark", "caption", "crop", "white_border")
    return next((n for n, h in enumerate(order) if edit.startswith(h)), len(order)), edit


def _half(source: str) -> int:
    return hashlib.sha1(source.encode()).digest()[0] % 2


def sample(pairs: list[dict], files: dict, per_edit: int, false_from: float, half: int | None,
           seed: int) -> list[Pair]:  # fmt: skip
    """All strong false pairs plus up to `per_edit` true pairs of each edit."""
    rng = random.Random(seed)
    out: list[Pair] = []
    by_edit: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        a, b = p["a"], p["b"]
        source = files.get(a, {}).get("source", a)
        if half is not None and _half(source) != half:
            continue
        pair = Pair(a, b, p["true"], _edit(files, a, b, p["true"]),
                    files.get(a, {}).get("kind", "?"))  # fmt: skip
        if not p["true"]:
            if p["strength"] >= false_from:
                out.append(pair)
        else:
            by_edit[pair.edit].append(pair)
    for edit in sorted(by_edit):
        group = by_edit[edit]
        rng.shuffle(group)
        out.extend(group[:per_edit])
    return out


_VERIFIER: Verifier | None = None
_FOLDER = ""


def _init(folder: str) -> None:
    global _VERIFIER, _FOLDER
    _VERIFIER, _FOLDER = Verifier(), folder


def _run(pair: Pair) -> tuple[float, str, dict[str, float], float]:
    assert _VERIFIER is not None
    start = time.perf_counter()
    found = _VERIFIER.verify(f"{_FOLDER}/{pair.a}", f"{_FOLDER}/{pair.b}")
    return found.strength, found.method, found.features, time.perf_counter() - start


def report(pairs: list[Pair], strengths: list[float]) -> None:
    """Print P/R at each bar, then recall per edit and false passes per kind at each bar."""
    n_true = sum(p.true for p in pairs)
    print(f"{len(pairs)} pairs: {n_true} true, {len(pairs) - n_true} false")
    for name, bar in BARS.items():
        tp = sum(1 for p, s in zip(pairs, strengths, strict=True) if p.true and s >= bar)
        fp = sum(1 for p, s in zip(pairs, strengths, strict=True) if not p.true and s >= bar)
        prec = tp / (tp + fp) if tp + fp else 1.0
        print(f"  {name:6} ({bar:.2f}): recall {tp / max(n_true, 1):.3f}  false passed {fp:4d}"
              f"  precision(sample) {prec:.3f}")  # fmt: skip
    print("recall per edit (strict / normal / loose), lowest strict first:")
    rows = []
    for edit in sorted({p.edit for p in pairs if p.true}):
        got = [s for p, s in zip(pairs, strengths, strict=True) if p.edit == edit]
        rows.append((sum(s >= BARS["strict"] for s in got) / len(got), edit, got))
    for _, edit, got in sorted(rows):
        cells = " ".join(f"{sum(s >= bar for s in got):3d}" for bar in BARS.values())
        print(f"  {edit:28} {cells} / {len(got)}")
    print("per photo kind: true recall strict/normal/loose | false passed strict/normal/loose:")
    for kind in sorted({p.kind for p in pairs}):
        t = [s for p, s in zip(pairs, strengths, strict=True) if p.kind == kind and p.true]
        f = [s for p, s in zip(pairs, strengths, strict=True) if p.kind == kind and not p.true]
        tr = " ".join(f"{sum(s >= bar for s in t):4d}" for bar in BARS.values())
        fr = " ".join(f"{sum(s >= bar for s in f):4d}" for bar in BARS.values())
        print(f"  {kind:12} {tr} / {len(t):4d} | {fr} / {len(f):4d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=Path, required=True, help="diagnosis_pairs.json")
    parser.add_argument("--dupset", type=Path, required=True, help="a split: images/, truth.json")
    parser.add_argument("--per-edit", type=int, default=40)
    parser.add_argument("--false-from", type=float, default=0.0)
    parser.add_argument("--half", type=int, choices=(0, 1), default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="", help="keep edits starting with this (and false)")
    parser.add_argument("--out", type=Path, help="write each pair's new verdict here (JSON)")
    args = parser.parse_args()
    files = json.loads((args.dupset / "truth.json").read_text())["files"]
    pairs = sample(json.loads(args.pairs.read_text()), files, args.per_edit, args.false_from,
                   args.half, args.seed)  # fmt: skip
    if args.only:
        pairs = [p for p in pairs if p.edit.startswith(args.only) or not p.true]
    start = time.perf_counter()
    with Pool(args.jobs, _init, (str(args.dupset / "images"),)) as pool:
        found = pool.map(_run, pairs, chunksize=8)
    wall = time.perf_counter() - start
    per_pair = sum(f[3] for f in found) / max(len(found), 1)
    report(pairs, [f[0] for f in found])
    print(f"{1000 * per_pair:.1f} ms/pair in the verifier (decode and features included, "
          f"{args.jobs} jobs, {wall:.0f} s wall)")  # fmt: skip
    if args.out:
        rows = [
            {
                "a": p.a,
                "b": p.b,
                "true": p.true,
                "edit": p.edit,
                "kind": p.kind,
                "strength": f[0],
                "method": f[1],
                "features": f[2],
            }
            for p, f in zip(pairs, found, strict=True)
        ]
        args.out.write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
