"""Add an ImageNet class-score output ("tags") to the shipped embedding model, vectors untouched.

The class head is exported from torch with the original ImageNet weights and grafted onto a
tensor of the shipped ONNX graph; no node of the embedding path changes, so the vectors stay
bit-identical and libraries keep their vectors (the manifest keeps the vectors' fingerprint).

Two places to branch from (`--branch`):
- `final`: the fine-tuned 1280-channel feature map, average-pooled into the original classifier
  (costs one matrix product);
- `block14`: the output of the last frozen block, through the *original* block 15, head
  convolution and classifier (the fine-tuned block 15 no longer feeds the head it was trained
  with).

Usage: python -m core.training.tag_head --measure DIR... (top-1 agreement and cost of both)
       python -m core.training.tag_head --branch final --out resources/models
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn
from torch.nn import functional as F

from core.decode import load_rgb, model_pixels
from core.formats import is_photo_name
from core.training.efficientnet import (
    MEAN,
    STD,
    EfficientNetLite0,
    efficientnet_lite0,
    weights_description,
)
from core.training.export import OPSET, sha256_file

TAGS_OUTPUT = "tags"
DEFAULT_MODEL = Path("resources/models")
# Tensors of the shipped graph the head can hang from, with their channel count.
BRANCHES: dict[str, tuple[str, int]] = {
    "final": ("/backbone/Clip_1_output_0", 1280),
    "block14": ("/backbone/_blocks.14/Add_output_0", 192),
}
HEAD_PREFIX = "tags/"


class FinalHead(nn.Module):
    """Feature map [N, 1280, h, w] to class probabilities: average pool, ImageNet classifier."""

    def __init__(self, backbone: EfficientNetLite0) -> None:
        super().__init__()
        self.fc = backbone._fc

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Probabilities [N, 1000]."""
        return F.softmax(self.fc(features.mean(dim=(2, 3))), dim=1)


class Block14Head(nn.Module):
    """Block-14 output [N, 192, h, w] through the original block 15, head conv and classifier."""

    def __init__(self, backbone: EfficientNetLite0) -> None:
        super().__init__()
        self.block = backbone._blocks[15]
        self.conv_head = backbone._conv_head
        self.bn = backbone._bn1
        self.fc = backbone._fc

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Probabilities [N, 1000]."""
        x = F.relu6(self.bn(self.conv_head(self.block(features))))
        return F.softmax(self.fc(x.mean(dim=(2, 3))), dim=1)


def head_module(branch: str) -> nn.Module:
    """The torch head for a branch, with the original ImageNet weights, in eval mode."""
    backbone = efficientnet_lite0(pretrained=True).eval()
    head = FinalHead(backbone) if branch == "final" else Block14Head(backbone)
    return head.eval()


def _export_head(branch: str, path: Path) -> None:
    _, channels = BRANCHES[branch]
    example = torch.zeros((2, channels, 7, 7), dtype=torch.float32)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            head_module(branch),
            (example,),
            str(path),
            input_names=["features"],
            output_names=[TAGS_OUTPUT],
            dynamic_axes={"features": {0: "batch", 2: "h", 3: "w"}, TAGS_OUTPUT: {0: "batch"}},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def graft(model: onnx.ModelProto, head: onnx.ModelProto, tensor: str) -> onnx.ModelProto:
    """A copy of `model` whose graph also computes `head` from its `tensor`, as output "tags".

    The head's names get a prefix so they cannot clash; its input is renamed to `tensor`.
    """
    head = onnx.compose.add_prefix(head, HEAD_PREFIX)
    (head_input,) = head.graph.input
    merged = onnx.ModelProto()
    merged.CopyFrom(model)
    for node in head.graph.node:
        node.input[:] = [tensor if name == head_input.name else name for name in node.input]
        merged.graph.node.append(node)
    merged.graph.initializer.extend(head.graph.initializer)
    (head_output,) = head.graph.output
    for node in merged.graph.node:
        node.output[:] = [TAGS_OUTPUT if name == head_output.name else name for name in node.output]
    output = onnx.ValueInfoProto()
    output.CopyFrom(head_output)
    output.name = TAGS_OUTPUT
    merged.graph.output.append(output)
    onnx.checker.check_model(merged, full_check=True)
    return merged


def strip(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` without a grafted head (so a tagged file can be re-grafted or measured plain)."""
    plain = onnx.ModelProto()
    plain.CopyFrom(model)
    keep = [n for n in plain.graph.node if not n.name.startswith(HEAD_PREFIX)]
    del plain.graph.node[:]
    plain.graph.node.extend(keep)
    inits = [i for i in plain.graph.initializer if not i.name.startswith(HEAD_PREFIX)]
    del plain.graph.initializer[:]
    plain.graph.initializer.extend(inits)
    outputs = [o for o in plain.graph.output if o.name != TAGS_OUTPUT]
    del plain.graph.output[:]
    plain.graph.output.extend(outputs)
    return plain


def build(model_path: Path, branch: str) -> onnx.ModelProto:
    """The shipped ONNX model (any head it has removed) plus the class head of `branch`."""
    tensor, _ = BRANCHES[branch]
    with tempfile.TemporaryDirectory() as tmp:
        head_path = Path(tmp) / "head.onnx"
        _export_head(branch, head_path)
        head = onnx.load(str(head_path))
    return graft(strip(onnx.load(str(model_path))), head, tensor)


def cpu_session(model: onnx.ModelProto | Path, threads: int = 0) -> ort.InferenceSession:
    """An ONNX Runtime CPU session over a file or an in-memory graph."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    source = str(model) if isinstance(model, Path) else model.SerializeToString()
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def photo_batch(folders: Sequence[Path], size: int = 224, limit: int = 0) -> np.ndarray:
    """uint8 [N, size, size, 3] from photo files and folders, preprocessed as the app does."""
    files = [
        p
        for source in folders
        for p in (sorted(source.iterdir()) if source.is_dir() else [source])
        if is_photo_name(p.name)
    ][: limit or None]
    return np.stack([model_pixels(load_rgb(p, max_side=size), size) for p in files])


def reference_top1(pixels: np.ndarray) -> np.ndarray:
    """Top-1 ImageNet class of each photo under the off-the-shelf torch classifier."""
    model = efficientnet_lite0(pretrained=True).eval()
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    tops = []
    with torch.no_grad():
        for start in range(0, len(pixels), 32):
            x = torch.from_numpy(pixels[start : start + 32]).permute(0, 3, 1, 2).float()
            tops.append(model.classify((x / 255.0 - mean) / std).argmax(1).numpy())
    return np.concatenate(tops)


def run_tags(session: ort.InferenceSession, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(embeddings, tag probabilities) for a batch, 32 at a time."""
    vectors, tags = [], []
    for start in range(0, len(pixels), 32):
        v, t = session.run(["embeddings", TAGS_OUTPUT], {"images": pixels[start : start + 32]})
        vectors.append(v)
        tags.append(t)
    return np.concatenate(vectors), np.concatenate(tags)


def count_macs(model: onnx.ModelProto, size: int = 224) -> int:
    """Multiply-accumulates of one photo through a graph's Conv and Gemm nodes (the bulk of it).

    A count, not a timing: on a shared, busy CPU timings of two near-equal graphs swing by more
    than the difference between them.
    """
    fixed = onnx.ModelProto()
    fixed.CopyFrom(model)
    dims = fixed.graph.input[0].type.tensor_type.shape.dim
    for dim, value in zip(dims, (1, size, size, 3), strict=True):
        dim.dim_value = value
    inferred = onnx.shape_inference.infer_shapes(fixed)
    shapes = {
        info.name: [d.dim_value for d in info.type.tensor_type.shape.dim]
        for info in (*inferred.graph.value_info, *inferred.graph.output, *inferred.graph.input)
    }
    weights = {init.name: list(init.dims) for init in inferred.graph.initializer}
    total = 0
    for node in inferred.graph.node:
        if node.op_type == "Conv":
            out = shapes[node.output[0]]
            kernel = weights[node.input[1]]  # [out, in / groups, kh, kw]
            total += int(np.prod(out)) * int(np.prod(kernel[1:]))
        elif node.op_type in ("Gemm", "MatMul"):
            kernel = weights.get(node.input[1]) or shapes.get(node.input[1], [0])
            total += int(np.prod(kernel))
    return total


@dataclass(frozen=True, slots=True)
class Cost:
    """Seconds per photo for the embedding-only and the two-output graph, timed side by side."""

    embed_only: float
    with_tags: float

    @property
    def ratio(self) -> float:
        """How much longer one pass takes with the tags."""
        return self.with_tags / self.embed_only


def time_side_by_side(
    plain: ort.InferenceSession,
    tagged: ort.InferenceSession,
    pixels: np.ndarray,
    rounds: int = 15,
) -> Cost:
    """Alternate the two sessions on one batch; best CPU time of each (other load only adds).

    CPU time of this process, not wall time: with one ORT thread it leaves out the time the
    shared machine gives to other processes.
    """
    best_plain = best_tagged = float("inf")
    plain.run(None, {"images": pixels})
    tagged.run(None, {"images": pixels})
    for _ in range(rounds):
        start = time.process_time()
        plain.run(None, {"images": pixels})
        best_plain = min(best_plain, time.process_time() - start)
        start = time.process_time()
        tagged.run(None, {"images": pixels})
        best_tagged = min(best_tagged, time.process_time() - start)
    return Cost(best_plain / len(pixels), best_tagged / len(pixels))


def measure(model_dir: Path, folders: Sequence[Path], threads: int, limit: int) -> int:
    """Print top-1 agreement, vector parity and cost for every branch."""
    info = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    shipped = model_dir / info["file"]
    pixels = photo_batch(folders, limit=limit)
    reference = reference_top1(pixels)
    plain = cpu_session(strip(onnx.load(str(shipped))), threads)
    base_vectors = np.concatenate(
        [
            plain.run(["embeddings"], {"images": pixels[s : s + 32]})[0]
            for s in range(0, len(pixels), 32)
        ]
    )
    print(f"{len(pixels)} photos from {len(folders)} files and folders")
    for branch in BRANCHES:
        tagged = cpu_session(build(shipped, branch), threads)
        vectors, tags = run_tags(tagged, pixels)
        agree = float(np.mean(tags.argmax(1) == reference))
        top5 = float(
            np.mean([r in np.argsort(-t)[:5] for r, t in zip(reference, tags, strict=True)])
        )
        diff = float(np.abs(vectors - base_vectors).max())
        cost = time_side_by_side(plain, tagged, pixels[:32])
        macs = count_macs(build(shipped, branch)) / count_macs(strip(onnx.load(str(shipped))))
        print(
            f"branch {branch:8s} top-1 agreement {agree:.3f}  reference in top-5 {top5:.3f}  "
            f"vectors max|diff| {diff:.3g}  ms/photo {cost.embed_only * 1e3:.2f} -> "
            f"{cost.with_tags * 1e3:.2f}  ratio {cost.ratio:.3f}  MACs ratio {macs:.3f}"
        )
    return 0


def write(model_dir: Path, branch: str, file_name: str) -> Path:
    """Write the two-output model next to the shipped one and point the manifest at it.

    The manifest keeps every key; `vectors_sha256` records the file whose vectors this one
    reproduces, so the model fingerprint (and every library's vectors) stays as it was.
    """
    manifest_path = model_dir / "manifest.json"
    info = json.loads(manifest_path.read_text(encoding="utf-8"))
    old = model_dir / info["file"]
    model = build(old, branch)
    out = model_dir / file_name
    onnx.save(model, str(out))
    info.setdefault("vectors_sha256", info["sha256"])
    info["file"] = out.name
    info["sha256"] = sha256_file(out)
    info["tags"] = {
        "output": TAGS_OUTPUT,
        "classes": 1000,
        "vocabulary": "imagenet-1k",
        "branch": branch,
        "tensor": BRANCHES[branch][0],
        "scores": "softmax",
        "weights": weights_description(),
        "recipe": (
            f"python -m core.training.tag_head --branch {branch} --out {model_dir.as_posix()}"
        ),
    }
    partial = manifest_path.with_name("manifest.json.partial")
    partial.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    partial.replace(manifest_path)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m core.training.tag_head", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL, help="model folder")
    parser.add_argument("--branch", choices=sorted(BRANCHES), default="final")
    parser.add_argument("--file", default="simili-lite0-ft-v2-tags.onnx", help="new file name")
    parser.add_argument("--measure", type=Path, nargs="+", help="photo folders: measure only")
    parser.add_argument("--limit", type=int, default=0, help="at most this many photos")
    parser.add_argument("--threads", type=int, default=1, help="ORT threads when timing")
    args = parser.parse_args(argv)
    if args.measure:
        return measure(args.out, args.measure, args.threads, args.limit)
    out = write(args.out, args.branch, args.file)
    print(f"wrote {out} and {args.out / 'manifest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
