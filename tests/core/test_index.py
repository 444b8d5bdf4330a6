from __future__ import annotations

import numpy as np

from core.index import GraphSettings, VectorIndex


def _unit(n: int, dim: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_search_returns_self_first_with_cosine_scores(tmp_path):
    index = VectorIndex(tmp_path / "v.usearch", 32)
    vectors = _unit(200, 32)
    index.add(np.arange(1, 201), vectors)
    hits = index.search(vectors[:5], 3)
    assert [int(h.keys[0]) for h in hits] == [1, 2, 3, 4, 5]
    assert np.allclose([h.scores[0] for h in hits], 1.0, atol=2e-3)
    expected = float(vectors[0] @ vectors[int(hits[0].keys[1]) - 1])
    assert abs(float(hits[0].scores[1]) - expected) < 5e-3


def test_save_and_reload_atomically(tmp_path):
    path = tmp_path / "v.usearch"
    index = VectorIndex(path, 16)
    index.add(np.arange(1, 51), _unit(50, 16))
    index.save(generation=7)
    assert not list(tmp_path.glob("*.tmp"))
    for view in (True, False):
        again = VectorIndex.open(path, 16, view=view)
        assert (len(again), again.generation) == (50, 7)
    # a view is read-only on disk but can still be changed in memory
    viewed = VectorIndex.open(path, 16, view=True)
    viewed.add(np.array([99]), _unit(1, 16, seed=3))
    assert len(viewed) == 51


def test_unreadable_or_mismatched_index_starts_empty(tmp_path):
    path = tmp_path / "v.usearch"
    index = VectorIndex(path, 16)
    index.add(np.arange(1, 11), _unit(10, 16))
    index.save(generation=1)
    assert len(VectorIndex.open(path, 32)) == 0  # other model dimension
    path.write_bytes(b"garbage")
    assert len(VectorIndex.open(path, 16)) == 0


def test_replace_and_remove_track_tombstones(tmp_path):
    index = VectorIndex(tmp_path / "v.usearch", 16)
    index.add(np.arange(1, 11), _unit(10, 16))
    index.add(np.array([3]), _unit(1, 16, seed=9))  # replaced in place
    index.remove([4, 5, 999])
    assert len(index) == 8
    assert index.tombstones == 3
    assert 4 not in {int(k) for k in index.stored_keys()}


def test_empty_index_search(tmp_path):
    index = VectorIndex(tmp_path / "v.usearch", 16)
    hits = index.search(_unit(2, 16), 5)
    assert [len(h.keys) for h in hits] == [0, 0]


def _patch(path, offset: int, seed: int, size: int = 512) -> None:
    data = bytearray(path.read_bytes())
    noise = np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes()
    data[offset : offset + size] = noise[: len(data) - offset]
    path.write_bytes(bytes(data))


def test_a_patched_file_is_never_loaded(tmp_path):
    # GIVEN a saved index
    path = tmp_path / "v.usearch"
    index = VectorIndex(path, 16)
    index.add(np.arange(1, 201), _unit(200, 16))
    index.save(generation=3)
    pristine = path.read_bytes()
    for view in (True, False):
        # WHEN 512 bytes inside it are overwritten
        path.write_bytes(pristine)
        assert VectorIndex.open(path, 16, view=view).damage is None
        _patch(path, len(pristine) // 2, seed=1)
        # THEN it is reported damaged and left alone: empty, stale, for a rebuild
        again = VectorIndex.open(path, 16, view=view)
        assert again.damage == "checksum mismatch"
        assert (len(again), again.generation) == (0, -1)


def test_readers_verify_once_per_file_version(tmp_path, monkeypatch):
    path = tmp_path / "v.usearch"
    index = VectorIndex(path, 16)
    index.add(np.arange(1, 51), _unit(50, 16))
    index.save(generation=1)
    import core.index

    calls = []
    real = core.index.file_checksum
    monkeypatch.setattr(core.index, "file_checksum", lambda p: calls.append(p) or real(p))
    assert len(VectorIndex.open(path, 16, view=True)) == 50
    assert calls == []  # the writer's save recorded this exact file as verified
    path.write_bytes(path.read_bytes())  # same bytes, but rewritten: verified again
    assert len(VectorIndex.open(path, 16, view=True)) == 50
    assert len(VectorIndex.open(path, 16, view=True)) == 50
    assert len(calls) == 1


def test_an_index_without_a_checksum_is_not_trusted(tmp_path):
    # An index saved by an older Simili has no checksum: rebuilt once, never loaded blind.
    import json

    path = tmp_path / "v.usearch"
    index = VectorIndex(path, 16)
    index.add(np.arange(1, 11), _unit(10, 16))
    index.save(generation=1)
    meta = json.loads(path.with_suffix(".json").read_text())
    del meta["checksum"]
    path.with_suffix(".json").write_text(json.dumps(meta))
    again = VectorIndex.open(path, 16)
    assert (len(again), again.damage) == (0, "no checksum recorded")


def test_disk_full_while_saving_keeps_the_old_file(tmp_path, monkeypatch):
    import errno

    import pytest

    from core.errors import DiskFullError

    path = tmp_path / "v.usearch"
    index = VectorIndex(path, 16)
    index.add(np.arange(1, 11), _unit(10, 16))
    index.save(generation=1)
    before = path.read_bytes()
    index.add(np.arange(11, 21), _unit(10, 16, seed=2))

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("core.index._fsync", full)
    with pytest.raises(DiskFullError, match=r"disk full: the library at .* needs about \d+ MB"):
        index.save(generation=2)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))
    assert VectorIndex.open(path, 16).generation == 1


def _cone(n: int, dim: int, seed: int = 0) -> np.ndarray:
    """Unit vectors in a narrow cone with tight clusters, as the model's embeddings are."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n // 10 + 1, dim))
    v = centres[rng.integers(len(centres), size=n)] + 0.3 * rng.standard_normal((n, dim))
    v = v / np.linalg.norm(v, axis=1, keepdims=True) + 2.0 / np.sqrt(dim)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def test_every_vector_finds_itself_first_through_the_graph_after_repair(tmp_path):
    # GIVEN a graph-only index (no exact scan) of clustered vectors
    settings = GraphSettings(connectivity=4, expansion_add=8, expansion_search=8, exact_below=0)
    index = VectorIndex(tmp_path / "v.usearch", 32, settings)
    vectors = _cone(3000, 32)
    index.add(np.arange(3000), vectors)
    # WHEN the repair pass lists what the graph misses
    orphans = index.repair(full=True)
    # THEN every vector comes back first for itself, orphans included
    hits = index.search(vectors, 4)
    assert [int(h.keys[0]) for h in hits] == list(range(3000))
    assert orphans == len(index.orphans)


def test_orphans_are_saved_searched_and_forgotten_when_removed(tmp_path):
    path = tmp_path / "v.usearch"
    settings = GraphSettings(exact_below=0)
    index = VectorIndex(path, 16, settings)
    vectors = _unit(100, 16)
    index.add(np.arange(1, 101), vectors)
    index._set_orphans(np.array([7, 8], np.uint64))  # as a repair pass would
    index.checked = 100
    index._unchecked.clear()
    index.save(generation=1)
    again = VectorIndex.open(path, 16, view=True, settings=settings)
    assert sorted(int(k) for k in again.orphans) == [7, 8]
    hit = again.search(vectors[6], 3)[0]
    assert int(hit.keys[0]) == 7
    assert len(set(hit.keys.tolist())) == len(hit.keys)  # found by the graph and the scan: once
    again.remove([7])
    assert [int(k) for k in again.orphans] == [8]


def test_small_index_is_searched_exactly_and_large_through_the_graph(tmp_path):
    index = VectorIndex(tmp_path / "v.usearch", 16, GraphSettings(exact_below=50))
    vectors = _unit(60, 16)
    index.add(np.arange(1, 41), vectors[:40])
    exact = index.search(vectors[:1], 40)[0]
    expected = np.sort(vectors[:40] @ vectors[0])[::-1]
    assert np.allclose(exact.scores, expected, atol=2e-3)  # all 40, in exact order
    index.add(np.arange(41, 61), vectors[40:])
    assert int(index.search(vectors[50], 1)[0].keys[0]) == 51


def test_an_index_built_with_other_graph_settings_is_not_reused(tmp_path):
    path = tmp_path / "v.usearch"
    old = VectorIndex(path, 16, GraphSettings(connectivity=16))
    old.add(np.arange(1, 11), _unit(10, 16))
    old.save(generation=3)
    again = VectorIndex.open(path, 16, settings=GraphSettings(connectivity=32))
    assert again.outdated
    assert (len(again), again.generation) == (0, -1)
    assert not VectorIndex.open(path, 16, settings=GraphSettings(connectivity=16)).outdated


def test_save_repairs_only_once_the_graph_serves_searches(tmp_path):
    path = tmp_path / "v.usearch"
    index = VectorIndex(path, 16, GraphSettings(exact_below=50))
    index.add(np.arange(1, 41), _unit(40, 16))
    index.save(generation=1)
    assert index.checked == 0  # exact search below 50: no pass needed
    index.add(np.arange(41, 61), _unit(20, 16, seed=5))
    index.save(generation=2)
    assert index.checked == 60  # crossing the threshold checks every vector
