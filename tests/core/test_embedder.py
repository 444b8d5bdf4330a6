"""Provider selection in Embedder, against a fake onnxruntime (no GPU needed)."""

from __future__ import annotations

import types

import pytest

from core import embedder as embedder_module
from core.embedder import Embedder, load_manifest
from core.paths import default_model_manifest

CPU, CUDA = "CPUExecutionProvider", "CUDAExecutionProvider"


class FakeRuntime(types.SimpleNamespace):
    """Just enough of onnxruntime: which providers exist, and which a session really got."""

    def __init__(self, available: list[str], cuda_loads: bool) -> None:
        super().__init__()
        self.available = available
        self.cuda_loads = cuda_loads
        self.asked: list[list[str]] = []  # providers requested per session
        self.probed = 0
        runtime = self

        class SessionOptions:
            def add_session_config_entry(self, *_a: object) -> None:
                pass

        class Session:
            def __init__(self, _path: str, _options: object, providers: list[str]) -> None:
                runtime.asked.append(list(providers))
                if providers[0] == CUDA and runtime.cuda_loads is None:
                    raise RuntimeError("libcublasLt.so.13: cannot open shared object file")
                got = providers if runtime.cuda_loads else [p for p in providers if p != CUDA]
                self.providers = got

            def get_providers(self) -> list[str]:
                return self.providers

        self.SessionOptions = SessionOptions
        self.InferenceSession = Session
        self.GraphOptimizationLevel = types.SimpleNamespace(ORT_ENABLE_ALL=99)

    def get_available_providers(self) -> list[str]:
        self.probed += 1
        return self.available

    def set_default_logger_severity(self, _level: int) -> None:
        pass


@pytest.fixture
def fake(monkeypatch):
    def install(available: list[str], cuda_loads: bool | None) -> FakeRuntime:
        runtime = FakeRuntime(available, cuda_loads)
        monkeypatch.setattr(embedder_module, "load_runtime", lambda: runtime)
        monkeypatch.setattr(embedder_module, "_cuda_failed", False)
        return runtime

    return install


@pytest.fixture(scope="module")
def info():
    return load_manifest(default_model_manifest())


def test_cpu_device_never_asks_for_cuda(fake, info):
    runtime = fake([CUDA, CPU], cuda_loads=True)
    embedder = Embedder(info, "cpu")
    assert runtime.asked == [[CPU]]
    assert runtime.probed == 0
    assert (embedder.device, embedder.note) == ("cpu", "")


def test_auto_uses_cuda_when_it_loads(fake, info):
    runtime = fake([CUDA, CPU], cuda_loads=True)
    embedder = Embedder(info, "auto")
    assert runtime.asked == [[CUDA, CPU]]
    assert (embedder.device, embedder.provider) == ("cuda", CUDA)


@pytest.mark.parametrize("cuda_loads", [False, None], ids=["dropped", "raises"])
def test_cuda_requested_but_unusable_runs_on_cpu_with_a_note(fake, info, cuda_loads):
    # onnxruntime-gpu is installed but its CUDA libraries are missing: ORT either drops the
    # provider silently or fails to create the session
    fake([CUDA, CPU], cuda_loads=cuda_loads)
    embedder = Embedder(info, "cuda")
    assert embedder.device == "cpu"
    assert "CUDA was requested but is not usable" in embedder.note
    # and the process does not try (and log) the broken CUDA again
    runtime = fake([CUDA, CPU], cuda_loads=True)
    embedder_module._cuda_failed = True
    assert Embedder(info, "auto").device == "cpu"
    assert runtime.asked == [[CPU]]


def test_plain_onnxruntime_without_cuda(fake, info):
    runtime = fake([CPU], cuda_loads=False)
    auto = Embedder(info, "auto")
    assert (auto.device, auto.note) == ("cpu", "")
    cuda = Embedder(info, "cuda")
    assert cuda.device == "cpu"
    assert "not usable" in cuda.note
    assert runtime.asked == [[CPU], [CPU]]
