"""Smoke test of the FROZEN app (the PyInstaller folder), not of the source tree.

    python packaging/smoke_test.py [dist/simili/simili | dist/simili-*.tar.gz] [--keep]

It runs the executable with a clean environment (temporary HOME and SIMILI_HOME, no
PYTHONPATH/VIRTUAL_ENV, the venv off PATH, a working directory outside the checkout) and checks:

1. `simili --version` names the version in pyproject.toml.
2. `simili index` of 36 photos it draws with Pillow (JPEG, PNG, WebP, HEIC, a byte-identical copy),
   with `--workers 2` so the spawn-started decode pool runs (core.pipeline.POOL_THRESHOLD);
   it watches /proc for the worker processes, so a pool that cannot start frozen fails here.
3. `simili status --json`: every photo indexed, no problems, the shipped model, a device.
4. `simili search --json`: an edited copy (resized, recompressed, brightened) that is not in the
   library finds its original first; a library photo finds itself and its copy with score 1.0.
5. `simili similar --json`: the byte-identical copy comes back first with score 1.0
   (and `simili duplicates`, when the build has that command, lists the pair).
6. The GUI opens offscreen on a fresh library and on the indexed one, and exits 0
   (SIMILI_QUIT_AFTER_MS, see desktop/app.py).

Exit status 0 when all pass. The photos are made by this script (it needs Pillow and
pillow-heif, i.e. the dev venv); the app under test needs nothing but its own folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXE = ROOT / "dist" / "simili" / ("simili.exe" if os.name == "nt" else "simili")
N_PHOTOS = 35  # plus one byte-identical copy; >= core.pipeline.POOL_THRESHOLD (24)
TIMEOUT_S = 300


class SmokeError(AssertionError):
    """A check of the frozen app failed."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeError(message)


# --------------------------------------------------------------------------- photos


def draw_photo(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A distinctive synthetic 'photo': a gradient sky, a ground, and random shapes."""
    rng = random.Random(seed)
    w, h = size
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    sky = Image.linear_gradient("L").resize((w, h))
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (0, int(h * rng.uniform(0.55, 0.8)), w, h), fill=tuple(rng.choices(range(256), k=3))
    )
    for _ in range(rng.randrange(4, 9)):
        x, y = rng.randrange(w), rng.randrange(h)
        r = rng.randrange(20, 140)
        colour = tuple(rng.choices(range(256), k=3))
        shape = rng.choice(("ellipse", "rectangle", "polygon"))
        if shape == "ellipse":
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        elif shape == "rectangle":
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
        else:
            pts = [(x + rng.randrange(-r, r), y + rng.randrange(-r, r)) for _ in range(3)]
            draw.polygon(pts, fill=colour)
    return image.filter(ImageFilter.GaussianBlur(1))


def make_photos(folder: Path) -> dict[str, Path]:
    """Draw the library and the queries; returns the notable paths by role."""
    import pillow_heif  # the dev venv has it; writing one HEIC checks the app's libheif

    pillow_heif.register_heif_opener()
    photos = folder / "Pictures"
    (photos / "2024" / "copies").mkdir(parents=True)
    formats = ["jpg"] * 28 + ["png"] * 4 + ["webp"] * 2 + ["heic"]
    paths = []
    for i, ext in enumerate(formats[:N_PHOTOS]):
        path = photos / "2024" / f"photo_{i:02d}.{ext}"
        draw_photo(i).save(path, quality=90) if ext != "png" else draw_photo(i).save(path)
        paths.append(path)
    original = paths[3]
    copy = photos / "2024" / "copies" / "photo_03 (copy).jpg"
    shutil.copyfile(original, copy)  # byte-identical: same content hash, same vector
    # A query that is not in the library: photo 7, smaller, brighter, recompressed.
    queries = folder / "queries"
    queries.mkdir()
    edited = ImageEnhance.Brightness(draw_photo(7).resize((400, 300))).enhance(1.15)
    query = queries / "edited_photo_07.jpg"
    edited.save(query, quality=70)
    return {"original": original, "copy": copy, "query": query, "query_target": paths[7]}


# --------------------------------------------------------------------------- running


class Frozen:
    """Runs the frozen executable with a clean environment and records timings."""

    def __init__(self, exe: Path, work: Path) -> None:
        self.exe = exe
        self.work = work
        self.timings: dict[str, float] = {}
        home = work / "home"
        home.mkdir()
        venv_bin = str(Path(sys.prefix) / ("Scripts" if os.name == "nt" else "bin"))
        path = os.pathsep.join(
            p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin
        )
        self.env = {
            "PATH": path,
            "HOME": str(home),
            "USERPROFILE": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(work / "runtime"),
            "SIMILI_HOME": str(work / "library"),
            "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen",
        }
        for key in ("SYSTEMROOT", "TEMP", "TMP", "TMPDIR"):  # Windows needs these
            if key in os.environ:
                self.env[key] = os.environ[key]
        (work / "runtime").mkdir(mode=0o700)

    def run(
        self, *args: str, label: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        started = time.perf_counter()
        proc = subprocess.run(
            [str(self.exe), *args],
            env={**self.env, **(env or {})},
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        self.timings[label or " ".join(args[:1])] = time.perf_counter() - started
        if proc.returncode != 0:
            raise SmokeError(
                f"`simili {' '.join(args)}` exited {proc.returncode}\n"
                f"stdout: {proc.stdout[-3000:]}\nstderr: {proc.stderr[-3000:]}"
            )
        return proc

    def index_watching_workers(self, folder: Path) -> tuple[subprocess.CompletedProcess, int]:
        """`simili index --workers 2 FOLDER`, counting the child processes it spawns (Linux)."""
        seen: set[int] = set()
        done = threading.Event()
        holder: dict[str, object] = {}

        def runner() -> None:
            try:
                holder["proc"] = self.run("index", str(folder), "--workers", "2", label="index")
            except BaseException as exc:  # re-raised on the main thread
                holder["error"] = exc
            finally:
                done.set()

        thread = threading.Thread(target=runner)
        thread.start()
        me = os.getpid()
        while not done.wait(0.02):
            seen.update(_descendants_running(self.exe, me))
        thread.join()
        if "error" in holder:
            raise holder["error"]  # type: ignore[misc]
        return holder["proc"], len(seen)  # type: ignore[return-value]


def _descendants_running(exe: Path, ancestor: int) -> set[int]:
    """PIDs of processes running `exe` whose parent is also `exe` (the decode workers)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return set()
    parents: dict[int, int] = {}
    exes: dict[int, str] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            exes[int(entry.name)] = str((entry / "exe").readlink())
        except (OSError, ValueError, IndexError):
            continue
    target = str(exe.resolve())
    return {
        pid
        for pid, ppid in parents.items()
        if exes.get(pid) == target and exes.get(ppid) == target and ppid in parents
    }


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --------------------------------------------------------------------------- checks


def smoke(exe: Path, work: Path) -> dict[str, float]:
    app = Frozen(exe, work)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    version = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE).group(1)

    out = app.run("--version", label="--version").stdout
    check(version in out, f"--version printed {out!r}, expected {version}")
    print(f"ok  --version: {out.strip()}")

    help_text = app.run("--help", label="--help").stdout

    paths = make_photos(work)
    photos = paths["original"].parent.parent
    proc, workers = app.index_watching_workers(photos)
    check("skipping" not in proc.stderr, f"index skipped files:\n{proc.stderr}")
    if Path("/proc").is_dir():
        check(workers >= 1, "index --workers 2 of 36 photos started no decode processes")
    summary = (proc.stdout + proc.stderr).strip().splitlines() or ["(no summary)"]
    print(f"ok  index: {summary[-1]} ({workers} worker processes seen)")

    status = json.loads(app.run("status", "--json", label="status --json").stdout)
    check(
        status["photos"] == N_PHOTOS + 1, f"status photos={status['photos']}, want {N_PHOTOS + 1}"
    )
    check(status["problems"] == 0, f"status problems={status['problems']}")
    check(status["model"]["dim"] > 0 and status["model"]["fingerprint"], "status: no model")
    check(status["index"]["in_sync"], "status: index not in sync with the catalogue")
    device = status["device"]
    print(
        f"ok  status: {status['photos']} photos, model {status['model']['name']}, device {device}"
    )
    app.run("status", label="status")

    # An edited copy not in the library finds its original.
    (line,) = _json_lines(app.run("search", str(paths["query"]), "--json", "--top", "5").stdout)
    top = line["results"][0]
    check(
        Path(top["path"]) == paths["query_target"].resolve(),
        f"search edited photo 07: top result {top}, want {paths['query_target']}",
    )
    print(f"ok  search (edited copy): top {Path(top['path']).name} score {top['score']:.3f}")

    # A library photo finds itself and its byte-identical copy, both at 1.0.
    (line,) = _json_lines(app.run("search", str(paths["original"]), "--json", "--top", "3").stdout)
    first_two = {Path(r["path"]): r["score"] for r in line["results"][:2]}
    want = {paths["original"].resolve(), paths["copy"].resolve()}
    check(set(first_two) == want, f"search photo 03: top two {first_two}, want {want}")
    check(all(s >= 0.999 for s in first_two.values()), f"search photo 03 scores {first_two}")
    print("ok  search (library photo): itself and its copy, score 1.0")

    (line,) = _json_lines(app.run("similar", str(paths["original"]), "--json", "--top", "3").stdout)
    top = line["results"][0]
    check(Path(top["path"]) == paths["copy"].resolve(), f"similar photo 03: top {top}")
    check(top["score"] >= 0.999, f"similar: the byte-identical copy scored {top['score']}")
    print(f"ok  similar: the byte-identical copy first, score {top['score']:.4f}")

    if " duplicates" in help_text:  # the command arrives with the duplicates issue
        dup = app.run("duplicates", "--json", label="duplicates").stdout
        check(
            paths["copy"].name in dup and paths["original"].name in dup,
            f"duplicates did not list photo_03 and its copy:\n{dup[:2000]}",
        )
        print("ok  duplicates: photo_03 and its copy")
    else:
        print("--  duplicates: no such command in this build (duplicates proven via similar)")

    # The GUI: first run on an empty library, then the indexed one (reindex starts at 300 ms,
    # so quitting at 1.5 s also exercises cancel-on-close).
    fresh = {"SIMILI_HOME": str(work / "fresh-library"), "SIMILI_QUIT_AFTER_MS": "0"}
    gui = app.run(env=fresh, label="gui first window (fresh library)")
    check("qt.qpa.plugin" not in gui.stderr, f"Qt plugin trouble:\n{gui.stderr}")
    app.run(env={"SIMILI_QUIT_AFTER_MS": "0"}, label="gui first window (indexed library)")
    gui = app.run(env={"SIMILI_QUIT_AFTER_MS": "1500"}, label="gui 1.5 s with reindex")
    check("Traceback" not in gui.stderr, f"GUI printed a traceback:\n{gui.stderr}")
    print("ok  gui: opened offscreen and closed (exit 0)")
    return app.timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "exe", nargs="?", type=Path, default=DEFAULT_EXE, help="the executable or the archive"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--timings", type=Path, help="write the timings as JSON here")
    args = parser.parse_args()
    target = args.exe.resolve()
    if not target.is_file():
        print(f"{target}: no frozen app; build it with packaging/build.sh", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="simili-smoke-"))
    exe = target
    if target.name.endswith(".tar.gz"):  # test what users download: unpack it first
        with tarfile.open(target) as archive:
            archive.extractall(work / "unpacked", filter="tar")
        exe = work / "unpacked" / "simili" / "simili"
        print(f"unpacked {target.name}")
    try:
        timings = smoke(exe, work)
    except (SmokeError, subprocess.TimeoutExpired) as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        print(f"(work folder kept: {work})", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work folder: {work}")
    print("timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))
    if args.timings:
        args.timings.write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
