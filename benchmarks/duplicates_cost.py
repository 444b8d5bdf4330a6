"""Cost of the near scan: first scan, repeat scan (saved verdicts), and the 100k extrapolation.

Used by `python benchmarks/duplicates_bench.py --cost [--sets oxford5k_subset]`. The library is
copied to a scratch folder without `verdicts.sqlite`, then scanned twice with saved verdicts on:

* first scan: every candidate pair is decoded, featured and verified;
* repeat scan: the same library again; every verdict comes from `verdicts.sqlite`.

Extrapolation to N photos (stated, not measured): candidate generation grows with N (its
measured time at 100k comes from `--synthetic 100000`, given as --candidates-100k, 50 s on this
machine when last measured); verification is bounded per photo (`Thresholds.verify_tries`), so
its cost per photo measured here times N is the first scan's verification time at N, and the
repeat scan's is the cost per photo of a verdict lookup times N.
"""

from __future__ import annotations

import resource
import shutil
import time
from pathlib import Path

from core import duplicates as core_duplicates
from core.duplicates import DuplicateOptions, _Scan
from core.library import Library
from core.verdicts import FILE_NAME


class _Timed(core_duplicates.Verifier):
    """The real verifier, counting its calls (how many pairs were really verified)."""

    calls = 0

    def verify(self, path_a: str, path_b: str) -> core_duplicates.Verdict:
        type(self).calls += 1
        return super().verify(path_a, path_b)


def _scan(folder: Path, model: Path | None) -> dict:
    started = time.perf_counter()
    with Library(folder, model=model) as library:
        scan = _Scan(library, DuplicateOptions(mode="near"), None, None)
        try:
            scan.exact()
            t0 = time.perf_counter()
            scan.collect_candidates()
            t1 = time.perf_counter()
            before = _Timed.calls
            scan.near()
            t2 = time.perf_counter()
            groups = scan.records()
        finally:
            scan.saved.close()
        photos = len(scan.keys)
    return {
        "photos": photos,
        "seconds": round(time.perf_counter() - started, 2),
        "candidates_s": round(t1 - t0, 2),
        "verify_s": round(t2 - t1, 2),
        "verified": _Timed.calls - before,
        "pairs_looked_at": len(scan.verdicts),
        "groups": len([g for g in groups if g.kind != "exact"]),
    }


def cost(folder: Path, work: Path, model: Path | None, candidates_100k: float) -> dict:
    """Print and return first-scan and repeat-scan cost, and the extrapolation to 100k."""
    scratch = work / f"cost_{folder.name}"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(folder, scratch, ignore=shutil.ignore_patterns(FILE_NAME + "*", "*.lock"))
    real = core_duplicates.Verifier
    core_duplicates.Verifier = _Timed
    try:
        first = _scan(scratch, model)
        repeat = _scan(scratch, model)
    finally:
        core_duplicates.Verifier = real
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = max(first["photos"], 1)
    per_photo_first = first["verify_s"] / n
    per_photo_repeat = repeat["verify_s"] / n
    out = {
        "library": str(folder),
        "first": first,
        "repeat": repeat,
        "cache_bytes": (scratch / FILE_NAME).stat().st_size
        if (scratch / FILE_NAME).exists()
        else 0,
        "peak_rss_mb": round(rss),
        "extrapolated_100k_first_s": round(candidates_100k + 100_000 * per_photo_first),
        "extrapolated_100k_repeat_s": round(candidates_100k + 100_000 * per_photo_repeat),
    }
    print(f"\n== cost of the near scan on {folder.name} ({first['photos']} photos)")
    for label, r in (("first scan", first), ("repeat scan", repeat)):
        print(
            f"{label:12s} {r['seconds']:7.1f} s  (candidates {r['candidates_s']:.1f} s, "
            f"verification {r['verify_s']:.1f} s: {r['verified']} pairs verified, "
            f"{r['pairs_looked_at']} verdicts used), {r['groups']} near groups"
        )
    print(f"verdicts.sqlite: {out['cache_bytes'] / 1024:.0f} KiB; peak RSS {rss:.0f} MB")
    print(
        f"extrapolated to 100k photos (candidates {candidates_100k:.0f} s measured by --synthetic "
        f"+ verification per photo x 100k): first scan ~{out['extrapolated_100k_first_s']} s, "
        f"repeat scan ~{out['extrapolated_100k_repeat_s']} s (target 100 s)"
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return out
