"""The embedding network: uint8 photos in, unit-length descriptors out, preprocessing included."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from core.training.efficientnet import MEAN, STD, EfficientNetLite0, efficientnet_lite0

GEM_P = 3.0
GEM_EPS = 1e-6
NORM_EPS = 1e-12


class GeM(nn.Module):
    """Generalised-mean pooling over the spatial grid.

    p=3 sits between average pooling (p=1) and max pooling (p=inf): it favours the few strong,
    distinctive activations a landmark or object leaves, which retrieves better than averaging.
    """

    def __init__(self, p: float = GEM_P, eps: float = GEM_EPS, trainable: bool = False) -> None:
        super().__init__()
        value = torch.tensor(float(p))
        if trainable:
            self.p: torch.Tensor = nn.Parameter(value)
        else:
            self.register_buffer("p", value)
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """[N, C, H, W] to [N, C]."""
        return x.clamp(min=self.eps).pow(self.p).mean(dim=(2, 3)).pow(1.0 / self.p)


class EmbeddingNet(nn.Module):
    """Backbone plus everything the app would otherwise have to reimplement, in one graph.

    Takes the decoder's output as is, uint8 NHWC RGB [N, S, S, 3], so the app never normalises
    pixels itself and cannot get the mean/std wrong: they live in the graph as buffers.
    Output: float32 [N, D], L2-normalised, so a dot product is a cosine similarity.
    """

    def __init__(
        self,
        backbone: EfficientNetLite0,
        mean: Sequence[float] = MEAN,
        std: Sequence[float] = STD,
        gem_p: float = GEM_P,
        projection: nn.Linear | None = None,
        trainable_p: bool = False,
    ) -> None:
        super().__init__()
        self.backbone = backbone
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))
        self.pool = GeM(gem_p, trainable=trainable_p)
        # A linear map after pooling: PCA-whitening to <= 256-d, or a learnt head when fine-tuning.
        self.projection = projection

    @property
    def dim(self) -> int:
        """Length of the output descriptor."""
        if self.projection is not None:
            return self.projection.out_features
        return self.backbone.out_channels

    def preprocess(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 NHWC to normalised float NCHW, exactly as the exported graph does it."""
        # Permute while still uint8: a quarter of the bytes to move compared with float32.
        x = images.permute(0, 3, 1, 2).to(torch.float32)
        return (x * (1.0 / 255.0) - self.mean) / self.std

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 [N, S, S, 3] RGB to float32 [N, D] unit vectors."""
        x = self.pool(self.backbone(self.preprocess(images)))
        if self.projection is not None:
            x = self.projection(x)
        # Written out rather than F.normalize, whose export adds Shape/Expand for the broadcast.
        return x / torch.linalg.vector_norm(x, dim=1, keepdim=True).clamp(min=NORM_EPS)


def pretrained_embedding_net(projection: nn.Linear | None = None) -> EmbeddingNet:
    """The off-the-shelf model: ImageNet Lite0 weights, GeM p=3, in eval mode."""
    return EmbeddingNet(efficientnet_lite0(pretrained=True), projection=projection).eval()
