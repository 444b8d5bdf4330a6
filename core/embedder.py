"""The ONNX Runtime session that turns photos into vectors (the only onnxruntime importer)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from core.errors import ModelError
from core.levels import DEFAULT_LEVELS, Levels, levels_from_manifest

DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the manifest says about a model; `fingerprint` changes whenever vectors would."""

    manifest: Path
    file: Path
    name: str
    version: int
    dim: int
    size: int
    sha256: str
    input_name: str
    output_name: str
    # What a score means for this model (calibrated in the manifest, else defaults).
    levels: Levels = DEFAULT_LEVELS
    # The file whose vectors this one reproduces bit for bit (a class head added later keeps it).
    vectors_sha256: str = ""
    tags_output: str | None = None
    tags_classes: int = 0

    @property
    def fingerprint(self) -> str:
        """Identifies the vectors this model produces; stored in the catalogue."""
        sha = self.vectors_sha256 or self.sha256
        return f"{self.name}:v{self.version}:{self.dim}:{self.size}:{sha[:16]}"

    @property
    def tags_fingerprint(self) -> str | None:
        """Identifies the class scores this model produces; None when it has no class head."""
        if self.tags_output is None:
            return None
        return f"{self.name}:v{self.version}:tags{self.tags_classes}:{self.sha256[:16]}"


def load_manifest(path: Path) -> ModelInfo:
    """Read a model manifest (or a folder holding manifest.json).

    Raises:
        ModelError: the manifest or the model file is missing or malformed.
    """
    manifest = path / "manifest.json" if path.is_dir() else path
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        file = manifest.parent / data["file"]
        info = ModelInfo(
            manifest=manifest,
            file=file,
            name=str(data["name"]),
            version=int(data["version"]),
            dim=int(data["dim"]),
            size=int(data["input"]["size"]),
            sha256=str(data["sha256"]),
            input_name=str(data["input"].get("name", "images")),
            output_name=str(data.get("output", "embeddings")),
            levels=levels_from_manifest(data),
            vectors_sha256=str(data.get("vectors_sha256", data["sha256"])),
            tags_output=str(data["tags"]["output"]) if data.get("tags") else None,
            tags_classes=int(data["tags"]["classes"]) if data.get("tags") else 0,
        )
    except FileNotFoundError:
        raise ModelError(
            f"{manifest}: model manifest not found; reinstall Simili or pass --model PATH"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{manifest}: unreadable model manifest ({exc})") from None
    if not info.file.is_file():
        raise ModelError(f"{info.file}: model file missing; reinstall Simili or pass --model PATH")
    return info


def verify_model_file(info: ModelInfo) -> None:
    """Check the model file against the manifest's sha256 (a partial download or edit fails here).

    Raises:
        ModelError: the file does not match.
    """
    digest = hashlib.sha256(info.file.read_bytes()).hexdigest()
    if digest != info.sha256:
        raise ModelError(
            f"{info.file}: model file does not match its manifest (sha256 {digest[:12]}…)"
        )


def load_runtime() -> ModuleType:
    """Import onnxruntime; core.index calls this before it imports usearch.

    usearch's wheels link libstdc++ statically, and its GNU-unique symbols bind process-wide:
    importing onnxruntime after usearch then segfaults inside libstdc++'s locale setup. Loading
    onnxruntime first is safe (checked by tests/core/test_boundaries.py).
    """
    import onnxruntime  # kept local: opening a library or a decode worker never loads it

    return onnxruntime


_session_lock = threading.Lock()
_cuda_failed = False  # once CUDA failed to load in this process, don't try (and log) again


def _cuda_available() -> bool:
    return not _cuda_failed and "CUDAExecutionProvider" in load_runtime().get_available_providers()


class Embedder:
    """Batches of uint8 model-sized photos in, L2-normalised float32 vectors out.

    The device is probed quietly: onnxruntime-gpu prints a loud error when CUDA libraries are
    missing, so the probe runs with logging turned down and the result is reported plainly.
    """

    def __init__(self, info: ModelInfo, device: str = "auto", threads: int = 0) -> None:
        ort = load_runtime()
        if device not in DEVICES:
            raise ModelError(f"unknown device {device!r}; use one of {', '.join(DEVICES)}")
        self.info = info
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle ORT threads must sleep, not spin: during indexing they share the cores with the
        # decode processes, which are the bottleneck.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        if threads > 0:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        providers = ["CPUExecutionProvider"]
        if device in ("auto", "cuda") and _cuda_available():
            providers = ["CUDAExecutionProvider", "CPUExecutionProvider"]
        global _cuda_failed
        # One session at a time, with ORT's global logger silenced: the CUDA probe logs a loud
        # error when its libraries are missing, and a second thread must not re-enable it.
        with _session_lock:
            ort.set_default_logger_severity(4)
            try:
                self._session = ort.InferenceSession(str(info.file), options, providers=providers)
            except Exception as exc:  # any provider failure falls back to CPU
                if providers[0] == "CPUExecutionProvider":
                    raise ModelError(f"{info.file}: cannot load model ({exc})") from None
                self._session = ort.InferenceSession(
                    str(info.file), options, providers=["CPUExecutionProvider"]
                )
            finally:
                ort.set_default_logger_severity(3)
            if "CUDAExecutionProvider" in providers:
                _cuda_failed = self._session.get_providers()[0] != "CUDAExecutionProvider"
        self.provider = self._session.get_providers()[0]
        if device == "cuda" and self.provider != "CUDAExecutionProvider":
            self.note = "CUDA was requested but is not usable here; running on the CPU"
        else:
            self.note = ""

    @property
    def device(self) -> str:
        """'cuda' or 'cpu': what actually runs the model."""
        return "cuda" if self.provider == "CUDAExecutionProvider" else "cpu"

    def embed(self, pixels: np.ndarray) -> np.ndarray:
        """Embed a batch [N, S, S, 3] uint8; returns [N, dim] float32 with unit rows."""
        return self.embed_and_tag(pixels)[0]

    @property
    def tags(self) -> bool:
        """Whether the model also gives class scores."""
        return self.info.tags_output is not None

    def embed_and_tag(self, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """One model pass: ([N, dim] unit vectors, [N, classes] probabilities or None)."""
        if pixels.ndim == 3:
            pixels = pixels[None]
        names = [self.info.output_name]
        if self.info.tags_output is not None:
            names.append(self.info.tags_output)
        outputs = self._session.run(names, {self.info.input_name: pixels})
        out = np.asarray(outputs[0], dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        probs = np.asarray(outputs[1], dtype=np.float32) if len(outputs) > 1 else None
        return out / np.maximum(norms, 1e-12), probs
