"""Fault injection through the real `simili` CLI: each fault class, in its own temp folder.

    python benchmarks/faults.py            # every class, kill -9 x50 (minutes)
    python benchmarks/faults.py --quick    # a few runs of each (about a minute)
    python benchmarks/faults.py --only kill9,names --runs 5 --json

Prints one row per fault class:
fault | runs | crashes (signals) | hangs | tracebacks | orphans | photos lost | photos modified |
work redone, where
- crashes: a Simili process that ended by a signal it was not sent (segfault, abort);
- hangs: a command that ran past its time limit (it is then killed);
- tracebacks: stderr lines of a Python traceback or an "unexpected ..." error;
- orphans: processes (decode workers, resource tracker) still alive 5 s after their parent
  was killed; they are killed afterwards so the next run starts clean;
- photos lost: photos that were in the library (or on disk, for indexing faults) and are not
  in it after the recovery step (a plain `simili index`, or `simili repair` when it exists);
- photos modified: any byte, name or file changed in the photo folders (hashed before/after);
- work redone: photos embedded again although their vector had been committed before.
A class that cannot run here (no mount permission, a test hook missing) says "n/a: why".
Every command runs in a new session with a time limit; whatever is left is killed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMAND_LIMIT_S = 120.0  # index, repair
QUERY_LIMIT_S = 30.0  # search, similar, duplicates, status on a library of a few dozen photos
SUMMARY = re.compile(
    r"indexed \d+ photos in [\d.]+ s \([\d.]+/s\): (\d+) new, (\d+) changed, (\d+) moved/copied"
)


@dataclass
class Row:
    """The tally of one fault class."""

    fault: str
    runs: int = 0
    crashes: int = 0
    hangs: int = 0
    tracebacks: int = 0
    orphans: int = 0
    lost: int = 0
    modified: int = 0
    redone: int = 0
    note: str = ""
    details: list[str] = field(default_factory=list)


@dataclass
class Result:
    rc: int | None  # None: killed after the time limit
    stdout: str
    stderr: str


class Harness:
    """Runs `simili` commands for one run, counting crashes, hangs and tracebacks into a Row."""

    def __init__(self, row: Row, work: Path) -> None:
        self.row = row
        self.work = work
        self.env = dict(os.environ, PYTHONPATH=str(REPO), SIMILI_HOME=str(work / "home"))
        self.env.pop("SIMILI_DEBUG", None)

    def start(self, *args: str, env: dict | None = None) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "core.cli", *args],
            cwd=REPO, env=env or self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, errors="replace", start_new_session=True,
        )  # fmt: skip

    def finish(self, proc: subprocess.Popen, limit: float = COMMAND_LIMIT_S) -> Result:
        try:
            out, err = proc.communicate(timeout=limit)
            rc: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            out, err = proc.communicate()
            rc = None
            self.row.hangs += 1
            self.row.details.append(f"hang: {' '.join(map(str, proc.args[3:]))}")
        self.judge(rc, err, proc.args)
        return Result(rc, out, err)

    def run(self, *args: str, limit: float | None = None, env: dict | None = None) -> Result:
        if limit is None:
            limit = COMMAND_LIMIT_S if args[0] in ("index", "repair") else QUERY_LIMIT_S
        proc = self.start(*args, env=env)
        try:
            return self.finish(proc, limit)
        finally:
            _kill_group(proc.pid)

    def judge(self, rc: int | None, stderr: str, args: object) -> None:
        if rc is not None and rc < 0:
            self.row.crashes += 1
            self.row.details.append(f"signal {-rc}: {' '.join(map(str, args[3:]))}")  # type: ignore[index]
        bad = [ln for ln in stderr.splitlines() if "Traceback" in ln or "unexpected " in ln]
        if bad:
            self.row.tracebacks += len(bad)
            self.row.details.append(bad[-1][:160])


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _group_members(pgid: int) -> list[int]:
    """Live processes of a process group (Linux /proc; elsewhere unknown, so none)."""
    members = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


# -- photos ------------------------------------------------------------------------------------
def make_photos(
    folder: Path, count: int, seed: int = 0, size: tuple[int, int] = (640, 480)
) -> None:
    """Small real JPEGs: gradients with random shapes, each seed a distinct scene."""
    import numpy as np
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        rng = random.Random(seed * 100_003 + i)
        w, h = size
        y = np.linspace(0, 1, h)[:, None, None]
        top = np.array([rng.randint(0, 255) for _ in range(3)], float)
        bottom = np.array([rng.randint(0, 255) for _ in range(3)], float)
        base = (top * (1 - y) + bottom * y) * np.ones((1, w, 1))
        image = Image.fromarray(base.astype(np.uint8), "RGB")
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            x0, y0 = rng.randint(0, w), rng.randint(0, h)
            box = [x0, y0, x0 + rng.randint(w // 10, w // 2), y0 + rng.randint(h // 10, h // 2)]
            draw.ellipse(box, fill=tuple(rng.randint(0, 255) for _ in range(3)))
        image.save(folder / f"p{i:04d}.jpg", quality=90)


def fingerprint(folder: Path) -> dict[bytes, str]:
    """Every file under a folder by its path (as bytes: any name) and content hash."""
    found = {}
    for dirpath, _dirs, files in os.walk(os.fsencode(folder)):
        for name in files:
            path = os.path.join(dirpath, name)  # noqa: PTH118 - bytes: names in any encoding
            with contextlib.suppress(OSError), open(path, "rb") as f:
                found[path] = hashlib.sha256(f.read()).hexdigest()
    return found


def changed(before: dict[bytes, str], after: dict[bytes, str]) -> int:
    """Files added, removed or rewritten."""
    return sum(1 for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def photos_in_library(h: Harness, library: Path) -> int | None:
    result = h.run("status", "--json", "--library", str(library))
    if result.rc != 0:
        return None
    try:
        return int(json.loads(result.stdout)["photos"])
    except (ValueError, KeyError):
        return None


def embedded(result: Result) -> int:
    """Photos embedded by an index run (new + changed), from its summary line."""
    match = SUMMARY.search(result.stderr)
    return int(match.group(1)) + int(match.group(2)) if match else 0


def committed(library: Path) -> int:
    """Photos committed so far, read as a reader would (0 while the catalogue is not there)."""
    db = library / "catalog.sqlite"
    if not db.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as c:
            return c.execute("SELECT COUNT(*) FROM files WHERE state = 'ok'").fetchone()[0]
    except sqlite3.Error:
        return 0


def has_command(name: str) -> bool:
    """Whether this checkout's CLI has a command (`repair` comes with another branch)."""
    if name not in _COMMANDS:
        done = subprocess.run(
            [sys.executable, "-m", "core.cli", name, "--help"], capture_output=True,
            cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=60,
        )  # fmt: skip
        _COMMANDS[name] = done.returncode == 0
    return _COMMANDS[name]


_COMMANDS: dict[str, bool] = {}


def recover(h: Harness, library: Path) -> None:
    """What a user is told to do after a fault: `simili repair` where it exists, then index."""
    if has_command("repair"):
        h.run("repair", "--library", str(library))
    h.run("index", "--library", str(library))


# -- fault classes -----------------------------------------------------------------------------
@dataclass
class Context:
    base: Path  # photos and a fully indexed library, shared read-only by all runs
    count: int
    rng: random.Random
    index_s: float = 10.0  # how long indexing the base photos took (kill points fall inside)


def _fresh(ctx: Context, work: Path, library: bool = True) -> tuple[Path, Path]:
    photos = work / "photos"
    shutil.copytree(ctx.base / "photos", photos)
    lib = work / "lib"
    if library:
        shutil.copytree(ctx.base / "lib", lib)
        _repoint(lib, ctx.base / "photos", photos)
    return photos, lib


def _repoint(library: Path, old: Path, new: Path) -> None:
    """Move a copied library's root from the base photo folder to this run's copy."""
    with contextlib.closing(sqlite3.connect(library / "catalog.sqlite")) as db, db:
        db.execute("UPDATE roots SET path = ? WHERE path = ?", (str(new), str(old)))
        db.execute(
            "UPDATE files SET path = ? || substr(path, ?) WHERE path LIKE ? || '%'",
            (str(new), len(str(old)) + 1, str(old)),
        )


def fault_kill9(h: Harness, ctx: Context, work: Path) -> None:
    photos, lib = _fresh(ctx, work, library=False)
    before = fingerprint(photos)
    proc = h.start("index", str(photos), "--library", str(lib), "--workers", "2")
    # Anywhere in the run: start-up, scanning, the decode pool, inside a batch or a commit.
    time.sleep(ctx.rng.uniform(0.1, 0.95) * ctx.index_s)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    else:
        h.row.details.append("index finished before the kill (run counted, nothing injected)")
    proc.wait()  # not communicate(): orphans would hold its pipes open
    time.sleep(5.0)
    left = [p for p in _group_members(proc.pid) if p != proc.pid]
    h.row.orphans += len(left)
    _kill_group(proc.pid)
    proc.communicate()
    done_before = committed(lib)
    # What a user does after the crash: index the folder again. (Killed at start-up, before the
    # folder was recorded, `index` without it would have nothing to do: not a loss.)
    result = h.run("index", str(photos), "--library", str(lib), "--workers", "2")
    h.row.redone += max(0, embedded(result) - (ctx.count - done_before))
    h.row.lost += ctx.count - (photos_in_library(h, lib) or 0)
    h.row.modified += changed(before, fingerprint(photos))


def _damage(path: Path, rng: random.Random, length: int = 512) -> None:
    size = path.stat().st_size
    offset = rng.randrange(0, max(1, size - length))
    with path.open("r+b") as f:
        f.seek(offset)
        f.write(rng.randbytes(min(length, size)))


def _use(h: Harness, photos: Path, lib: Path) -> None:
    """What a user does next: search, more like this, find duplicates."""
    h.run("search", str(photos / "p0001.jpg"), "--json", "--library", str(lib))
    h.run("similar", str(photos / "p0002.jpg"), "--json", "--library", str(lib))
    h.run("duplicates", "--json", "--library", str(lib))


def fault_index_damage(h: Harness, ctx: Context, work: Path) -> None:
    photos, lib = _fresh(ctx, work)
    before = fingerprint(photos)
    _damage(lib / "vectors.usearch", ctx.rng)
    _use(h, photos, lib)
    result = h.run("index", "--library", str(lib))
    h.row.redone += embedded(result)
    _use(h, photos, lib)
    h.row.lost += ctx.count - (photos_in_library(h, lib) or 0)
    h.row.modified += changed(before, fingerprint(photos))


def fault_catalog_damage(h: Harness, ctx: Context, work: Path) -> None:
    photos, lib = _fresh(ctx, work)
    before = fingerprint(photos)
    db = lib / "catalog.sqlite"
    if ctx.rng.random() < 0.15:
        db.write_bytes(b"")  # a zero-byte catalogue
    else:
        _damage(db, ctx.rng)
    h.run("status", "--library", str(lib))
    _use(h, photos, lib)
    recover(h, lib)
    h.row.lost += ctx.count - (photos_in_library(h, lib) or 0)
    h.row.modified += changed(before, fingerprint(photos))


def fault_names(h: Harness, ctx: Context, work: Path) -> None:
    photos, lib = _fresh(ctx, work, library=False)
    sources = sorted(photos.glob("*.jpg"))
    odd = [
        b"\xe9t\xe9.jpg",  # Latin-1 from an old Windows machine: not valid UTF-8
        "Ünïcødé 写真 🌅.jpg".encode(),
        ("x" * 240 + ".jpg").encode(),  # near the 255-byte name limit
        b"new\nline.jpg",
    ]
    for source, name in zip(sources, odd, strict=False):
        target = os.path.join(os.fsencode(photos), name)  # noqa: PTH118 - bytes names
        os.rename(os.fsencode(source), target)  # noqa: PTH104
    before = fingerprint(photos)
    h.run("index", str(photos), "--library", str(lib))
    for name in odd:
        query = os.fsdecode(os.path.join(os.fsencode(photos), name))  # noqa: PTH118
        result = h.run("search", query, "--json", "--top", "3", "--library", str(lib))
        try:
            json.loads(result.stdout.encode("utf-8", "surrogateescape"))
        except (ValueError, UnicodeEncodeError):
            h.row.details.append(f"search --json not valid JSON for {name!r}")
            h.row.tracebacks += 1 if "Traceback" not in result.stderr else 0
    h.row.lost += ctx.count - (photos_in_library(h, lib) or 0)
    h.row.modified += changed(before, fingerprint(photos))


def _mount(args: list[str]) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def mounts_allowed(work: Path) -> str:
    probe = work / "probe"
    probe.mkdir(parents=True, exist_ok=True)
    if os.name != "posix" or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "n/a: mounting needs root on Linux"
    if not _mount(["-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)]):
        return "n/a: mounting not permitted here"
    _umount(probe)
    return ""


def fault_junk_mount(h: Harness, ctx: Context, work: Path) -> None:
    # The photos live in `store`; the drive is `store` bind-mounted at a root (or inside one).
    store = work / "store"
    shutil.copytree(ctx.base / "photos", store)
    before = fingerprint(store)
    inside = ctx.rng.random() < 0.5
    root = work / "root"
    point = root / "drive" if inside else root
    point.mkdir(parents=True)
    lib = work / "lib"
    if inside:
        make_photos(root, 3, seed=777)
    extra = 3 if inside else 0
    try:
        if not _mount(["--bind", str(store), str(point)]):
            h.row.note = "n/a: bind mount refused"
            return
        h.run("index", str(root), "--library", str(lib))
        # unplugged (an empty mount point), then a blank drive (only lost+found) in its place
        _umount(point)
        h.run("index", "--library", str(lib))
        h.row.lost += max(0, ctx.count + extra - (photos_in_library(h, lib) or 0))
        if _mount(["-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)]):
            (point / "lost+found").mkdir()
            (point / ".Trash-1000").mkdir()
            h.run("index", "--library", str(lib))
            h.row.lost += max(0, ctx.count + extra - (photos_in_library(h, lib) or 0))
            _umount(point)
        # the real drive is back: nothing may need embedding again
        _mount(["--bind", str(store), str(point)])
        result = h.run("index", "--library", str(lib))
        h.row.redone += embedded(result)
    finally:
        for _ in range(3):
            _umount(point)
    h.row.modified += changed(before, fingerprint(store))


def fault_disk_full(h: Harness, ctx: Context, work: Path) -> None:
    photos, _ = _fresh(ctx, work, library=False)
    before = fingerprint(photos)
    disk = work / "disk"
    disk.mkdir()
    if not _mount(["-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)]):
        h.row.note = "n/a: tmpfs mount refused"
        return
    try:
        lib = disk / "lib"
        filler = disk / "filler"
        free = ctx.rng.choice([0, 64 << 10, 512 << 10, 2 << 20])
        with filler.open("wb") as f, contextlib.suppress(OSError):  # leave `free` bytes
            f.write(b"\0" * max(0, shutil.disk_usage(disk).free - free))
        h.run("index", str(photos), "--library", str(lib))
        filler.unlink()  # space comes back
        if not (lib / "catalog.sqlite").exists():
            h.run("index", str(photos), "--library", str(lib))
        else:
            h.run("index", "--library", str(lib))
        h.row.lost += ctx.count - (photos_in_library(h, lib) or 0)
    finally:
        _umount(disk)
    h.row.modified += changed(before, fingerprint(photos))


def hang_hook_present() -> bool:
    return any(
        "SIMILI_TEST_HANG_DECODING_OF" in p.read_text(encoding="utf-8")
        for p in (REPO / "core").glob("*.py")
    )


def fault_hang(h: Harness, ctx: Context, work: Path) -> None:
    photos, lib = _fresh(ctx, work, library=False)
    before = fingerprint(photos)
    victim = sorted(photos.glob("*.jpg"))[ctx.rng.randrange(ctx.count)]
    # rel-a's test hook (core/decode_worker.py) and a short per-file limit, so a run takes seconds
    env = dict(h.env, SIMILI_TEST_HANG_DECODING_OF=victim.name, SIMILI_DECODE_TIME_LIMIT="5")
    result = h.run("index", str(photos), "--library", str(lib), env=env, limit=COMMAND_LIMIT_S)
    if result.rc is None:
        h.row.details.append(f"index hung on {victim.name}")
    got = photos_in_library(h, lib) or 0
    h.row.lost += max(0, ctx.count - 1 - got)  # the hanging file itself is a problem, not a loss
    h.row.modified += changed(before, fingerprint(photos))


def fault_two_writers(h: Harness, ctx: Context, work: Path) -> None:
    photos, lib = _fresh(ctx, work, library=False)
    before = fingerprint(photos)
    fresh_library = ctx.rng.random() < 0.5
    if not fresh_library:
        h.run("index", str(photos), "--library", str(lib))
        make_photos(photos / "more", 10, seed=4242)
        before = fingerprint(photos)
    first = h.start("index", str(photos), "--library", str(lib), "--workers", "1")
    time.sleep(ctx.rng.uniform(0.0, 0.5))
    second = h.start("index", str(photos), "--library", str(lib), "--workers", "1")
    for proc in (first, second):
        result = h.finish(proc)
        if result.rc not in (0, 1):
            h.row.details.append(f"writer exit {result.rc}")
        elif (
            result.rc == 1 and "busy" not in result.stderr and "being updated" not in result.stderr
        ):
            h.row.details.append("refused writer: " + result.stderr.strip().splitlines()[-1][:120])
        _kill_group(proc.pid)
    h.run("index", "--library", str(lib))
    expected = ctx.count + (0 if fresh_library else 10)
    h.row.lost += max(0, expected - (photos_in_library(h, lib) or 0))
    h.row.modified += changed(before, fingerprint(photos))


FAULTS: dict[str, tuple[str, Callable[[Harness, Context, Path], None], int]] = {
    # name: (table label, run, quick runs)
    "kill9": ("kill -9 during index", fault_kill9, 3),
    "index": ("index file damage", fault_index_damage, 3),
    "catalog": ("catalogue damage", fault_catalog_damage, 3),
    "names": ("odd file names", fault_names, 1),
    "mounts": ("junk / unplugged mounts", fault_junk_mount, 2),
    "diskfull": ("disk full", fault_disk_full, 2),
    "hang": ("hanging decoder", fault_hang, 1),
    "writers": ("two writers", fault_two_writers, 2),
}


def build_base(base: Path, count: int) -> float:
    """Photos and their library, shared by the runs; returns the seconds indexing took."""
    make_photos(base / "photos", count)
    started = time.monotonic()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-m", "core.cli", "index", str(base / "photos"), "--library",
         str(base / "lib")],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"could not build the base library: {done.stderr.strip()}")
    return time.monotonic() - started


def run(names: list[str], runs: int | None, quick: bool, count: int, seed: int) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="simili-faults-") as tmp:
        top = Path(tmp)
        ctx = Context(top / "base", count, random.Random(seed))
        ctx.index_s = build_base(ctx.base, count)
        mount_note = mounts_allowed(top)
        for name in names:
            label, fault, quick_runs = FAULTS[name]
            row = Row(label)
            rows.append(row)
            if name in ("mounts", "diskfull") and mount_note:
                row.note = mount_note
                continue
            if name == "hang" and not hang_hook_present():
                row.note = "n/a: hook missing (SIMILI_TEST_HANG_DECODING_OF)"
                continue
            total = runs or (quick_runs if quick else (50 if name == "kill9" else 10))
            for i in range(total):
                work = top / f"{name}-{i}"
                work.mkdir()
                h = Harness(row, work)
                try:
                    fault(h, ctx, work)
                except Exception as exc:  # the harness's own failure: say so, go on
                    row.details.append(f"harness: {type(exc).__name__}: {exc}")
                finally:
                    row.runs += 1
                    shutil.rmtree(work, ignore_errors=True)
                if row.note:
                    break
            sys.stderr.write(f"{label}: {row.runs} run(s) done\n")
    return rows


def table(rows: list[Row]) -> str:
    head = ("fault", "runs", "crashes (signals)", "hangs", "tracebacks", "orphans",
            "photos lost", "photos modified", "work redone")  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        if r.note:
            cells = [r.fault, str(r.runs), r.note, "", "", "", "", "", ""]
        else:
            counts = (r.runs, r.crashes, r.hangs, r.tracebacks, r.orphans, r.lost, r.modified,
                      r.redone)  # fmt: skip
            cells = [r.fault, *(str(v) for v in counts)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few runs of each class")
    parser.add_argument("--runs", type=int, default=None, help="runs per class (overrides)")
    parser.add_argument("--only", default="", help=f"comma list of {','.join(FAULTS)}")
    parser.add_argument("--photos", type=int, default=60, help="photos per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="rows as JSON, with details")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(FAULTS)
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        parser.error(f"unknown fault class {', '.join(unknown)}; choose from {', '.join(FAULTS)}")
    rows = run(names, args.runs, args.quick, args.photos, args.seed)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=1))
    else:
        print(table(rows))
        for r in rows:
            for detail in dict.fromkeys(r.details):
                print(f"  {r.fault}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
