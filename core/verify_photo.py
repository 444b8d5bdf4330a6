"""The photos the verifier compares: a small upright decode with its local features.

Kept apart from the decision (`core.verify`) so that how a photo is read and described by
features can change without touching how a pair is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from core.decode import load_rgb
from core.errors import NotAnImageError

SIDE = 384  # long side of the decodes compared
MIN_SIDE = 48  # a picture smaller than this has too little to verify
FEATURES = 600  # SIFT keypoints per photo
# A photo with fewer keypoints than this at SIFT's usual contrast floor is a low-texture one (sky,
# sea, fog, a wall): it is described again with a lower floor, so its faint structure (cloud
# edges, ripples) still gives the geometric check something to fit. On the dupset tune sample
# (benchmarks/verify_pairs.py) this took low-texture copies confirmed at strict from 209 to 269
# of 572, with the same 17 false pairs passing; floors 0.005 and 0.02 gave 235 and 268.
SPARSE = 100
LOW_CONTRAST = 0.01  # SIFT's contrastThreshold for sparse photos (its default is 0.04)


@dataclass(slots=True)
class Photo:
    """One photo as the verifier sees it."""

    colour: np.ndarray  # H x W x 3 uint8, upright, long side <= SIDE
    grey: np.ndarray  # H x W uint8
    full_size: tuple[int, int]  # the decoded photo's (width, height) before shrinking
    keypoints: np.ndarray | None = None  # N x 2 float32
    descriptors: np.ndarray | None = None
    sparse: bool = False  # few keypoints at the usual contrast floor: little texture
    mirror: Photo | None = None  # the same photo mirrored, with its features (made on demand)

    @property
    def pixels(self) -> int:
        """Pixel count of the decoded photo (which of a pair is the finer)."""
        return self.full_size[0] * self.full_size[1]

    @property
    def count(self) -> int:
        """Number of keypoints (a photo with few may lack texture)."""
        return 0 if self.keypoints is None else len(self.keypoints)

    def mirrored(self) -> Photo:
        """The photo mirrored left to right, with its features (made once, then kept).

        The features are derived, not detected again: SIFT finds the mirror image of each
        keypoint, and its descriptor is the same histogram with its rows and gradient directions
        reflected (checked against detection on the mirrored picture in the tests). That halves
        the feature work of a pair that is not a mirror copy.
        """
        if self.mirror is None:
            grey = np.ascontiguousarray(self.grey[:, ::-1])
            colour = np.ascontiguousarray(self.colour[:, ::-1])
            mirror = Photo(colour, grey, self.full_size, sparse=self.sparse)
            if self.keypoints is not None and self.descriptors is not None:
                points = self.keypoints.copy()
                points[:, 0] = grey.shape[1] - 0.5 - points[:, 0]
                mirror.keypoints = points
                mirror.descriptors = mirrored_descriptors(self.descriptors)
            self.mirror = mirror
        return self.mirror


def load_photo(path: str) -> Photo | None:
    """The small upright decode of a photo with its features, or None if unreadable or tiny."""
    try:
        image = load_rgb(Path(path), max_side=SIDE)
    except (NotAnImageError, OSError):
        return None
    full = image.size
    image.thumbnail((SIDE, SIDE))
    colour = np.asarray(image, np.uint8)
    if min(colour.shape[:2]) < 16 or max(colour.shape[:2]) < MIN_SIDE:
        return None
    grey = cv2.cvtColor(colour, cv2.COLOR_RGB2GRAY)
    return _with_features(Photo(colour, grey, full))


# SIFT's descriptor: 4 x 4 cells (rows along the keypoint's own y axis) x 8 gradient directions.
# Mirroring the picture reflects the keypoint's frame across its x axis: rows run backwards and
# a direction d becomes -d.
_MIRROR_ORDER = np.arange(128).reshape(4, 4, 8)[::-1][:, :, (-np.arange(8)) % 8].reshape(128).copy()


def mirrored_descriptors(descriptors: np.ndarray) -> np.ndarray:
    """SIFT descriptors of the mirror image of each keypoint, without detecting again."""
    return np.ascontiguousarray(descriptors[:, _MIRROR_ORDER])


def _with_features(photo: Photo) -> Photo:
    kps, desc = cv2.SIFT_create(nfeatures=FEATURES).detectAndCompute(photo.grey, None)
    photo.sparse = len(kps) < SPARSE
    if photo.sparse:
        sift = cv2.SIFT_create(nfeatures=FEATURES, contrastThreshold=LOW_CONTRAST)
        kps, desc = sift.detectAndCompute(photo.grey, None)
    if desc is not None and len(kps) >= 2:
        photo.keypoints = np.float32([k.pt for k in kps])
        photo.descriptors = desc
    return photo
