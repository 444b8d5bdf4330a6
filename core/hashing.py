"""Content hashes (a photo's identity) and perceptual hashes (a cheap near-duplicate check)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
import xxhash
from PIL import Image

CHUNK = 1 << 20


def content_hash_bytes(data: bytes) -> str:
    """128-bit xxh3 of the bytes, hex: identical bytes are the same photo, wherever it lives."""
    return xxhash.xxh3_128_hexdigest(data)


def content_hash_file(path: Path) -> str:
    """Same as content_hash_bytes, streamed, for files too large to hold in memory."""
    h = xxhash.xxh3_128()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


@cache
def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    m[0] /= np.sqrt(2.0)
    return m


def perceptual_hash(image: Image.Image) -> int:
    """64-bit DCT pHash: robust to resizing and re-compression, not to crops."""
    gray = np.asarray(image.convert("L").resize((32, 32), Image.Resampling.BILINEAR), np.float64)
    d = _dct_matrix(32)
    low = (d @ gray @ d.T)[:8, :8]
    bits = (low > np.median(low)).ravel()
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    # SQLite integers are signed 64-bit.
    return value - (1 << 64) if value >= (1 << 63) else value


class HashPrefixSet:
    """A compact membership test on content hashes (64-bit prefixes, sorted).

    Decode workers get this instead of a set of strings: 8 bytes a photo, cheap to send to each
    process. A prefix collision only means the caller double-checks against the catalogue.
    """

    def __init__(self, hashes: Iterable[str] = ()) -> None:
        self._prefixes = np.unique(np.fromiter((int(h[:16], 16) for h in hashes), dtype=np.uint64))

    def __contains__(self, digest: object) -> bool:
        if not isinstance(digest, str) or len(self._prefixes) == 0:
            return False
        value = np.uint64(int(digest[:16], 16))
        i = int(np.searchsorted(self._prefixes, value))
        return i < len(self._prefixes) and self._prefixes[i] == value

    def __len__(self) -> int:
        return len(self._prefixes)
