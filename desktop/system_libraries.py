"""The Linux system libraries Qt's X11 (xcb) platform plugin needs, checked before Qt starts.

Without them Qt aborts with a generic "could not load the Qt platform plugin" message and a
core dump; minimal desktops often lack the xcb utility libraries. The frozen build bundles
those (packaging/simili.spec), so only the pip route is checked.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SystemLibrary:
    """A shared library and the packages that install it."""

    soname: str
    debian: str  # Debian / Ubuntu (apt)
    fedora: str  # Fedora / RHEL (dnf)


# What libqxcb.so and libQt6XcbQpa.so link, apart from Qt itself and the C/C++ runtime
# (tests/desktop/test_system_libraries.py checks this against the installed plugin).
XCB_LIBRARIES = (
    SystemLibrary("libxcb.so.1", "libxcb1", "libxcb"),
    SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    SystemLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    SystemLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    SystemLibrary("libxcb-randr.so.0", "libxcb-randr0", "libxcb"),
    SystemLibrary("libxcb-render.so.0", "libxcb-render0", "libxcb"),
    SystemLibrary("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    SystemLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    SystemLibrary("libxcb-shm.so.0", "libxcb-shm0", "libxcb"),
    SystemLibrary("libxcb-sync.so.1", "libxcb-sync1", "libxcb"),
    SystemLibrary("libxcb-util.so.1", "libxcb-util1", "xcb-util"),
    SystemLibrary("libxcb-xfixes.so.0", "libxcb-xfixes0", "libxcb"),
    SystemLibrary("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
    SystemLibrary("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon"),
    SystemLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    SystemLibrary("libX11.so.6", "libx11-6", "libX11"),
    SystemLibrary("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb"),
    SystemLibrary("libGL.so.1", "libgl1", "libglvnd-glx"),
    SystemLibrary("libglib-2.0.so.0", "libglib2.0-0", "glib2"),
    SystemLibrary("libgthread-2.0.so.0", "libglib2.0-0", "glib2"),
)


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will pick its X11 plugin: Linux, and not told or able to use another."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"  # "wayland;xcb": wayland first
    wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY")
    return not wayland


def _loadable(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing(load: Callable[[str], bool] | None = None) -> list[SystemLibrary]:
    """The xcb plugin's libraries the dynamic loader cannot find."""
    load = load or _loadable
    return [lib for lib in XCB_LIBRARIES if not load(lib.soname)]


def _distribution(os_release: Path) -> str:
    try:
        text = os_release.read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        return ""
    ids = " ".join(
        line.split("=", 1)[1].strip('"')
        for line in text.splitlines()
        if line.startswith(("id=", "id_like="))
    )
    if any(name in ids for name in ("debian", "ubuntu")):
        return "debian"
    if any(name in ids for name in ("fedora", "rhel", "centos")):
        return "fedora"
    return ""


def install_hint(libraries: list[SystemLibrary], os_release: Path = Path("/etc/os-release")) -> str:
    """One line: what is missing and the command that installs it on this distribution."""
    names = ", ".join(lib.soname for lib in libraries)
    apt = "sudo apt install " + " ".join(dict.fromkeys(lib.debian for lib in libraries))
    dnf = "sudo dnf install " + " ".join(dict.fromkeys(lib.fedora for lib in libraries))
    distribution = _distribution(os_release)
    if distribution == "debian":
        how = apt
    elif distribution == "fedora":
        how = dnf
    else:
        how = f"{apt} (Debian/Ubuntu) or {dnf} (Fedora)"
    return f"simili: cannot open a window: missing system libraries {names}; install them: {how}"


def check(environ: Mapping[str, str] = os.environ) -> str:
    """The one-line message to print before exiting, or "" when the window can start."""
    if getattr(sys, "frozen", False) or not uses_xcb(environ):
        return ""  # the frozen build bundles them; other platforms need none of these
    absent = missing()
    return install_hint(absent) if absent else ""
