"""Fine-tune the embedding network for photo retrieval and export it as the shipped model.

Self-supervised instance discrimination (SimCLR-style InfoNCE, in-batch negatives, low
temperature) on Oxford distractor photos: two random library edits of the same photo must be
closer than any other photo in the batch, while a distillation term keeps the off-the-shelf
model's similarity between *different* photos (so other photos of the same building are not
pushed apart). The stem and blocks before `--first-trainable-block` stay frozen and run in ONNX
Runtime on a CPU; BatchNorm keeps its ImageNet statistics. The projection to `--dim` starts as
PCA-whitening learned on the clean training photos, trains with the network, and is refitted
on the fine-tuned descriptors at the end (`--refit-whitening`).

Usage (reproduces the shipped model from scratch):
    python -m core.training.finetune --out resources/models
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.nn import functional as F

from core.decode import model_pixels
from core.training.augment import AugmentConfig, augmented_pixels
from core.training.data import DEFAULT_DATA, load_images, training_files
from core.training.embedding import EmbeddingNet, pretrained_embedding_net
from core.training.whiten import as_linear, pca_whitening

MODEL_NAME = "simili-lite0-ft"
MODEL_VERSION = 2


@dataclass(frozen=True, slots=True)
class Recipe:
    """Every setting that decides the trained weights (logged into the manifest)."""

    seed: int = 0
    steps: int = 200
    batch: int = 32
    train_size: int = 224
    size: int = 224
    dim: int = 256
    first_trainable_block: int = 15
    lr: float = 1e-4
    projection_lr: float = 1e-4
    weight_decay: float = 1e-4
    warmup: int = 20
    temperature: float = 0.1
    distill: float = 20.0
    refit_whitening: bool = True


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (augmentations use their own seeded random.Random)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def set_trainable(model: EmbeddingNet, first_block: int) -> list[nn.Parameter]:
    """Freeze the stem and blocks before `first_block`; return the parameters left trainable.

    BatchNorm layers keep their ImageNet running statistics (the model is trained in eval mode):
    a 32-photo batch of one city gives worse statistics than ImageNet's.
    """
    backbone = model.backbone
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    trainable: list[nn.Module] = [*backbone._blocks[first_block:], backbone._conv_head]
    trainable.append(backbone._bn1)
    params: list[nn.Parameter] = []
    for module in trainable:
        for parameter in module.parameters():
            parameter.requires_grad_(True)
            params.append(parameter)
    return params


class Trunk(nn.Module):
    """The frozen part: preprocessing, stem and the blocks before `first_block`."""

    def __init__(self, model: EmbeddingNet, first_block: int) -> None:
        super().__init__()
        self.model = model
        self.first_block = first_block
        self.train(model.training)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 NHWC photos to the feature map the trainable blocks start from."""
        backbone = self.model.backbone
        x = self.model.preprocess(images)
        x = F.relu6(backbone._bn0(backbone._conv_stem(x)))
        for block in backbone._blocks[: self.first_block]:
            x = block(x)
        return x


class OnnxTrunk:
    """The frozen trunk run by ONNX Runtime: on a CPU about ten times faster than torch.

    The frozen part is a fixed function (BatchNorm in inference mode), so it is exported once
    and checked against torch like the shipped model is.
    """

    def __init__(self, trunk: Trunk, size: int, threads: int, folder: Path) -> None:
        from core.training.export import cpu_session

        # The exporter restores the module's own train/eval flag on every submodule afterwards:
        # a Trunk left in training mode would switch the whole network's BatchNorm to batch
        # statistics.
        trunk.eval()
        path = folder / "trunk.onnx"
        example = torch.zeros((2, size, size, 3), dtype=torch.uint8)
        with torch.no_grad():
            torch.onnx.export(
                trunk,
                (example,),
                str(path),
                input_names=["images"],
                output_names=["features"],
                dynamic_axes={"images": {0: "batch"}, "features": {0: "batch"}},
                opset_version=17,
                do_constant_folding=True,
                dynamo=False,
            )
            probe = torch.randint(0, 256, (2, size, size, 3), dtype=torch.uint8)
            expected = trunk(probe).numpy()
        self.session = cpu_session(path, threads)
        got = self(probe.numpy()).numpy()
        diff = float(np.abs(got - expected).max())
        if diff > 1e-3:
            raise RuntimeError(f"ONNX trunk differs from torch by {diff:.3g}")

    def __call__(self, pixels: np.ndarray) -> torch.Tensor:
        """uint8 [N, S, S, 3] to the trunk's float feature map."""
        return torch.from_numpy(self.session.run(["features"], {"images": pixels})[0])


def tail(model: EmbeddingNet, x: torch.Tensor, first_block: int) -> torch.Tensor:
    """The trainable part: remaining blocks, head, GeM, projection, L2 normalisation."""
    backbone = model.backbone
    for block in backbone._blocks[first_block:]:
        x = block(x)
    x = F.relu6(backbone._bn1(backbone._conv_head(x)))
    x = model.pool(x)
    if model.projection is not None:
        x = model.projection(x)
    return F.normalize(x, dim=1)


def embed(model: EmbeddingNet, images: torch.Tensor, first_block: int) -> torch.Tensor:
    """Forward pass with the frozen part under no_grad (it then stores no activations)."""
    with torch.no_grad():
        x = Trunk(model, first_block)(images)
    return tail(model, x, first_block)


def similarity_distillation(z: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Mean squared difference of the cosines between *different* photos, student vs teacher.

    InfoNCE pushes every other photo away, including other people's photos of the same
    building; this term keeps the teacher's (the off-the-shelf, whitened model's) similarity
    between different photos, while the two views of one photo are free to move together.
    """
    n = z.shape[0] // 2
    same = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    same |= same.roll(n, dims=1)
    diff = (z @ z.T - teacher @ teacher.T)[~same]
    return (diff * diff).mean()


def info_nce(z: torch.Tensor, temperature: float) -> torch.Tensor:
    """NT-Xent loss of 2B unit vectors where rows i and i + B are two views of one photo."""
    n = z.shape[0] // 2
    logits = z @ z.T / temperature
    logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), -1e9)
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(logits, targets)


@torch.no_grad()
def clean_features(
    model: EmbeddingNet, images: Sequence[Image.Image], size: int, device: str, batch: int = 32
) -> np.ndarray:
    """Pooled, L2-normalised backbone descriptors (before any projection) of unedited photos."""
    rows = []
    for start in range(0, len(images), batch):
        pixels = np.stack([model_pixels(im, size) for im in images[start : start + batch]])
        x = model.preprocess(torch.from_numpy(pixels).to(device))
        rows.append(F.normalize(model.pool(model.backbone(x)), dim=1).cpu().numpy())
    return np.concatenate(rows)


def whitening_projection(
    model: EmbeddingNet, images: Sequence[Image.Image], size: int, dim: int, device: str
) -> nn.Linear:
    """PCA-whitening of the model's clean descriptors as a Linear layer (projection)."""
    weight, bias = pca_whitening(clean_features(model, images, size, device), dim)
    return as_linear(weight, bias).to(device)


def batches(count: int, batch: int, rng: random.Random) -> Iterator[list[int]]:
    """Endless epochs of shuffled, distinct photo indices (a photo appears once per batch)."""
    while True:
        order = list(range(count))
        rng.shuffle(order)
        for start in range(0, count - batch + 1, batch):
            yield order[start : start + batch]


def train(
    recipe: Recipe,
    images: Sequence[Image.Image],
    device: str = "cpu",
    augment: AugmentConfig | None = None,
    log: bool = True,
) -> tuple[EmbeddingNet, list[float]]:
    """Fine-tune from the ImageNet weights; returns the model (eval mode) and the loss per step."""
    augment = augment or AugmentConfig()
    seed_everything(recipe.seed)
    rng = random.Random(recipe.seed)
    model = pretrained_embedding_net().to(device)
    model.projection = whitening_projection(model, images, recipe.train_size, recipe.dim, device)
    teacher = copy.deepcopy(model).requires_grad_(False) if recipe.distill > 0 else None
    backbone_params = set_trainable(model, recipe.first_trainable_block)
    model.projection.requires_grad_(True)
    optimiser = torch.optim.AdamW(
        [
            {"params": backbone_params, "lr": recipe.lr},
            {"params": list(model.projection.parameters()), "lr": recipe.projection_lr},
        ],
        weight_decay=recipe.weight_decay,
    )
    base = [group["lr"] for group in optimiser.param_groups]
    model.eval()  # BatchNorm statistics and dropout stay as in ImageNet inference
    trunk = Trunk(model, recipe.first_trainable_block)
    folder = tempfile.TemporaryDirectory(prefix="simili-trunk-")
    if device == "cpu":
        fast_trunk = OnnxTrunk(trunk, recipe.train_size, torch.get_num_threads(), Path(folder.name))

    def features(pixels: np.ndarray) -> torch.Tensor:
        if device == "cpu":
            return fast_trunk(pixels)
        with torch.no_grad():
            return trunk(torch.from_numpy(pixels).to(device))

    losses: list[float] = []
    started = time.monotonic()
    batch_iter = batches(len(images), recipe.batch, rng)
    for step, indices in zip(range(recipe.steps), batch_iter, strict=False):
        # Linear warm-up, then cosine decay to zero.
        scale = min(1.0, (step + 1) / max(1, recipe.warmup))
        scale *= 0.5 * (1 + math.cos(math.pi * step / recipe.steps))
        for group, lr in zip(optimiser.param_groups, base, strict=True):
            group["lr"] = lr * scale
        views = [
            augmented_pixels(images[i], recipe.train_size, rng, augment)
            for _ in range(2)
            for i in indices
        ]
        x = features(np.stack(views))
        z = tail(model, x, recipe.first_trainable_block)
        loss = info_nce(z, recipe.temperature)
        if teacher is not None:
            with torch.no_grad():
                target = tail(teacher, x, recipe.first_trainable_block)
            loss = loss + recipe.distill * similarity_distillation(z, target)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        if log and (step % 10 == 0 or step == recipe.steps - 1):
            elapsed = time.monotonic() - started
            print(f"step {step:4d}  loss {loss.item():.4f}  {elapsed:6.0f} s", flush=True)
    folder.cleanup()
    model.requires_grad_(False)
    if recipe.refit_whitening:
        model.projection = whitening_projection(model, images, recipe.size, recipe.dim, device)
    return model.eval(), losses


def _device(name: str) -> str:
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no CUDA device")
    return name


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    defaults = Recipe()
    parser = argparse.ArgumentParser(prog="python -m core.training.finetune", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="oxford5k_subset folder")
    parser.add_argument("--out", type=Path, default=Path("resources/models"))
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--save-torch", type=Path, help="also save the state dict here")
    parser.add_argument("--no-export", action="store_true", help="train only (experiments)")
    parser.add_argument("--int8", action="store_true", help="ship the INT8-quantised graph")
    for field, value in asdict(defaults).items():
        flag = "--" + field.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=value)
        else:
            parser.add_argument(flag, type=type(value), default=value)
    args = parser.parse_args(argv)
    recipe = Recipe(**{field: getattr(args, field) for field in asdict(defaults)})
    device = _device(args.device)
    torch.set_num_threads(args.threads)
    started = time.monotonic()
    files = training_files(args.data)
    print(f"training on {len(files)} Oxford distractor photos from {args.data}", flush=True)
    images = load_images(files)
    model, losses = train(recipe, images, device)
    model = model.cpu()
    seconds = time.monotonic() - started
    print(f"trained in {seconds:.0f} s on {device}; final loss {np.mean(losses[-10:]):.4f}")
    if args.save_torch:
        torch.save(model.state_dict(), args.save_torch)
    if args.no_export:
        return 0
    from core.training.export import export

    command = "python -m core.training.finetune --out " + args.out.as_posix()
    if args.int8:
        command += " --int8"
    log = {
        "command": command,
        "data": f"{len(files)} Oxford distractors of oxford5k_subset (no group, no junk, "
        "no neardup_dev original)",
        "objective": "InfoNCE over two library-edit views per photo, in-batch negatives",
        **asdict(recipe),
        "device": device,
        "train_seconds": round(seconds),
        "torch": torch.__version__,
    }
    result = export(
        args.out,
        recipe.size,
        model=model,
        recipe=json.dumps(log, sort_keys=True),
        name=MODEL_NAME,
        version=MODEL_VERSION,
    )
    print(f"wrote {result.onnx_path} (parity {result.parity_max_abs_diff:.3g})")
    if args.int8:
        from core.training.quantize import quantize_model

        quantized = quantize_model(args.out, images, recipe.size)
        print(f"wrote {quantized}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
