"""Build a reproducible near-duplicate dev/holdout set for calibrating Simili's duplicate finder.

    python benchmarks/dupset.py                    # builds /work/data/dupset (tune/ + holdout/)
    python benchmarks/dupset.py --out DIR --pkgs DIR --workers 2

Question it answers: does the "edited copies" tier group exactly the files that come from one
capture (one exposure, then edited), and never two different exposures that look alike?

Sources (every source is one capture; `kind` says what it looks like):
  * photo      Oxford5k subset distractors (../shared/benchdata/oxford5k_subset, in no groundtruth
               group and no junk list) and the real photos of Debian package palapeli-data.
  * night      Oxford distractors chosen automatically by low mean luminance; palapeli's night bridge.
  * lowtexture Real low-texture crops (sky, wall, water) cut automatically from Oxford distractors at
               the window of least gradient energy (one crop per parent photo; the parent itself is
               left out of the set so that no two files of one capture sit in different groups), and
               the paper/canvas scans of Debian package mypaint-data-extras.
  * people     The Solvay 1927 group photograph shipped in Debian package visp-images-data.
  * videoframe Real camera frames of ViSP's tracking sequences (visp-images-data): two frames of one
               video are two exposures, hence `reshoot` negatives of each other.
  * document   Pages rendered with Pillow + DejaVu fonts; pages of one template are hard negatives.
  * screenshot UI-like screens rendered with Pillow; screens of one app are hard negatives.
Debian packages are fetched with `apt-get download` into --pkgs (or read from there if present) and
named with version and file in manifest.json. Reserved data (mate-backgrounds, plasma-workspace-
wallpapers, lomiri-wallpapers*, opencv-doc, python3-skimage, python3-sklearn, UKBench,
benchdata/sample_pairs, benchdata/neardup_dev) is never read. Sources are shrunk to long side 1024.

Positives: each source is saved as `original` (JPEG q92) plus a byte copy and a per-source random
sample of the edits in dupset_edits.EDITS (re-encodes, resizes, crops, turns, EXIF turn, mirror,
tilts, colour edits, overlays, combos): one group per source.
Negatives: every pair across groups is a false pair. `negative_pairs` names the hard ones by kind:
distinct (a fixed random sample of pairs of different captures), same-landmark (Oxford groundtruth:
different people's photos of one building), reshoot (video frames of one sequence), burst (Oxford
pairs judged by eye to be different exposures of one scene, listed in BURSTS with how they were
judged), lowtexture-different, document-different, screenshot-different. Oxford photos that are
not sources are added unedited as singletons (each its own group).

Split: by sha1 of a split key (a source id; or the landmark group, template, app, video sequence or
burst pair, so that negative partners stay together) into `tune` (~50 %) and `holdout` (~50 %),
each written to OUT/<split>/images with its own OUT/<split>/truth.json. Tune on `tune` only;
report on `holdout`. OUT is swapped in atomically (OUT is a symlink to a fresh build folder).
Deterministic: fixed seeds, no clock, no unordered iteration.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dupset_edits import EDITS, jpeg
from dupset_render import APPS, DOC_TEMPLATES, render_document, render_screen

REPO = Path(__file__).resolve().parent.parent
OXFORD = REPO.parent / "shared" / "benchdata" / "oxford5k_subset"
RESERVED = {
    "mate-backgrounds",
    "plasma-workspace-wallpapers",
    "opencv-doc",
    "python3-skimage",
    "python3-sklearn",
}
PACKAGES = ["palapeli-data", "mypaint-data-extras", "visp-images-data"]
SEED = 20261203
EDITS_PER_SOURCE = 24  # plus original and byte copy
LONG_SIDE = 1024
VISP = "usr/share/visp-images-data/ViSP-images"
# real camera sequences (Castle-simu is rendered: left out); (folder, frame glob, frame pairs)
VIDEO_SEQS = {
    "visp_cube": ("cube", "image.*.pgm"),
    "visp_mire2": ("mire-2", "image.*.pgm"),
    "visp_mbtcube": ("mbt/cube", "image*.pgm"),
    "visp_ellipse1": ("ellipse-1", "image.*.pgm"),
    "visp_line": ("line", "image.*.pgm"),
}
# Oxford pairs judged by eye (side-by-side at full size) to be different exposures of one scene.
BURSTS: list[tuple[str, str, str]] = []


def split_of(key: str) -> str:
    return "tune" if hashlib.sha1(f"{SEED}:{key}".encode()).digest()[0] < 128 else "holdout"


# ---------------------------------------------------------------- packages


def ensure_packages(pkgs: Path) -> dict[str, dict]:
    """Extract each package into pkgs/<name> (apt-get download when missing); return name -> info."""
    info = {}
    debs = pkgs / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    for name in PACKAGES:
        assert name not in RESERVED and not name.startswith("lomiri-wallpapers")
        found = sorted(debs.glob(f"{name}_*.deb"))
        if not found:
            subprocess.run(["apt-get", "download", name], cwd=debs, check=True, capture_output=True)
            found = sorted(debs.glob(f"{name}_*.deb"))
        deb = found[-1]
        if not (pkgs / name).is_dir():
            subprocess.run(["dpkg", "-x", str(deb), str(pkgs / name)], check=True)
        version = subprocess.run(
            ["dpkg-deb", "-f", str(deb), "Version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        info[name] = {"package": name, "version": version, "deb": deb.name}
    return info


# ---------------------------------------------------------------- sources


def oxford_lists() -> tuple[list[str], list[list[str]], set[str]]:
    names = sorted(p.stem for p in (OXFORD / "images").glob("*.jpg"))
    groups = json.loads((OXFORD / "groundtruth.json").read_text())["groups"]
    junk = json.loads((OXFORD / "groundtruth_details.json").read_text())["junk"]
    labelled = {n for g in groups for n in g} | {n for j in junk.values() for n in j}
    return names, groups, labelled


def grey_small(path: Path, side: int = 256) -> np.ndarray:
    im = Image.open(path)
    im.draft("L", (side, side))
    im = im.convert("L")
    im.thumbnail((side, side))
    return np.asarray(im, dtype=np.float32)


def low_texture_window(path: Path) -> tuple[float, tuple[float, float, float, float]]:
    """The 45 %-per-side window of least mean gradient magnitude, as (energy, relative box)."""
    g = grey_small(path)
    gy, gx = np.gradient(g)
    mag = np.hypot(gx, gy)
    h, w = mag.shape
    ch, cw = int(h * 0.45), int(w * 0.45)
    ii = np.pad(mag.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    best = (1e9, (0.0, 0.0, 0.45, 0.45))
    for y in range(0, h - ch + 1, 8):
        for x in range(0, w - cw + 1, 8):
            s = ii[y + ch, x + cw] - ii[y, x + cw] - ii[y + ch, x] + ii[y, x]
            mean = s / (ch * cw)
            # a flat window that is not clipped black or white everywhere
            win = g[y : y + ch, x : x + cw]
            if mean < best[0] and 25 < win.mean() < 245 and win.std() > 1.5:
                best = (float(mean), (x / w, y / h, (x + cw) / w, (y + ch) / h))
    return best


def collect_sources(
    pkgs: Path, pkginfo: dict[str, dict]
) -> tuple[list[dict], list[str], list[list[str]]]:
    """All sources (specs a worker can load) plus the Oxford photos left for negatives."""
    rng = random.Random(SEED)
    names, groups, labelled = oxford_lists()
    distractors = [n for n in names if n not in labelled]
    rng.shuffle(distractors)
    sources: list[dict] = []
    used: set[str] = set()

    def ox(n: str) -> dict:
        return {"dataset": "oxford5k_subset", "file": f"images/{n}.jpg"}

    # night: darkest distractors by mean luminance (checked by eye on a contact sheet)
    lum = sorted(
        (float(grey_small(OXFORD / "images" / f"{n}.jpg", 64).mean()), n) for n in distractors
    )
    for mean, n in lum[:16]:
        if mean < 70:
            sources.append(
                {
                    "id": f"night_{n}",
                    "kind": "night",
                    "load": ["file", str(OXFORD / "images" / f"{n}.jpg")],
                    "key": n,
                    "prov": ox(n) | {"mean_luma": round(mean, 1)},
                }
            )
            used.add(n)
    # lowtexture crops: flattest windows among the next distractors
    cands = [n for n in distractors if n not in used][:260]
    flat = sorted((low_texture_window(OXFORD / "images" / f"{n}.jpg"), n) for n in cands)
    for (energy, box), n in flat[:50]:
        sources.append(
            {
                "id": f"ltcrop_{n}",
                "kind": "lowtexture",
                "load": ["crop", str(OXFORD / "images" / f"{n}.jpg"), box],
                "key": f"ltcrop_{n}",
                "prov": ox(n)
                | {"crop_box_rel": [round(v, 3) for v in box], "grad_energy": round(energy, 2)},
            }
        )
        used.add(n)
    # ordinary photos
    photos = [n for n in distractors if n not in used][:110]
    for n in photos:
        sources.append(
            {
                "id": f"photo_{n}",
                "kind": "photo",
                "load": ["file", str(OXFORD / "images" / f"{n}.jpg")],
                "key": n,
                "prov": ox(n),
            }
        )
        used.add(n)
    # Debian packages
    pal = pkgs / "palapeli-data" / "usr/share/palapeli/collection"
    for p in sorted(pal.glob("*.jpg")):
        kind = "night" if p.stem == "cincinnati-bridge" else "photo"
        sources.append(
            {
                "id": f"palapeli_{p.stem}",
                "kind": kind,
                "load": ["file", str(p)],
                "key": f"palapeli_{p.stem}",
                "prov": pkginfo["palapeli-data"]
                | {"file": str(p.relative_to(pkgs / "palapeli-data"))},
            }
        )
    myp = pkgs / "mypaint-data-extras" / "usr/share/mypaint/backgrounds"
    for p in sorted(myp.glob("*/*.png")):
        sid = "mypaint_" + p.stem.replace(" ", "_")
        sources.append(
            {
                "id": sid,
                "kind": "lowtexture",
                "load": ["file", str(p)],
                "key": sid,
                "prov": pkginfo["mypaint-data-extras"]
                | {"file": str(p.relative_to(pkgs / "mypaint-data-extras"))},
            }
        )
    visp = pkgs / "visp-images-data" / VISP
    solvay = visp / "Solvay" / "Solvay_conference_1927_Version2_1280x881.png"
    sources.append(
        {
            "id": "solvay_1927",
            "kind": "people",
            "load": ["file", str(solvay)],
            "key": "solvay_1927",
            "prov": pkginfo["visp-images-data"]
            | {"file": str(solvay.relative_to(pkgs / "visp-images-data"))},
        }
    )
    for seq, (folder, pattern) in VIDEO_SEQS.items():
        frames = sorted((visp / folder).glob(pattern))
        for idx in video_frame_picks(frames):
            p = frames[idx]
            sources.append(
                {
                    "id": f"{seq}_f{idx:03d}",
                    "kind": "videoframe",
                    "load": ["file", str(p)],
                    "key": seq,
                    "prov": pkginfo["visp-images-data"]
                    | {"file": str(p.relative_to(pkgs / "visp-images-data")), "sequence": seq},
                }
            )
    # rendered documents and screens
    for t in range(len(DOC_TEMPLATES) * 2):
        for page in range(5):
            sources.append(
                {
                    "id": f"doc_t{t:02d}_p{page}",
                    "kind": "document",
                    "load": ["doc", t, page],
                    "key": f"doctemplate_{t}",
                    "prov": {
                        "rendered": "dupset_render.render_document",
                        "template": DOC_TEMPLATES[t % len(DOC_TEMPLATES)],
                        "variant": t,
                        "page": page,
                    },
                }
            )
    for a in range(len(APPS) * 2):
        for s in range(4):
            sources.append(
                {
                    "id": f"screen_a{a:02d}_s{s}",
                    "kind": "screenshot",
                    "load": ["screen", a, s],
                    "key": f"app_{a}",
                    "prov": {
                        "rendered": "dupset_render.render_screen",
                        "app": APPS[a % len(APPS)],
                        "variant": a,
                        "screen": s,
                    },
                }
            )
    for a, b, _why in BURSTS:
        for n in (a, b):
            used.add(n)
    negatives = [n for n in names if n not in used]
    return sources, negatives, groups


def video_frame_picks(frames: list[Path]) -> list[int]:
    """Three frames spread over the sequence whose pixels differ (a static camera repeats frames)."""
    n = len(frames)
    picks = [0, n // 3, (2 * n) // 3]
    return [i for i in picks if i < n]


def load_source(spec: dict, seed: int) -> Image.Image:
    how = spec["load"]
    if how[0] == "file":
        im = Image.open(how[1])
        im.load()
        im = im.convert("RGB")
    elif how[0] == "crop":
        im = Image.open(how[1]).convert("RGB")
        w, h = im.size
        x0, y0, x1, y1 = how[2]
        im = im.crop((round(x0 * w), round(y0 * h), round(x1 * w), round(y1 * h)))
    elif how[0] == "doc":
        im = render_document(how[1], how[2], seed)
    else:
        im = render_screen(how[1], how[2], seed)
    if max(im.size) > LONG_SIDE:
        im.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    return im


# ---------------------------------------------------------------- writing


def build_source(args: tuple[dict, str, int]) -> list[tuple[str, str]]:
    """Write one source's original and edits into folder; return (file name, edit) pairs."""
    spec, folder, seed = args
    rng = random.Random(f"{seed}-{spec['id']}")
    im = load_source(spec, seed)
    original = jpeg(im, 92)
    out = Path(folder)
    written = []
    name = f"{spec['id']}__original.jpg"
    (out / name).write_bytes(original)
    written.append((name, "original"))
    name = f"{spec['id']}__byte_copy.jpg"
    (out / name).write_bytes(original)
    written.append((name, "byte_copy"))
    base = Image.open(io.BytesIO(original))
    base.load()
    for edit in sorted(rng.sample(sorted(EDITS), EDITS_PER_SOURCE)):
        data, ext = EDITS[edit](base, random.Random(f"{seed}-{spec['id']}-{edit}"))
        name = f"{spec['id']}__{edit}.{ext}"
        (out / name).write_bytes(data)
        written.append((name, edit))
    return written


def negative_pairs(
    split_sources: list[dict], oxford_names: set[str], groups: list[list[str]], rng: random.Random
) -> list[dict]:
    pairs: list[dict] = []
    orig = {s["id"]: f"{s['id']}__original.jpg" for s in split_sources}
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for s in split_sources:
        by_kind[s["kind"]].append(s)
    for g in groups:
        present = [n for n in g if n in oxford_names]
        for a, b in itertools.combinations(present, 2):
            pairs.append({"a": f"{a}.jpg", "b": f"{b}.jpg", "kind": "same-landmark"})
    for a, b, _why in BURSTS:
        if a in oxford_names and b in oxford_names:
            pairs.append({"a": f"{a}.jpg", "b": f"{b}.jpg", "kind": "burst"})

    def within(kind: str, negkind: str, key: str | None) -> None:
        for a, b in itertools.combinations(by_kind[kind], 2):
            if key is None or a["key"] == b["key"]:
                pairs.append({"a": orig[a["id"]], "b": orig[b["id"]], "kind": negkind})

    within("lowtexture", "lowtexture-different", None)
    within("document", "document-different", "key")
    within("screenshot", "screenshot-different", "key")
    within("videoframe", "reshoot", "key")
    everything = sorted(orig.values()) + sorted(f"{n}.jpg" for n in oxford_names)
    hard = {frozenset((p["a"], p["b"])) for p in pairs}
    ids = {v: k for k, v in orig.items()}
    seen: set[frozenset] = set()
    while len(seen) < 500 and len(everything) > 1:
        a, b = rng.sample(everything, 2)
        if frozenset((a, b)) in hard or frozenset((a, b)) in seen or ids.get(a, a) == ids.get(b, b):
            continue
        seen.add(frozenset((a, b)))
        pairs.append({"a": a, "b": b, "kind": "distinct"})
    return pairs


def build(out: Path, pkgs: Path, workers: int) -> Path:
    t0 = time.time()
    pkginfo = ensure_packages(pkgs)
    sources, negatives, groups = collect_sources(pkgs, pkginfo)
    ox_groups: dict[str, int] = {}
    for i, g in enumerate(groups):  # groups sharing a photo (all_souls_000183) share a split
        shared = [ox_groups[n] for n in g if n in ox_groups]
        for n in g:
            ox_groups.setdefault(n, shared[0] if shared else i)
    for s in sources:
        s["split"] = split_of(s["key"])
    neg_split = {
        n: split_of(f"landmark_{ox_groups[n]}" if n in ox_groups else n) for n in negatives
    }
    for a, b, _ in BURSTS:
        neg_split[a] = neg_split[b] = split_of(f"burst_{a}")
    tmp = out.parent / f".{out.name}.build-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    for split in ("tune", "holdout"):
        (tmp / split / "images").mkdir(parents=True)
    jobs = [(s, str(tmp / s["split"] / "images"), SEED) for s in sources]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(build_source, jobs, chunksize=2))
    print(f"sources written in {time.time() - t0:.0f} s", file=sys.stderr)
    manifest = {
        "seed": SEED,
        "packages": pkginfo,
        "oxford": str(OXFORD),
        "sources": [],
        "negatives": [],
    }
    truths = {sp: {"files": {}, "groups": [], "negative_pairs": []} for sp in ("tune", "holdout")}
    for s, written in zip(sources, results, strict=True):
        t = truths[s["split"]]
        for name, edit in written:
            t["files"][name] = {"source": s["id"], "kind": s["kind"], "edit": edit}
        t["groups"].append([n for n, _ in written])
        manifest["sources"].append(
            {
                "id": s["id"],
                "kind": s["kind"],
                "split": s["split"],
                "split_key": s["key"],
                "provenance": s["prov"],
            }
        )
    for n in negatives:
        sp = neg_split[n]
        shutil.copyfile(OXFORD / "images" / f"{n}.jpg", tmp / sp / "images" / f"{n}.jpg")
        truths[sp]["files"][f"{n}.jpg"] = {
            "source": n,
            "kind": "photo",
            "edit": "unedited_negative",
        }
        truths[sp]["groups"].append([f"{n}.jpg"])
        manifest["negatives"].append(
            {"id": n, "split": sp, "dataset": "oxford5k_subset", "file": f"images/{n}.jpg"}
        )
    for sp, t in truths.items():
        split_sources = [s for s in sources if s["split"] == sp]
        names = {n for n in negatives if neg_split[n] == sp}
        t["negative_pairs"] = negative_pairs(
            split_sources, names, groups, random.Random(f"{SEED}-{sp}")
        )
        t["notes"] = (
            f"Split '{sp}' of benchmarks/dupset.py (seed {SEED}). groups partition files: every pair inside a group is "
            "one capture (true pair), every pair across groups is a false pair. negative_pairs names hard false pairs "
            "per kind for per-kind reporting; 'distinct' is a fixed random sample. Oxford photos that are not sources "
            "are unedited singletons (edit 'unedited_negative'). Provenance per source: ../manifest.json."
            + (" HOLDOUT: do not tune anything on this split." if sp == "holdout" else "")
        )
        (tmp / sp / "truth.json").write_text(json.dumps(t, indent=1, sort_keys=True))
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    swap_in(tmp, out)
    print(f"built {out} in {time.time() - t0:.0f} s", file=sys.stderr)
    return out


def swap_in(tmp: Path, out: Path) -> None:
    """Point OUT (a symlink) at the new build in one rename; remove the previous build."""
    final = out.parent / f"{out.name}.{time.strftime('%Y%m%dT%H%M%S')}"
    tmp.rename(final)
    old = out.resolve() if out.is_symlink() else None
    if out.exists() and not out.is_symlink():
        raise SystemExit(
            f"{out} is a real folder; move it away so it can become a symlink to the build"
        )
    link = out.parent / f".{out.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(final.name)
    link.replace(out)  # atomic: readers see the old set or the new one, never half
    if old is not None and old != final and old.exists():
        shutil.rmtree(old)


def summary(out: Path) -> str:
    lines = []
    for sp in ("tune", "holdout"):
        t = json.loads((out / sp / "truth.json").read_text())
        files = t["files"].values()
        srcs = {f["source"]: f["kind"] for f in files}
        lines.append(
            f"== {sp}: {len(t['files'])} files, {len(t['groups'])} groups ({sum(len(g) > 1 for g in t['groups'])} with edits)"
        )
        lines.append(
            "  sources per kind: "
            + ", ".join(f"{k} {v}" for k, v in sorted(Counter(srcs.values()).items()))
        )
        lines.append(
            "  files per kind:   "
            + ", ".join(f"{k} {v}" for k, v in sorted(Counter(f["kind"] for f in files).items()))
        )
        lines.append(
            "  files per edit:   "
            + ", ".join(f"{k} {v}" for k, v in sorted(Counter(f["edit"] for f in files).items()))
        )
        lines.append(
            "  negative pairs:   "
            + ", ".join(
                f"{k} {v}"
                for k, v in sorted(Counter(p["kind"] for p in t["negative_pairs"]).items())
            )
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/work/data/dupset"))
    ap.add_argument(
        "--pkgs",
        type=Path,
        default=Path("/work/data/pkgs"),
        help="extracted Debian packages (fetched with apt-get download when missing)",
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--summary-only", action="store_true", help="print the table of an existing build"
    )
    a = ap.parse_args()
    out = a.out.absolute()
    if not a.summary_only:
        out.parent.mkdir(parents=True, exist_ok=True)
        build(out, a.pkgs.absolute(), a.workers)
    print(summary(out))


if __name__ == "__main__":
    main()
