from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalSocket

from desktop.single_instance import (
    Handoff,
    InstanceServer,
    decode,
    encode,
    hand_off,
    server_name,
)

pytestmark = pytest.mark.gui

ROOT = Path(__file__).parents[2]
unix_only = pytest.mark.skipif(os.name != "posix", reason="socket files are a Unix thing")


@pytest.fixture
def name(tmp_path, monkeypatch):
    # A private runtime folder keeps test sockets away from a real Simili of this user.
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    return server_name(tmp_path / "library")


def _hand_off_in_subprocess(name: str, paths: list[str]) -> subprocess.Popen:
    # A second launch is another process: hand_off blocks (holding the GIL), so in this
    # process it would stall the event loop the server answers from.
    code = (
        "import sys, json; from desktop.single_instance import hand_off; "
        "print(hand_off(sys.argv[1], json.loads(sys.argv[2]), 5000).value)"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, name, json.dumps(paths)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )


def _answer(process: subprocess.Popen, qtbot) -> str:
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=20000)
    return process.communicate()[0].strip()


def test_names_differ_per_library_and_hide_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    one, two = server_name(tmp_path / "a"), server_name(tmp_path / "b")
    assert one != two
    assert one == server_name(tmp_path / "a")
    assert "/a" not in one.removeprefix(str(tmp_path))
    assert Path(one).parent == tmp_path  # the user's own runtime folder


def test_message_round_trip_and_foreign_messages():
    paths = ["/photos/été.jpg", "/photos/folder"]
    assert decode(encode(paths).rstrip(b"\n")) == paths
    assert decode(b"GET / HTTP/1.0") is None
    assert decode(b'{"paths": [1, 2]}') is None
    assert decode(b"\xff\xfe") is None


def test_running_server_receives_the_paths(qtbot, name):
    # GIVEN a running app listening on the library's name
    server = InstanceServer(name)
    assert server.listen()
    try:
        # WHEN a second launch hands over a photo
        with qtbot.waitSignal(server.opened, timeout=20000) as blocker:
            launch = _hand_off_in_subprocess(name, ["/photos/a.jpg"])
        # THEN the server gets it and the launch learns it was taken
        assert blocker.args == [["/photos/a.jpg"]]
        assert _answer(launch, qtbot) == Handoff.DONE.value
    finally:
        server.close()


def test_nobody_listening(name):
    started = time.monotonic()
    assert hand_off(name, ["/x.jpg"]) is Handoff.NOBODY
    assert time.monotonic() - started < 1


@unix_only
def test_socket_left_by_a_crash_is_replaced(qtbot, name):
    # GIVEN a socket file whose app died (bound, never closed cleanly)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(name)
    stale.close()
    assert Path(name).exists()
    # THEN a new launch finds nobody, and can listen on the name itself
    assert hand_off(name, []) is Handoff.NOBODY
    server = InstanceServer(name)
    assert server.listen()
    try:
        with qtbot.waitSignal(server.opened, timeout=20000) as blocker:
            launch = _hand_off_in_subprocess(name, [])
        assert blocker.args == [[]]
        assert _answer(launch, qtbot) == Handoff.DONE.value
    finally:
        server.close()


@unix_only
def test_hung_app_is_not_waited_for_and_keeps_its_name(name):
    # GIVEN an app that accepts connections but never answers (its GUI thread is stuck)
    hung = socket.socket(socket.AF_UNIX)
    hung.bind(name)
    hung.listen(4)
    try:
        started = time.monotonic()
        # THEN the launch gives up after the short timeout
        assert hand_off(name, ["/x.jpg"], timeout_ms=300) is Handoff.NO_ANSWER
        assert time.monotonic() - started < 2
    finally:
        hung.close()


@unix_only
def test_socket_is_private_to_the_user(name):
    server = InstanceServer(name)
    assert server.listen()
    try:
        mode = Path(name).stat().st_mode & 0o777
        assert mode & 0o077 == 0, oct(mode)  # no access for group or others
    finally:
        server.close()


def test_garbage_is_refused_without_a_signal(qtbot, name):
    server = InstanceServer(name)
    assert server.listen()
    seen: list = []
    server.opened.connect(seen.append)
    client = QLocalSocket()
    client.connectToServer(name)
    assert client.waitForConnected(2000)
    client.write(b"not json\n")
    client.flush()
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    assert seen == []
    server.close()


def test_second_launch_hands_its_photo_to_the_running_window(
    qtbot, library_home, make_photo, tmp_path, monkeypatch
):
    # GIVEN a running window on the library
    from desktop.app import create_window, listen_for_launches

    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    window = create_window(library_home)
    qtbot.addWidget(window)
    server = listen_for_launches(window, server_name(library_home))
    assert server is not None
    photo = make_photo("query.jpg", seed=3)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
    }
    second = None
    try:
        # WHEN `simili PHOTO` is launched again for the same library
        with qtbot.waitSignal(server.opened, timeout=20000):
            second = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "desktop.launch",
                    str(photo),
                    "--library",
                    str(library_home),
                ],
                env=env,
            )
        # THEN the running window searches for it, and the second launch exits 0 at once
        assert window.query_path == str(photo)
        assert second.wait(timeout=20) == 0
    finally:
        if second is not None and second.poll() is None:
            second.kill()
            second.wait()
        window.close()


def test_second_window_says_read_only_in_the_apps_words(qtbot, library_home, make_photo):
    # GIVEN a window that owns the library, and a second one asked for (--new-window)
    from desktop.app import create_window

    first = create_window(library_home)
    qtbot.addWidget(first)
    second = create_window(library_home)
    qtbot.addWidget(second)
    try:
        assert second.controller.writer is None
        notice = second.statusBar().currentMessage()
        assert notice.startswith("Read-only: another Simili window")
        assert "--library" not in notice
        # WHEN F5 (rescan) is pressed there
        make_photo("a.jpg", seed=1)
        with qtbot.waitSignal(second.controller.indexing_failed, timeout=5000) as blocker:
            second.controller.add_folder(str(make_photo("b.jpg", seed=2).parent))
        # THEN it says why, without command-line wording
        assert "--library" not in blocker.args[0]
        assert "cannot add folders" in blocker.args[0]
    finally:
        second.close()
        first.close()


@unix_only
def test_without_a_runtime_folder_the_socket_lives_in_a_private_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    name = Path(server_name(tmp_path / "library"))
    assert name.parent == tmp_path / f"simili-{os.getuid()}"
    assert name.parent.stat().st_mode & 0o077 == 0
    # a folder at that name that others may enter is not used
    name.parent.chmod(0o777)
    other = Path(server_name(tmp_path / "library"))
    assert other.parent != name.parent
    assert other.parent.stat().st_mode & 0o077 == 0
