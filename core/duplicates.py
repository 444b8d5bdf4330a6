"""Duplicate finding in three tiers (exact, near-duplicate, similar shots), keep-best and decisions.

* **exact**: byte-identical files (one content key, several paths) and files whose pixels are
  identical though their bytes differ (metadata or container only). Candidates share dimensions
  and pHash and have cosine ≈ 1; only those are decoded and compared pixel by pixel.
* **near**: the same photo after edits. Candidates are each photo's nearest neighbours in the
  vector index (k per photo, so it scales) plus photos whose pHash matches a 90°/180°/270° turn
  of theirs (a multi-index lookup, not all pairs). A candidate pair is confirmed by a cheap check
  — a very high cosine, a close pHash, a close turned pHash — and otherwise, when the cosine is
  still high, by comparing small decodes of the two (normalised cross-correlation over crops).
* **similar**: shots of one scene seconds apart: same camera, EXIF time within a gap, similar.

Groups are built by union-find over confirmed pairs, strongest first. A merge is refused when it
would join files a user marked "not duplicates" / "keep all", or when the two groups' anchors
(their largest photos) are not at least loosely similar, so one ambiguous photo cannot chain two
different photos together. A file appears in at most one group. Thresholds that depend on the
model live in `Thresholds`; a model manifest may override them in a `"duplicates"` block.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageFilter

from core.catalog import Decision, IndexedFile
from core.decode import load_rgb
from core.errors import NotAnImageError, PhotoNotInLibraryError, SimiliError
from core.pathtext import parse
from core.records import DuplicateFile, DuplicateGroup, Progress
from core.scanner import normalise
from core.tasks import CancelToken, ProgressCallback

if TYPE_CHECKING:
    from core.embedder import ModelInfo
    from core.library import Library

MODES = ("exact", "near", "similar")
# How much evidence an edited-copies pair needs: "strict" (default) confirms only what the
# verifier is sure of, "loose" also what it finds likely. Exact copies are the same at every level.
STRICTNESS = ("strict", "normal", "loose")
NOT_DUPLICATES = "not_duplicates"
KEEP_ALL = "keep_all"
DEFAULT_GAP_S = 10.0
_TIER_RANK = {"exact": 0, "near": 1, "similar": 2}
# Formats a camera or phone writes; PNG/WebP/GIF/BMP beside one of these are re-encoded copies.
ORIGINAL_FORMATS = frozenset(
    {"JPEG", "HEIC", "DNG", "CR2", "CR3", "NEF", "ARW", "RAF", "ORF", "RW2"}
)
_FORMATS = {
    "jpg": "JPEG", "jpeg": "JPEG", "jpe": "JPEG", "jfif": "JPEG", "heic": "HEIC", "heif": "HEIC",
    "hif": "HEIC", "png": "PNG", "webp": "WEBP", "tif": "TIFF", "tiff": "TIFF", "gif": "GIF",
    "bmp": "BMP",
}  # fmt: skip
SEARCH_CHUNK = 2048
# HNSW effort of the neighbour scan: duplicates are very close neighbours, found at a fraction
# of the effort a user's top-k search needs (benchmarks/duplicates_bench.py, neardup_dev).
SCAN_EXPANSION = 64
THUMB_SIDE = 96  # long side of the decodes compared for crops, tilts and overlays
THUMB_CACHE = 4096
_SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
MARGIN = 0.06  # trimmed from each side of a photo's detail before comparing
_MASK = 0xFFFFFFFFFFFFFFFF
_MAX_BUCKET = 4096  # pHash buckets larger than this are degenerate (blank photos): skipped


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Cut-offs of the near-duplicate and similar-shot checks; they depend on the model.

    Calibrated with `benchmarks/duplicates_bench.py` (which prints a table to re-calibrate a new
    model); a model manifest may override any of them in an optional `"duplicates"` object.
    """

    neighbours: int = 16  # nearest neighbours looked at per photo
    candidate: float = 0.60  # neighbours below this cosine are never near-duplicates
    strong: float = 0.97  # cosine that confirms a pair on its own
    hash_bits: int = 10  # pHash distance (of 64 bits) that confirms a pair …
    hash_cosine: float = 0.70  # … together with at least this cosine
    loose_bits: int = 16  # a looser pHash distance (tilts, small overlays) …
    loose_cosine: float = 0.85  # … needs a higher cosine
    rotated_bits: int = 8  # pHash distance to a 90°/180°/270° turn that confirms a pair …
    rotated_cosine: float = 0.45  # … together with at least this cosine
    verify: float = 0.65  # pairs above this cosine, unconfirmed so far, get compared in pixels
    verify_ncc: float = 0.55  # normalised cross-correlation that confirms such a pair
    verify_tries: int = 6  # pixel comparisons per photo, most similar candidates first
    anchor: float = 0.45  # groups merge only when their anchors are at least this similar
    pixel_cosine: float = 0.98  # pixel-identical candidates (then compared pixel by pixel)
    similar: float = 0.85  # default similarity of two shots of one burst


def thresholds_for(model: ModelInfo | None) -> Thresholds:
    """The model's thresholds: the defaults, overridden by its manifest's `"duplicates"` block."""
    if model is None:
        return Thresholds()
    try:
        block = json.loads(Path(model.manifest).read_text(encoding="utf-8")).get("duplicates")
    except (OSError, ValueError, AttributeError):
        return Thresholds()
    if not isinstance(block, dict):
        return Thresholds()
    known = {f.name for f in fields(Thresholds)}
    values: dict[str, object] = {}
    for name, value in block.items():
        if name in known and isinstance(value, int | float):
            values[name] = (
                int(value)
                if name in ("neighbours", "hash_bits", "loose_bits", "rotated_bits", "verify_tries")
                else float(value)
            )
    return replace(Thresholds(), **values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class DuplicateOptions:
    """What to look for: `mode` is a level (exact ⊂ near ⊂ similar)."""

    mode: str = "near"
    gap_s: float = DEFAULT_GAP_S  # similar shots: at most this far apart in EXIF time
    min_similarity: float | None = None  # similar shots: cosine floor (None: the model's)
    thresholds: Thresholds | None = None  # None: the model's (manifest, else defaults)
    verify_pixels: bool = True  # compare decodes for pairs no cheap check confirms
    strictness: str = "strict"  # one of STRICTNESS
    reference: tuple[str, ...] = ()  # folders never trashed from: keep-best prefers their files


# -- union-find with decisions and an anchor guard -----------------------------------------------
class _Groups:
    """Constrained union-find over file indices."""

    def __init__(
        self,
        files: Sequence[IndexedFile],
        decisions: Sequence[Decision],
        similarity: Callable[[int, int], float],
    ) -> None:
        n = len(files)
        self.parent = list(range(n))
        self.size = [1] * n
        self.anchor = list(range(n))
        self.tier = [0] * n
        self.files = files
        self.similarity = similarity
        # Per file, the decisions it is in: (decision id, its hash, its path is listed).
        by_hash: dict[str, list[tuple[int, bool, Decision]]] = {}
        for d in decisions:
            for h in {h for h, _ in d.members}:
                by_hash.setdefault(h, []).append((d.id, False, d))
        self.marks: dict[int, list[tuple[int, str, bool]]] = {}
        for i, f in enumerate(files):
            for decision_id, _, d in by_hash.get(f.content_hash, ()):
                listed = any(p == f.path for _, p in d.members)
                self.marks.setdefault(i, []).append((decision_id, f.content_hash, listed))
        self.marked: dict[int, list[int]] = {i: [i] for i in self.marks}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def _forbidden(self, ra: int, rb: int) -> bool:
        for x in self.marked.get(ra, ()):
            for y in self.marked.get(rb, ()):
                for dx, hx, lx in self.marks[x]:
                    for dy, hy, ly in self.marks[y]:
                        if dx == dy and (hx != hy or (lx and ly)):
                            return True
        return False

    def union(self, a: int, b: int, tier: int, anchor_min: float | None) -> bool:
        """Merge the groups of a and b unless a decision or the anchor guard forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self._forbidden(ra, rb):
            return False
        if anchor_min is not None:
            sim = self.similarity(self.anchor[ra], self.anchor[rb])
            if sim < anchor_min:
                return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.tier[ra] = max(self.tier[ra], self.tier[rb], tier)
        fa, fb = self.files[self.anchor[ra]].meta, self.files[self.anchor[rb]].meta
        if (fb.width or 0) * (fb.height or 0) > (fa.width or 0) * (fa.height or 0):
            self.anchor[ra] = self.anchor[rb]
        if rb in self.marked:
            self.marked.setdefault(ra, []).extend(self.marked.pop(rb))
        return True

    def same(self, a: int, b: int) -> bool:
        return self.find(a) == self.find(b)

    def components(self) -> list[tuple[int, list[int]]]:
        """(tier, members) for every group of two or more files."""
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return [(self.tier[r], m) for r, m in out.items() if len(m) > 1]


# -- perceptual hashes ---------------------------------------------------------------------------
def _hash_bits(hashes: np.ndarray) -> np.ndarray:
    """[N] signed 64-bit pHashes → [N, 8, 8] bits (row-major DCT coefficients, as computed)."""
    raw = np.asarray(hashes, dtype=np.int64).astype(">u8").view(np.uint8).reshape(-1, 8)
    return np.unpackbits(raw, axis=1).reshape(-1, 8, 8)


def _pack_bits(bits: np.ndarray) -> np.ndarray:
    return np.packbits(bits.reshape(-1, 64), axis=1).view(">u8").reshape(-1).astype(np.uint64)


def turned_hashes(hashes: np.ndarray) -> list[np.ndarray]:
    """The pHashes of each photo turned by 90°, 180° and 270°, derived from its own pHash.

    A quarter turn transposes the DCT and negates its odd rows (or columns); negating a
    coefficient flips its bit, because the hash compares coefficients with their median, which
    is close to 0. The DC bit stays. Exact enough that a turned copy lands within a few bits.
    """
    bits = _hash_bits(hashes)
    odd = np.arange(8) % 2 == 1
    out = []
    for turned, mask in (
        (bits.transpose(0, 2, 1), np.broadcast_to(odd[:, None], (8, 8))),
        (bits, (np.add.outer(np.arange(8), np.arange(8)) % 2) == 1),
        (bits.transpose(0, 2, 1), np.broadcast_to(odd[None, :], (8, 8))),
    ):
        flipped = np.where(mask, 1 - turned, turned)
        flipped[:, 0, 0] = bits[:, 0, 0]
        out.append(_pack_bits(flipped))
    return out


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x) if hasattr(np, "bitwise_count") else _popcount_slow(x)


def _popcount_slow(x: np.ndarray) -> np.ndarray:  # numpy < 2
    x = np.asarray(x, np.uint64)
    table = np.array([bin(i).count("1") for i in range(256)], np.uint8)
    return table[x.view(np.uint8).reshape(-1, 8)].sum(axis=1, dtype=np.uint8)


def turned_hash_pairs(hashes: np.ndarray, max_bits: int, turned: bool = True) -> np.ndarray:
    """Pairs (i < j) whose pHashes match after a turn of one of them, within `max_bits`.

    A multi-index lookup instead of all pairs: the 64 bits are split into four 16-bit words and a
    pair is looked at when one word of the turned hash is within one bit of the other's; every
    pair within 7 bits is found (pigeonhole), most within 8-10.
    """
    plain = np.asarray(hashes, dtype=np.int64).astype(np.uint64)
    n = len(plain)
    if n < 2:
        return np.zeros((0, 2), np.int64)
    probes = np.array([0] + [1 << b for b in range(16)], np.uint64)
    found: list[np.ndarray] = []
    tables = []
    for word in range(4):
        values = (plain >> np.uint64(16 * word)) & np.uint64(0xFFFF)
        order = np.argsort(values, kind="stable")
        tables.append((values[order], order))
    for query_hashes in turned_hashes(hashes) if turned else [plain]:
        for word, (sorted_values, order) in enumerate(tables):
            query = (query_hashes >> np.uint64(16 * word)) & np.uint64(0xFFFF)
            for probe in probes:
                q = query ^ probe
                lo = np.searchsorted(sorted_values, q, side="left")
                hi = np.searchsorted(sorted_values, q, side="right")
                counts = hi - lo
                counts[counts > _MAX_BUCKET] = 0
                total = int(counts.sum())
                if total == 0:
                    continue
                rows = np.repeat(np.arange(n), counts)
                starts = np.repeat(lo - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
                cols = order[np.arange(total) + starts]
                keep = (rows != cols) & (_popcount(query_hashes[rows] ^ plain[cols]) <= max_bits)
                if keep.any():
                    found.append(np.stack([rows[keep], cols[keep]], axis=1))
    if not found:
        return np.zeros((0, 2), np.int64)
    pairs = np.sort(np.concatenate(found), axis=1)
    return np.unique(pairs, axis=0)


def hash_distance(a: int, b: int) -> int:
    """PHash bits that differ, the plain way or after turning one photo (the smaller)."""
    x = np.asarray([a], np.int64)
    other = np.uint64(np.int64(b).astype(np.uint64))
    candidates = [x.astype(np.uint64)[0], *(t[0] for t in turned_hashes(x))]
    return min(int(_popcount(np.asarray([c ^ other], np.uint64))[0]) for c in candidates)


# -- pixel checks ---------------------------------------------------------------------------------
class _Thumbs:
    """Small grey decodes, cached (LRU), for the pixel checks."""

    def __init__(self, limit: int = THUMB_CACHE) -> None:
        self.limit = limit
        self.cache: OrderedDict[str, Image.Image | None] = OrderedDict()

    def get(self, path: str) -> Image.Image | None:
        if path in self.cache:
            self.cache.move_to_end(path)
            return self.cache[path]
        try:
            image = load_rgb(Path(path), max_side=THUMB_SIDE).convert("L")
            image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BILINEAR)
        except (NotAnImageError, OSError):
            image = None
        self.cache[path] = image
        if len(self.cache) > self.limit:
            self.cache.popitem(last=False)
        return image


def _window_sums(a: np.ndarray, h: int, w: int) -> np.ndarray:
    c = np.pad(a, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    return c[h:, w:] - c[:-h, w:] - c[h:, :-w] + c[:-h, :-w]


def _ncc(big: np.ndarray, small: np.ndarray) -> float:
    """Best normalised cross-correlation of `small` over every position inside `big`."""
    bh, bw = big.shape
    h, w = small.shape
    t = small - small.mean()
    tn = float(np.sqrt((t * t).sum()))
    if tn < 1e-6:
        return 0.0
    corr = np.fft.irfft2(np.fft.rfft2(big) * np.conj(np.fft.rfft2(t, s=(bh, bw))), s=(bh, bw))
    corr = corr[: bh - h + 1, : bw - w + 1]
    n = h * w
    s1 = _window_sums(big, h, w)
    s2 = _window_sums(big * big, h, w)
    var = np.maximum(s2 - s1 * s1 / n, 1e-6)
    return float((corr / (tn * np.sqrt(var))).max())


def _detail(image: Image.Image) -> np.ndarray:
    """The fine detail of a grey image (it minus a blur): what two different photos don't share."""
    a = np.asarray(image, np.float32)
    return a - np.asarray(image.filter(ImageFilter.BoxBlur(2)), np.float32)


def _trim(detail: np.ndarray) -> np.ndarray:
    """The detail without a margin: frames and borders must not be what two photos share."""
    h, w = detail.shape
    dy, dx = round(h * MARGIN), round(w * MARGIN)
    return detail[dy : h - dy, dx : w - dx]


def _band_match(a: Image.Image, b: Image.Image, bands: int = 6, drop: int = 2) -> float:
    """Detail correlation of two aligned photos over their best horizontal bands.

    A caption bar or a watermark covers a few bands; the rest of the photo still matches.
    """
    if abs(a.width / a.height - b.width / b.height) > 0.03:
        return 0.0
    x = _trim(_detail(a))
    y = _trim(_detail(b.resize(a.size, Image.Resampling.BILINEAR)))
    scores = []
    for rows in np.array_split(np.arange(x.shape[0]), bands):
        u, v = x[rows].ravel(), y[rows].ravel()
        u, v = u - u.mean(), v - v.mean()
        norm = float(np.sqrt((u * u).sum() * (v * v).sum()))
        scores.append(float((u * v).sum()) / norm if norm > 1e-6 else 0.0)
    return float(np.mean(sorted(scores)[drop:]))


def picture_match(a: Image.Image, b: Image.Image) -> float:
    """How well one small grey decode matches the other or a part of it (crop), 0..1.

    The fine detail (high-pass) of each photo is slid over the other's at a few scales (100 %
    down to 50 % of the width), so a crop, a resize, a colour edit still correlate strongly,
    while another photo of the same building, whose coarse layout may agree, does not.
    """
    best = _band_match(a, b)
    for big, small in ((a, b), (b, a)):
        arr = _detail(big)
        bh, bw = arr.shape
        for scale in _SCALES:
            tw = round(scale * bw)
            th = round(tw * small.height / small.width)
            if th > bh:
                th = round(scale * bh)
                tw = round(th * small.width / small.height)
            if tw < 8 or th < 8 or tw > bw or th > bh:
                continue
            # Slide the small photo's interior (its edges may be a frame or a border).
            template = _trim(_detail(small.resize((tw, th), Image.Resampling.BILINEAR)))
            best = max(best, _ncc(arr, template))
    return best


def pixels_identical(a: str, b: str) -> bool:
    """Whether two files decode to exactly the same upright pixels."""
    try:
        x, y = load_rgb(Path(a)), load_rgb(Path(b))
    except NotAnImageError:
        return False
    return x.size == y.size and np.array_equal(np.asarray(x), np.asarray(y))


# -- keep-best ------------------------------------------------------------------------------------
def file_format(path: str) -> str:
    """Upper-case format name from a file's suffix ("JPEG", "PNG", "HEIC", …)."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return _FORMATS.get(suffix, suffix.upper() or "?")


def sharpness(path: str) -> float:
    """Variance of the Laplacian of a small grey decode: higher is sharper (0 if unreadable)."""
    try:
        image = load_rgb(Path(path), max_side=512).convert("L")
    except NotAnImageError:
        return 0.0
    image.thumbnail((512, 512), Image.Resampling.BILINEAR)
    g = np.asarray(image, np.float32)
    if g.shape[0] < 3 or g.shape[1] < 3:
        return 0.0
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var())


def _exif_richness(f: DuplicateFile) -> int:
    return int(f.taken is not None) + int(f.camera is not None)


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def suggest_keeper(
    files: Sequence[DuplicateFile], sharpness_of: Callable[[str], float] = sharpness
) -> tuple[str, str]:
    """The file to keep and why: a suggestion, never acted on without the user.

    Order: highest resolution; then an original format (HEIC/RAW/JPEG) over a re-encoded copy
    (PNG/WebP beside one); then the larger file (less compressed; bytes only compare within a
    format, which is why format comes first); then richer EXIF; then the sharper (computed only
    when still tied); then the first path.
    """
    if not files:
        raise ValueError("no files")
    pool = list(files)
    pixels = {f.path: f.width * f.height for f in pool}
    best = max(pixels.values())
    top = [f for f in pool if pixels[f.path] == best]
    if len(top) == 1:
        runner = max((f for f in pool if f is not top[0]), key=lambda f: pixels[f.path])
        return top[0].path, (
            f"highest resolution: {top[0].width}×{top[0].height} "
            f"(next {runner.width}×{runner.height})"
        )
    has_original = any(file_format(f.path) in ORIGINAL_FORMATS for f in top)
    if has_original and any(file_format(f.path) not in ORIGINAL_FORMATS for f in top):
        originals = [f for f in top if file_format(f.path) in ORIGINAL_FORMATS]
        derived = sorted({file_format(f.path) for f in top} - ORIGINAL_FORMATS)
        if len(originals) == 1:
            return originals[0].path, (
                f"same resolution; original {file_format(originals[0].path)} over re-encoded "
                + "/".join(derived)
            )
        top = originals
    biggest = max(f.size for f in top)
    largest = [f for f in top if f.size == biggest]
    if len(largest) == 1:
        runner_size = max(f.size for f in top if f is not largest[0])
        return largest[0].path, (
            f"same resolution; larger file, less compressed ({_mb(biggest)} vs {_mb(runner_size)})"
        )
    rich = max(_exif_richness(f) for f in largest)
    richest = [f for f in largest if _exif_richness(f) == rich]
    if len(richest) == 1:
        return richest[0].path, "same resolution and size; richer EXIF (date taken, camera)"
    if len({f.content_hash for f in richest}) > 1:
        scores = {f.path: sharpness_of(f.path) for f in richest}
        sharpest = max(scores.values())
        ties = [f for f in richest if scores[f.path] == sharpest]
        if len(ties) == 1:
            return ties[0].path, "same resolution, size and EXIF; sharpest"
        richest = ties
    first = min(richest, key=lambda f: (len(f.path), f.path))
    return first.path, "identical copies; kept the one with the shortest path"


# -- the scan -------------------------------------------------------------------------------------
def _taken_seconds(taken: str | None) -> float | None:
    if not taken:
        return None
    main, _, sub = taken.partition(".")
    try:
        when = dt.datetime.strptime(main.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    frac = float(f"0.{sub}") if sub.isdigit() else 0.0
    return when.replace(tzinfo=dt.timezone.utc).timestamp() + frac


class _Vectors:
    """Vectors of the photos that take part in candidate pairs (float16, fetched in chunks)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.rows: dict[int, np.ndarray] = {}

    def keep(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        for k, v in zip(keys, vectors, strict=True):
            self.rows[int(k)] = v.astype(np.float16)

    def fetch(self, keys: Iterable[int]) -> None:
        missing = sorted({int(k) for k in keys} - self.rows.keys())
        for start in range(0, len(missing), 4096):
            k, v = self.library.catalog.vectors(
                self.library.model.dim, missing[start : start + 4096]
            )
            self.keep(k, v)

    def cosine(self, a: int, b: int) -> float:
        if a == b:
            return 1.0
        if a not in self.rows or b not in self.rows:
            self.fetch([a, b])
        x, y = self.rows.get(a), self.rows.get(b)
        if x is None or y is None:
            return 0.0
        return float(np.dot(x.astype(np.float32), y.astype(np.float32)))


def _neighbour_pairs(
    library: Library,
    keys: np.ndarray,
    t: Thresholds,
    store: _Vectors,
    cancel: CancelToken | None,
    on_progress: ProgressCallback | None,
) -> dict[tuple[int, int], float]:
    """Candidate key pairs (a < b) from each photo's k nearest neighbours, with their cosine."""
    pairs: dict[tuple[int, int], float] = {}
    dim = library.model.dim
    batch_search = library.index_lag == 0
    total = len(keys)
    for start in range(0, total, SEARCH_CHUNK):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk_keys, vectors = library.catalog.vectors(dim, keys[start : start + SEARCH_CHUNK])
        if batch_search:
            hits = library.index.search(vectors, t.neighbours + 1, expansion=SCAN_EXPANSION)
        else:
            hits = [library.nearest(v, t.neighbours + 1) for v in vectors]
        for key, vector, hit in zip(chunk_keys, vectors, hits, strict=True):
            a = int(key)
            good = hit.scores >= t.candidate
            kept = False
            for b, score in zip(hit.keys[good], hit.scores[good], strict=True):
                b = int(b)
                if b == a:
                    continue
                pair = (a, b) if a < b else (b, a)
                pairs[pair] = max(pairs.get(pair, -1.0), float(score))
                kept = True
            if kept:
                store.keep(np.asarray([a]), vector[None])
        if on_progress is not None:
            done = min(start + SEARCH_CHUNK, total)
            on_progress(Progress("duplicates: comparing photos", done, total))
    return pairs


def find_duplicates(
    library: Library,
    options: DuplicateOptions | None = None,
    *,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[DuplicateGroup]:
    """Find duplicate groups in an opened library (a reader is enough).

    Args:
        library: the library to scan.
        options: mode (exact/near/similar, each including the stricter ones) and tuning.
        cancel: checked between batches; raises Cancelled.
        on_progress: Progress records while comparing.

    Returns:
        Groups of two or more files, exact first, then near, then similar; within a kind, the
        most reclaimable space first. Each file is in at most one group.

    Raises:
        SimiliError: unknown mode.
    """
    options = options or DuplicateOptions()
    if options.mode not in MODES:
        raise SimiliError(f"unknown duplicates mode {options.mode!r}; use exact, near or similar")
    t = options.thresholds or thresholds_for(library.model)
    level = _TIER_RANK[options.mode]
    files = list(library.catalog.indexed_files())
    if not files:
        return []
    by_key: dict[int, list[int]] = {}
    for i, f in enumerate(files):
        by_key.setdefault(f.key, []).append(i)
    keys = np.asarray(sorted(by_key), np.uint64)
    store = _Vectors(library)
    groups = _Groups(
        files,
        library.catalog.decisions(),
        lambda i, j: store.cosine(files[i].key, files[j].key),
    )
    # Exact: byte-identical copies share a key.
    for members in by_key.values():
        if len(members) > 1:
            for x, i in enumerate(members):
                for j in members[x + 1 : x + 9] if len(members) > 8 else members[x + 1 :]:
                    groups.union(i, j, 0, None)
    # Exact: identical pixels in another file (metadata, container or codec changed): same size,
    # pHash within a few bits (a JPEG's fast decode path may shift a bit or two), cosine ≈ 1;
    # only those are decoded in full and compared.
    hashed = [k for k in by_key if files[by_key[k][0]].meta.phash is not None]
    if len(hashed) > 1:
        hashes = np.asarray([files[by_key[k][0]].meta.phash for k in hashed], np.int64)
        for i, j in turned_hash_pairs(hashes, 4, turned=False).tolist():
            a, b = hashed[i], hashed[j]
            ia, ib = by_key[a][0], by_key[b][0]
            ma, mb = files[ia].meta, files[ib].meta
            if (ma.width, ma.height) != (mb.width, mb.height) or groups.same(ia, ib):
                continue
            if store.cosine(a, b) >= t.pixel_cosine and pixels_identical(
                files[ia].path, files[ib].path
            ):
                groups.union(ia, ib, 0, None)
    if level >= 1:
        _near(library, files, by_key, keys, t, options, store, groups, cancel, on_progress)
    if level >= 2:
        _similar(files, by_key, options, t, store, groups)
    out = [_group(files, members, tier) for tier, members in groups.components()]
    out.sort(key=lambda g: (_TIER_RANK[g.kind], -g.reclaimable, g.keep))
    if on_progress is not None:
        on_progress(Progress("done", len(keys), len(keys)))
    return out


def _near(
    library: Library,
    files: list[IndexedFile],
    by_key: dict[int, list[int]],
    keys: np.ndarray,
    t: Thresholds,
    options: DuplicateOptions,
    store: _Vectors,
    groups: _Groups,
    cancel: CancelToken | None,
    on_progress: ProgressCallback | None,
) -> None:
    pairs = _neighbour_pairs(library, keys, t, store, cancel, on_progress)
    # Turned copies rarely rank among the nearest neighbours: look them up by turned pHash.
    hashed = [int(k) for k in keys if files[by_key[int(k)][0]].meta.phash is not None]
    if len(hashed) > 1:
        hashes = np.asarray([files[by_key[k][0]].meta.phash for k in hashed], np.int64)
        turned = turned_hash_pairs(hashes, t.rotated_bits)
        new = [(hashed[i], hashed[j]) for i, j in turned if (hashed[i], hashed[j]) not in pairs]
        store.fetch(k for pair in new for k in pair)
        for a, b in new:
            score = store.cosine(a, b)
            if score >= t.rotated_cosine:
                pairs[(a, b)] = score
    # Each photo's pHash and its turned pHashes, as plain ints, for the per-pair checks below.
    hashed_keys = [int(k) for k in keys if files[by_key[int(k)][0]].meta.phash is not None]
    plain_all = np.asarray([files[by_key[k][0]].meta.phash for k in hashed_keys], np.int64)
    turned_all = turned_hashes(plain_all) if len(hashed_keys) else []
    turns = {k: tuple(int(t[i]) for t in turned_all) for i, k in enumerate(hashed_keys)}
    confirmed: list[tuple[float, int, int]] = []
    unsure: list[tuple[float, int, int]] = []
    for (a, b), score in pairs.items():
        ma, mb = files[by_key[a][0]].meta, files[by_key[b][0]].meta
        if score >= t.strong:
            confirmed.append((score, a, b))
            continue
        if ma.phash is not None and mb.phash is not None:
            plain = ((ma.phash ^ mb.phash) & 0xFFFFFFFFFFFFFFFF).bit_count()
            if (plain <= t.hash_bits and score >= t.hash_cosine) or (
                plain <= t.loose_bits and score >= t.loose_cosine
            ):
                confirmed.append((score, a, b))
                continue
            if (
                score >= t.rotated_cosine
                and _turn_compatible(ma, mb)
                and min((x ^ mb.phash & _MASK).bit_count() for x in turns[a]) <= t.rotated_bits
            ):
                confirmed.append((score, a, b))
                continue
        if score >= t.verify:
            unsure.append((score, a, b))
    for _, a, b in sorted(confirmed, reverse=True):
        groups.union(by_key[a][0], by_key[b][0], 1, t.anchor)
    if not options.verify_pixels:
        return
    thumbs = _Thumbs()
    tries: dict[int, int] = {}
    for n, (_, a, b) in enumerate(sorted(unsure, reverse=True)):
        if cancel is not None and n % 64 == 0:
            cancel.raise_if_cancelled()
        ia, ib = by_key[a][0], by_key[b][0]
        if groups.same(ia, ib):
            continue
        # Bounded work: a photo is compared in pixels with its few most similar candidates.
        if tries.get(a, 0) >= t.verify_tries and tries.get(b, 0) >= t.verify_tries:
            continue
        tries[a], tries[b] = tries.get(a, 0) + 1, tries.get(b, 0) + 1
        # Compare the two groups' anchors, not the pair: every member then matches its anchor
        # in pixels, and one lookalike cannot pull two different photos' groups together.
        xa, xb = groups.anchor[groups.find(ia)], groups.anchor[groups.find(ib)]
        if groups.similarity(xa, xb) < t.anchor:
            continue
        checks = [(xa, xb)]
        # A single photo joining a group may also match the member that found it.
        alone_a, alone_b = groups.size[groups.find(ia)] == 1, groups.size[groups.find(ib)] == 1
        if (alone_a and ib != xb) or (alone_b and ia != xa):
            checks.append((ia, ib))
        for u, v in checks:
            x, y = thumbs.get(files[u].path), thumbs.get(files[v].path)
            if x is not None and y is not None and picture_match(x, y) >= t.verify_ncc:
                groups.union(ia, ib, 1, t.anchor)
                break


def _turn_compatible(a: object, b: object) -> bool:
    """Whether b could be a turned copy of a: swapped or equal aspect ratio (within 3 %)."""
    wa, ha = getattr(a, "width", 0) or 0, getattr(a, "height", 0) or 0
    wb, hb = getattr(b, "width", 0) or 0, getattr(b, "height", 0) or 0
    if not (wa and ha and wb and hb):
        return True
    ra, rb = wa / ha, wb / hb
    return abs(ra * rb - 1) < 0.03 or abs(ra / rb - 1) < 0.03


def _similar(
    files: list[IndexedFile],
    by_key: dict[int, list[int]],
    options: DuplicateOptions,
    t: Thresholds,
    store: _Vectors,
    groups: _Groups,
) -> None:
    floor = options.min_similarity if options.min_similarity is not None else t.similar
    timed: list[tuple[str, float, int]] = []
    for k, members in by_key.items():
        m = files[members[0]].meta
        when = _taken_seconds(m.taken)
        if m.camera and when is not None:
            timed.append((m.camera, when, k))
    timed.sort()
    edges: list[tuple[float, int, int]] = []
    candidates: list[tuple[int, int]] = []
    for x, (camera, when, a) in enumerate(timed):
        for camera_b, when_b, b in timed[x + 1 : x + 65]:
            if camera_b != camera or when_b - when > options.gap_s:
                break
            candidates.append((a, b))
    for start in range(0, len(candidates), 8192):
        chunk = candidates[start : start + 8192]
        store.fetch(k for pair in chunk for k in pair)
        for a, b in chunk:
            score = store.cosine(a, b)
            if score >= floor:
                edges.append((score, a, b))
    for _, a, b in sorted(edges, reverse=True):
        groups.union(by_key[a][0], by_key[b][0], 2, min(floor, t.anchor + 0.2))


def _record(f: IndexedFile) -> DuplicateFile:
    m = f.meta
    return DuplicateFile(
        path=f.path,
        size=f.size,
        width=m.width or 0,
        height=m.height or 0,
        format=file_format(f.path),
        taken=m.taken,
        camera=m.camera,
        content_hash=f.content_hash,
    )


def _group(files: list[IndexedFile], members: list[int], tier: int) -> DuplicateGroup:
    records = tuple(sorted((_record(files[i]) for i in members), key=lambda r: r.path))
    keep, reason = suggest_keeper(records)
    kind = ("exact", "near", "similar")[tier]
    return DuplicateGroup(kind, records, keep, reason)


# -- decisions ------------------------------------------------------------------------------------
def record_decision(library: Library, kind: str, paths: Iterable[str]) -> int:
    """Remember that files are "not duplicates" or to "keep all"; later scans respect it.

    The files are stored by content hash and path: a rejected group never comes back, while a
    new copy added later may still pair with one of them.

    Args:
        library: opened as writer.
        kind: NOT_DUPLICATES or KEEP_ALL.
        paths: two or more indexed files.

    Returns:
        The decision's id (for undo: `library.catalog.remove_decision`).

    Raises:
        PhotoNotInLibraryError: a path is not an indexed photo.
        SimiliError: fewer than two files, or an unknown kind.
    """
    members: list[tuple[str, str]] = []
    for raw in paths:
        path = normalise(raw)
        found = library.catalog.lookup(path)
        if found is None and parse(raw) != raw:  # a path as printed with \xHH escapes
            path = normalise(parse(raw))
            found = library.catalog.lookup(path)
        if found is None:
            raise PhotoNotInLibraryError(f"{raw}: not an indexed photo of this library")
        members.append((found[1], path))
    try:
        return library.catalog.add_decision(kind, members)
    except ValueError as exc:
        raise SimiliError(f"cannot record decision: {exc}") from None


def stack_shots(
    library: Library, paths: Sequence[str], gap_s: float = DEFAULT_GAP_S
) -> list[list[str]]:
    """Bursts among some library photos (a result page): stacks of 2+ paths, in `paths` order.

    The similar-shots rule of `find_duplicates` applied to a few hundred files only, so the
    browse grid can show a burst as one cover photo without scanning the whole library.
    """
    t = thresholds_for(library.model)
    timed: list[tuple[str, float, int, int]] = []  # camera, time, key, position
    for position, path in enumerate(paths):
        info = library.catalog.photo_info(path)
        found = library.catalog.lookup(path)
        if info is None or found is None or info[2] is None:
            continue
        meta = info[2]
        when = _taken_seconds(meta.taken)
        if meta.camera and when is not None:
            timed.append((meta.camera, when, found[0], position))
    if len(timed) < 2:
        return []
    timed.sort()
    keys = sorted({k for _, _, k, _ in timed})
    stored_keys, stored = library.catalog.vectors(library.model.dim, keys)
    vectors = {int(k): v for k, v in zip(stored_keys, stored, strict=True)}
    parent = list(range(len(paths)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (cam_a, when_a, key_a, pos_a), (cam_b, when_b, key_b, pos_b) in pairwise(timed):
        if cam_a != cam_b or when_b - when_a > gap_s:
            continue
        a, b = vectors.get(key_a), vectors.get(key_b)
        if a is not None and b is not None and float(a @ b) >= t.similar:
            parent[root(pos_b)] = root(pos_a)
    stacks: dict[int, list[str]] = {}
    for position in sorted({p for *_, p in timed}):
        stacks.setdefault(root(position), []).append(paths[position])
    return [members for members in stacks.values() if len(members) > 1]
