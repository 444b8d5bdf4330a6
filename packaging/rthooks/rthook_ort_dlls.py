"""Runtime hook (Windows): let ONNX Runtime's providers find their DLLs in a frozen app.

Since Python 3.8 the DLL search for extension modules ignores PATH. ONNX Runtime's CUDA provider
(onnxruntime_providers_cuda.dll, loaded on demand) needs onnxruntime_providers_shared.dll beside
it and the CUDA 13 / cuDNN 9 runtime DLLs from the user's install. Registering those folders
before `import onnxruntime` makes the GPU usable when it is installed; when it is not, the
provider fails to load and core/embedder.py falls back to the CPU.
"""

import contextlib
import os
import sys
from pathlib import Path

_dll_dirs = []  # keep the handles: closing one removes its folder from the search again


def _add(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not a usable folder: leave the search as it was
        if folder.is_dir():
            _dll_dirs.append(os.add_dll_directory(str(folder)))


def _holds_cuda(folder: Path) -> bool:
    with contextlib.suppress(OSError):
        return any(
            p.name.lower().startswith(("cudart64_", "cudnn64_", "cublas64_"))
            for p in folder.iterdir()
        )
    return False


def _register() -> None:
    bundle = getattr(sys, "_MEIPASS", None)
    if sys.platform != "win32" or not bundle:
        return
    _add(Path(bundle))
    _add(Path(bundle) / "onnxruntime" / "capi")
    if cuda := os.environ.get("CUDA_PATH"):
        _add(Path(cuda) / "bin" / "x64")  # CUDA 13 puts its DLLs here
        _add(Path(cuda) / "bin")
    if cudnn := os.environ.get("CUDNN_PATH"):
        _add(Path(cudnn) / "bin")
    # Folders on PATH that hold CUDA or cuDNN DLLs (how NVIDIA's installers expose them).
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and _holds_cuda(Path(entry)):
            _add(Path(entry))


_register()
