"""PCA-whitening (and its pair-supervised variant) learned from features, as an nn.Linear.

Whitening decorrelates the descriptor and evens out the variance of its components, so that
the few directions every photo shares (sky, "a building") stop dominating the cosine; keeping
the leading components shrinks the index. Both variants return the map as weight W and bias b
with y = W x + b, ready to be the `projection` of the embedding network.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def _inverse_sqrt(cov: np.ndarray, eps: float) -> np.ndarray:
    values, vectors = np.linalg.eigh(cov)
    values = np.maximum(values, 0.0) + eps * values.max()
    return (vectors / np.sqrt(values)) @ vectors.T


def pca_whitening(
    features: np.ndarray, dim: int, eps: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """PCA-whitening to `dim` components: W [dim, D], b [dim].

    Args:
        features: [N, D] training descriptors (L2-normalised, as the network outputs them).
        dim: how many leading components to keep (≤ D).
        eps: relative regulariser added to every eigenvalue (keeps tiny ones from exploding).

    Returns:
        (W, b) so that W x + b has zero mean and identity covariance on the training features.
    """
    x = np.asarray(features, dtype=np.float64)
    if not 0 < dim <= x.shape[1]:
        raise ValueError(f"dim must be in 1..{x.shape[1]}, not {dim}")
    mean = x.mean(axis=0)
    centred = x - mean
    cov = centred.T @ centred / max(1, x.shape[0] - 1)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][:dim]
    values = np.maximum(values[order], 0.0) + eps * values.max()
    weight = (vectors[:, order] / np.sqrt(values)).T
    return weight, -weight @ mean


def pair_whitening(
    features: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    dim: int,
    eps: float = 1e-3,
) -> tuple[np.ndarray, np.ndarray]:
    """Learned whitening (Radenović et al.): whiten by matching-pair differences, then PCA.

    The first step shrinks the directions in which edited copies of one photo differ; the
    second keeps the directions in which different photos differ most.

    Args:
        features: [N, D] descriptors.
        first: indices of one side of each matching pair.
        second: indices of the other side.
        dim: components kept.
        eps: relative regulariser of the pair covariance.

    Returns:
        (W [dim, D], b [dim]).
    """
    x = np.asarray(features, dtype=np.float64)
    mean = x.mean(axis=0)
    diff = x[first] - x[second]
    within = _inverse_sqrt(diff.T @ diff / max(1, diff.shape[0]), eps)
    y = (x - mean) @ within.T
    cov = y.T @ y / max(1, y.shape[0] - 1)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][:dim]
    weight = vectors[:, order].T @ within
    return weight, -weight @ mean


def as_linear(weight: np.ndarray, bias: np.ndarray) -> nn.Linear:
    """An nn.Linear computing weight @ x + bias (float32)."""
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(np.asarray(weight, dtype=np.float32)))
        layer.bias.copy_(torch.from_numpy(np.asarray(bias, dtype=np.float32)))
    return layer
