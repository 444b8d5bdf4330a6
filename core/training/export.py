"""Export the embedding network to ONNX, check it against torch, and write its manifest.

Usage: python -m core.training.export [--out resources/models] [--size 224] [--check-images DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import torch
from PIL import Image, ImageDraw, ImageFilter

from core.decode import load_rgb, model_pixels
from core.formats import is_photo_name
from core.training.efficientnet import weights_description
from core.training.embedding import EmbeddingNet, pretrained_embedding_net

MODEL_NAME = "simili-lite0-gem"
MODEL_VERSION = 1
MANIFEST_FORMAT = 1
MANIFEST_NAME = "manifest.json"
OPSET = 17
INPUT_NAME = "images"
OUTPUT_NAME = "embeddings"
DEFAULT_OUT = Path("resources/models")
DEFAULT_SIZE = 224
# Every stride-2 layer must see an even size for the exported SAME padding to be right.
SIZE_MULTIPLE = 32
PARITY_TOLERANCE = 1e-4
NORM_TOLERANCE = 1e-5
CHECK_COUNT = 8


class ExportCheckError(RuntimeError):
    """The exported graph failed a check; nothing was written in place of the old model."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export produced, for the CLI and for fine-tuning scripts."""

    onnx_path: Path
    manifest_path: Path
    parity_max_abs_diff: float
    sha256: str


def model_file_name(name: str = MODEL_NAME, version: int = MODEL_VERSION) -> str:
    """The ONNX file name for a model name and version, e.g. simili-lite0-gem-v1.onnx."""
    return f"{name}-v{version}.onnx"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so a big model never sits in memory twice."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def synthetic_scene(seed: int, size: int = 320) -> Image.Image:
    """A deterministic photo-like picture: sky gradient, ground, buildings, a sun, some texture.

    Random noise makes a poor parity input (the network never saw anything like it); smooth
    regions with hard edges exercise the activations the way real photos do.
    """
    rng = np.random.default_rng(seed)
    rows = np.linspace(0.0, 1.0, size)[:, None, None]
    top, bottom = rng.uniform(40, 230, 3), rng.uniform(40, 230, 3)
    sky = np.broadcast_to(top + (bottom - top) * rows, (size, size, 3))
    image = Image.fromarray(sky.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    horizon = int(size * rng.uniform(0.5, 0.8))
    draw.rectangle((0, horizon, size, size), fill=tuple(int(v) for v in rng.integers(0, 160, 3)))
    for _ in range(int(rng.integers(2, 6))):
        x0 = int(rng.integers(0, size - size // 6))
        width = int(rng.integers(size // 10, size // 3))
        height = int(rng.integers(size // 6, horizon))
        colour = tuple(int(v) for v in rng.integers(30, 240, 3))
        draw.rectangle((x0, horizon - height, x0 + width, horizon), fill=colour)
        for wy in range(horizon - height + 6, horizon - 8, 14):  # windows
            for wx in range(x0 + 4, x0 + width - 8, 12):
                draw.rectangle((wx, wy, wx + 5, wy + 7), fill=(30, 30, 40))
    cx, cy = (int(v) for v in rng.integers(size // 8, size - size // 8, 2))
    r = int(rng.integers(size // 24, size // 8))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(250, 230, 120))
    noise = rng.normal(0.0, 6.0, (size, size, 3))
    textured = np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(textured, "RGB").filter(ImageFilter.GaussianBlur(0.6))


def check_batch(size: int, images_dir: Path | None = None, count: int = CHECK_COUNT) -> np.ndarray:
    """uint8 [count, size, size, 3] parity inputs, preprocessed exactly as the app does.

    Real photos from `images_dir` when given (spread over the sorted folder), else synthetic scenes.

    Raises:
        ExportCheckError: `images_dir` holds no readable photos.
    """
    if images_dir is None:
        pictures = [synthetic_scene(seed) for seed in range(count)]
    else:
        files = sorted(p for p in images_dir.iterdir() if p.is_file() and is_photo_name(p.name))
        step = max(1, len(files) // count)
        pictures = [load_rgb(p, max_side=size) for p in files[::step][:count]]
        if not pictures:
            raise ExportCheckError(f"{images_dir}: no photos to check the export with")
    return np.stack([model_pixels(picture, size) for picture in pictures])


def export_onnx(model: EmbeddingNet, path: Path, size: int) -> None:
    """Trace `model` (in eval mode) to ONNX at `path`: uint8 [batch, size, size, 3] in.

    Uses the TorchScript exporter: it needs no onnxscript, folds BatchNorm into the convolutions,
    and writes byte-identical files for identical weights.
    """
    if size % SIZE_MULTIPLE or size < SIZE_MULTIPLE:
        raise ValueError(f"size must be a positive multiple of {SIZE_MULTIPLE}, not {size}")
    if model.training:
        raise ValueError("export a model in eval mode: BatchNorm must use its running statistics")
    example = torch.zeros((2, size, size, 3), dtype=torch.uint8)
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter's own deprecation notices; torch is pinned in the [train] extra.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            model,
            (example,),
            str(path),
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def cpu_session(path: Path, threads: int = 0) -> ort.InferenceSession:
    """An ONNX Runtime session on the CPU provider only (no CUDA probing, no noisy errors)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def verify_onnx(model: EmbeddingNet, path: Path, batch: np.ndarray) -> float:
    """Check the ONNX file is valid, matches torch and gives unit vectors; return max |diff|.

    Runs the whole batch and a single image, so the dynamic batch axis is exercised too.

    Raises:
        ExportCheckError: any check failed.
    """
    onnx.checker.check_model(str(path), full_check=True)
    session = cpu_session(path)
    with torch.no_grad():
        expected = model(torch.from_numpy(batch)).numpy()
    got = session.run([OUTPUT_NAME], {INPUT_NAME: batch})[0]
    single = session.run([OUTPUT_NAME], {INPUT_NAME: batch[:1]})[0]
    if got.dtype != np.float32 or got.shape != expected.shape or single.shape[0] != 1:
        raise ExportCheckError(f"{path}: output {got.dtype}{got.shape}, want {expected.shape}")
    diff = float(max(np.abs(got - expected).max(), np.abs(single - expected[:1]).max()))
    if not diff < PARITY_TOLERANCE:
        raise ExportCheckError(f"{path}: ONNX Runtime differs from torch by {diff:.3g}")
    norms = np.linalg.norm(got.astype(np.float64), axis=1)
    if not np.all(np.abs(norms - 1.0) < NORM_TOLERANCE):
        raise ExportCheckError(f"{path}: embeddings are not unit length (norms {norms})")
    return diff


def _preprocess_entry(model: EmbeddingNet) -> dict[str, Any]:
    mean = [round(float(v), 7) for v in model.mean.flatten()]
    std = [round(float(v), 7) for v in model.std.flatten()]
    return {"mean": mean, "std": std, "scale": "0-1"}


def write_manifest(
    out_dir: Path,
    onnx_path: Path,
    model: EmbeddingNet,
    *,
    size: int,
    parity_max_abs_diff: float,
    recipe: str,
    name: str = MODEL_NAME,
    version: int = MODEL_VERSION,
    weights: str | None = None,
    backbone: str = "efficientnet-lite0",
) -> Path:
    """Write `<out_dir>/manifest.json` describing `onnx_path`, read back from `model` itself.

    Mean, std, GeM p, projection and dim come from the module that was exported, so a fine-tuned
    model gets a truthful manifest from the same call. Written atomically: a reader sees the old
    manifest or the new one, never half of one.
    """
    projection = model.projection
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "name": name,
        "version": version,
        "file": onnx_path.name,
        "sha256": sha256_file(onnx_path),
        "dim": model.dim,
        "input": {
            "name": INPUT_NAME,
            "layout": "NHWC",
            "dtype": "uint8",
            "size": size,
            "resize": "squash",
        },
        "output": OUTPUT_NAME,
        "normalised": True,
        "preprocess": _preprocess_entry(model),
        "backbone": backbone,
        "pooling": {"type": "gem", "p": round(float(model.pool.p), 6)},
        "projection": (
            None
            if projection is None
            else {"in": projection.in_features, "out": projection.out_features}
        ),
        "weights": weights if weights is not None else weights_description(),
        "recipe": recipe,
        "parity_max_abs_diff": parity_max_abs_diff,
    }
    path = out_dir / MANIFEST_NAME
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def export(
    out_dir: Path,
    size: int = DEFAULT_SIZE,
    *,
    model: EmbeddingNet | None = None,
    check_images: Path | None = None,
    recipe: str | None = None,
    name: str = MODEL_NAME,
    version: int = MODEL_VERSION,
    weights: str | None = None,
) -> ExportResult:
    """Export, verify, then move the model into `out_dir` and write its manifest.

    `model` defaults to the pretrained off-the-shelf network. The ONNX file only replaces an
    existing one after every check has passed.

    Raises:
        ExportCheckError: the exported graph failed a check.
    """
    model = model if model is not None else pretrained_embedding_net()
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / model_file_name(name, version)
    partial = final.with_name(final.name + ".partial")
    try:
        export_onnx(model, partial, size)
        diff = verify_onnx(model, partial, check_batch(size, check_images))
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
    manifest = write_manifest(
        out_dir,
        final,
        model,
        size=size,
        parity_max_abs_diff=diff,
        recipe=recipe or f"python -m core.training.export --out {out_dir} --size {size}",
        name=name,
        version=version,
        weights=weights,
    )
    return ExportResult(final, manifest, diff, sha256_file(final))


def _size(text: str) -> int:
    value = int(text)
    if value < SIZE_MULTIPLE or value % SIZE_MULTIPLE:
        raise argparse.ArgumentTypeError(f"must be a positive multiple of {SIZE_MULTIPLE}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m core.training.export", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--size", type=_size, default=DEFAULT_SIZE, help="input side in pixels")
    parser.add_argument(
        "--check-images", type=Path, help="folder of photos for the parity check (else synthetic)"
    )
    args = parser.parse_args(argv)
    recipe = f"python -m core.training.export --out {args.out.as_posix()} --size {args.size}"
    try:
        result = export(args.out, args.size, check_images=args.check_images, recipe=recipe)
    except ExportCheckError as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    size_mb = result.onnx_path.stat().st_size / 1e6
    print(f"wrote {result.onnx_path} ({size_mb:.2f} MB, sha256 {result.sha256[:16]}...)")
    print(f"wrote {result.manifest_path}")
    print(
        f"onnx.checker ok; ONNX Runtime vs torch max |diff| = {result.parity_max_abs_diff:.3g} "
        f"(tolerance {PARITY_TOLERANCE:g}); outputs unit-norm"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
