"""The road not taken for the class head: a classifier distilled onto the fine-tuned features.

Branching the class head off block 14 (core/training/tag_head.py) costs ~1.07x in CPU time.
The cheap alternative keeps the fine-tuned 1280-d features and refits the ImageNet classifier
on them to match the original classifier's probabilities (KL, starting from the original
weights, an L2 pull towards them). Fitted on the 790 Oxford distractors that fine-tuning used,
measured on the 269 other photos (landmarks and neardup_dev originals): top-1 agreement with
the off-the-shelf classifier. Needs the [train] extra.

Usage: python -m core.training.tag_head_adapter [--benchdata ../shared/benchdata]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from core.embedder import load_manifest
from core.paths import default_model_manifest
from core.training.data import training_files
from core.training.efficientnet import MEAN, STD, efficientnet_lite0
from core.training.tag_head import BRANCHES, cpu_session, graft, photo_batch, strip

STEPS = 300
REPO = Path(__file__).resolve().parent.parent.parent


class _Pool(nn.Module):
    """Average pooling: the fine-tuned feature map as the classifier sees it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))


def _features(files: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """(pixels, average-pooled fine-tuned 1280-d features) of photos."""
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = Path(tmp) / "pool.onnx"
        torch.onnx.export(
            _Pool(), (torch.zeros(2, 1280, 7, 7),), str(path), input_names=["features"],
            output_names=["tags"], dynamic_axes={"features": {0: "batch"}, "tags": {0: "batch"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip
        head = onnx.load(str(path))
    manifest = default_model_manifest()
    shipped = onnx.load(str(load_manifest(manifest).file))
    session = cpu_session(graft(strip(shipped), head, BRANCHES["final"][0]), 2)
    pixels = photo_batch(files)
    runs = [
        session.run(["tags"], {"images": pixels[s : s + 32]})[0] for s in range(0, len(pixels), 32)
    ]
    return pixels, np.concatenate(runs)


def _reference(pixels: np.ndarray) -> torch.Tensor:
    """The off-the-shelf classifier's probabilities."""
    model = efficientnet_lite0(pretrained=True).eval()
    mean, std = torch.tensor(MEAN).view(1, 3, 1, 1), torch.tensor(STD).view(1, 3, 1, 1)
    out = []
    with torch.no_grad():
        for s in range(0, len(pixels), 32):
            x = torch.from_numpy(pixels[s : s + 32]).permute(0, 3, 1, 2).float()
            out.append(torch.softmax(model.classify((x / 255 - mean) / std), 1))
    return torch.cat(out)


def main() -> int:
    """Fit on the distractors, print agreement on the other photos."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--benchdata", type=Path, default=REPO.parent / "shared" / "benchdata")
    bench = parser.parse_args().benchdata
    train = training_files(bench / "oxford5k_subset", bench / "neardup_dev")
    names = {p.name for p in train}
    every = sorted((bench / "oxford5k_subset" / "images").iterdir())
    every += sorted((bench / "neardup_dev" / "images").glob("o????.jpg"))
    test = [p for p in every if p.name not in names]
    train_px, train_f = _features(train)
    test_px, test_f = _features(test)
    y_train, y_test = _reference(train_px), _reference(test_px)
    original = efficientnet_lite0(pretrained=True)._fc
    w0, b0 = original.weight.detach().clone(), original.bias.detach().clone()
    f_train, f_test = torch.from_numpy(train_f), torch.from_numpy(test_f)

    def agreement(w: torch.Tensor, b: torch.Tensor) -> float:
        return float(((f_test @ w.T + b).argmax(1) == y_test.argmax(1)).float().mean())

    print(f"fit on {len(train)} distractors, measured on {len(test)} other photos")
    print(f"original classifier on the fine-tuned features: agreement {agreement(w0, b0):.3f}")
    for pull in (1e-3, 1e-2):
        w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
        optimiser = torch.optim.Adam([w, b], lr=1e-3)
        for _ in range(STEPS):
            optimiser.zero_grad()
            log_p = torch.log_softmax(f_train @ w.T + b, 1)
            loss = -(y_train * log_p).sum(1).mean() + pull * ((w - w0) ** 2).sum()
            loss.backward()
            optimiser.step()
        print(f"distilled classifier (pull {pull:g}): agreement {agreement(w.detach(), b):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
