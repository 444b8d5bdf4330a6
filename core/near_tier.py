"""The near tier of a duplicate scan: which candidate pairs are verified, in what order, how many.

A pair is confirmed by `core.verify` (evidence of one capture); this module decides which pairs
get that look: neighbours most similar first, then turned or mirrored pHash matches, then
another look for photos still alone, then the anchors of neighbouring groups, each pass within
a per-photo budget of failed tries (`Thresholds`). Verdicts are cached per scan and between
scans (`core.verdicts`); two groups merge only when their anchors (and runners-up) verify too.

`NearTier` is one part of the scan in `core.duplicates` (`_Scan`), which owns the state this
part reads and changes (declared below).
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from core.exposure import Exposure, different_exposures, read_exposure
from core.records import PairEvidence, Progress
from core.verify import Verdict, swapped

if TYPE_CHECKING:
    from core.catalog import IndexedFile
    from core.duplicate_thresholds import Thresholds
    from core.duplicates import DuplicateOptions
    from core.grouping import Groups
    from core.tasks import CancelToken, ProgressCallback
    from core.verdicts import VerdictStore
    from core.verify import Verifier

VERIFY_CHUNK = 64  # pairs verified in parallel between two checks of the cancel token
LOOKAHEAD = 4 * VERIFY_CHUNK  # pairs held back at most while their groups are being verified
Pair = tuple[int, int]
_NO_KEYS: frozenset[int] = frozenset()
VERIFY_STEP = "duplicates: verifying pairs"
ALONE_STEP = "duplicates: another look at photos in no group"
ANCHOR_STEP = "duplicates: neighbouring groups compared by their anchors"


class NearTier:
    """Verification scheduling of the near tier (a part of `core.duplicates._Scan`)."""

    # The scan's state this part uses (set by _Scan.__init__ and collect_candidates).
    files: list[IndexedFile]
    by_key: dict[int, list[int]]
    t: Thresholds
    cancel: CancelToken | None
    on_progress: ProgressCallback | None
    groups: Groups
    verifier: Verifier
    saved: VerdictStore
    verdicts: dict[Pair, Verdict]
    verified: list[Pair]
    candidates: dict[Pair, float]
    by_hash: set[Pair]
    near_by: dict[int, set[int]]
    attempts: dict[int, int]
    confirmed: dict[int, int]
    ambiguous: set[int]
    exposures: dict[int, Exposure | None]
    lowest_bar: float
    options: DuplicateOptions

    def first(self, key: int) -> int:
        """The first file (index into `files`) of a content key."""
        return self.by_key[key][0]

    def _evidence(
        self, i: int, j: int, method: str, verdict: Verdict | None = None
    ) -> PairEvidence:
        """A link's record: a verdict's words from both sides, or a byte/pixel copy's."""
        a, b = self.files[i].path, self.files[j].path
        if verdict is not None:
            strength, back = round(verdict.strength, 3), swapped(verdict).summary
            return PairEvidence(a, b, method, strength, verdict.summary, back)
        summary = {
            "bytes": "identical files",
            "pixels": "identical pixels in another file (format or metadata changed)",
        }.get(method, method)
        return PairEvidence(a, b, method, 1.0, summary)

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
