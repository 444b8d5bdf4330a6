"""How long a second launch takes to hand a photo to the running window and exit.

    python benchmarks/handoff.py [--runs 10]

Starts the app on a fresh library (offscreen Qt), then launches `simili PHOTO` for the same
library RUNS times, timing each launch from process start to its exit (code 0 expected), and
once more with the first window frozen (SIGSTOP, a hung app): that launch must give up after
the hand-off timeout and open its own window instead (it quits at once, SIMILI_QUIT_AFTER_MS=0).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _launch(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop.launch", *args],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> int:
    """Print the hand-off times."""
    from PIL import Image

    from desktop.single_instance import server_name

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="simili-handoff-"))
    runtime = work / "run"
    runtime.mkdir(mode=0o700)
    library = work / "library"
    photo = work / "photo.jpg"
    Image.new("RGB", (64, 48), (200, 120, 40)).save(photo)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_RUNTIME_DIR=str(runtime),
        PYTHONPATH=str(REPO),
        SIMILI_QUIT_AFTER_MS="120000",
    )
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)  # where server_name puts the socket
    first = _launch(["--library", str(library)], env)
    try:
        name = Path(server_name(library))
        deadline = time.monotonic() + 60
        while not name.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not name.exists():
            print("the first window never listened")
            return 1
        times, codes = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            codes.append(_launch([str(photo), "--library", str(library)], env).wait(60))
            times.append(time.perf_counter() - start)
        times.sort()
        print(f"second launch hands over and exits: exit codes {sorted(set(codes))}")
        print(
            f"  median {statistics.median(times) * 1000:.0f} ms, "
            f"max {times[-1] * 1000:.0f} ms over {len(times)} launches"
        )
        first.send_signal(signal.SIGSTOP)  # a hung window
        try:
            start = time.perf_counter()
            hung_env = dict(env, SIMILI_QUIT_AFTER_MS="0")
            code = _launch([str(photo), "--library", str(library)], hung_env).wait(60)
            print(
                f"first window hung: the launch opened its own window after "
                f"{(time.perf_counter() - start) * 1000:.0f} ms (exit code {code})"
            )
        finally:
            first.send_signal(signal.SIGCONT)
    finally:
        first.terminate()
        first.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
