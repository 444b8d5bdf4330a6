"""Time from launching the app to a usable window, on an existing (e.g. 100k-photo) library.

    python benchmarks/app_startup.py LIBRARY_DIR [--runs 5]

Each run is a fresh process (offscreen Qt): interpreter start, imports, opening the library
(writer lock, catalogue), building and showing the window, and the first event-loop pass.
Build a synthetic 100k library with `python benchmarks/search_bench.py --workdir DIR` first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from desktop.app import create_window
window = create_window(Path(sys.argv[1]))
window.show()
app.processEvents()
print("photos", window.controller.counts()["photos"], flush=True)
print("ready", flush=True)
window.close()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times = []
    photos = "?"
    for _ in range(args.runs + 1):  # the first run warms the OS file cache
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(args.library)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("photos"):
                photos = line.split()[1]
            if line.strip() == "ready":
                times.append(time.perf_counter() - start)
                break
        proc.wait()
    times = times[1:]
    print(f"library: {args.library} ({photos} photos)")
    print(f"launch to usable window: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s over {len(times)} runs")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
