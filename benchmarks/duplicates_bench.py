"""Duplicate finding: pair precision/recall per tier, baselines, thresholds, and 100k scaling.

    python benchmarks/duplicates_bench.py                      # neardup_dev + generated edits
    python benchmarks/duplicates_bench.py --synthetic 100000   # time and memory at 100k photos

Datasets (each indexed with the real pipeline into a cached library under --work; a new model
re-embeds automatically):
  * neardup_dev: 50 originals x 15 edits + 113 hard negatives (other photos of the same
    buildings), from ../shared/benchdata.
  * oxford_edits: edited copies generated here from Oxford distractors (in no group or junk list,
    not neardup_dev originals) with edits neardup_dev lacks, beside 150 unedited distractors.

Ground truth: near = the labelled groups; exact = files whose decoded upright pixels are identical
(computed here by decoding every file, independent of the engine). Pair precision/recall: every
pair inside a group is a pair. Baselines run on the same files in the same run: imagededup's PHash
at its default threshold (from a separate venv, --imagededup-python) and Debian's findimagedupes.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageEnhance  # noqa: E402

from core import index as _load_runtime_first  # noqa: E402, F401  (onnxruntime before usearch)
from core.catalog import Embedded  # noqa: E402
from core.decode import load_rgb  # noqa: E402
from core.duplicates import (  # noqa: E402
    DuplicateOptions,
    Thresholds,
    find_duplicates,
    hash_distance,
    thresholds_for,
)
from core.errors import NotAnImageError  # noqa: E402
from core.library import Library  # noqa: E402
from core.pipeline import index_library  # noqa: E402
from core.records import PhotoMeta  # noqa: E402

DATA = REPO.parent / "shared" / "benchdata"
Pair = tuple[str, str]
EDITS = (
    "copy", "comment", "png_same", "resize70", "jpeg35", "crop75_corner", "crop90",
    "rot270_pixels", "rot90_exif8", "rot180", "tilt-3", "warm", "watermark", "border", "heic",
)  # fmt: skip


# -- data --------------------------------------------------------------------------------------
def _edit(image: Image.Image, edit: str, rng: random.Random) -> tuple[Image.Image, dict]:
    w, h = image.size
    if edit == "resize70":
        return image.resize((int(w * 0.7), int(h * 0.7)), Image.Resampling.LANCZOS), {}
    if edit == "jpeg35":
        return image, {"quality": 35}
    if edit == "crop75_corner":
        return image.crop((0, 0, int(w * 0.75), int(h * 0.75))), {}
    if edit == "crop90":
        dx, dy = rng.randint(0, w // 10), rng.randint(0, h // 10)
        return image.crop((dx, dy, dx + int(w * 0.9), dy + int(h * 0.9))), {}
    if edit == "rot270_pixels":
        return image.transpose(Image.Transpose.ROTATE_90), {}
    if edit == "rot90_exif8":  # pixels stored turned, tag 8 turns them back: displays upright
        exif = Image.Exif()
        exif[0x0112] = 8
        return image.transpose(Image.Transpose.ROTATE_270), {"exif": exif}
    if edit == "rot180":
        return image.transpose(Image.Transpose.ROTATE_180), {}
    if edit == "tilt-3":
        turned = image.rotate(-3, Image.Resampling.BICUBIC, expand=False)
        return turned.crop((int(w * 0.04), int(h * 0.04), int(w * 0.96), int(h * 0.96))), {}
    if edit == "warm":
        warm = ImageEnhance.Color(image).enhance(1.6)
        r, g, b = warm.split()
        return Image.merge("RGB", (r.point(lambda v: min(255, v + 20)), g, b)), {}
    if edit == "watermark":
        marked = image.copy()
        draw = ImageDraw.Draw(marked)
        for i in range(3):
            draw.text((w * 0.1 + i * w * 0.25, h * 0.45), "© SAMPLE", fill=(255, 255, 255))
        draw.rectangle([w - 90, h - 30, w - 10, h - 10], fill=(0, 0, 0))
        return marked, {}
    if edit == "border":
        framed = Image.new("RGB", (w + 40, h + 40), (250, 250, 250))
        framed.paste(image, (20, 20))
        return framed, {}
    raise ValueError(edit)


def make_oxford_edits(data: Path, out: Path, originals: int = 25, negatives: int = 150) -> Path:
    """Edited copies of Oxford distractors the benchmark owns (generated once, deterministic)."""
    truth_path = out / "groundtruth.json"
    if truth_path.is_file():
        return out
    oxford = data / "oxford5k_subset"
    truth = json.loads((oxford / "groundtruth.json").read_text())
    details = json.loads((oxford / "groundtruth_details.json").read_text())
    used = {n.rsplit(".", 1)[0] for g in truth["groups"] for n in g}
    junk = details.get("junk", {})
    for names in junk.values() if isinstance(junk, dict) else junk:
        used |= {n.rsplit(".", 1)[0] for n in names}
    originals_json = json.loads((data / "neardup_dev" / "originals.json").read_text())
    used |= {str(v).rsplit(".", 1)[0] for v in originals_json.values()}
    pool = sorted(p for p in (oxford / "images").iterdir() if p.stem not in used)
    rng = random.Random(5)
    rng.shuffle(pool)
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    groups = []
    for n, source in enumerate(pool[:originals]):
        image = load_rgb(source)
        name = f"e{n:03d}"
        image.save(images / f"{name}.jpg", quality=92)
        group = [f"{name}.jpg"]
        original = (images / f"{name}.jpg").read_bytes()
        for edit in EDITS:
            if edit in ("copy", "comment", "png_same"):
                # exact tier: a byte copy, a metadata-only change (a JPEG comment segment
                # inserted, pixels untouched) and the decoded JPEG saved as PNG (same pixels)
                file = f"{name}_{edit}." + ("png" if edit == "png_same" else "jpg")
                if edit == "copy":
                    (images / file).write_bytes(original)
                elif edit == "comment":
                    text = b"edited by a photo manager"
                    segment = b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text
                    (images / file).write_bytes(original[:2] + segment + original[2:])
                else:
                    load_rgb(images / f"{name}.jpg").save(images / file)
                group.append(file)
                continue
            if edit == "heic":
                try:
                    image.save(images / f"{name}_heic.heic", quality=80)
                    group.append(f"{name}_heic.heic")
                except (OSError, KeyError, ValueError):
                    pass
                continue
            edited, kw = _edit(image, edit, rng)
            file = f"{name}_{edit}.jpg"
            edited.save(images / file, quality=kw.pop("quality", 88), **kw)
            group.append(file)
        groups.append(group)
    for source in pool[originals : originals + negatives]:
        shutil.copyfile(source, images / f"neg_{source.name}")
    truth_path.write_text(json.dumps({"groups": groups}, indent=1))
    return out


def indexed(dataset: Path, work: Path, model: Path | None) -> Path:
    """A library of the dataset's images (incremental: cached across runs, re-embedded on a new
    model)."""
    folder = work / f"lib_{dataset.name}"
    with Library(folder, writer=True, model=model) as library:
        index_library(library, [str(dataset / "images")], workers=None)
    return folder


def pixel_truth(images: Path) -> list[list[str]]:
    """Groups of files with identical decoded upright pixels (decoded here, all of them)."""
    by_digest: dict[str, list[str]] = {}
    for path in sorted(images.iterdir()):
        try:
            image = load_rgb(path)
        except NotAnImageError:
            continue
        digest = hashlib.sha1(repr(image.size).encode() + image.tobytes()).hexdigest()
        by_digest.setdefault(digest, []).append(path.name)
    return [g for g in by_digest.values() if len(g) > 1]


# -- scoring -----------------------------------------------------------------------------------
def pairs_of(groups: Iterable[Iterable[str]]) -> set[Pair]:
    out: set[Pair] = set()
    for group in groups:
        names = sorted({Path(n).name for n in group})
        out |= set(itertools.combinations(names, 2))
    return out


def score(predicted: set[Pair], true: set[Pair]) -> dict:
    tp = len(predicted & true)
    return {
        "precision": tp / len(predicted) if predicted else None,
        "recall": tp / len(true) if true else None,
        "predicted": len(predicted),
        "true": len(true),
        "false_pairs": len(predicted - true),
    }


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def missed_by_edit(predicted: set[Pair], truth: list[list[str]]) -> dict[str, int]:
    """Per edit kind, copies that ended up in no group with their original."""
    missed: dict[str, int] = {}
    for group in truth:
        original = group[0]
        for name in group[1:]:
            if tuple(sorted((original, name))) not in predicted:
                kind = name.split("_", 1)[-1].rsplit(".", 1)[0]
                missed[kind] = missed.get(kind, 0) + 1
    return missed


# -- baselines ---------------------------------------------------------------------------------
IMAGEDEDUP_SCRIPT = """
import json, sys
from imagededup.methods import PHash
found = PHash(verbose=False).find_duplicates(image_dir=sys.argv[1])
print(json.dumps(found))
"""


def imagededup_pairs(python: str, images: Path) -> set[Pair] | None:
    if not python or not Path(python).exists():
        return None
    done = subprocess.run(
        [python, "-c", IMAGEDEDUP_SCRIPT, str(images)], capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        print(f"  imagededup failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {tuple(sorted((a, b))) for a, dups in found.items() for b in dups}


def findimagedupes_pairs(images: Path) -> set[Pair] | None:
    exe = shutil.which("findimagedupes")
    if exe is None:
        return None
    done = subprocess.run([exe, str(images)], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        print(f"  findimagedupes failed: {done.stderr.strip()[-200:]}")
        return None
    return pairs_of(line.split() for line in done.stdout.splitlines() if line.strip())


# -- calibration table ---------------------------------------------------------------------------
def threshold_table(folder: Path, truth: list[list[str]]) -> list[str]:
    """Per edit kind: cosine and pHash distance to the original; and what the negatives reach."""
    with Library(folder) as library:
        files = list(library.catalog.indexed_files())
        by_name = {Path(f.path).name: f for f in files}
        keys = sorted({f.key for f in files})
        got, vectors = library.catalog.vectors(library.model.dim, keys)
        vec = {int(k): v for k, v in zip(got, vectors, strict=True)}
        t = thresholds_for(library.model)
    kinds: dict[str, list[tuple[float, int, int]]] = {}
    for group in truth:
        o = by_name.get(group[0])
        for name in group[1:]:
            f = by_name.get(name)
            if o is None or f is None:
                continue
            cos = float(vec[o.key] @ vec[f.key])
            plain = ((o.meta.phash ^ f.meta.phash) & (2**64 - 1)).bit_count()
            turned = hash_distance(o.meta.phash, f.meta.phash)
            kind = name.split("_", 1)[-1].rsplit(".", 1)[0]
            kinds.setdefault(kind, []).append((cos, plain, turned))
    lines = ["edit kind        cos min  cos p10  pHash max  turned max   (vs its original)"]
    for kind, rows in sorted(kinds.items()):
        a = np.asarray(rows)
        lines.append(
            f"{kind:16s} {a[:, 0].min():7.3f}  {np.percentile(a[:, 0], 10):7.3f}  "
            f"{int(a[:, 1].max()):9d}  {int(a[:, 2].max()):10d}"
        )
    member = {n: g for g, group in enumerate(truth) for n in group}
    names = [n for n in by_name if by_name[n].meta.phash is not None]
    m = np.stack([vec[by_name[n].key] for n in names])
    sim = m @ m.T
    false_cos: list[tuple[float, int]] = []
    for i, j in zip(*np.triu_indices(len(names), 1), strict=True):
        a, b = names[i], names[j]
        if member.get(a, -1) == member.get(b, -2) or by_name[a].key == by_name[b].key:
            continue
        if sim[i, j] >= 0.6:
            plain = ((by_name[a].meta.phash ^ by_name[b].meta.phash) & (2**64 - 1)).bit_count()
            false_cos.append((float(sim[i, j]), plain))
    false_cos.sort(reverse=True)
    top = false_cos[0][0] if false_cos else 0.0
    loose = max((c for c, h in false_cos if h <= t.loose_bits), default=0.0)
    tight = max((c for c, h in false_cos if h <= t.hash_bits), default=0.0)
    lines += [
        f"negatives: highest cosine {top:.3f}; with pHash <= {t.loose_bits}: {loose:.3f}; "
        f"with pHash <= {t.hash_bits}: {tight:.3f}",
        "recommended (re-calibrate a new model from these; put them in its manifest's "
        '"duplicates" block):',
        f"  strong        > {top:.2f}  (now {t.strong})",
        f"  loose_cosine  > {loose:.2f} and <= tilt/overlay cos min  (now {t.loose_cosine})",
        f"  hash_cosine   > {tight:.2f} and <= cos min of resize/jpeg/gray  (now {t.hash_cosine})",
        f"  rotated_cosine <= rot* cos min  (now {t.rotated_cosine})",
        f"  verify        <= crop* cos min  (now {t.verify})",
    ]
    return lines


# -- the quality run ---------------------------------------------------------------------------
def run_dataset(name: str, dataset: Path, work: Path, args: argparse.Namespace) -> dict:
    print(f"\n== {name} ({dataset})")
    truth = json.loads((dataset / "groundtruth.json").read_text())["groups"]
    started = time.perf_counter()
    folder = indexed(dataset, work, args.model)
    print(f"indexed in {time.perf_counter() - started:.1f} s")
    images = dataset / "images"
    true_near = pairs_of(truth)
    true_exact = pairs_of(pixel_truth(images))
    result: dict = {"dataset": name}
    rows = []
    with Library(folder, model=args.model) as library:
        model_name = f"{library.model.name} v{library.model.version}"
        for mode in ("exact", "near", "similar"):
            started = time.perf_counter()
            groups = find_duplicates(library, DuplicateOptions(mode=mode))
            seconds = time.perf_counter() - started
            predicted = pairs_of(g.paths for g in groups)
            truth_pairs = true_exact if mode == "exact" else true_near
            s = score(predicted, truth_pairs)
            s.update(seconds=round(seconds, 2), groups=len(groups))
            if mode == "near":
                s["missed_by_edit"] = missed_by_edit(predicted, truth)
            result[mode] = s
            rows.append((f"simili {mode}", s, f"{seconds:.1f} s"))
    result["model"] = model_name
    if not args.skip_baselines:
        for label, fn in (
            (
                "imagededup PHash (default, 10 bits)",
                lambda: imagededup_pairs(args.imagededup_python, images),
            ),
            ("findimagedupes (default, 90%)", lambda: findimagedupes_pairs(images)),
        ):
            started = time.perf_counter()
            found = fn()
            seconds = time.perf_counter() - started
            if found is None:
                rows.append((label, None, "not installed"))
                continue
            s = score(found, true_near)
            s["seconds"] = round(seconds, 2)
            result[label] = s
            rows.append((label, s, f"{seconds:.1f} s"))
    print(f"model: {model_name}")
    print(f"{'method':40s} {'precision':>9s} {'recall':>7s} {'pairs':>6s} {'false':>6s}  time")
    for label, s, note in rows:
        if s is None:
            print(f"{label:40s} {'':>9s} {'':>7s} {'':>6s} {'':>6s}  {note}")
            continue
        print(
            f"{label:40s} {_fmt(s['precision']):>9s} {_fmt(s['recall']):>7s} "
            f"{s['predicted']:6d} {s['false_pairs']:6d}  {note}"
        )
    print("(exact is scored against pixel-identical files; near, similar and the baselines "
          "against the labelled groups)")  # fmt: skip
    print(
        "near: copies not grouped with their original, by edit:", result["near"]["missed_by_edit"]
    )
    for line in threshold_table(folder, truth):
        print(line)
    return result


# -- scaling -----------------------------------------------------------------------------------
def synthetic(count: int, work: Path, model: Path | None) -> dict:
    """Time and peak memory of find_duplicates on `count` synthetic photos (no decoding)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from search_bench import Generator

    folder = work / f"synthetic_{count}"
    rng = np.random.default_rng(3)
    started = time.perf_counter()
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        with Library(folder, writer=True, model=model) as library:
            dim = library.model.dim
            gen = Generator(dim, count)
            root = library.catalog.add_root("/synthetic")
            clock = 1.7e9
            for start in range(0, count, 5000):
                vectors = gen.block(start, min(count, start + 5000))
                items = []
                for i, v in enumerate(vectors):
                    n = start + i
                    clock += float(rng.exponential(30.0))
                    taken = time.strftime("%Y:%m:%d %H:%M:%S", time.gmtime(clock))
                    meta = PhotoMeta(
                        4032, 3024, taken, 1, f"cam{n % 3}", int(rng.integers(-(2**63), 2**63 - 1))
                    )
                    items.append(
                        Embedded(f"/synthetic/{n:07d}.jpg", root.id, 3_000_000, 0, f"h{n}", v, meta)
                    )
                library.catalog.write(items)
            index_started = time.perf_counter()
            _ = library.index  # builds the HNSW index from the catalogue and saves it
            print(f"index built in {time.perf_counter() - index_started:.0f} s")
        (folder / "done").write_text("ok")
    build = time.perf_counter() - started
    print(f"synthetic library of {count} photos ready in {build:.0f} s")
    out: dict = {"photos": count}
    with Library(folder, model=model) as library:
        for mode in ("near", "similar"):
            started = time.perf_counter()
            groups = find_duplicates(library, DuplicateOptions(mode=mode))
            seconds = time.perf_counter() - started
            out[mode] = {"seconds": round(seconds, 1), "groups": len(groups)}
            print(f"{mode}: {seconds:.1f} s, {len(groups)} groups")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["peak_rss_mb"] = round(rss)
    print(f"peak RSS of this process: {rss:.0f} MB")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "simili-dupbench"
    )
    parser.add_argument(
        "--model", type=Path, default=None, help="model manifest (default: shipped)"
    )
    parser.add_argument(
        "--imagededup-python",
        default="/tmp/idd/bin/python",
        help="python of a venv with imagededup (kept apart: it pulls torch)",
    )
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="scaling run only")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.synthetic:
        results: object = synthetic(args.synthetic, args.work, args.model)
    else:
        print(f"defaults: {Thresholds()}")
        edits = make_oxford_edits(args.data, args.work / "oxford_edits")
        results = [
            run_dataset("neardup_dev", args.data / "neardup_dev", args.work, args),
            run_dataset("oxford_edits", edits, args.work, args),
        ]
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
