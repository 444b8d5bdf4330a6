"""The duplicate scan: exact copies, edited copies and similar shots, grouped, with a keeper.

Three tiers, never one threshold:

* **exact**: byte-identical files (one content key, several paths) and files whose decoded
  pixels are identical though their bytes differ (metadata or container only).
* **near** ("edited copies"): both files come from the same capture — resized, re-encoded,
  cropped, turned or mirrored, slightly tilted, recoloured, captioned, converted. Candidate
  pairs come from `core.candidates` (nearest neighbours, turned/mirrored pHashes); each is
  confirmed only by evidence of a shared capture from `core.verify` (local features under an
  edit's transform, then the aligned pixels). Two exposures are never edited copies, however
  alike they look.
* **similar** (shots of one scene moments apart): `core.bursts`.

Groups come from `core.grouping` (union-find with the user's decisions; two groups merge only
when their anchors verify too). `strictness` picks how strong the verifier's evidence must be.
Keep-best is in `core.keeper`. Thresholds that depend on the model live in `Thresholds`; a
model manifest may override them in a `"duplicates"` block.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.bursts import DEFAULT_GAP_S, burst_edges, shots, stack_shots, time_pairs
from core.candidates import (
    VectorStore,
    hash_distance,
    hash_pairs,
    neighbour_pairs,
    turned_hash_pairs,
)
from core.catalog import IndexedFile
from core.edit_labels import confirmed, group_labels
from core.errors import PhotoNotInLibraryError, SimiliError
from core.exposure import Exposure, different_exposures, read_exposure
from core.formats import file_format
from core.grouping import Groups
from core.keeper import suggest_keeper
from core.paths import normalise
from core.pathtext import parse
from core.records import DuplicateFile, DuplicateGroup, PairEvidence, Progress
from core.tasks import CancelToken, ProgressCallback
from core.verdicts import VerdictStore
from core.verify import Verdict, Verifier, pixels_identical, swapped

if TYPE_CHECKING:
    from core.embedder import ModelInfo
    from core.library import Library

__all__ = [
    "DEFAULT_GAP_S",
    "KEEP_ALL",
    "MODES",
    "NOT_DUPLICATES",
    "STRICTNESS",
    "DuplicateOptions",
    "Thresholds",
    "find_duplicates",
    "hash_distance",
    "record_decision",
    "stack_shots",
    "suggest_keeper",
    "thresholds_for",
    "turned_hash_pairs",
    "verify_ahead",
]

MODES = ("exact", "near", "similar")
# How much evidence an edited-copies pair needs: "strict" (default) confirms only what the
# verifier is sure of, "loose" also what it finds likely. Exact copies are the same at every level.
STRICTNESS = ("strict", "normal", "loose")
NOT_DUPLICATES = "not_duplicates"
KEEP_ALL = "keep_all"
_TIER_RANK = {"exact": 0, "near": 1, "similar": 2}
VERIFY_CHUNK = 64  # pairs verified in parallel between two checks of the cancel token
LOOKAHEAD = 4 * VERIFY_CHUNK  # pairs held back at most while their groups are being verified
_INT_FIELDS = (
    "neighbours", "rotated_bits", "verify_tries", "hash_tries", "alone_tries", "anchor_tries",
    "low_res",
)  # fmt: skip
Pair = tuple[int, int]
_NO_KEYS: frozenset[int] = frozenset()
VERIFY_STEP = "duplicates: verifying pairs"
ALONE_STEP = "duplicates: another look at photos in no group"
ANCHOR_STEP = "duplicates: neighbouring groups compared by their anchors"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Cut-offs of the duplicate scan; they depend on the model (and the verifier).

    Calibrated with `benchmarks/duplicates_bench.py` on the tune split of its dev set and
    reported on the held-out split; a model manifest may override any of them in an optional
    `"duplicates"` object.
    """

    # Nearest neighbours looked at per photo: 24, not 16, since a photo's far copies (crops,
    # tilts) fall behind its near ones and a burst's frames; the budget below bounds the work.
    neighbours: int = 24
    # Neighbours below this cosine are never verified: on the dupset tune split it keeps 99.5 %
    # of the (original, edited copy) pairs (turned copies come by pHash), and it is what bounds
    # the verification work in a library of distinct photos.
    candidate: float = 0.70
    rotated_bits: int = 8  # pHash distance to a turn or mirror that makes a candidate …
    rotated_cosine: float = 0.30  # … together with at least this cosine
    # Failed verifications per photo (a success merges two groups, so it is bounded anyway):
    # neighbours most similar first, and apart from them turned/mirrored pHash pairs.
    verify_tries: int = 4
    hash_tries: int = 4
    alone_tries: int = 4  # … and then, for a photo still in no group, its next candidates
    # … and last, failures per anchor (8, chosen on the dupset tune split: 3 gave strict recall
    # 0.841, 8 0.870, false pairs unchanged) when two groups a candidate pair runs between are
    # compared by their anchors (most confirmed photos): tilted or heavily cropped copies
    # often fail against their siblings (another crop, another tilt) yet match the original,
    # which need not be among their own nearest neighbours.
    anchor_tries: int = 8
    # A photo whose long side is under this many px is compared where the motion between two
    # frames of a video no longer shows (a pixel at 384 px is half a pixel at 192): its pairs
    # are verified after all others, once the groups have formed around larger photos, and if
    # it then matches two groups whose anchors refuse to merge it joins neither (it is as much
    # a copy of one as of the other). On the dupset tune split every false link between two
    # captures of one video ran through such a copy.
    low_res: int = 256
    pixel_cosine: float = 0.98  # pixel-identical candidates (then compared pixel by pixel)
    similar: float = 0.85  # similarity of two shots of one burst
    # Verifier strength an edited-copies pair needs, per strictness: chosen on the dupset *tune*
    # split (benchmarks/duplicates_bench.py --calibrate), reported on its held-out split.
    strict: float = 0.90
    normal: float = 0.75
    loose: float = 0.55

    def bar(self, strictness: str) -> float:
        """The verifier strength a pair needs at this strictness."""
        return {"strict": self.strict, "normal": self.normal, "loose": self.loose}[strictness]


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
            values[name] = int(value) if name in _INT_FIELDS else float(value)
    return replace(Thresholds(), **values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class DuplicateOptions:
    """What to look for: `mode` is a level (exact ⊂ near ⊂ similar)."""

    mode: str = "near"
    gap_s: float = DEFAULT_GAP_S  # similar shots: at most this far apart in time
    min_similarity: float | None = None  # similar shots: cosine floor (None: the model's)
    thresholds: Thresholds | None = None  # None: the model's (manifest, else defaults)
    verify_pixels: bool = True  # False: only exact copies are confirmed in the near tier
    strictness: str = "strict"  # one of STRICTNESS
    reference: tuple[str, ...] = ()  # folders never trashed from: keep-best prefers their files
    # Keep verdicts between scans in the library folder (`core.verdicts`); off: verify afresh.
    saved_verdicts: bool = True


# -- the scan -------------------------------------------------------------------------------------
class _Scan:
    """One duplicate scan over an opened library: the state the tiers share."""

    def __init__(
        self,
        library: Library,
        options: DuplicateOptions,
        cancel: CancelToken | None,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.library = library
        self.options = options
        self.t = options.thresholds or thresholds_for(library.model)
        self.cancel = cancel
        self.on_progress = on_progress
        self.files: list[IndexedFile] = list(library.catalog.indexed_files())
        self.by_key: dict[int, list[int]] = {}
        for i, f in enumerate(self.files):
            self.by_key.setdefault(f.key, []).append(i)
        self.keys = np.asarray(sorted(self.by_key), np.uint64)
        self.store = VectorStore(library)
        self.confirmed: dict[int, int] = {}  # pairs each content key was confirmed in
        self.groups = Groups(self.files, library.catalog.decisions(), self._anchor_rank)
        self.verifier = Verifier()
        self.saved = VerdictStore(library.folder if options.saved_verdicts else None)
        self.verdicts: dict[tuple[int, int], Verdict] = {}
        self.verified: list[Pair] = []  # pairs the verifier really ran on (not saved before)
        self.candidates: dict[tuple[int, int], float] = {}
        self.by_hash: set[tuple[int, int]] = set()
        self.near_by: dict[int, set[int]] = {}  # each key's candidate partners
        self.attempts: dict[int, int] = {}  # verifications of the near tier per content key
        self.ambiguous: set[int] = set()  # small photos that match two groups kept apart
        self.exposures: dict[int, Exposure | None] = {}  # EXIF shutter time per content key
        self.lowest_bar = min(self.t.bar(level) for level in STRICTNESS)

    def _anchor_rank(self, i: int) -> tuple[int, int]:
        """A group's anchor is the photo confirmed as a copy most often, then the largest.

        The original of a family is a copy of each of its edits, while two edits need not be
        copies of each other (a caption bar and black corners each paint what the other shows),
        so the most confirmed photo is the one another group's copies are most likely to match.
        """
        f = self.files[i]
        return self.confirmed.get(f.key, 0), (f.meta.width or 0) * (f.meta.height or 0)

    def first(self, key: int) -> int:
        return self.by_key[key][0]

    def exact(self) -> None:
        """Byte-identical copies share a key; identical pixels in another file are decoded."""
        for members in self.by_key.values():
            if len(members) > 1:
                for x, i in enumerate(members):
                    for j in members[x + 1 : x + 9] if len(members) > 8 else members[x + 1 :]:
                        self.groups.union(i, j, 0, self._evidence(i, j, "bytes"))
        # Same size, pHash within a few bits (a JPEG's fast decode path may shift a bit or
        # two), cosine ≈ 1: only those are decoded in full and compared.
        hashed = [k for k in self.by_key if self.files[self.first(k)].meta.phash is not None]
        if len(hashed) < 2:
            return
        hashes = np.asarray([self.files[self.first(k)].meta.phash for k in hashed], np.int64)
        for n, (i, j) in enumerate(turned_hash_pairs(hashes, 4, turned=False).tolist()):
            if self.cancel is not None and n % 256 == 0:
                self.cancel.raise_if_cancelled()
            a, b = hashed[i], hashed[j]
            ia, ib = self.first(a), self.first(b)
            ma, mb = self.files[ia].meta, self.files[ib].meta
            if (ma.width, ma.height) != (mb.width, mb.height) or self.groups.same(ia, ib):
                continue
            if self.store.cosine(a, b) >= self.t.pixel_cosine and pixels_identical(
                self.files[ia].path, self.files[ib].path
            ):
                self.groups.union(ia, ib, 0, self._evidence(ia, ib, "pixels"))

    def _evidence(
        self, i: int, j: int, method: str, verdict: Verdict | None = None
    ) -> PairEvidence:
        a, b = self.files[i].path, self.files[j].path
        if verdict is not None:
            strength, back = round(verdict.strength, 3), swapped(verdict).summary
            return PairEvidence(a, b, method, strength, verdict.summary, back)
        summary = {
            "bytes": "identical files",
            "pixels": "identical pixels in another file (format or metadata changed)",
        }.get(method, method)
        return PairEvidence(a, b, method, 1.0, summary)

    def collect_candidates(self) -> None:
        """Neighbour pairs and turned/mirrored pHash pairs, with their cosine."""
        t = self.t
        self.candidates = neighbour_pairs(
            self.library, self.keys, t.neighbours, min(t.candidate, self._burst_floor()),
            self.store, self.cancel, self.on_progress,
        )  # fmt: skip
        hashed = {
            int(k): self.files[self.first(int(k))].meta.phash
            for k in self.keys
            if self.files[self.first(int(k))].meta.phash is not None
        }
        turned = hash_pairs(hashed, t.rotated_bits, t.rotated_cosine, self.store, self.candidates)
        self.candidates.update(turned)
        self.by_hash = set(turned)  # turned/mirrored copies: verified whatever their cosine
        for a, b in self.candidates:
            self.near_by.setdefault(a, set()).add(b)
            self.near_by.setdefault(b, set()).add(a)

    def _burst_floor(self) -> float:
        if self.options.min_similarity is not None:
            return self.options.min_similarity
        return self.t.similar

    def exposure(self, key: int) -> Exposure | None:
        """The shutter time a content key's file records (read once, header only).

        Only files the catalogue knows a time and a camera for are read: the others have none.
        """
        if key not in self.exposures:
            f = self.files[self.first(key)]
            known = f.meta.taken is not None and f.meta.camera is not None
            self.exposures[key] = read_exposure(f.path) if known else None
        return self.exposures[key]

    def verdict(self, a: int, b: int) -> Verdict:
        """The verifier's verdict on two content keys (cached).

        Two files whose EXIF names different shutter times of one camera are refused
        (`core.exposure`): an edit keeps the original time, the next frame of a burst does not.
        The times are read only for a pair the pixels would link at some level, so a repeat
        scan, whose verdicts are saved, opens no file for the pairs that failed.
        """
        pair = (a, b) if a < b else (b, a)
        found = self.verdicts.get(pair)
        if found is None:
            fa, fb = self.files[self.first(pair[0])], self.files[self.first(pair[1])]
            found = self.saved.get(fa.content_hash, fb.content_hash)
            if found is None:
                found = self.verifier.verify(fa.path, fb.path)
                self.verified.append(pair)  # list.append: safe from the verifying threads
                self.saved.put(fa.content_hash, fb.content_hash, found)
            if found.strength >= self.lowest_bar:
                two = different_exposures(self.exposure(pair[0]), self.exposure(pair[1]))
                if two is not None:
                    found = Verdict(False, 0.0, "exposure", two)
            self.verdicts[pair] = found
        return found

    def near(self) -> None:
        """Confirm candidate pairs by the verifier: neighbours, then turned/mirrored pHash pairs.

        Each pass goes most similar first and spends a per-photo budget on *failed*
        verifications only: a success merges two groups, so successes are bounded by the number
        of photos anyway, and a photo with many copies still gets its tries for the far ones.
        A pair whose files are already in one group is skipped when its turn comes, and one
        batch of parallel verifications never holds two pairs that touch the same group, so no
        verification is spent on a pair an earlier one of its batch makes redundant.
        """
        if not self.options.verify_pixels:
            return
        by_hash, by_cosine = [], []
        for (a, b), s in self.candidates.items():
            if (a, b) in self.by_hash:
                by_hash.append((s, a, b))
            elif s >= self.t.candidate:
                by_cosine.append((s, a, b))
        # Neighbours first: a family's group forms around its closest copies, and a turned copy
        # then joins it alone (two groups merge only when their anchors verify, and a group of
        # turned copies has a turned anchor).
        passes = [
            (self._small_last(sorted(by_cosine, reverse=True)), self.t.verify_tries),
            (self._small_last(sorted(by_hash, reverse=True)), self.t.hash_tries),
        ]
        total = sum(len(pairs) for pairs, _ in passes)
        done = 0
        workers = max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(workers, thread_name_prefix="simili-verify") as pool:
            for pairs, tries in passes:
                done = self._verify_pass(pool, pairs, tries, done, total)
            # A photo still alone gets a few more tries against the candidates not verified yet
            # (its own budget may have gone to neighbours in a crowd of look-alikes).
            rest = [p for pairs, _ in passes for p in pairs if p not in self.verdicts]
            self._verify_pass(pool, rest, self.t.alone_tries, 0, len(rest), ALONE_STEP, alone=True)
            anchors = self._anchor_pairs()
            self._verify_pass(pool, anchors, self.t.anchor_tries, 0, len(anchors), ANCHOR_STEP)

    def _alone(self, key: int) -> bool:
        """Whether a photo is in no group (beyond its own byte copies)."""
        return self.groups.group_size(self.first(key)) == len(self.by_key[key])

    def _anchor_pairs(self) -> list[Pair]:
        """The anchors of each two groups a candidate pair runs between, most alike first.

        A photo in no group is its own anchor (but two such photos are not tried again, so a
        library of distinct photos costs nothing more). Small anchors are left out: a small
        photo joins a group only by meeting it in the passes above, where a small photo that
        matches two groups is seen to be in doubt (see low_res).
        """
        ranked: dict[Pair, float] = {}
        for (a, b), s in self.candidates.items():
            if s < self.t.candidate and (a, b) not in self.by_hash:
                continue
            ia, ib = self.first(a), self.first(b)
            if self.groups.same(ia, ib) or (self._alone(a) and self._alone(b)):
                continue  # two photos in no group had their tries in the passes above
            x = self.files[self.groups.anchor_of(ia)].key
            y = self.files[self.groups.anchor_of(ib)].key
            if self._small(x) or self._small(y):
                continue
            pair = (x, y) if x < y else (y, x)
            if pair not in self.verdicts:
                ranked[pair] = max(ranked.get(pair, -1.0), s)
        order = sorted(ranked.items(), key=lambda kv: -kv[1])
        return [pair for pair, _ in order]

    def _small(self, key: int) -> bool:
        m = self.files[self.first(key)].meta
        return max(m.width or 0, m.height or 0) < self.t.low_res

    def _small_last(self, ranked: list[tuple[float, int, int]]) -> list[Pair]:
        """Pairs in order: those with a small photo after the others, two small ones last.

        So a small photo meets the groups formed around larger photos before it meets another
        small one (two small copies of two frames agree; see low_res).
        """
        tiers: list[list[Pair]] = [[], [], []]
        for _, a, b in ranked:
            tiers[self._small(a) + self._small(b)].append((a, b))
        return tiers[0] + tiers[1] + tiers[2]

    def _verify_pass(
        self,
        pool: ThreadPoolExecutor,
        pairs: list[Pair],
        tries: int,
        done: int,
        total: int,
        step: str = VERIFY_STEP,
        alone: bool = False,
    ) -> int:
        """Verify `pairs` in order within a budget of `tries` failures per photo; pairs done.

        With `alone`, only photos in no group yet spend (and need) budget.
        """
        bar = self.t.bar(self.options.strictness)
        pending = deque(pairs)
        waiting: list[Pair] = []
        failures: dict[int, int] = {}
        while pending or waiting:
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            chunk, consumed = self._next_chunk(pending, waiting, failures, tries, alone)
            for (a, b), found in zip(
                chunk, pool.map(lambda p: self.verdict(*p), chunk), strict=True
            ):
                self.attempts[a] = self.attempts.get(a, 0) + 1
                self.attempts[b] = self.attempts.get(b, 0) + 1
                merged = False
                if found.strength >= bar:
                    for k in (a, b):
                        self.confirmed[k] = self.confirmed.get(k, 0) + 1
                        for i in self.by_key[k]:
                            self.groups.rank_changed(i)
                    ia, ib = self.first(a), self.first(b)
                    evidence = self._evidence(ia, ib, found.method, found)
                    merged = self.groups.union(ia, ib, 1, evidence, guard=self._anchors_verify)
                    if not (merged or self.groups.same(ia, ib) or self.groups.forbidden(ia, ib)):
                        # Its groups refused each other: a small photo between them is in doubt.
                        self.ambiguous.update(k for k in (a, b) if self._small(k))
                if not merged:  # a refused merge costs a try like a failed verification
                    failures[a], failures[b] = failures.get(a, 0) + 1, failures.get(b, 0) + 1
            self.saved.flush()
            done += consumed
            if self.on_progress is not None:
                self.on_progress(Progress(step, done, total))
        return done

    def _next_chunk(
        self,
        pending: deque[Pair],
        waiting: list[Pair],
        failures: dict[int, int],
        tries: int,
        alone: bool,
    ) -> tuple[list[Pair], int]:
        """The next batch to verify in parallel: no two pairs touch one group or candidates.

        Pairs that touch a group already in the batch, or a photo that is a candidate of one in
        it (likely one family: verified side by side they would form separate groups, which
        then merge only when their anchors verify), wait for the next one (in order, ahead of
        the pending pairs); a pair whose files are already grouped, or both of whose photos have
        used up their failures, is dropped. Returns the batch and how many pairs left the queue.
        """
        chunk: list[Pair] = []
        roots: set[int] = set()
        keys: set[int] = set()
        later: list[Pair] = []
        consumed = 0
        n = 0
        while len(chunk) < VERIFY_CHUNK:
            if n < len(waiting):
                pair = waiting[n]
                n += 1
            elif pending and len(later) < LOOKAHEAD:
                pair = pending.popleft()
            else:
                break
            a, b = pair
            ia, ib = self.first(a), self.first(b)
            if (
                self.groups.same(ia, ib)
                or self.groups.forbidden(ia, ib)
                or self._spent(a, b, failures, tries, alone)
            ):
                consumed += 1
                continue
            ra, rb = self.groups.find(ia), self.groups.find(ib)
            if (
                ra in roots
                or rb in roots
                or not self.near_by.get(a, _NO_KEYS).isdisjoint(keys)
                or not self.near_by.get(b, _NO_KEYS).isdisjoint(keys)
            ):
                later.append(pair)
                continue
            roots.update((ra, rb))
            keys.update(pair)
            chunk.append(pair)
            consumed += 1
        waiting[:] = later + waiting[n:]
        return chunk, consumed

    def _spent(self, a: int, b: int, failures: dict[int, int], tries: int, alone: bool) -> bool:
        """Whether no photo of the pair may spend a try on it."""
        ends = [k for k in (a, b) if not alone or self._alone(k)]
        return all(failures.get(k, 0) >= tries for k in ends)

    def _anchors_verify(self, x: int, y: int) -> bool:
        """Two groups merge only when their anchors are copies, and so are their runners-up.

        The runners-up are compared where both groups have one (not a small photo). One pair can
        pass by chance where the verifier is weakest (two pages of one form, two screens of one
        app, two frames of a still scene: each try is another chance); a family split in two
        passes both, since every copy is a copy of every other. On the dupset tune split this
        took the false pairs at normal from 3389 to 1566 (strict 59 to 54) for 0.02 of strict
        recall (0.870 to 0.850).
        """
        bar = self.t.bar(self.options.strictness)
        if self.verdict(self.files[x].key, self.files[y].key).strength < bar:
            return False
        sx, sy = self._runner_up(x), self._runner_up(y)
        if sx is None or sy is None:
            return True
        return self.verdict(sx, sy).strength >= bar

    def _runner_up(self, anchor: int) -> int | None:
        """The content key ranked next after the anchor's in its group (not a small photo)."""
        first = self.files[anchor].key
        others = [
            i
            for i in self.groups.members_of(anchor)
            if self.files[i].key != first and not self._small(self.files[i].key)
        ]
        return self.files[max(others, key=self.groups.rank)].key if others else None

    def similar(self) -> None:
        """Bursts: alike, with a hint that the shots were taken together."""
        info = shots(self.files, self.by_key)
        floor = self._burst_floor()
        extra = [p for p in time_pairs(info, self.options.gap_s) if p not in self.candidates]
        self.store.fetch(k for pair in extra for k in pair)
        pairs = list(self.candidates.items())
        pairs += [(p, self.store.cosine(*p)) for p in extra]
        for n, (score, a, b, why) in enumerate(burst_edges(info, pairs, self.options.gap_s, floor)):
            if self.cancel is not None and n % 256 == 0:
                self.cancel.raise_if_cancelled()
            ia, ib = self.first(a), self.first(b)
            evidence = PairEvidence(
                self.files[ia].path, self.files[ib].path, "burst", round(min(1.0, score), 3),
                f"similar shots: {why}",
            )  # fmt: skip
            self.groups.union(ia, ib, 2, evidence, guard=self._anchors_alike)

    def _anchors_alike(self, x: int, y: int) -> bool:
        return self.store.cosine(self.files[x].key, self.files[y].key) >= self._burst_floor()

    def records(self) -> list[DuplicateGroup]:
        """The groups as records, with confidence, evidence, edit labels and the keeper."""
        bar = self.t.bar(self.options.strictness)
        doubtful = [i for i, f in enumerate(self.files) if f.key in self.ambiguous]
        components = self.groups.components(doubtful)
        group_of = {self.files[i].key: n for n, (_, members, _) in enumerate(components)
                    for i in members}  # fmt: skip
        pairs = confirmed(self.verdicts, group_of, bar)
        out = []
        for n, (kind, members, evidence) in enumerate(components):
            keys = {self.files[i].key for i in members}
            by_key = group_labels(keys, pairs.get(n, []))
            labels = {self.files[i].path: by_key.get(self.files[i].key, ()) for i in members}
            records = tuple(
                sorted((_record(self.files[i], labels) for i in members), key=lambda r: r.path)
            )
            keep, reason = suggest_keeper(records, reference=self.options.reference)
            confidence = min((e.strength for e in evidence), default=1.0)
            out.append(
                DuplicateGroup(kind, records, keep, reason, round(confidence, 3), tuple(evidence))
            )
        out.sort(key=lambda g: (_TIER_RANK[g.kind], -g.reclaimable, g.keep))
        return out


def confidence_words(group: DuplicateGroup, t: Thresholds | None = None) -> str:
    """How sure Simili is about a group, in words people use (not a bare percent)."""
    t = t or Thresholds()
    if group.kind == "exact":
        return "identical"
    if group.kind == "similar":
        return "similar shots"
    if group.confidence >= max(0.95, t.strict):
        return "certain"
    if group.confidence >= t.strict:
        return "very likely"
    if group.confidence >= t.normal:
        return "likely"
    return "possible"


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
        options: mode (exact/near/similar, each including the stricter ones), strictness,
            reference folders and tuning.
        cancel: checked between batches; raises Cancelled.
        on_progress: Progress records while comparing.

    Returns:
        Groups of two or more files, exact first, then near, then similar; within a kind, the
        most reclaimable space first. Each file is in at most one group.

    Raises:
        SimiliError: unknown mode or strictness.
    """
    options = options or DuplicateOptions()
    if options.mode not in MODES:
        raise SimiliError(f"unknown duplicates mode {options.mode!r}; use exact, near or similar")
    if options.strictness not in STRICTNESS:
        raise SimiliError(f"unknown strictness {options.strictness!r}; use strict, normal or loose")
    scan = _Scan(library, options, cancel, on_progress)
    if not scan.files:
        return []
    level = _TIER_RANK[options.mode]
    try:
        scan.exact()
        if level >= 1:
            scan.collect_candidates()
            scan.near()
        if level >= 2:
            scan.similar()
        out = scan.records()
    finally:
        scan.saved.close()  # what was verified before a cancel is kept too
    if on_progress is not None:
        on_progress(Progress("done", len(scan.keys), len(scan.keys)))
    return out


@dataclass(frozen=True, slots=True)
class AheadReport:
    """What `verify_ahead` did: pairs verified now, pairs whose verdict was already saved."""

    verified: int
    reused: int
    seconds: float


def verify_ahead(
    library: Library,
    *,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
) -> AheadReport:
    """Verify the near tier's pairs now, so the next duplicate scan only reads their verdicts.

    Verification (decode, SIFT, alignment) is most of a first near scan: about 12 ms a photo,
    20 minutes at 100k photos, while a scan whose verdicts are saved takes about a minute. Run
    after indexing (the app does it in the background; `simili index` unless told not to), it
    moves that cost to a time the user is already waiting for the library. It is the default
    scan (near tier, strict) with saved verdicts, so a later scan at that level asks for exactly
    these pairs; other levels reuse most of them. Cancelling keeps what was verified.
    """
    started = time.perf_counter()
    scan = _Scan(library, DuplicateOptions(mode="near"), cancel, on_progress)
    if not scan.files or not scan.saved.active:
        scan.saved.close()
        return AheadReport(0, 0, 0.0)
    try:
        scan.exact()
        scan.collect_candidates()
        scan.near()
    finally:
        scan.saved.close()
    verified = len(scan.verified)
    return AheadReport(verified, len(scan.verdicts) - verified, time.perf_counter() - started)


def _record(f: IndexedFile, labels: dict[str, tuple[str, ...]]) -> DuplicateFile:
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
        mtime=f.mtime_ns / 1e9,
        edits=tuple(sorted(labels.get(f.path, ()))),
    )


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
