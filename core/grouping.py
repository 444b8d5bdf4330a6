"""Duplicate groups from confirmed pairs: union-find with the user's decisions and an anchor guard.

A merge is refused when it would join files a user marked "not duplicates" / "keep all", or when
the caller's guard says the two groups' anchors (their best-ranked photos, by the caller's
rank) do not belong together, so one ambiguous photo cannot chain two different photos into one
group; a file the caller found in doubt afterwards leaves its group (`components(doubtful=...)`).
Every merge keeps the evidence that made it, so a group can say how sure it is (its weakest
link) and why.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from core.catalog import Decision, IndexedFile
from core.records import PairEvidence

TIERS = ("exact", "near", "similar")


class Groups:
    """Constrained union-find over file indices, remembering the evidence of each merge."""

    def __init__(
        self,
        files: Sequence[IndexedFile],
        decisions: Sequence[Decision],
        rank: Callable[[int], tuple[int, ...]] | None = None,
    ) -> None:
        n = len(files)
        # How good an anchor a file is (higher is better); by default its pixel count. A caller
        # whose ranks change says so with `rank_changed`.
        self.rank = rank or self._pixels
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}
        self._anchors: dict[int, int] = {}  # root -> its anchor, chosen when first asked
        self.parent = list(range(n))
        self.size = [1] * n
        self.tier = [0] * n
        self.files = files
        self.links: dict[int, list[tuple[int, int, PairEvidence]]] = {}
        # Per file, the decisions it is in: (decision id, its hash, its path is listed).
        by_hash: dict[str, list[Decision]] = {}
        for d in decisions:
            for h in {h for h, _ in d.members}:
                by_hash.setdefault(h, []).append(d)
        self.marks: dict[int, list[tuple[int, str, bool]]] = {}
        for i, f in enumerate(files):
            for d in by_hash.get(f.content_hash, ()):
                listed = any(p == f.path for _, p in d.members)
                self.marks.setdefault(i, []).append((d.id, f.content_hash, listed))
        self.marked: dict[int, list[int]] = {i: [i] for i in self.marks}

    def find(self, i: int) -> int:
        """The root of i's group (with path halving)."""
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def same(self, a: int, b: int) -> bool:
        """Whether a and b are in one group already."""
        return self.find(a) == self.find(b)

    def anchor_of(self, i: int) -> int:
        """The best-ranked photo of i's group: what another group must match to merge with it."""
        root = self.find(i)
        anchor = self._anchors.get(root)
        if anchor is None:
            anchor = self._anchors[root] = max(self.members[root], key=self.rank)
        return anchor

    def rank_changed(self, i: int) -> None:
        """The rank of file i changed: its group's anchor is chosen anew when next asked."""
        self._anchors.pop(self.find(i), None)

    def members_of(self, i: int) -> list[int]:
        """The files of i's group (do not modify)."""
        return self.members[self.find(i)]

    def _pixels(self, i: int) -> tuple[int, ...]:
        meta = self.files[i].meta
        return ((meta.width or 0) * (meta.height or 0),)

    def group_size(self, i: int) -> int:
        """How many files i's group holds."""
        return self.size[self.find(i)]

    def forbidden(self, a: int, b: int) -> bool:
        """Whether a user's decision keeps the groups of a and b apart."""
        ra, rb = self.find(a), self.find(b)
        for x in self.marked.get(ra, ()):
            for y in self.marked.get(rb, ()):
                for dx, hx, lx in self.marks[x]:
                    for dy, hy, ly in self.marks[y]:
                        if dx == dy and (hx != hy or (lx and ly)):
                            return True
        return False

    def union(
        self,
        a: int,
        b: int,
        tier: int,
        evidence: PairEvidence,
        guard: Callable[[int, int], bool] | None = None,
    ) -> bool:
        """Merge the groups of a and b unless a decision or the anchor guard forbids it.

        `guard(anchor_a, anchor_b)` is asked only when both groups already hold several files.
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb or self.forbidden(a, b):
            return False
        both_groups = self.size[ra] > 1 and self.size[rb] > 1
        if guard is not None and both_groups and not guard(self.anchor_of(ra), self.anchor_of(rb)):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.tier[ra] = max(self.tier[ra], self.tier[rb], tier)
        self.members[ra].extend(self.members.pop(rb))
        self._anchors.pop(ra, None)
        if rb in self.marked:
            self.marked.setdefault(ra, []).extend(self.marked.pop(rb))
        links = self.links.setdefault(ra, [])
        links.extend(self.links.pop(rb, []))
        links.append((a, b, evidence))
        return True

    def components(
        self, doubtful: Collection[int] = ()
    ) -> list[tuple[str, list[int], list[PairEvidence]]]:
        """(tier name, members, evidence strongest first) for every group of two or more.

        `doubtful` files (a small photo that matched two groups kept apart) leave their
        edited-copies group, which is split where only they held it together; a doubtful
        file's byte copies stay together, as an exact group.
        """
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        doubt = set(doubtful)
        groups = []
        for root, members in out.items():
            links = self.links.get(root, [])
            if TIERS[self.tier[root]] == "near" and not doubt.isdisjoint(members):
                parts = self._split(members, links, doubt)
            else:
                parts = [(TIERS[self.tier[root]], members)]
            for tier, part in parts:
                if len(part) < 2:
                    continue
                inside = set(part)
                evidence = sorted(
                    (e for a, b, e in links if a in inside and b in inside),
                    key=lambda e: -e.strength,
                )
                groups.append((tier, part, evidence))
        return groups

    def _split(
        self, members: list[int], links: list[tuple[int, int, PairEvidence]], doubtful: set[int]
    ) -> list[tuple[str, list[int]]]:
        """The parts of a group left when no link runs through a doubtful file."""
        parent = {i: i for i in members}

        def root(i: int) -> int:
            while parent[i] != i:
                i = parent[i]
            return i

        for a, b, _ in links:
            clear = a not in doubtful and b not in doubtful
            if clear or self.files[a].key == self.files[b].key:
                parent[root(a)] = root(b)
        parts: dict[int, list[int]] = {}
        for i in members:
            parts.setdefault(root(i), []).append(i)
        return [("exact" if p[0] in doubtful else "near", p) for p in parts.values()]
