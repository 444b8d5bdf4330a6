"""Tests for the fine-tuning pipeline: data rules, augmentations, whitening, training, shipping."""

import json
import random
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from PIL import Image  # noqa: E402

from core.embedder import load_manifest, verify_model_file  # noqa: E402
from core.training.augment import AugmentConfig, augment, augmented_pixels  # noqa: E402
from core.training.data import load_images, training_files  # noqa: E402
from core.training.embedding import pretrained_embedding_net  # noqa: E402
from core.training.export import export, synthetic_scene  # noqa: E402
from core.training.finetune import embed, info_nce, set_trainable  # noqa: E402
from core.training.whiten import as_linear, pair_whitening, pca_whitening  # noqa: E402

pytestmark = pytest.mark.train
MODELS = Path(__file__).resolve().parents[3] / "resources" / "models"


# -- data rules -------------------------------------------------------------------------------
def test_training_files_leave_out_groups_junk_and_neardup_originals(tmp_path):
    # GIVEN an Oxford-like set: 2 landmark photos, 1 junk, 1 neardup original, 2 free photos
    oxford, neardup = tmp_path / "oxford", tmp_path / "neardup_dev"
    (oxford / "images").mkdir(parents=True)
    neardup.mkdir()
    for name in ["a_1", "a_2", "junk_1", "orig_1", "free_1", "free_2"]:
        synthetic_scene(len(name)).save(oxford / "images" / f"{name}.jpg")
    (oxford / "groundtruth.json").write_text(json.dumps({"groups": [["a_1", "a_2.jpg"]]}))
    (oxford / "groundtruth_details.json").write_text(
        json.dumps({"group_names": ["a"], "junk": {"a": ["junk_1"]}})
    )
    (neardup / "originals.json").write_text(json.dumps({"o0000.jpg": "orig_1"}))
    # WHEN the training files are listed
    files = training_files(oxford)
    # THEN only the free photos remain, and they decode with the long side capped
    assert [f.name for f in files] == ["free_1.jpg", "free_2.jpg"]
    assert max(load_images(files, side=100)[0].size) == 100


def test_training_files_need_the_ground_truth(tmp_path):
    (tmp_path / "images").mkdir()
    with pytest.raises(FileNotFoundError):
        training_files(tmp_path)


# -- augmentations ----------------------------------------------------------------------------
def test_every_augmentation_gives_a_valid_picture_of_the_right_size():
    photo = synthetic_scene(3, size=200).resize((200, 150))
    always = AugmentConfig(
        crop_p=1,
        tilt_p=1,
        rotate_p=1,
        downscale_p=1,
        colour_p=1,
        grayscale_p=1,
        caption_p=1,
        jpeg_p=0,
        webp_p=1,
    )
    for seed in range(12):
        config = always if seed % 2 else AugmentConfig()
        edited = augment(photo, random.Random(seed), config)
        assert edited.mode == "RGB"
        assert min(edited.size) >= 8
        pixels = augmented_pixels(photo, 64, random.Random(seed), config)
        assert pixels.shape == (64, 64, 3)
        assert pixels.dtype == np.uint8
    # AND the input photo itself is never modified
    assert np.array_equal(np.asarray(photo), np.asarray(synthetic_scene(3, 200).resize((200, 150))))


def test_augmentations_repeat_with_the_seed_and_differ_without():
    photo = synthetic_scene(5, size=160)
    a = augmented_pixels(photo, 64, random.Random(1), AugmentConfig())
    b = augmented_pixels(photo, 64, random.Random(1), AugmentConfig())
    c = augmented_pixels(photo, 64, random.Random(2), AugmentConfig())
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


# -- whitening --------------------------------------------------------------------------------
def test_pca_whitening_gives_identity_covariance_on_its_training_features():
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(32, 32)) * np.linspace(3, 0.1, 32)
    features = rng.normal(size=(2000, 32)) @ mixing + 5.0
    weight, bias = pca_whitening(features, 16)
    whitened = features @ weight.T + bias
    assert weight.shape == (16, 32)
    assert np.allclose(whitened.mean(axis=0), 0, atol=1e-8)
    assert np.allclose(np.cov(whitened.T), np.eye(16), atol=1e-3)
    with pytest.raises(ValueError):
        pca_whitening(features, 33)


def test_pair_whitening_shrinks_the_differences_of_matching_pairs():
    rng = np.random.default_rng(1)
    scenes = rng.normal(size=(300, 8))
    noise_direction = np.zeros(8)
    noise_direction[0] = 1.0
    # two copies of each scene differ mostly along one direction
    copies = np.concatenate([scenes, scenes + rng.normal(size=(300, 1)) * 3 * noise_direction])
    first, second = np.arange(300), np.arange(300, 600)
    weight, bias = pair_whitening(copies, first, second, 4)
    pca_w, pca_b = pca_whitening(copies, 4)

    def pair_share(w, b):
        y = copies @ w.T + b
        return np.linalg.norm(y[first] - y[second]) / np.linalg.norm(y - y.mean(axis=0))

    assert pair_share(weight, bias) < 0.5 * pair_share(pca_w, pca_b)


# -- training ---------------------------------------------------------------------------------
def test_info_nce_is_low_for_matching_views_and_high_for_shuffled_ones():
    z = torch.nn.functional.normalize(torch.randn(8, 16), dim=1)
    matched = torch.cat([z, z])
    shuffled = torch.cat([z, z.roll(1, dims=0)])
    assert info_nce(matched, 0.05) < 0.01
    assert info_nce(shuffled, 0.05) > 1.0


def test_a_few_training_steps_lower_the_loss_on_a_toy_batch():
    # GIVEN the pretrained network with a whitening-sized projection and its late blocks free
    torch.manual_seed(0)
    model = pretrained_embedding_net(as_linear(np.eye(32, 1280), np.zeros(32)))
    params = set_trainable(model, 15) + list(model.projection.parameters())
    model.projection.requires_grad_(True)
    optimiser = torch.optim.Adam(params, lr=1e-3)
    photos = [synthetic_scene(seed, size=96) for seed in range(6)]
    rng = random.Random(0)
    views = [augmented_pixels(p, 64, rng, AugmentConfig()) for _ in range(2) for p in photos]
    batch = torch.from_numpy(np.stack(views))
    # WHEN it takes a few InfoNCE steps on the same batch
    losses = []
    for _ in range(6):
        loss = info_nce(embed(model, batch, 15), 0.1)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    # THEN the loss went down and the frozen stem did not move
    assert losses[-1] < losses[0]
    assert not model.backbone._conv_stem.weight.requires_grad


# -- export and the shipped model -------------------------------------------------------------
def test_export_of_a_model_with_a_projection_matches_torch(tmp_path):
    rng = np.random.default_rng(0)
    projection = as_linear(rng.normal(size=(48, 1280)) / 30, rng.normal(size=48) / 30)
    model = pretrained_embedding_net(projection)
    result = export(tmp_path, 64, model=model, recipe="test", name="t", version=7)
    manifest = json.loads(result.manifest_path.read_text())
    assert result.parity_max_abs_diff < 1e-4
    assert manifest["dim"] == 48
    assert manifest["projection"] == {"in": 1280, "out": 48}
    assert manifest["file"] == "t-v7.onnx"


def test_shipped_model_is_the_fine_tuned_one_and_its_manifest_is_consistent():
    info = load_manifest(MODELS)
    verify_model_file(info)  # sha256 of the file matches the manifest
    manifest = json.loads((MODELS / "manifest.json").read_text())
    assert info.dim <= 256
    assert info.version >= 2
    assert manifest["projection"]["out"] == info.dim
    recipe = json.loads(manifest["recipe"])
    assert recipe["command"].startswith("python -m core.training.finetune")
    assert recipe["dim"] == info.dim
    # AND the folder ships exactly one model
    assert [p.name for p in MODELS.glob("*.onnx")] == [info.file.name]


def test_shipped_model_gives_unit_vectors_of_its_dimension():
    from core.embedder import Embedder

    info = load_manifest(MODELS)
    photos = np.stack(
        [np.asarray(synthetic_scene(s).resize((info.size, info.size))) for s in range(3)]
    )
    vectors = Embedder(info, device="cpu").embed(photos)
    assert vectors.shape == (3, info.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert isinstance(Image.fromarray(photos[0]), Image.Image)
