"""Tests for the grafted class head: vectors untouched, tags those of the ImageNet classifier."""

import hashlib
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from core.decode import model_pixels  # noqa: E402
from core.embedder import load_manifest  # noqa: E402
from core.paths import default_model_manifest  # noqa: E402
from core.training.export import synthetic_scene  # noqa: E402
from core.training.tag_head import (  # noqa: E402
    TAGS_OUTPUT,
    build,
    reference_top1,
    strip,
)

pytestmark = pytest.mark.train


@pytest.fixture(scope="module")
def shipped():
    manifest = default_model_manifest()
    return manifest, json.loads(manifest.read_text(encoding="utf-8"))


def test_shipped_model_minus_its_head_is_the_embedding_model_byte_for_byte(shipped):
    # GIVEN the shipped two-output model
    manifest, data = shipped
    model = onnx.load(str(manifest.parent / data["file"]))
    # WHEN the class head is taken off again
    plain = strip(model).SerializeToString()
    # THEN what is left is exactly the file the libraries' vectors came from
    assert hashlib.sha256(plain).hexdigest() == data["vectors_sha256"]
    assert [o.name for o in model.graph.output] == [data["output"], TAGS_OUTPUT]


def test_fingerprint_is_that_of_the_vectors_so_libraries_do_not_re_embed(shipped):
    _, data = shipped
    info = load_manifest(default_model_manifest())
    assert info.sha256 != data["vectors_sha256"]
    assert info.fingerprint.endswith(data["vectors_sha256"][:16])
    assert info.tags_output == TAGS_OUTPUT
    assert info.tags_classes == 1000


def test_tags_are_the_off_the_shelf_classifier_and_vectors_identical(shipped):
    # GIVEN photo-like scenes and the shipped model with a freshly grafted block-14 head
    manifest, data = shipped
    pixels = np.stack([model_pixels(synthetic_scene(seed), 224) for seed in range(6)])
    tagged = ort.InferenceSession(
        build(manifest.parent / data["file"], "block14").SerializeToString(),
        providers=["CPUExecutionProvider"],
    )
    plain = ort.InferenceSession(
        strip(onnx.load(str(manifest.parent / data["file"]))).SerializeToString(),
        providers=["CPUExecutionProvider"],
    )
    # WHEN both run
    vectors, probs = tagged.run(["embeddings", TAGS_OUTPUT], {"images": pixels})
    (expected,) = plain.run(["embeddings"], {"images": pixels})
    # THEN the vectors are bit-identical and the classes are the torch classifier's
    assert np.array_equal(vectors, expected)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    assert np.array_equal(probs.argmax(axis=1), reference_top1(pixels))
