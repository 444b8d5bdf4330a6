from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from core.catalog import _SCHEMA, SCHEMA_VERSION, Catalog, Embedded
from core.errors import LibraryError
from core.records import PhotoMeta


def _vector(seed: int, dim: int = 8) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_v1_catalogue_is_migrated_keeping_vectors(tmp_path):
    # GIVEN a catalogue written by schema v1 (vectors inline in `contents`)
    path = tmp_path / "catalog.sqlite"
    _v1_catalogue(path)
    # WHEN the current version opens it
    catalog = Catalog(path)
    # THEN the schema is current and the photo is still searchable
    assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    keys, vectors = catalog.vectors(8)
    assert list(keys) == [1]
    assert np.allclose(vectors[0], _vector(1), atol=1e-3)
    assert catalog.lookup("/p/a.jpg") == (1, "h1")
    assert catalog.counts() == {"photos": 1, "problems": 0, "vectors": 1}


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "catalog.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(LibraryError, match="newer Simili"):
        Catalog(path)


def test_garbage_collection_drops_orphaned_vectors(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    root = catalog.add_root("/p")
    meta = PhotoMeta(4, 3)
    items = [Embedded(f"/p/{n}.jpg", root.id, 1, 1, f"h{n}", _vector(n), meta) for n in range(3)]
    added = catalog.write(items)
    assert [k for k, _ in added] == [1, 2, 3]
    generation = catalog.generation
    catalog.forget_files(["/p/1.jpg"])
    assert catalog.collect_garbage() == [2]
    assert catalog.generation > generation
    assert sorted(int(k) for k in catalog.keys_with_vectors()) == [1, 3]
    catalog.drop_vectors()
    assert catalog.counts()["vectors"] == 0
    assert sorted(catalog.stale_paths()) == ["/p/0.jpg", "/p/2.jpg"]


def test_unreadable_catalogue_is_a_clear_error(tmp_path):
    path = tmp_path / "catalog.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LibraryError, match="unreadable"):
        Catalog(path)


def test_v2_catalogue_gains_decision_tables(tmp_path):
    # GIVEN a catalogue at schema v2
    path = tmp_path / "catalog.sqlite"
    db = sqlite3.connect(path)
    for script in _SCHEMA[:2]:
        for statement in script.split(";"):
            if statement.strip():
                db.execute(statement)
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    # WHEN the current version opens it
    catalog = Catalog(path)
    # THEN decisions can be recorded, listed and removed
    assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert catalog.decisions() == []
    decision = catalog.add_decision("not_duplicates", [("h1", "/p/a.jpg"), ("h2", "/p/b.jpg")])
    (stored,) = catalog.decisions()
    assert stored.id == decision
    assert stored.kind == "not_duplicates"
    assert stored.members == (("h1", "/p/a.jpg"), ("h2", "/p/b.jpg"))
    with pytest.raises(ValueError):
        catalog.add_decision("maybe", [("h1", "/p/a.jpg"), ("h2", "/p/b.jpg")])
    with pytest.raises(ValueError):
        catalog.add_decision("keep_all", [("h1", "/p/a.jpg")])
    assert catalog.remove_decision(decision)
    assert catalog.decisions() == []


def test_counts_use_the_state_index(tmp_path):
    # The app refreshes counts on its GUI thread while indexing: they must not scan every file.
    catalog = Catalog(tmp_path / "catalog.sqlite")
    for sql in (
        "SELECT COUNT(*) FROM files WHERE state = 'ok'",
        "SELECT root_id, COUNT(*) FROM files WHERE state = 'ok' GROUP BY root_id",
    ):
        plan = " ".join(str(row) for row in catalog.db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "COVERING INDEX files_state_root" in plan
    assert catalog.counts(vectors=False) == {"photos": 0, "problems": 0}


def test_an_error_sqlite_already_rolled_back_is_not_masked(tmp_path):
    # On a full disk SQLite ends the transaction itself; a second ROLLBACK used to fail with
    # "cannot rollback - no transaction is active" and hide "database or disk is full".
    catalog = Catalog(tmp_path / "c.sqlite")

    def failing_batch() -> None:
        with catalog.transaction():
            catalog.set_meta("x", "1")
            catalog.db.execute("ROLLBACK")  # what SQLite does by itself on SQLITE_FULL
            raise sqlite3.OperationalError("database or disk is full")

    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        failing_batch()
    assert catalog.get_meta("x") is None
    with catalog.transaction():  # and the connection is usable again
        catalog.set_meta("x", "2")
    assert catalog.get_meta("x") == "2"


def _v1_catalogue(path) -> None:
    db = sqlite3.connect(path)
    for statement in _SCHEMA[0].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO roots(path, added_at) VALUES ('/p', 0)")
    blob = _vector(1).astype(np.float16).tobytes()
    db.execute("INSERT INTO contents(hash, width, height, vector) VALUES ('h1', 4, 3, ?)", (blob,))
    db.execute(
        "INSERT INTO files(path, root_id, size, mtime_ns, hash, state, indexed_at) "
        "VALUES ('/p/a.jpg', 1, 10, 20, 'h1', 'ok', 0)"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def test_migration_failing_half_way_is_rolled_back(tmp_path, monkeypatch):
    # GIVEN a v1 catalogue and a v2 step that fails after it created its table and moved vectors
    import core.catalog as catalog_module

    path = tmp_path / "catalog.sqlite"
    _v1_catalogue(path)
    broken = list(_SCHEMA)
    broken[1] = _SCHEMA[1] + "; INSERT INTO no_such_table VALUES (1)"
    monkeypatch.setattr(catalog_module, "_SCHEMA", broken)
    # WHEN it is opened for writing
    with pytest.raises(sqlite3.OperationalError):
        Catalog(path)
    # THEN nothing of the failed step remains: still v1, no vectors table, the vector in place
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "vectors" not in tables
    assert db.execute("SELECT vector IS NOT NULL FROM contents").fetchone() == (1,)
    db.close()
    # AND a working version migrates it fully afterwards
    monkeypatch.setattr(catalog_module, "_SCHEMA", _SCHEMA)
    catalog = Catalog(path)
    assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert catalog.counts() == {"photos": 1, "problems": 0, "vectors": 1}
    catalog.close()


def test_reader_on_an_older_schema_asks_for_an_index_run_and_changes_nothing(tmp_path):
    path = tmp_path / "catalog.sqlite"
    _v1_catalogue(path)
    before = path.read_bytes()
    with pytest.raises(LibraryError, match="needs an upgrade; run `simili index` once"):
        Catalog(path, readonly=True)
    assert path.read_bytes() == before
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    db.close()


def test_a_reader_cannot_write(tmp_path):
    path = tmp_path / "catalog.sqlite"
    Catalog(path).close()
    reader = Catalog(path, readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.set_meta("x", "1")
    reader.close()
