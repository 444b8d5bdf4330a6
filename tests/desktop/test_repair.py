"""The app meets a damaged catalogue with a Repair offer that runs on the task runner."""

from __future__ import annotations

import pytest

from core.cli import main
from core.errors import CatalogDamagedError
from desktop.controller import LibraryController
from desktop.repair import run_repair


def test_repair_from_the_app_restores_the_library(qtbot, library_home, make_photo, tmp_path):
    # GIVEN an indexed library (with its backup) whose catalogue is then emptied
    for i in range(3):
        make_photo(f"p{i}.jpg", seed=30 + i)
    args = ["index", str(tmp_path / "photos"), "--library", str(library_home), "--workers", "0"]
    assert main(args) == 0
    (library_home / "catalog.sqlite").write_bytes(b"")
    # WHEN the app opens it, it is refused with the way out
    with pytest.raises(CatalogDamagedError, match="simili repair"):
        LibraryController(library_home)
    # AND "Repair" restores the backup and rescans on the task runner
    assert run_repair(library_home) is None
    controller = LibraryController(library_home)
    try:
        assert controller.counts()["photos"] == 3
        assert [r.path for r in controller.roots()] == [str(tmp_path / "photos")]
    finally:
        controller.close()


def test_repair_failure_is_a_message(qtbot, library_home, make_photo, tmp_path):
    make_photo("a.jpg", seed=1)
    args = ["index", str(tmp_path / "photos"), "--library", str(library_home), "--workers", "0"]
    assert main(args) == 0
    for backup in (library_home / "backups").iterdir():
        backup.unlink()
    (library_home / "catalog.sqlite").write_bytes(b"")
    message = run_repair(library_home)
    assert message is not None
    assert "no sound backup" in message


def test_the_dialog_offers_repair_only_when_a_backup_exists(qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.repair import ask_repair

    seen: list[list[str]] = []

    def answer(choice: str) -> None:
        box = QApplication.activeModalWidget()
        buttons = {b.text().replace("&", ""): b for b in box.buttons()}
        seen.append(sorted(buttons))
        buttons[choice].click()

    QTimer.singleShot(0, lambda: answer("Repair"))
    assert ask_repair("the catalogue C is damaged (empty file); run `simili repair` to restore")
    QTimer.singleShot(0, lambda: answer("Close"))
    assert not ask_repair("the catalogue C is damaged (empty file); there is no backup in B")
    assert seen == [["Close", "Repair"], ["Close"]]
