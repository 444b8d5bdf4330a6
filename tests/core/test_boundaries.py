"""Architecture checks: core stays headless and torch-free at run time (napari's headless run)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import core

REPO = Path(__file__).resolve().parents[2]


def _runtime_modules() -> list[str]:
    return sorted(
        f"core.{m.name}" for m in pkgutil.iter_modules(core.__path__) if m.name != "training"
    )


def test_core_imports_neither_qt_nor_torch():
    modules = _runtime_modules()
    assert "core.pipeline" in modules
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'torch', "
        "'desktop')]\nprint(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_usearch_and_onnxruntime_load_together():
    # core.index must load onnxruntime before usearch (see core.embedder.load_runtime);
    # the other order segfaults with the current wheels.
    code = "import core.index, onnxruntime, usearch.index; print('ok')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_decode_workers_stay_light():
    # Decode processes import core.decode_worker only: no ONNX Runtime, no USearch, no Qt.
    code = (
        "import sys, core.decode_worker\n"
        "print(','.join(m for m in ('onnxruntime', 'usearch', 'PySide6') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr  # an ImportError must not pass as "light"
    assert result.stdout.strip() == ""


# Where threads start, as the README's Design section states it: the app's task runner and pools,
# the watcher's observer + debounce threads (plain Python), the duplicate scan's verification
# pool and an image query's "same photo" checks, and the lifeline thread inside each decode
# worker process. Add a file here only together
# with the README sentence that explains it.
THREAD_STARTERS = {
    "desktop/workers.py",
    "core/watcher.py",
    "core/near_tier.py",
    "core/same_photo.py",
    "core/decode_worker.py",
}


def test_threads_start_only_where_the_readme_says():
    import re

    pattern = re.compile(r"\b(Thread|QThread|QThreadPool|ThreadPoolExecutor|Timer)\(")
    starters = set()
    for folder in ("core", "desktop"):
        for path in (REPO / folder).rglob("*.py"):
            rel = path.relative_to(REPO).as_posix()
            if rel.startswith("core/training/"):
                continue
            if pattern.search(path.read_text(encoding="utf-8")):
                starters.add(rel)
    assert starters == THREAD_STARTERS
