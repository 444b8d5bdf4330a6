"""Per-library settings: a small versioned JSON file in the library folder."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

SETTINGS_NAME = "settings.json"
SETTINGS_VERSION = 1
STRICTNESS = ("strict", "normal", "loose")  # as core.duplicates.STRICTNESS (no import cycle)


@dataclass(frozen=True, slots=True)
class Settings:
    """What a user can change; unknown or invalid values fall back to these defaults."""

    device: str = "auto"  # auto | cpu | cuda
    workers: int = 0  # decode processes; 0 = one per core
    exclude_patterns: tuple[str, ...] = field(default_factory=tuple)
    watch: bool = True
    thumbnail_size: int = 160
    # Folders never trashed from ("my originals live here"): keep-best prefers their files and
    # the trash refuses any file inside them. Stored as typed ("~/Pictures/Originals").
    reference_folders: tuple[str, ...] = field(default_factory=tuple)
    duplicate_strictness: str = "strict"  # strict | normal | loose (core.duplicates.STRICTNESS)

    def with_changes(self, **changes: object) -> Settings:
        """A copy with some fields replaced."""
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(folder: Path) -> Settings:
    """Settings of a library folder (defaults when missing or unreadable)."""
    try:
        data = json.loads((folder / SETTINGS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    defaults = Settings()
    device = data.get("device", defaults.device)
    workers = data.get("workers", defaults.workers)
    patterns = data.get("exclude_patterns", [])
    size = data.get("thumbnail_size", defaults.thumbnail_size)
    folders = data.get("reference_folders", [])
    strictness = data.get("duplicate_strictness", defaults.duplicate_strictness)
    return Settings(
        device=device if device in ("auto", "cpu", "cuda") else defaults.device,
        workers=workers if isinstance(workers, int) and 0 <= workers <= 64 else defaults.workers,
        exclude_patterns=tuple(p for p in patterns if isinstance(p, str) and p.strip()),
        watch=bool(data.get("watch", defaults.watch)),
        thumbnail_size=size if isinstance(size, int) and 64 <= size <= 512 else 160,
        reference_folders=_folders(folders),
        duplicate_strictness=strictness if strictness in STRICTNESS else "strict",
    )


def _folders(value: object) -> tuple[str, ...]:
    """Non-empty folder strings, without repeats; anything else in the file is ignored."""
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(f.strip() for f in value if isinstance(f, str) and f.strip()))


def save_settings(folder: Path, settings: Settings) -> None:
    """Write settings atomically (temp file + rename)."""
    data = asdict(settings)
    data["exclude_patterns"] = list(settings.exclude_patterns)
    data["reference_folders"] = list(settings.reference_folders)
    data["version"] = SETTINGS_VERSION
    tmp = folder / (SETTINGS_NAME + ".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    tmp.replace(folder / SETTINGS_NAME)
