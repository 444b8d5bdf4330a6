"""Paths: the form a photo path is stored in, where Simili keeps its data, its resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Simili"
HOME_ENV = "SIMILI_HOME"


def normalise(path: str) -> str:
    """The absolute, normalised form under which a path is stored (symlinks are kept as named)."""
    # os.path, not Path.resolve(): a symlink is stored as named, and this runs once a file.
    return os.path.normpath(os.path.abspath(os.path.expanduser(path)))  # noqa: PTH100, PTH111


def default_library_dir() -> Path:
    """The library used without --library: $SIMILI_HOME, else the per-user data dir."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "library"


def resources_dir() -> Path:
    """The shipped resources: beside the packages (checkout or install) or in a frozen app."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def default_model_manifest() -> Path:
    """The manifest of the model the app ships with."""
    return resources_dir() / "models" / "manifest.json"
