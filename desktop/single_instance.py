"""One window per library: a second launch hands its photos and folders to the running one.

The running app listens on a local socket named after the user and the library folder. A new
launch connects, sends one JSON line `{"paths": [...]}` and waits briefly for "ok": then it
exits and the running window does the work. No answer in time (none running, a socket left by a
crash, or a hung window) means the new launch opens its own window as before.
"""

from __future__ import annotations

import contextlib
import enum
import getpass
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

HANDOFF_TIMEOUT_MS = (
    1500  # a running window answers in milliseconds; a hung one is waited for no longer
)
ACK = b"ok\n"
MAX_MESSAGE = 1 << 20


def server_name(library: Path) -> str:
    """The socket for `library`: a path in the user's own runtime folder where there is one.

    The user name and the library's absolute path are both in it, so two users, or two
    libraries of one user, never meet.
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name (some containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    key = f"{user}\0{library.expanduser().absolute()}".encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(key).hexdigest()[:20]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.name == "posix" and runtime and Path(runtime).is_dir():
        return str(Path(runtime) / f"simili-{digest}")
    if os.name == "posix":
        return str(_private_folder() / f"simili-{digest}")
    return f"simili-{digest}"  # Windows: a named pipe, private to the user with UserAccessOption


def _private_folder() -> Path:
    """A folder under the temp folder that only this user can enter (no $XDG_RUNTIME_DIR).

    In a shared /tmp another user could otherwise put a socket at the expected name first and
    receive the paths a launch hands over.
    """
    folder = Path(tempfile.gettempdir()) / f"simili-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = folder.lstat()
    except OSError:
        st = None
    if st is None or st.st_uid != os.getuid() or st.st_mode & 0o077 or folder.is_symlink():
        # Not ours, or open to others: a fresh private folder (no later launch will find this
        # window, but nobody else can either).
        return Path(tempfile.mkdtemp(prefix="simili-"))
    return folder


def encode(paths: Sequence[str]) -> bytes:
    """The message a new launch sends (absolute paths, one JSON line)."""
    text = json.dumps({"paths": list(paths)}, ensure_ascii=True)
    return text.encode("ascii") + b"\n"


def decode(data: bytes) -> list[str] | None:
    """The paths of a message, or None when it is not one of ours."""
    try:
        message = json.loads(data.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    paths = message.get("paths") if isinstance(message, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        return None
    return paths


class Handoff(enum.Enum):
    """What became of a launch's attempt to reach a running window."""

    DONE = "done"  # the running window took the paths: this launch exits
    NOBODY = "nobody"  # no app on the name (or a socket left by a crash): be the first
    NO_ANSWER = "no answer"  # an app is there but hung: open a window, leave its name alone


def hand_off(name: str, paths: Sequence[str], timeout_ms: int = HANDOFF_TIMEOUT_MS) -> Handoff:
    """Give `paths` to the app listening on `name`.

    Blocking on purpose: it runs before any window exists, and needs no event loop.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return Handoff.NOBODY
    try:
        socket.write(encode(paths))
        # False when the bytes already went out (nothing left to wait for): only state counts.
        socket.waitForBytesWritten(timeout_ms)
        if socket.bytesToWrite():
            return Handoff.NO_ANSWER
        answer = b""
        deadline = time.monotonic() + timeout_ms / 1000
        while not answer.endswith(b"\n"):
            if not socket.bytesAvailable():
                left = int((deadline - time.monotonic()) * 1000)
                # False also when the app answered and hung up at once: the answer is still read.
                if left <= 0 or (not socket.waitForReadyRead(left) and not socket.bytesAvailable()):
                    return Handoff.NO_ANSWER
            answer += bytes(socket.readAll().data())
        return Handoff.DONE if answer == ACK else Handoff.NO_ANSWER
    finally:
        socket.abort()


def offer(library: Path | None, opened: Sequence[str]) -> Handoff:
    """Hand `opened` to the window already open on `library` (None: the default library).

    Cheap on purpose (Qt's core and network modules only): a launch that hands over exits
    before the app's heavier imports.
    """
    from core.paths import default_library_dir

    folder = (library or default_library_dir()).expanduser().absolute()
    return hand_off(server_name(folder), [str(Path(p).absolute()) for p in opened])


class InstanceServer(QObject):
    """Listens for later launches of the same library and passes on what they opened."""

    opened = Signal(object)  # list[str]: absolute paths (may be empty: just show the window)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; a socket file left by a crashed app is replaced.

        Call only after `hand_off` found nobody answering on the name.
        """
        if self._server.listen(self.name):
            return True
        # Left over from a crash (nobody answered hand_off): remove it and try once more.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        """Stop listening (the socket file goes with it)."""
        self._server.close()

    @Slot()
    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            if socket.bytesAvailable():
                self._on_ready_read(socket)

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                self._forget(socket)
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        paths = decode(data.split(b"\n", 1)[0])
        self._forget(socket)
        if paths is None:
            socket.abort()
            return
        socket.write(ACK)
        socket.flush()
        socket.disconnectFromServer()
        self.opened.emit(paths)

    def _forget(self, socket: QLocalSocket) -> None:
        with contextlib.suppress(KeyError):
            del self._buffers[socket]
        socket.deleteLater()
