"""Small dialogs: settings, problems, exclude patterns."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.pathtext import display
from core.records import Problem
from core.settings import Settings

DEVICES = [("Automatic (GPU if usable)", "auto"), ("CPU", "cpu"), ("GPU (CUDA)", "cuda")]


class SettingsDialog(QDialog):
    """Device, decode workers, global exclude patterns, watching."""

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
        self.watch = QCheckBox("Follow changes in my folders as they happen")
        self.watch.setChecked(settings.watch)
        form = QFormLayout()
        form.addRow("Run the model on", self.device)
        form.addRow("", self.active)
        form.addRow("Decode processes", self.workers)
        form.addRow("Skip files and folders", self.excludes)
        form.addRow("", self.watch)
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
        )


class ProblemsDialog(QDialog):
    """Files that could not be read, with the reason; nothing pops up per file."""

    def __init__(self, problems: list[Problem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Problems ({len(problems)})")
        self.resize(900, 420)
        self.table = QTableWidget(len(problems), 2)
        self.table.setHorizontalHeaderLabels(["File", "Reason"])
        for row, problem in enumerate(problems):
            self.table.setItem(row, 0, QTableWidgetItem(display(problem.path)))
            self.table.setItem(row, 1, QTableWidgetItem(problem.reason))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        note = QLabel(
            "These files were skipped. Simili tries them again when they change on disk."
            if problems
            else "No problems: every photo was read."
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addWidget(buttons)


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
        layout.addWidget(QLabel(f"Skip inside {root}:"))
        layout.addWidget(self.edit)
        layout.addWidget(buttons)

    def patterns(self) -> list[str]:
        """The edited patterns."""
        return [p.strip() for p in self.edit.toPlainText().splitlines() if p.strip()]
