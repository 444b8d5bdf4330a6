"""INT8 static quantisation of an exported embedding model (QDQ, per-channel weights).

Calibrated on clean training photos (Oxford distractors), never on evaluation images. The
quantised graph keeps the fp32 one's interface (uint8 NHWC in, unit vectors out).

Usage: python -m core.training.quantize --model resources/models/manifest.json --out DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process
from PIL import Image

from core.decode import model_pixels
from core.training.data import DEFAULT_DATA, load_images, training_files
from core.training.export import INPUT_NAME, MANIFEST_NAME, cpu_session, sha256_file

CALIBRATION_PHOTOS = 128


class _Photos(CalibrationDataReader):
    def __init__(self, images: Sequence[Image.Image], size: int, batch: int = 16) -> None:
        pixels = np.stack([model_pixels(im, size) for im in images])
        self._batches = iter([pixels[i : i + batch] for i in range(0, len(pixels), batch)])

    def get_next(self) -> dict[str, np.ndarray] | None:
        batch = next(self._batches, None)
        return None if batch is None else {INPUT_NAME: batch}


def quantize_onnx(
    source: Path, target: Path, images: Sequence[Image.Image], size: int
) -> tuple[float, float]:
    """Write an INT8 QDQ copy of `source` to `target`, calibrated on `images`.

    Returns:
        (mean, min) cosine between fp32 and int8 embeddings of the calibration photos.
    """
    calibration = list(images[:: max(1, len(images) // CALIBRATION_PHOTOS)][:CALIBRATION_PHOTOS])
    prepared = target.with_name(target.name + ".pre.onnx")
    try:
        quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(target),
            _Photos(calibration, size),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.Percentile,
            # Only convolutions: the pooling, projection and normalisation stay in fp32.
            op_types_to_quantize=["Conv"],
            extra_options={"CalibPercentile": 99.999},
        )
    finally:
        prepared.unlink(missing_ok=True)
    pixels = np.stack([model_pixels(im, size) for im in calibration[:32]])
    fp32 = cpu_session(source).run(None, {INPUT_NAME: pixels})[0]
    int8 = cpu_session(target).run(None, {INPUT_NAME: pixels})[0]
    cosine = (fp32 * int8).sum(axis=1)
    return float(cosine.mean()), float(cosine.min())


def quantize_model(
    model_dir: Path, images: Sequence[Image.Image], size: int, keep_fp32: bool = False
) -> Path:
    """Quantise the model of `model_dir/manifest.json` and point the manifest at the INT8 file.

    The fp32 file is removed unless `keep_fp32`, so the folder ships one model.
    """
    manifest_path = model_dir / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    source = model_dir / manifest["file"]
    target = source.with_name(source.stem + "-int8.onnx")
    mean, low = quantize_onnx(source, target, images, size)
    manifest["fp32_sha256"] = manifest["sha256"]
    manifest["file"] = target.name
    manifest["sha256"] = sha256_file(target)
    manifest["quantization"] = {
        "type": "int8 static QDQ, per-channel weights, Conv only",
        "calibration": "Oxford distractor training photos",
        "cosine_to_fp32_mean": round(mean, 6),
        "cosine_to_fp32_min": round(low, 6),
    }
    partial = manifest_path.with_name(manifest_path.name + ".partial")
    partial.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    partial.replace(manifest_path)
    if not keep_fp32:
        source.unlink()
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m core.training.quantize", description=__doc__)
    parser.add_argument("--model", type=Path, required=True, help="fp32 .onnx file")
    parser.add_argument("--out", type=Path, required=True, help="int8 .onnx file to write")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="oxford5k_subset folder")
    args = parser.parse_args(argv)
    images = load_images(training_files(args.data))
    mean, low = quantize_onnx(args.model, args.out, images, args.size)
    print(f"wrote {args.out}; cosine to fp32 mean {mean:.5f}, min {low:.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
