"""Build a reproducible near-duplicate dev/holdout set for calibrating Simili's duplicate finder.

    python benchmarks/dupset.py                    # builds /work/data/dupset (tune/ + holdout/)
    python benchmarks/dupset.py --out DIR --pkgs DIR --workers 2
    python benchmarks/dupset.py --summary-only     # the table of an existing build

Question it answers: does the "edited copies" tier group exactly the files that come from one
capture (one exposure, then edited), and never two different exposures that look alike?

Sources (each is one capture; `kind` says what it looks like):
  * photo       Oxford5k-subset distractors (../shared/benchdata/oxford5k_subset: in no
                groundtruth group, no junk list); real photos from Debian packages palapeli-data
                (collection) and gcompris-qt-data (animals and monuments, unpacked from its .rcc).
  * people      Oxford distractors showing people, picked by eye (PEOPLE), and the Solvay 1927
                group photograph from visp-images-data.
  * night       The darkest Oxford distractors by mean luminance (night scenes, dark interiors)
                and palapeli's night bridge.
  * lowtexture  Real flat crops (sky, wall, water) cut from Oxford distractors at the window of
                least gradient energy (one crop per photo; the parent photo is then left out of
                the set, so no two files of one capture sit in different groups); gcompris's six
                underwater sea photos; mypaint-data-extras' paper and canvas scans.
  * videoframe  Real camera frames of ViSP tracking sequences (visp-images-data); two frames of
                one video are two exposures, so they are `reshoot` negatives of each other.
  * document    Pages rendered with Pillow + DejaVu fonts (dupset_render); pages of one
                template are hard negatives of each other.
  * screenshot  UI-like screens rendered with Pillow; screens of one app are hard negatives.
Debian packages are fetched with `apt-get download` into --pkgs (or read from there) and named with
version, licence and file in manifest.json. Reserved data (mate-backgrounds, plasma-workspace-
wallpapers, lomiri-wallpapers*, opencv-doc, python3-skimage, python3-sklearn, UKBench,
benchdata/sample_pairs, benchdata/neardup_dev) is never read. Sources are shrunk to long side 1024.

Positives: each source is saved as `original` (JPEG q92), a byte copy, and a per-source random
sample of EDITS_PER_SOURCE edits from dupset_edits.EDITS (re-encodes, resizes, crops, turns, EXIF
turn, mirror, tilts, colour edits, overlays, combos); all of a source's files form one group.
Negatives: every pair across groups is a false pair. `negative_pairs` names the hard ones by kind:
distinct (a fixed random sample of pairs of different captures), same-landmark (Oxford
groundtruth: different people's photos of one building), burst and reshoot (Oxford pairs judged
by eye, see BURSTS; ViSP video frames), lowtexture-different, document-different,
screenshot-different. Oxford photos that are not sources are added unedited as singletons.

Split: a source goes with its split key (its id; or its landmark group / burst set, template, app
or video sequence, so negative partners stay together): keys hash to `tune` or `holdout` (~50 %
each; the few template/app/sequence keys alternate in hash order so both halves get some). Each
split is OUT/<split>/images plus OUT/<split>/truth.json. Tune on `tune` only; report on
`holdout`. OUT is a symlink swapped atomically to a fresh build folder, so a reader never sees
half a set. Deterministic: fixed seeds, sorted iteration, no clock in the content.
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
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dupset_edits import EDITS, jpeg
from dupset_render import APPS, DOC_TEMPLATES, render_document, render_screen

REPO = Path(__file__).resolve().parent.parent
OXFORD = REPO.parent / "shared" / "benchdata" / "oxford5k_subset"
NEARDUP_NAMES = OXFORD.parent / "neardup_dev" / "originals.json"
RESERVED = {
    "mate-backgrounds",
    "plasma-workspace-wallpapers",
    "opencv-doc",
    "python3-skimage",
    "python3-sklearn",
}
PACKAGES = ["palapeli-data", "mypaint-data-extras", "visp-images-data", "gcompris-qt-data"]
LICENCES = {  # from each package's debian/copyright (summarised; see that file for the details)
    "palapeli-data": "GPL-2+ (debian/copyright 'Files: *'; covers the collection photos)",
    "mypaint-data-extras": "CC0-1.0 (backgrounds/mrmamurk, backgrounds/ramon)",
    "visp-images-data": "GPL-2 (Inria ViSP data; the 1927 Solvay photograph is public domain)",
    "gcompris-qt-data": "GPL-3+ or CC-BY-SA-4.0, per file block of debian/copyright",
}
# mypaint files that are another file of the package recoloured or rescaled (normalised
# cross-correlation 0.85-0.96 at the right scale): one capture, so only one of each is used
MYPAINT_SAME_CAPTURE = {"mamurk_a_2", "mamurk_e_1", "HR_SketchPaper 02"}
# gcompris activities (Qt .rcc bundles, unpacked with PySide6.QtCore.QResource) holding real photos
GCOMPRIS = {  # activity: (kind, file pattern); only files of at least 400 x 300 px are used
    "erase": ("photo", "*.webp"),
    "explore_world_animals": ("photo", "*.webp"),
    "explore_farm_animals": ("photo", "*.webp"),
    "explore_monuments": ("photo", "*.webp"),
    "clickgame": ("lowtexture", "sea*.webp"),  # six underwater sea photos (not the fish sprites)
}
SEED = 20261203
EDITS_PER_SOURCE = 18  # of the 44 in dupset_edits, plus original and byte copy
LONG_SIDE = 1024
VISP = "usr/share/visp-images-data/ViSP-images"
N_TEMPLATES = 16  # document layouts x 3 pages
N_APPS = 16  # app layouts x 3 screens
DISTINCT_PAIRS = 500  # random pairs of different captures listed per split as `distinct`
BALANCED = {"document", "screenshot", "videoframe"}
# real camera sequences, (folder, frame glob); left out: Castle-simu (rendered) and ellipse-1 /
# line (a flat white shape on black that looks rendered; could not be confirmed as camera frames)
VIDEO_SEQS = {
    "visp_cube": ("cube", "image.*.pgm"),
    "visp_mire2": ("mire-2", "image.*.pgm"),
    "visp_mbtcube": ("mbt/cube", "image*.pgm"),
    "visp_castel": ("mbt-depth/castel/castel", "*.pgm"),
}
# Oxford pairs judged by eye to be different exposures of one scene (benchmarks/dupset_bursts.py
# lists the 80 most similar pairs by the shipped model's cosine, overall and among neighbouring
# file numbers; each was looked at side by side). burst: same photographer seconds apart (people
# moved, camera panned); reshoot: same viewpoint at another time (light, sky, people differ).
BURSTS: list[tuple[str, str, str]] = [
    ("magdalen_001142", "magdalen_001147", "burst"),  # same woman, other expression
    ("magdalen_001142", "magdalen_001152", "burst"),
    ("magdalen_001147", "magdalen_001152", "burst"),
    ("balliol_000156", "balliol_000161", "burst"),  # group of four, poses changed
    ("ashmolean_000286", "ashmolean_000291", "burst"),  # frieze, camera panned (partial overlap)
    ("worcester_000135", "worcester_000140", "burst"),  # train moved
    ("christ_church_000984", "christ_church_000989", "burst"),  # garden, camera panned
    ("magdalen_000246", "magdalen_000251", "burst"),  # man fixing a screen, moved
    ("oriel_000092", "oriel_000097", "burst"),  # party table, people moved
    ("magdalen_000134", "magdalen_000140", "burst"),  # man with plank, reframed
    ("radcliffe_camera_000381", "radcliffe_camera_000412", "reshoot"),  # from the tower
    ("radcliffe_camera_000381", "radcliffe_camera_000397", "reshoot"),
    ("radcliffe_camera_000209", "radcliffe_camera_000270", "reshoot"),
    ("radcliffe_camera_000209", "radcliffe_camera_000218", "reshoot"),
    ("radcliffe_camera_000397", "radcliffe_camera_000556", "reshoot"),
    ("radcliffe_camera_000050", "radcliffe_camera_000093", "reshoot"),  # from the square
    ("radcliffe_camera_000063", "radcliffe_camera_000074", "reshoot"),
    ("radcliffe_camera_000074", "radcliffe_camera_000093", "reshoot"),
    ("oxford_002503", "oxford_002985", "reshoot"),  # All Souls through the arch
    ("all_souls_000040", "all_souls_000055", "reshoot"),  # the same arch, dusk vs sunset
    ("magdalen_000519", "magdalen_000576", "reshoot"),  # the tower across the lawn
    ("oxford_000904", "oxford_000910", "reshoot"),  # Bridge of Sighs, one with sun flare
    ("christ_church_000836", "christ_church_000854", "reshoot"),  # garden and cathedral
]
# Oxford photos of people, chosen by eye among the 96 nearest (shipped model) to seven people
# photos seen while judging bursts; labelled ones are skipped in collect_sources.
PEOPLE = [
    "trinity_000085",
    "new_000357",
    "jesus_000325",
    "magdalen_000660",
    "trinity_000327",
    "trinity_000033",
    "jesus_000122",
    "magdalen_000169",
    "magdalen_000257",
    "jesus_000194",
    "new_000040",
    "keble_000032",
    "cornmarket_000073",
    "magdalen_000665",
    "magdalen_000300",
    "oxford_000760",
    "oriel_000077",
    "oxford_001453",
    "new_000878",
    "magdalen_000313",
    "radcliffe_camera_000251",
    "new_000648",
    "oxford_002903",
    "balliol_000172",
    "oxford_001535",
    "christ_church_000062",
]


NOTES = (
    "Split '{split}' of benchmarks/dupset.py (seed {seed}). groups partition files: every pair "
    "inside a group is one capture (a true pair), every pair across groups is a false pair. "
    "negative_pairs names hard false pairs per kind for per-kind reporting; 'distinct' is a fixed "
    "random sample. Oxford photos that are not sources are unedited singletons (edit "
    "'unedited_negative'). origin 'oxford' = Oxford5k-subset photos, which the shipped model was "
    "fine-tuned on (report oxford and non-oxford origins separately). Provenance: ../manifest.json."
)
HOLDOUT_NOTE = " HOLDOUT: tune nothing on this split; report on it."


def key_hash(key: str) -> bytes:
    return hashlib.sha1(f"{SEED}:{key}".encode()).digest()


def split_of(key: str) -> str:
    return "tune" if key_hash(key)[0] < 128 else "holdout"


# ---------------------------------------------------------------- packages


def ensure_packages(
    pkgs: Path, packages: list[str] | None = None, licences: dict[str, str] | None = None
) -> dict[str, dict]:
    """Unpack each package into pkgs/<name> (apt-get download when missing); name -> info.

    `packages` and `licences` default to this set's (dupset_fresh passes its own).
    """
    packages = PACKAGES if packages is None else packages
    licences = LICENCES if licences is None else licences
    info = {}
    debs = pkgs / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    for name in packages:
        if name in RESERVED or name.startswith("lomiri-wallpapers"):
            raise SystemExit(f"{name} is reserved data and must not be used")
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
        info[name] = {
            "package": name,
            "version": version,
            "deb": deb.name,
            "licence": licences[name],
        }
    if "gcompris-qt-data" in packages:
        unpack_gcompris(pkgs)
    return info


def unpack_gcompris(pkgs: Path) -> None:
    """Copy the photos out of gcompris's .rcc bundles into pkgs/gcompris-qt-data-rcc (cached)."""
    dest = pkgs / "gcompris-qt-data-rcc"
    if (dest / "done").exists():
        return
    from PySide6.QtCore import QDirIterator, QFile, QResource  # only here: Qt's rcc reader

    rcc = pkgs / "gcompris-qt-data/usr/share/gcompris-qt/rcc"
    for activity in GCOMPRIS:
        if not QResource.registerResource(str(rcc / f"{activity}.rcc"), f"/{activity}"):
            raise SystemExit(f"{rcc / activity}.rcc: cannot be read as a Qt resource bundle")
        it = QDirIterator(f":/{activity}", QDirIterator.IteratorFlag.Subdirectories)
        while it.hasNext():
            path = it.next()
            if path.endswith(".webp"):
                f = QFile(path)
                f.open(QFile.OpenModeFlag.ReadOnly)
                out = dest / path.lstrip(":/")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(bytes(f.readAll().data()))
                f.close()
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "done").write_text("ok\n")


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
    judged = {n for a, b, _ in BURSTS for n in (a, b)}  # stay unedited negatives
    distractors = [n for n in names if n not in labelled and n not in judged]
    rng.shuffle(distractors)
    sources: list[dict] = []
    used: set[str] = set(judged)
    # names only, to flag overlap; no neardup_dev image is read or used
    neardup = (
        set(json.loads(NEARDUP_NAMES.read_text()).values()) if NEARDUP_NAMES.exists() else set()
    )

    def add(sid: str, kind: str, load: list, key: str, prov: dict) -> None:
        sources.append({"id": sid, "kind": kind, "load": load, "key": key, "prov": prov})

    def ox(n: str, kind: str, prefix: str, load: list | None = None, **extra: object) -> None:
        path = str(OXFORD / "images" / f"{n}.jpg")
        prov = {"dataset": "oxford5k_subset", "file": f"images/{n}.jpg"} | extra
        if n in neardup:  # the same photo is a neardup_dev original (that set is not used here)
            prov["neardup_dev_original"] = True
        add(f"{prefix}_{n}", kind, load or ["file", path], n, prov)
        used.add(n)

    for n in PEOPLE:
        if n in distractors:
            ox(n, "people", "people")
    # night: darkest distractors by mean luminance (looked at: night scenes and dark interiors)
    lum = sorted(
        (float(grey_small(OXFORD / "images" / f"{n}.jpg", 64).mean()), n) for n in distractors
    )
    for mean, n in lum[:16]:
        if mean < 70 and n not in used:
            ox(n, "night", "night", mean_luma=round(mean, 1))
    # lowtexture crops: flattest windows among the next distractors
    cands = [n for n in distractors if n not in used][:200]
    flat = sorted((low_texture_window(OXFORD / "images" / f"{n}.jpg"), n) for n in cands)
    for (energy, box), n in flat[:30]:
        path = str(OXFORD / "images" / f"{n}.jpg")
        ox(
            n,
            "lowtexture",
            "ltcrop",
            ["crop", path, box],
            crop_box_rel=[round(v, 3) for v in box],
            grad_energy=round(energy, 2),
        )
    for n in [n for n in distractors if n not in used][:20]:
        ox(n, "photo", "photo")

    # Debian packages
    def deb(pkg: str, p: Path) -> dict:
        return pkginfo[pkg] | {"file": str(p.relative_to(pkgs / pkg))}

    for p in sorted((pkgs / "palapeli-data/usr/share/palapeli/collection").glob("*.jpg")):
        kind = "night" if p.stem == "cincinnati-bridge" else "photo"
        add(
            f"palapeli_{p.stem}",
            kind,
            ["file", str(p)],
            f"palapeli_{p.stem}",
            deb("palapeli-data", p),
        )
    for activity, (kind, pattern) in GCOMPRIS.items():
        for p in sorted((pkgs / "gcompris-qt-data-rcc" / activity).rglob(pattern)):
            with Image.open(p) as im:
                if im.width < 400 or im.height < 300:  # icons and sprites
                    continue
            sid = f"gcompris_{activity}_{p.stem}"
            prov = pkginfo["gcompris-qt-data"] | {
                "file": f"usr/share/gcompris-qt/rcc/{activity}.rcc",
                "member": str(p.relative_to(pkgs / "gcompris-qt-data-rcc")),
            }
            add(sid, kind, ["file", str(p)], sid, prov)
    for p in sorted((pkgs / "mypaint-data-extras/usr/share/mypaint/backgrounds").glob("*/*.png")):
        if p.stem in MYPAINT_SAME_CAPTURE:
            continue
        sid = "mypaint_" + p.stem.replace(" ", "_")
        add(sid, "lowtexture", ["file", str(p)], sid, deb("mypaint-data-extras", p))
    visp = pkgs / "visp-images-data" / VISP
    solvay = visp / "Solvay" / "Solvay_conference_1927_Version2_1280x881.png"
    add(
        "solvay_1927",
        "people",
        ["file", str(solvay)],
        "solvay_1927",
        deb("visp-images-data", solvay),
    )
    for seq, (folder, pattern) in VIDEO_SEQS.items():
        frames = sorted((visp / folder).glob(pattern))
        for idx, note in video_frame_picks(frames):
            prov = deb("visp-images-data", frames[idx]) | {"sequence": seq, "pick": note}
            add(f"{seq}_f{idx:03d}", "videoframe", ["file", str(frames[idx])], seq, prov)
    # rendered documents and screens
    for t in range(N_TEMPLATES):
        for page in range(3):
            prov = {
                "rendered": "dupset_render.render_document",
                "template": DOC_TEMPLATES[t % len(DOC_TEMPLATES)],
                "variant": t,
                "page": page,
            }
            add(f"doc_t{t:02d}_p{page}", "document", ["doc", t, page], f"doctemplate_{t}", prov)
    for a in range(N_APPS):
        for s in range(3):
            prov = {
                "rendered": "dupset_render.render_screen",
                "app": APPS[a % len(APPS)],
                "variant": a,
                "screen": s,
            }
            add(f"screen_a{a:02d}_s{s}", "screenshot", ["screen", a, s], f"app_{a}", prov)
    negatives = [n for n in names if n not in used or n in judged]
    return sources, negatives, groups


def frame_mad(a: Path, b: Path) -> float:
    pa = np.asarray(Image.open(a).convert("L"), dtype=np.float32)
    pb = np.asarray(Image.open(b).convert("L"), dtype=np.float32)
    return float(np.abs(pa - pb).mean())


def video_frame_picks(frames: list[Path]) -> list[tuple[int, str]]:
    """Two anchors per sequence, each with the next frame that differs slightly (mean absolute
    difference >= 2.5 grey levels: small motion) and one that differs clearly (>= 8).

    Frames closer than that are left out: mbt/cube repeats frames exactly (MAD 0), and sensor
    noise alone gives MAD ~1, so such a pair could be one exposure stored twice.
    """
    picks: list[tuple[int, str]] = []
    for anchor in (len(frames) // 5, (3 * len(frames)) // 5):
        picks.append((anchor, "anchor"))
        for lo in (2.5, 8.0):
            for j in range(anchor + 1, len(frames)):
                mad = frame_mad(frames[anchor], frames[j])
                if mad >= lo:
                    picks.append((j, f"mad {mad:.1f} to frame {anchor}"))
                    break
    return sorted(set(picks))


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
        if edit in ("exif_rot90", "heic"):  # the edits most likely to go wrong silently
            check = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
            if check.size != base.size:
                raise SystemExit(f"{spec['id']} {edit}: decodes as {check.size}, not {base.size}")
        name = f"{spec['id']}__{edit}.{ext}"
        (out / name).write_bytes(data)
        written.append((name, edit))
    return written


def origin_of(prov: dict) -> str:
    """oxford (photos the shipped model was fine-tuned on), debian:<package>, or rendered."""
    if prov.get("dataset") == "oxford5k_subset":
        return "oxford"
    return f"debian:{prov['package']}" if "package" in prov else "rendered"


def oxford_split_keys(groups: list[list[str]]) -> dict[str, str]:
    """Landmark groups and judged burst pairs, joined where they share a photo, split as one."""
    parent: dict[str, str] = {}

    def find(n: str) -> str:
        while parent.setdefault(n, n) != n:
            n = parent[n]
        return n

    for members in [*groups, *([a, b] for a, b, _ in BURSTS)]:
        for n in members[1:]:
            ra, rb = find(members[0]), find(n)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {n: f"oxford_set_{find(n)}" for n in list(parent)}


def negative_pairs(
    split_sources: list[dict], oxford_names: set[str], groups: list[list[str]], rng: random.Random
) -> list[dict]:
    pairs: list[dict] = []
    orig = {s["id"]: f"{s['id']}__original.jpg" for s in split_sources}
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for s in split_sources:
        by_kind[s["kind"]].append(s)
    judged = {frozenset((a, b)) for a, b, _ in BURSTS}
    for a, b, kind in BURSTS:
        if a in oxford_names and b in oxford_names:
            note = "Oxford, judged by eye"
            pairs.append({"a": f"{a}.jpg", "b": f"{b}.jpg", "kind": kind, "note": note})
    landmark_pairs = set()
    for g in groups:
        present = sorted(n for n in g if n in oxford_names)
        for a, b in itertools.combinations(present, 2):
            if frozenset((a, b)) not in judged and (a, b) not in landmark_pairs:
                landmark_pairs.add((a, b))
                pairs.append({"a": f"{a}.jpg", "b": f"{b}.jpg", "kind": "same-landmark"})

    def within(kind: str, negkind: str, key: str | None) -> None:
        for a, b in itertools.combinations(by_kind[kind], 2):
            if key is None or a["key"] == b["key"]:
                pair = {"a": orig[a["id"]], "b": orig[b["id"]], "kind": negkind}
                if kind == "videoframe":
                    pair["note"] = f"ViSP video frames, {a['key']}"
                pairs.append(pair)

    within("lowtexture", "lowtexture-different", None)
    within("document", "document-different", "key")
    within("screenshot", "screenshot-different", "key")
    within("videoframe", "reshoot", "key")
    everything = sorted(orig.values()) + sorted(f"{n}.jpg" for n in oxford_names)
    hard = {frozenset((p["a"], p["b"])) for p in pairs}
    ids = {v: k for k, v in orig.items()}
    seen: set[frozenset] = set()
    for _ in range(50 * DISTINCT_PAIRS if len(everything) > 1 else 0):  # bounded: tiny sets
        if len(seen) == DISTINCT_PAIRS:
            break
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
    # few keys (templates, apps, video sequences) alternate in hash order so both splits get half
    alternate = {}
    for kind in sorted(BALANCED):
        grouped = sorted({s["key"] for s in sources if s["kind"] == kind}, key=key_hash)
        alternate |= {k: ("tune", "holdout")[i % 2] for i, k in enumerate(grouped)}
    for s in sources:
        s["split"] = alternate.get(s["key"]) or split_of(s["key"])
    keys = oxford_split_keys(groups)
    neg_split = {n: split_of(keys.get(n, n)) for n in negatives}
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
            t["files"][name] = {
                "source": s["id"],
                "kind": s["kind"],
                "edit": edit,
                "origin": origin_of(s["prov"]),
            }
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
            "origin": "oxford",
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
        t["notes"] = NOTES.format(split=sp, seed=SEED) + (HOLDOUT_NOTE if sp == "holdout" else "")
        (tmp / sp / "truth.json").write_text(json.dumps(t, indent=1, sort_keys=True))
        for r, a, b in audit(tmp / sp / "images", t):
            print(f"look-alike across groups ({sp}): {a} {b} r={r:.3f}", file=sys.stderr)
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    swap_in(tmp, out)
    print(f"built {out} in {time.time() - t0:.0f} s", file=sys.stderr)
    return out


def audit(folder: Path, truth: dict, limit: float = 0.97) -> list[tuple[float, str, str]]:
    """Pairs of unedited files in different groups whose 32x32 grey thumbnails correlate above
    `limit`: each is either a hard negative or a same-capture mistake, so the build prints them
    for a person to look at (the ones seen so far are listed in NOTES-devset.md)."""
    names = sorted(
        n for n, f in truth["files"].items() if f["edit"] in ("original", "unedited_negative")
    )
    rows = []
    for n in names:
        im = Image.open(folder / n)
        im.draft("L", (64, 64))
        a = np.asarray(im.convert("L").resize((32, 32), Image.Resampling.BOX), np.float32).ravel()
        rows.append((a - a.mean()) / (a.std() + 1e-6) / np.sqrt(a.size))
    m = np.stack(rows)
    sim = m @ m.T
    hits = []
    kinds = [truth["files"][n]["kind"] for n in names]
    for i, j in zip(*np.nonzero(np.triu(sim, 1) > limit), strict=True):
        if kinds[i] == kinds[j] and kinds[i] in BALANCED:
            continue  # pages of one layout, screens of one app, frames of one video: expected
        hits.append((float(sim[i, j]), names[i], names[j]))
    return sorted(hits, reverse=True)


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
    """A markdown table: files per kind, origin and edit, and negative pairs per kind, per split."""
    counts: dict[str, Counter] = {}
    for sp in ("tune", "holdout"):
        t = json.loads((out / sp / "truth.json").read_text())
        files = list(t["files"].values())
        c: Counter = Counter()
        c["files"] = len(files)
        c["groups (captures)"] = len(t["groups"])
        c["groups with edits"] = sum(len(g) > 1 for g in t["groups"])
        for f in files:
            c[f"files, kind {f['kind']}"] += 1
            c[f"files, origin {f.get('origin', '?')}"] += 1
            c[f"files, edit {f['edit']}"] += 1
        for f in files:
            if f["edit"] == "original":
                c[f"sources, kind {f['kind']}"] += 1
        for pair in t["negative_pairs"]:
            c[f"negative pairs, {pair['kind']}"] += 1
        counts[sp] = c
    order = ["files", "groups (captures)", "groups with edits"]
    rest = sorted(set(counts["tune"]) | set(counts["holdout"]), key=lambda k: (k.split(",")[0], k))
    rows = ["| | tune | holdout |", "|---|---:|---:|"]
    for key in order + [k for k in rest if k not in order]:
        rows.append(f"| {key} | {counts['tune'][key]} | {counts['holdout'][key]} |")
    return "\n".join(rows)


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
