"""Which exposure a file records: two files that name different shutter times are two captures.

An edit keeps the EXIF "DateTimeOriginal" (and its sub-seconds) of the photo it was made from:
every editor that keeps metadata at all copies it, and only "DateTime" (the file's own change
time) moves. So two files from one camera whose original times differ are two exposures — a
burst, a re-shoot, the next frame on a tripod — however alike their pixels are, and the
edited-copies tier refuses them before any pixel is compared. They go to "similar shots".

What this rule does not decide (the pixels do):
* either file has no original time or no camera (stripped metadata: messengers, screenshots);
* the cameras differ or are unknown on one side;
* the times differ by a whole multiple of a quarter hour (within a second): a time-zone or
  clock fix applied to one copy moves its time by whole hours or half hours, not by seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.bursts import seconds_apart, taken_seconds
from core.decode import exif_camera, exif_time, open_header

_EXIF_IFD = 0x8769

QUARTER_HOUR_S = 900.0
CLOCK_FIX_SLACK_S = 1.0  # a clock fix by whole quarter hours, give or take a rounded second


@dataclass(frozen=True, slots=True)
class Exposure:
    """When the shutter opened, as the file says: EXIF original time (seconds) and camera."""

    seconds: float
    precise: bool  # the time has sub-seconds
    camera: str


def read_exposure(path: str) -> Exposure | None:
    """The file's exposure, or None when it records no original time and camera (or is unreadable).

    Reads the header only (no pixels are decoded).
    """
    try:
        with open_header(path) as image:
            exif = image.getexif()
            sub = exif.get_ifd(_EXIF_IFD)
    except Exception:  # unreadable, not an image, or a damaged EXIF block: no time to compare
        return None
    taken, camera = exif_time(exif, sub, original_only=True), exif_camera(exif)
    seconds = taken_seconds(taken)
    if taken is None or seconds is None or camera is None:
        return None
    precise = "." in taken
    return Exposure(seconds, precise, camera)


def different_exposures(a: Exposure | None, b: Exposure | None) -> str | None:
    """Why two files are two exposures ("taken 0.4 s apart by one camera"), or None if unknown."""
    if a is None or b is None or a.camera != b.camera:
        return None
    gap = abs(a.seconds - b.seconds)
    if gap < (0.0005 if a.precise and b.precise else 0.5):
        return None  # the same moment: the pixels decide
    quarters = round(gap / QUARTER_HOUR_S)
    if quarters >= 1 and abs(gap - quarters * QUARTER_HOUR_S) <= CLOCK_FIX_SLACK_S:
        return None  # a clock or time-zone fix on one copy, not another moment
    return f"two exposures: taken {_duration(gap)} apart by one camera"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return seconds_apart(seconds)
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"
