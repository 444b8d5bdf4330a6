"""Small dialogs: settings, problems, exclude patterns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.pathtext import display
from core.records import Problem, RetryReport
from core.settings import Settings

if TYPE_CHECKING:
    from desktop.controller import LibraryController

DEVICES = [("Automatic (GPU if usable)", "auto"), ("CPU", "cpu"), ("GPU (CUDA)", "cuda")]


class SettingsDialog(QDialog):
    """Device, decode workers, global exclude patterns, watching, folders never trashed from."""

    def __init__(
        self, settings: Settings, active_device: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.device = QComboBox()
        for label, value in DEVICES:
            self.device.addItem(label, value)
        self.device.setCurrentIndex([v for _, v in DEVICES].index(settings.device))
        self.active = QLabel(f"In use: {active_device}")
        self.active.setObjectName("activeDevice")
        self.workers = QSpinBox()
        self.workers.setRange(0, 64)
        self.workers.setSpecialValueText("Automatic (one per core)")
        self.workers.setValue(settings.workers)
        self.excludes = QPlainTextEdit("\n".join(settings.exclude_patterns))
        self.excludes.setPlaceholderText("One pattern per line, e.g.\n*.gif\nScreenshots\n*/tmp/*")
        self.reference = QListWidget()
        self.reference.setObjectName("referenceFolders")
        self.reference.addItems(list(settings.reference_folders))
        self.reference.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.reference.setToolTip("Simili never trashes photos in these folders")
        self.reference.setMaximumHeight(110)
        add_reference = QPushButton("Add…")
        add_reference.clicked.connect(self._add_reference)
        remove_reference = QPushButton("Remove")
        remove_reference.clicked.connect(self._remove_reference)
        reference_buttons = QHBoxLayout()
        reference_buttons.addWidget(add_reference)
        reference_buttons.addWidget(remove_reference)
        reference_buttons.addStretch()
        reference_box = QVBoxLayout()
        reference_box.addWidget(self.reference)
        reference_box.addLayout(reference_buttons)
        self.watch = QCheckBox("Follow changes in my folders as they happen")
        self.watch.setChecked(settings.watch)
        form = QFormLayout()
        form.addRow("Run the model on", self.device)
        form.addRow("", self.active)
        form.addRow("Decode processes", self.workers)
        form.addRow("Skip files and folders", self.excludes)
        form.addRow("", self.watch)
        form.addRow("Never trash from", reference_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._base = settings

    def settings(self) -> Settings:
        """The edited settings."""
        patterns = tuple(p.strip() for p in self.excludes.toPlainText().splitlines() if p.strip())
        return self._base.with_changes(
            device=self.device.currentData(),
            workers=self.workers.value(),
            exclude_patterns=patterns,
            watch=self.watch.isChecked(),
            reference_folders=self.reference_folders(),
        )

    def reference_folders(self) -> tuple[str, ...]:
        """The folders listed under "Never trash from"."""
        return tuple(self.reference.item(i).text() for i in range(self.reference.count()))

    def add_reference_folder(self, folder: str) -> None:
        """List a folder once."""
        if folder and folder not in self.reference_folders():
            self.reference.addItem(folder)

    @Slot()
    def _add_reference(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Never trash photos from")
        self.add_reference_folder(folder)

    @Slot()
    def _remove_reference(self) -> None:
        for item in self.reference.selectedItems():
            self.reference.takeItem(self.reference.row(item))


class ProblemsDialog(QDialog):
    """Files that could not be read, with the reason; nothing pops up per file.

    With a controller, "Try again" retries them all in the controller's task runner (never on
    the GUI thread) and the list shows what is left.
    """

    def __init__(
        self,
        problems: list[Problem],
        parent: QWidget | None = None,
        controller: LibraryController | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.resize(900, 420)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["File", "Reason"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.note = QLabel()
        self.outcome = QLabel()
        self.outcome.setObjectName("retryOutcome")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.retry_button = QPushButton("Try again")
        self.retry_button.setToolTip("Read every file in this list again now")
        self.retry_button.clicked.connect(self._on_retry_button_clicked)
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.retry_button.setVisible(controller is not None)  # after addButton, which shows it
        if controller is not None:
            controller.problems_retried.connect(self._on_controller_problems_retried)
            controller.problems_retry_failed.connect(self._on_controller_problems_retry_failed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self._show(problems)

    def _show(self, problems: list[Problem]) -> None:
        self.setWindowTitle(f"Problems ({len(problems)})")
        self.table.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            self.table.setItem(row, 0, QTableWidgetItem(display(problem.path)))
            self.table.setItem(row, 1, QTableWidgetItem(problem.reason))
        self.note.setText(
            "These files were skipped. Simili tries them again when they change on disk, and "
            "files it could not open on every scan."
            if problems
            else "No problems: every photo was read."
        )
        self.retry_button.setEnabled(bool(problems))

    @Slot()
    def _on_retry_button_clicked(self) -> None:
        if self.controller is None:
            return
        self.retry_button.setEnabled(False)
        self.outcome.setText("Trying again…")
        self.controller.retry_problems()

    @Slot(object)
    def _on_controller_problems_retried(self, result: RetryReport) -> None:
        gone = f", {len(result.gone)} no longer on disk" if result.gone else ""
        self.outcome.setText(
            f"{len(result.fixed)} fixed, {len(result.failing)} still failing{gone}."
        )
        if self.controller is not None:
            self._show(self.controller.problems())

    @Slot(str)
    def _on_controller_problems_retry_failed(self, message: str) -> None:
        self.outcome.setText(message)
        self.retry_button.setEnabled(self.table.rowCount() > 0)


class ExcludesDialog(QDialog):
    """Exclude subfolders or patterns of one folder."""

    def __init__(self, root: str, patterns: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Exclude from this folder")
        self.edit = QPlainTextEdit("\n".join(patterns))
        self.edit.setPlaceholderText(
            "One per line: a subfolder (2019/private) or a pattern (*.png)"
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Skip inside {display(root)}:"))
        layout.addWidget(self.edit)
        layout.addWidget(buttons)

    def patterns(self) -> list[str]:
        """The edited patterns."""
        return [p.strip() for p in self.edit.toPlainText().splitlines() if p.strip()]
