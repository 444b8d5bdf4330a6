from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from desktop import system_libraries
from desktop.system_libraries import XCB_LIBRARIES, install_hint, missing, uses_xcb

RUNTIME = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0",
           "libdl.so.2", "librt.so.1"}  # fmt: skip


def test_xcb_is_what_qt_picks_on_x11_only():
    assert uses_xcb({}, "linux")
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux")
    assert not uses_xcb({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert uses_xcb({"XDG_SESSION_TYPE": "x11"}, "linux")
    assert not uses_xcb({}, "win32")
    assert not uses_xcb({}, "darwin")


def test_missing_names_only_what_cannot_be_loaded():
    absent = {"libxcb-cursor.so.0", "libxcb-icccm.so.4"}
    found = missing(lambda soname: soname not in absent)
    assert {lib.soname for lib in found} == absent


@pytest.mark.parametrize(
    ("release", "expected", "not_expected"),
    [
        ("ID=ubuntu\nID_LIKE=debian\n", "sudo apt install libxcb-cursor0 libxcb-keysyms1", "dnf"),
        ('ID="fedora"\n', "sudo dnf install xcb-util-cursor xcb-util-keysyms", "apt"),
        ("ID=arch\n", "(Debian/Ubuntu) or sudo dnf install", "\n"),
    ],
)
def test_hint_is_one_line_with_the_install_command(tmp_path, release, expected, not_expected):
    os_release = tmp_path / "os-release"
    os_release.write_text(release)
    libs = [
        lib for lib in XCB_LIBRARIES if lib.soname in ("libxcb-cursor.so.0", "libxcb-keysyms.so.1")
    ]
    hint = install_hint(libs, os_release)
    assert "\n" not in hint
    assert "libxcb-cursor.so.0, libxcb-keysyms.so.1" in hint
    assert expected in hint
    assert not_expected not in hint


def test_app_prints_one_line_and_exits_non_zero(monkeypatch, capsys):
    # GIVEN an X11 session lacking two xcb libraries
    from desktop import app

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(system_libraries.sys, "platform", "linux")
    monkeypatch.setattr(
        system_libraries, "_loadable", lambda soname: soname != "libxcb-cursor.so.0"
    )
    # WHEN the app starts
    code = app.run()
    # THEN it stops before Qt with one line naming the library and the package
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert len(err.splitlines()) == 1
    assert "libxcb-cursor.so.0" in err
    assert "libxcb-cursor0" in err or "xcb-util-cursor" in err


def test_nothing_reported_when_all_are_there(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(system_libraries.sys, "platform", "linux")
    monkeypatch.setattr(system_libraries, "_loadable", lambda soname: True)
    assert system_libraries.check() == ""


@pytest.mark.skipif(shutil.which("readelf") is None, reason="needs readelf (binutils)")
def test_table_covers_what_the_installed_plugin_links():
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    qpa = next((qt / "lib").glob("libQt6XcbQpa.so*"), None)
    if not plugin.is_file() or qpa is None:
        pytest.skip("no xcb plugin in this Qt")
    needed: set[str] = set()
    for binary in (plugin, qpa):
        out = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True).stdout
        needed |= {
            line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line
        }
    system = {n for n in needed if not n.startswith("libQt6")} - RUNTIME
    assert system <= {lib.soname for lib in XCB_LIBRARIES}
