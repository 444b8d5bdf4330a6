"""The app's answer to a damaged catalogue: ask, then run `simili repair`'s work on a TaskRunner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from core.records import Progress
from core.repair import repair_library
from desktop.workers import TaskRunner


def ask_repair(message: str, parent: QWidget | None = None) -> bool:
    """Show the damage; True when the user chose "Repair" (offered only when a backup exists)."""
    box = QMessageBox(QMessageBox.Icon.Critical, "Simili", message, parent=parent)
    repair = None
    if "simili repair" in message:
        box.setInformativeText(
            "Repair keeps the damaged file, restores the newest sound backup and rescans your "
            "folders. Your photos are not touched."
        )
        repair = box.addButton("Repair", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    return repair is not None and box.clickedButton() is repair


class _Outcome(QObject):
    """Receives the runner's signals on the GUI thread (queued) and ends the wait."""

    def __init__(self, loop: QEventLoop) -> None:
        super().__init__()
        self.loop = loop
        self.error: str | None = None
        self.label: Callable[[str], None] = lambda _text: None

    @Slot(object)
    def progressed(self, progress: Progress) -> None:
        if progress.phase == "indexing" and progress.total:
            self.label(f"Repairing: rescanning, {progress.done}/{progress.total} photos")
        elif progress.message:
            self.label(f"Repairing: {progress.message}")

    @Slot(object)
    def done(self, _result: object) -> None:
        self.loop.quit()

    @Slot(str)
    def failed(self, message: str) -> None:
        self.error = message
        self.loop.quit()

    @Slot(object)
    def cancelled(self, _partial: object) -> None:
        self.error = "repair cancelled; run it again to finish"
        self.loop.quit()


def run_repair(folder: Path, parent: QWidget | None = None) -> str | None:
    """Repair on a TaskRunner behind a progress dialog; None on success, else the message."""
    loop = QEventLoop()
    outcome = _Outcome(loop)
    runner = TaskRunner()
    runner.finished.connect(outcome.done)
    runner.failed.connect(outcome.failed)
    runner.cancelled.connect(outcome.cancelled)
    progress = QProgressDialog("Repairing the library…", "", 0, 0, parent)
    progress.setCancelButton(None)
    progress.setWindowTitle("Simili")
    progress.show()
    outcome.label = progress.setLabelText
    runner.progressed.connect(outcome.progressed)
    runner.submit(lambda cancel, report, complain: repair_library(folder, cancel, report, complain))
    loop.exec()
    progress.close()
    runner.shutdown()
    return outcome.error
