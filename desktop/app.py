"""The composition root: builds the engine objects and hands them to the main window."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from core.errors import CatalogDamagedError, SimiliError
from core.paths import default_library_dir, resources_dir
from desktop import system_libraries
from desktop.binding import guard_singletons
from desktop.controller import LibraryController
from desktop.main_window import MainWindow
from desktop.single_instance import Handoff, InstanceServer, hand_off, server_name


def create_window(library: Path | None = None) -> MainWindow:
    """Open the library (creating it on first run) and build the main window."""
    guard_singletons()  # a Qt binding that loses references must not kill the app (binding.py)
    controller = LibraryController((library or default_library_dir()).expanduser().absolute())
    window = MainWindow(controller)
    if controller.roots() and controller.writer is not None:
        # Catch up with what changed while the app was closed, then keep watching.
        QTimer.singleShot(300, controller.reindex)
    if (controller.folder / "catalog.sqlite").is_file():
        QTimer.singleShot(800, controller.probe_device)  # show CPU/GPU in the status bar
    return window


def listen_for_launches(window: MainWindow, name: str) -> InstanceServer | None:
    """Let later launches of this library hand their photos and folders to `window`.

    Only a window that owns the library listens: a read-only one would take launches that
    then could not add folders.
    """
    if window.controller.writer is None:
        return None
    server = InstanceServer(name, window)
    server.opened.connect(window.open_paths)
    if not server.listen():
        sys.stderr.write(f"simili: cannot listen on {name}; later launches open a window\n")
        return None
    return server


def run(
    library: Path | None = None,
    opened: Sequence[str] = (),
    new_window: bool = False,
    handoff: Handoff | None = None,
) -> int:
    """Start the app; `opened` are images to search for or folders to add (from "Open with").

    When the library is already open in a window, `opened` goes to that window and this launch
    returns 0 at once; `new_window` opens a second (read-only) window instead. `handoff`: the
    caller already offered `opened` (desktop/launch.py does, before the heavy imports).
    """
    started = time.monotonic()
    folder = (library or default_library_dir()).expanduser().absolute()
    paths = [str(Path(p).absolute()) for p in opened]
    name = server_name(folder)
    if new_window:
        handoff = Handoff.NOBODY
    elif handoff is None:
        handoff = hand_off(name, paths)
    if handoff is Handoff.DONE:
        return 0
    problem = system_libraries.check()
    if problem:  # Qt would abort with a message that does not say what to install
        sys.stderr.write(problem + "\n")
        return 1
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Simili")
    app.setOrganizationName("Simili")
    icon = resources_dir() / "icons" / "simili.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    try:
        try:
            window = create_window(library)
        except CatalogDamagedError as exc:
            from desktop.repair import ask_repair, run_repair

            if not ask_repair(str(exc)):
                return 1
            error = run_repair((library or default_library_dir()).expanduser().absolute())
            if error:
                raise SimiliError(error) from None
            window = create_window(library)
    except SimiliError as exc:
        QMessageBox.critical(None, "Simili", str(exc))
        return 1
    window.show()
    if handoff is Handoff.NOBODY:  # a hung window keeps its name
        server = listen_for_launches(window, name)
        if server is not None:
            app.aboutToQuit.connect(server.close)
    window.open_paths(paths, raise_window=False)
    if not window.controller.read_only_reason:  # the read-only notice stays visible
        window.statusBar().showMessage(f"Ready in {time.monotonic() - started:.1f} s", 4000)
    # SIMILI_QUIT_AFTER_MS=N: close the window and leave the event loop N ms after it starts
    # (exit code 0). For smoke tests of the frozen app (packaging/smoke_test.py), where nobody
    # is there to close it; 0 quits as soon as the first window has been shown.
    quit_after = os.environ.get("SIMILI_QUIT_AFTER_MS", "").strip()
    if quit_after:
        QTimer.singleShot(max(0, int(quit_after)), app.closeAllWindows)
        QTimer.singleShot(max(0, int(quit_after)), app.quit)
    return app.exec()
