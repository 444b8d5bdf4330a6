"""pyproject's dependency markers pick an ONNX Runtime that has wheels on each platform."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the markers are the same on 3.10

REPO = Path(__file__).resolve().parents[1]

# (sys_platform, platform_machine) -> the runtime that has wheels there
PLATFORMS = {
    ("linux", "x86_64"): "onnxruntime-gpu",
    ("win32", "AMD64"): "onnxruntime-gpu",
    ("linux", "aarch64"): "onnxruntime",
    ("win32", "ARM64"): "onnxruntime",
    ("darwin", "arm64"): "onnxruntime",
    ("darwin", "x86_64"): "onnxruntime",
}


def _requirements(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    raw = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(r) for r in raw]


def _selected(requirements: list[Requirement], platform: tuple[str, str]) -> set[str]:
    env = {"sys_platform": platform[0], "platform_machine": platform[1], "extra": ""}
    return {r.name for r in requirements if r.marker is None or r.marker.evaluate(env)} & {
        "onnxruntime",
        "onnxruntime-gpu",
    }


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_exactly_one_runtime_with_wheels_per_platform(platform):
    assert _selected(_requirements(), platform) == {PLATFORMS[platform]}


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_gpu_extra_only_where_gpu_wheels_exist(platform):
    wanted = {"onnxruntime-gpu"} if PLATFORMS[platform] == "onnxruntime-gpu" else set()
    assert _selected(_requirements("gpu"), platform) == wanted


def test_onnxruntime_floor_is_recent_enough_for_cuda_13():
    # The README's CUDA 13 runtime needs onnxruntime-gpu 1.23 or newer; 1.31 is what is tested.
    for requirement in _requirements():
        if requirement.name.startswith("onnxruntime"):
            assert requirement.specifier.contains("1.31.0")
            assert not requirement.specifier.contains("1.22.0")
