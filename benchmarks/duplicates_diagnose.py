"""Why the near tier missed a true pair: candidate generation or verification, and which check.

Used by `python benchmarks/duplicates_bench.py --diagnose` (tune split by default). Each missed
(original, copy) pair is put in the first stage that lost it:

* ``not a neighbour``: neither among the photo's HNSW neighbours nor a turned/mirrored pHash match;
* ``below candidate cosine``: a neighbour, but under `Thresholds.candidate`;
* ``beyond verify_tries``: a candidate never verified (both photos had used up their failed
  tries, in each pass of `_Scan.near`);
* ``verified, too weak: CHECK``: verified, with strength under the bar; CHECK is the factor of
  `core.verify`'s strength that fell furthest (or ``no geometry`` when no transform was fitted);
* ``merge refused``: verified strong enough, but the two groups' anchors did not verify.

Pairs lost before verification are verified here anyway (``would verify``), so a fix of the
candidate stage can be judged before it is made. Every verified pair's measurements are written
to ``diagnosis_pairs.json`` under --work, labelled true/false, for choosing checks by numbers.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core.duplicates import DuplicateOptions, _Scan
from core.library import Library
from core.verify import Verdict, strength_caps, strength_factors


def _stage(scan: _Scan, a: int, b: int, bar: float) -> str:
    pair = (a, b) if a < b else (b, a)
    found = scan.verdicts.get(pair)
    if found is not None and found.method == "geometry" and "residual_px" not in found.features:
        # a verdict read from verdicts.sqlite keeps only what the words need: measure it again
        fa, fb = scan.files[scan.first(pair[0])], scan.files[scan.first(pair[1])]
        found = scan.verifier.verify(fa.path, fb.path)
    if found is not None:
        if found.strength >= bar:
            return "merge refused"
        return "verified, too weak: " + weakest_check(found)
    if pair not in scan.candidates:
        return "not a neighbour"
    if scan.candidates[pair] < scan.t.candidate and pair not in scan.by_hash:
        return "below candidate cosine"
    return "beyond verify_tries"


def weakest_check(v: Verdict) -> str:
    """The check of the verifier that cost a pair the most strength."""
    if v.method == "none" or not v.features:
        return "no geometry"
    if v.method == "aligned":
        return "featureless: " + ("too little texture" if v.features.get("textured_agree", 0) < 6
                                  else "tiles disagree")  # fmt: skip
    factors = strength_factors(v.features) | strength_caps(v.features)
    name, value = min(factors.items(), key=lambda kv: kv[1])
    return name if value < 1.0 else "tiles disagree"


def diagnose(
    dataset,  # a duplicates_bench.Dataset
    folder: Path,
    work: Path,
    model: Path | None,
    level: str,
    keep_verdicts: bool = False,
) -> dict:
    """Print and return the stage breakdown of the missed (original, copy) pairs."""
    with Library(folder, model=model) as library:
        scan = _Scan(
            library,
            DuplicateOptions(mode="near", strictness=level, saved_verdicts=keep_verdicts),
            None,
            None,
        )
        bar = scan.t.bar(level)
        scan.exact()
        scan.collect_candidates()
        print(f"{len(scan.candidates)} candidate pairs; verifying (minutes)", flush=True)
        scan.near()
        by_name = {Path(f.path).name: f.key for f in scan.files}
        component = {}
        for n, (_, members, _) in enumerate(scan.groups.components()):
            for i in members:
                component[Path(scan.files[i].path).name] = n
        missed: list[tuple[str, str, str, str]] = []
        for group in dataset.groups:
            originals = [n for n in group if dataset.edit_of(n) == "original"] or [group[0]]
            original = originals[0]
            for name in group:
                if name == original or name not in by_name or original not in by_name:
                    continue
                same = component.get(name) is not None and component.get(name) == component.get(
                    original
                )
                if same or by_name[name] == by_name[original]:
                    continue
                stage = _stage(scan, by_name[original], by_name[name], bar)
                missed.append((original, name, stage, dataset.edit_of(name)))
        unverified = [
            (by_name[o], by_name[c]) for o, c, s, _ in missed if not s.startswith(("verified", "m"))
        ]
        attempts = sum(scan.attempts.values()) // 2
        print(f"{attempts} pairs verified by the near tier "
              f"({2 * attempts / max(len(scan.keys), 1):.2f} a photo, "
              f"at most {max(scan.attempts.values(), default=0)})")  # fmt: skip
        print(f"{len(unverified)} missed pairs lost before verification: verifying", flush=True)
        with ThreadPoolExecutor(2) as pool:
            late = dict(
                zip(unverified, pool.map(lambda p: scan.verdict(*p), unverified), strict=True)
            )
        scan.saved.close()
        truth = {tuple(sorted(p)) for g in dataset.groups for p in _pairs(g)}
        names = {
            k: Path(scan.files[scan.first(k)].path).name for pair in scan.verdicts for k in pair
        }
        dump = [
            {
                "a": names[a],
                "b": names[b],
                "true": tuple(sorted((names[a], names[b]))) in truth,
                "strength": v.strength,
                "method": v.method,
                "features": v.features,
            }
            for (a, b), v in scan.verdicts.items()
        ]
    (work / "diagnosis_pairs.json").write_text(json.dumps(dump))
    stages = Counter(s for _, _, s, _ in missed)
    by_edit: dict[str, Counter] = defaultdict(Counter)
    for _, _, s, edit in missed:
        by_edit[edit][s] += 1
    would = Counter(
        late[(by_name[o], by_name[c])].strength >= bar
        for o, c, s, _ in missed
        if (by_name[o], by_name[c]) in late
    )
    print(f"\n== diagnosis on {dataset.name} ({level}, bar {bar}): {len(missed)} missed "
          f"(original, copy) pairs")  # fmt: skip
    for stage, n in stages.most_common():
        print(f"  {n:5d}  {stage}")
    print(f"  of those lost before verification, {would[True]} would verify at the bar, "
          f"{would[False]} would not")  # fmt: skip
    print("missed by edit kind:")
    for edit, c in sorted(by_edit.items(), key=lambda kv: -sum(kv[1].values())):
        print(f"  {edit:24s} {sum(c.values()):4d}  " + ", ".join(f"{s} {n}" for s, n in
                                                                 c.most_common()))  # fmt: skip
    print(f"(every verified pair's measurements: {work / 'diagnosis_pairs.json'})")
    return {
        "missed": len(missed),
        "stages": dict(stages),
        "would_verify": would[True],
        "by_edit": {k: dict(v) for k, v in by_edit.items()},
    }


def _pairs(group: list[str]) -> list[tuple[str, str]]:
    return [(x, y) for n, x in enumerate(group) for y in group[n + 1 :]]
