"""The bar under the window that shows indexing progress with Pause and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from core.formatting import count_of, human_duration
from core.records import IndexReport, Progress


def finished_message(report: IndexReport) -> str:
    """What a finished run did, for the status bar; "" when it found nothing new to say."""
    done = report.added + report.changed + report.reused
    parts = []
    if done:
        seconds = max(1, round(report.seconds))
        parts.append(f"Indexed {count_of(done, 'photo', grouped=True)} in {seconds} s")
    if report.removed:
        parts.append(f"{count_of(report.removed, 'photo', grouped=True)} gone from the folders")
    if report.problems:
        parts.append(
            f"{count_of(len(report.problems), 'file')} could not be read (View → Problems)"
        )
    if report.offline_roots:
        parts.append(f"offline: {', '.join(report.offline_roots)}")
    message = "; ".join(parts)
    return message[:1].upper() + message[1:]


def ahead_text(progress: Progress | None) -> str:
    """The status bar's words while duplicate pairs are checked in the background; "" when done.

    The scan's steps are worded for its own window ("duplicates: verifying pairs"); here one
    line with a percentage says enough, since the user did not ask for this work.
    """
    if progress is None or progress.phase == "done":
        return ""
    if progress.total:
        share = min(100, 100 * progress.done // progress.total)
        return f"Checking for edited copies… {share} %"
    return "Checking for edited copies…"


class IndexingBar(QWidget):
    """Progress of the running indexing task; hidden when nothing runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.label = QLabel()
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        row.addWidget(self.label)
        row.addWidget(self.progress, 1)
        row.addWidget(self.pause_button)
        row.addWidget(self.cancel_button)
        self.setVisible(False)

    def show_started(self) -> None:
        """A task began: busy indicator until the first progress report."""
        self.setVisible(True)
        self.progress.setRange(0, 0)
        self.label.setText("Looking for photos…")
        self.pause_button.setText("Pause")

    def show_progress(self, progress: Progress) -> None:
        """Counts, rate and time left while indexing or tagging; a busy bar while scanning."""
        if progress.phase in ("indexing", "tagging") and progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            parts = [f"{progress.phase.title()} {progress.done:,} of {progress.total:,}"]
            if progress.rate:
                parts.append(f"{progress.rate:.0f} photos/s")
            if progress.eta_s:
                parts.append(f"{human_duration(progress.eta_s)} left")
            self.label.setText(" · ".join(parts))
        elif progress.phase == "scanning":
            self.progress.setRange(0, 0)
            found = (
                f": {count_of(progress.done, 'photo', grouped=True)} found"
                if progress.done
                else "…"
            )
            self.label.setText(f"Looking for photos{found}")
        elif progress.phase == "finishing":
            self.label.setText("Finishing…")

    def show_paused(self) -> None:
        """Paused: the work so far is kept; the button resumes."""
        self.progress.setRange(0, 1)
        self.label.setText("Paused. Everything indexed so far is kept and searchable.")
        self.pause_button.setText("Resume")
