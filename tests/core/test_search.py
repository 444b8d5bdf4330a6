"""Tests for search by example: queries from outside the library are searched in four turns."""

from __future__ import annotations

import numpy as np
from PIL import Image

from core.library import Library
from core.pipeline import index_library
from core.search import query_vector, query_vectors, search
from tests.conftest import scene


def test_a_sideways_copy_from_outside_finds_its_upright_original(library_home, tmp_path):
    # GIVEN a library of distinct scenes
    photos = tmp_path / "photos"
    photos.mkdir()
    for seed in range(6):
        scene(seed, (480, 320)).save(photos / f"p{seed}.jpg", quality=92)
    with Library(library_home, writer=True) as writer:
        index_library(writer, [str(photos)], workers=0)
    # AND a copy of one of them stored turned 90° in its pixels, without an EXIF tag
    sideways = tmp_path / "sideways.jpg"
    scene(3, (480, 320)).transpose(Image.Transpose.ROTATE_270).save(sideways, quality=92)
    with Library(library_home) as reader:
        # WHEN it is searched
        vectors = query_vectors(reader, str(sideways))
        hits = search(reader, str(sideways), top=3)
        # THEN it was embedded in four turns (upright first) and the original ranks first
        assert vectors.shape == (4, reader.model.dim)
        assert np.allclose(vectors[0], query_vector(reader, str(sideways)))
        assert hits[0].path == str(photos / "p3.jpg")
        assert hits[0].score > 0.9
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        # AND an indexed photo is looked up by content, not embedded again
        assert query_vectors(reader, str(photos / "p1.jpg")).shape == (1, reader.model.dim)
