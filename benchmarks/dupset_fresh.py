"""Build the *fresh* split: edited copies of sources no earlier step of Simili ever read.

    python benchmarks/dupset_fresh.py                  # builds /work/data/dupset_fresh/fresh
    python benchmarks/duplicates_bench.py --sets fresh # reports on it

Why: the dupset holdout (benchmarks/dupset.py) was looked at more than once while the duplicate
finder was built, so it is no longer untouched. This split comes from Debian packages that no
tune, holdout or test ever used, built once and reported on; tune nothing on it.

Sources (each one capture; `kind` says what it looks like, the split key keeps hard negatives
together):
  * object      stamps of tuxpaint-stamps-default (photos and drawings of animals, fruit, people,
                tools cut out on a transparent background, flattened onto white). Similar objects
                (two fruits, a suit seen from two sides) are hard negatives of each other.
  * night       deep-sky photos of stellarium-data (nebulae, galaxies, clusters: black sky with a
                small bright subject, the low-texture case). Every two are hard negatives.
  * landscape   real panoramas of stellarium-data (fields, trees, Mars, the Moon), one tile each.
  * art         ukui-wallpapers (drawn and rendered wallpapers: smooth gradients, few keypoints).
  * screenshot  UI screenshots of GIMP's manual (gimp-help-en: menus and dialogs only, not the
                filter examples, which show one photo many times) and of KStars' manual
                (kstars-data). Screens of one app are hard negatives of each other.
Each source gets the same treatment as in dupset.py: original (JPEG q92), byte copy and
EDITS_PER_SOURCE random edits from dupset_edits. Two candidate sources whose 32x32 grey
thumbnails correlate above 0.97, as they are or one mirrored or turned, are both dropped before
the build (the same picture shipped twice, e.g. a stamp and its `_mirror` twin, would make a
wrong truth); the build prints how many.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dupset import build_source, ensure_packages, swap_in

SEED = 20261204
Row = tuple[str, str, str, Path]  # (source id, kind, split key, file)
PACKAGES = ["tuxpaint-stamps-default", "stellarium-data", "ukui-wallpapers", "gimp-help-en",
            "kstars-data"]  # fmt: skip
LICENCES = {  # from each package's debian/copyright (summarised)
    "tuxpaint-stamps-default": "GPL-2+ (stamps: GPL-2+ / public domain / CC, see copyright)",
    "stellarium-data": "GPL-2+ (nebula images: various free licences, see copyright)",
    "ukui-wallpapers": "CC-BY-SA-4.0 / GPL-3+",
    "gimp-help-en": "GFDL-1.2+",
    "kstars-data": "GPL-2+ / GFDL-1.2+ (documentation)",
}
PER_KIND = {"object": 40, "night": 40, "screenshot_gimp": 30, "screenshot_kstars": 30}
LANDSCAPES = [  # (folder, file): one real-photo tile per landscape
    ("garching", "garching-gl1.png"),
    ("grossmugl", "grossmugl_leeberg_crop11.25_2048.png"),
    ("trees", "trees_512.png"),
    ("mars", "mars.png"),
    ("moon", "apollo17.png"),
    ("hurricane", "hurricane1.png"),
]
MIN_SIDE = 300
DISTINCT_PAIRS = 500
NOTES = (
    "Split '{name}' of benchmarks/{builder} (seed {seed}): sources no earlier step read. "
    "groups partition files: every pair inside a group is one capture, every pair across groups "
    "a false pair; negative_pairs names hard false pairs per kind. Tune nothing on this split."
)


@dataclass(frozen=True)
class Recipe:
    """What one untouched split is made of: its packages, its candidate sources, how many."""

    name: str  # the split's folder, and its name in duplicates_bench.py --sets
    builder: str  # the script that builds it (for its notes)
    seed: int
    packages: list[str]
    licences: dict[str, str]
    candidates: Callable[[Path], list[Row]]
    per_kind: dict[str, int]
    # source ids an earlier split used: never chosen again (computed when the build starts)
    earlier: Callable[[Path], set[str]] = field(default=lambda pkgs: set())


def flat(path: Path) -> Image.Image | None:
    """The picture on white (transparency flattened), or None when too small to use."""
    with Image.open(path) as im:
        if min(im.size) < MIN_SIDE and max(im.size) < 2 * MIN_SIDE:
            return None
        rgba = im.convert("RGBA")
    out = Image.new("RGBA", rgba.size, "white")
    out.alpha_composite(rgba)
    return out.convert("RGB")


def candidates(pkgs: Path) -> list[Row]:
    """(id, kind, split key, file) of every source before picking and de-duplication."""
    out: list[tuple[str, str, str, Path]] = []
    stamps = pkgs / "tuxpaint-stamps-default/usr/share/tuxpaint/stamps"
    for p in sorted(stamps.rglob("*.png")):
        if p.stat().st_size > 60_000:
            out.append((f"stamp_{p.stem}", "object", "objects", p))
    nebulae = pkgs / "stellarium-data/usr/share/stellarium/nebulae/default"
    for p in sorted(nebulae.glob("*.png")):
        out.append((f"nebula_{p.stem}", "night", "nebulae", p))
    land = pkgs / "stellarium-data/usr/share/stellarium/landscapes"
    for folder, name in LANDSCAPES:
        sid = f"landscape_{folder}"
        out.append((sid, "landscape", sid, land / folder / name))
    for p in sorted((pkgs / "ukui-wallpapers/usr/share/backgrounds").iterdir()):
        out.append((f"ukui_{p.stem}", "art", f"ukui_{p.stem}", p))
    gimp = pkgs / "gimp-help-en/usr/share/gimp/2.0/help/en/images"
    for p in sorted([*gimp.glob("menus/**/*.png"), *gimp.glob("dialogs/**/*.png")]):
        if p.stat().st_size > 40_000:
            sid = "gimp_" + str(p.relative_to(gimp).with_suffix("")).replace("/", "_")
            out.append((sid, "screenshot_gimp", "app_gimp", p))
    kstars = pkgs / "kstars-data/usr/share/doc/HTML/en/kstars"
    for p in sorted(kstars.glob("*.png")):
        if p.stat().st_size > 40_000:
            out.append((f"kstars_{p.stem}", "screenshot_kstars", "app_kstars", p))
    return out


FRESH = Recipe("fresh", "dupset_fresh.py", SEED, PACKAGES, LICENCES, candidates, PER_KIND)


def thumb(im: Image.Image) -> np.ndarray:
    a = np.asarray(im.convert("L").resize((32, 32), Image.Resampling.BOX), np.float32).ravel()
    return (a - a.mean()) / (a.std() + 1e-6) / np.sqrt(a.size)


def look_alikes(images: list[Image.Image], limit: float = 0.97) -> set[int]:
    """Indices of images that look like another one as they are, mirrored or turned (both)."""
    thumbs = np.stack([thumb(im) for im in images])
    sim = np.zeros((len(images), len(images)), np.float32)
    for way in (None, *Image.Transpose):  # a mirrored or turned copy shipped as another file
        turned = np.stack([thumb(im if way is None else im.transpose(way)) for im in images])
        sim = np.maximum(sim, np.triu(thumbs @ turned.T, 1))
    return {int(i) for pair in zip(*np.nonzero(sim > limit), strict=True) for i in pair}


def choose(pkgs: Path, recipe: Recipe) -> list[tuple[Row, Image.Image]]:
    """The recipe's sources (per kind, in a fixed pseudo-random order) with their pictures."""
    used = recipe.earlier(pkgs)
    by_kind: dict[str, list] = defaultdict(list)
    for row in recipe.candidates(pkgs):
        if row[0] not in used:
            by_kind[row[1]].append(row)
    chosen = []
    for kind, rows in sorted(by_kind.items()):
        n = recipe.per_kind.get(kind, len(rows))
        usable = []
        ranked = sorted(rows, key=lambda r: hashlib.sha1(f"{recipe.seed}:{r[0]}".encode()).digest())
        for row in ranked:
            if len(usable) == n:
                break
            im = flat(row[3])
            if im is None or im.getextrema() in (((0, 0),) * 3, ((255, 255),) * 3):
                continue
            usable.append((row, im))
        chosen += usable
    return chosen


def collect(pkgs: Path, cache: Path, pkginfo: dict[str, dict], recipe: Recipe) -> list[dict]:
    """Pick the sources, flatten them into `cache` as PNG, drop look-alike pairs."""
    chosen = choose(pkgs, recipe)
    drop = look_alikes([im for _, im in chosen])
    print(f"{len(chosen)} sources chosen, {len(drop)} dropped as look-alikes", file=sys.stderr)
    cache.mkdir(parents=True, exist_ok=True)
    sources = []
    for i, ((sid, kind, key, path), im) in enumerate(chosen):
        if i in drop:
            continue
        file = cache / f"{sid}.png"
        if not file.exists():
            im.save(file)
        package = next(p for p in recipe.packages if str(path).startswith(str(pkgs / p)))
        prov = pkginfo[package] | {"file": str(path.relative_to(pkgs / package))}
        kind = "screenshot" if kind.startswith("screenshot") else kind
        sources.append({"id": sid, "kind": kind, "load": ["file", str(file)], "key": key,
                        "prov": prov})  # fmt: skip
    return sources


def negative_pairs(sources: list[dict], rng: random.Random) -> list[dict]:
    orig = {s["id"]: f"{s['id']}__original.jpg" for s in sources}
    pairs = []
    named = {"object": "object-different", "night": "night-different",
             "screenshot": "screenshot-different", "art": "art-different",
             "lowtexture": "lowtexture-different"}  # fmt: skip
    for a, b in itertools.combinations(sources, 2):
        if a["kind"] == b["kind"] and a["key"] == b["key"] and a["kind"] in named:
            pairs.append({"a": orig[a["id"]], "b": orig[b["id"]], "kind": named[a["kind"]]})
    for a, b in itertools.combinations([s for s in sources if s["kind"] == "art"], 2):
        pairs.append({"a": orig[a["id"]], "b": orig[b["id"]], "kind": "art-different"})
    hard = {frozenset((p["a"], p["b"])) for p in pairs}
    names = sorted(orig.values())
    seen: set[frozenset] = set()
    for _ in range(50 * DISTINCT_PAIRS):
        if len(seen) == DISTINCT_PAIRS:
            break
        a, b = rng.sample(names, 2)
        if frozenset((a, b)) not in hard | seen:
            seen.add(frozenset((a, b)))
            pairs.append({"a": a, "b": b, "kind": "distinct"})
    return pairs


def build(out: Path, pkgs: Path, workers: int, recipe: Recipe | None = None) -> Path:
    recipe = recipe or FRESH
    t0 = time.time()
    pkginfo = ensure_packages(pkgs, recipe.packages, recipe.licences)
    sources = collect(pkgs, pkgs / f"{recipe.name}-sources", pkginfo, recipe)
    tmp = out.parent / f".{out.name}.build"
    shutil.rmtree(tmp, ignore_errors=True)
    split = tmp / recipe.name
    (split / "images").mkdir(parents=True)
    jobs = [(s, str(split / "images"), recipe.seed) for s in sources]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(build_source, jobs, chunksize=2))
    truth: dict = {"files": {}, "groups": [], "negative_pairs": []}
    for s, written in zip(sources, results, strict=True):
        for name, edit in written:
            truth["files"][name] = {"source": s["id"], "kind": s["kind"], "edit": edit,
                                    "origin": f"debian:{s['prov']['package']}"}  # fmt: skip
        truth["groups"].append([n for n, _ in written])
    truth["negative_pairs"] = negative_pairs(sources, random.Random(f"{recipe.seed}-{recipe.name}"))
    truth["notes"] = NOTES.format(name=recipe.name, builder=recipe.builder, seed=recipe.seed)
    (split / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True))
    manifest = {"seed": recipe.seed, "packages": pkginfo,
                "sources": [{"id": s["id"], "kind": s["kind"], "split_key": s["key"],
                             "provenance": s["prov"]} for s in sources]}  # fmt: skip
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    swap_in(tmp, out)
    kinds = defaultdict(int)
    for s in sources:
        kinds[s["kind"]] += 1
    negs = defaultdict(int)
    for p in truth["negative_pairs"]:
        negs[p["kind"]] += 1
    print(f"built {out} in {time.time() - t0:.0f} s: {len(truth['files'])} files, "
          f"sources {dict(kinds)}, negative pairs {dict(negs)}", file=sys.stderr)  # fmt: skip
    return out


def main(recipe: Recipe = FRESH, about: str = __doc__ or "") -> None:
    """Build the recipe's split under --out (default /work/data/dupset_<name>)."""
    ap = argparse.ArgumentParser(description=about.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(f"/work/data/dupset_{recipe.name}"))
    ap.add_argument("--pkgs", type=Path, default=Path("/work/data/pkgs-fresh"))
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    build(a.out.absolute(), a.pkgs.absolute(), a.workers, recipe)


if __name__ == "__main__":
    main()
