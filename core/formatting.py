"""Human-readable sizes, durations and evidence lines, shared by the CLI and the app."""

from __future__ import annotations

from pathlib import PurePath

from core.pathtext import display
from core.records import PairEvidence


def human_bytes(size: int) -> str:
    """'830 bytes', '1.2 MB': binary multiples, one decimal."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def human_duration(seconds: float) -> str:
    """'45 s', '3 min', '2 h 05 min': precise enough for a time-left estimate."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def count_of(count: int, noun: str, plural: str | None = None, *, grouped: bool = False) -> str:
    """'1 photo', '14 photos', '2 copies': never '1 files'; `grouped`: '1,038 photos'."""
    number = f"{count:,}" if grouped else str(count)
    return f"{number} {noun if count == 1 else plural or noun + 's'}"


def evidence_line(e: PairEvidence, keep: str) -> str:
    """'copy.jpg against keep.jpg: cropped, brightened': a link's words, for the copy.

    Told for the file that is not the keeper where the link runs to it, so the words fit the
    file they name (a verdict's words have a direction).
    """
    copy, other = (e.a, e.b) if e.b == keep else (e.b, e.a)
    names = display(PurePath(copy).name), display(PurePath(other).name)
    return f"{names[0]} against {names[1]}: {e.describing(copy)}"
