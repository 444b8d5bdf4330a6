"""The main window: folders on the left, search results or a photo's details in the middle."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QMouseEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.formats import SUFFIXES
from core.formatting import human_bytes, human_duration
from core.pathtext import display
from core.records import IndexReport, Match, Progress
from desktop.controller import LibraryController
from desktop.dialogs import ExcludesDialog, ProblemsDialog, SettingsDialog
from desktop.duplicate_review import DuplicatesView
from desktop.grid_model import (
    ResultsModel,
    ThumbnailDelegate,
    as_item_data,
    from_item_data,
    path_of,
)
from desktop.personal_ui import PersonalUi
from desktop.thumbnails import ThumbnailCache

PAGE_EMPTY, PAGE_RESULTS, PAGE_DETAIL, PAGE_DUPLICATES = 0, 1, 2, 3
PREVIEW_SIDE = 1600
IMAGE_FILTER = "Images (" + " ".join(f"*{s}" for s in sorted(SUFFIXES)) + ")"


class EmptyView(QWidget):
    """What to do next: add a folder, or drop a photo to search."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        self.title.setFont(font)
        self.hint = QLabel()
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.add_button = QPushButton("Add a folder of photos…")
        self.add_button.setMinimumHeight(40)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addSpacing(12)
        layout.addWidget(self.hint)
        layout.addSpacing(18)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.add_button)
        row.addStretch()
        layout.addLayout(row)
        layout.addStretch(3)

    def show_state(self, has_photos: bool) -> None:
        """First run, or a library ready for a query."""
        if has_photos:
            self.title.setText("Drop a photo here to find the ones like it")
            self.hint.setText(
                "Drag any image from your file manager, paste one (Ctrl+V), or use "
                "File → Open image… It does not have to be in your library."
            )
            self.add_button.setText("Add another folder…")
        else:
            self.title.setText("Add a folder of photos")
            self.hint.setText(
                "Simili looks at your photos on this computer and finds the ones that look "
                "alike. Nothing leaves your computer, and your photo folders are never changed."
                "\n\nClick below or drop a folder onto this window."
            )
            self.add_button.setText("Add a folder of photos…")


class PreviewLabel(QLabel):
    """A photo scaled to fit; double-click opens it in the system viewer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._pixmap: QPixmap | None = None
        self.path = ""

    def set_photo(self, path: str, pixmap: QPixmap | None) -> None:
        """Show a photo (None: still loading)."""
        self.path = path
        self._pixmap = pixmap
        if pixmap is None:
            self.setText("Loading…")
        self._rescale()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Qt: keep the photo fitted."""
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is None:
            return
        ratio = self.devicePixelRatioF()
        scaled = self._pixmap.scaled(
            self.size() * ratio,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        scaled.setDevicePixelRatio(ratio)
        self.setPixmap(scaled)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Qt: open in the system viewer."""
        if self.path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.path))


class MainWindow(QMainWindow):
    """The Simili window."""

    def __init__(self, controller: LibraryController) -> None:
        super().__init__()
        self.controller = controller
        self.setWindowTitle("Simili")
        self.setAcceptDrops(True)
        self.state = QSettings(str(controller.folder / "window.ini"), QSettings.Format.IniFormat)
        side = controller.settings.thumbnail_size
        self.thumbnails = ThumbnailCache(controller.folder, side=2 * side)
        self.query_path = ""
        self.detail_path = ""
        self._index_started = 0.0
        self._build_ui(side)
        self._build_actions()
        self._connect()
        self.personal = PersonalUi(self)  # stars, For you, Albums (desktop/personal_ui.py)
        self.refresh_library()
        self._restore()
        if controller.read_only_reason:
            self.statusBar().showMessage(f"Read-only: {controller.read_only_reason}")

    # -- construction -------------------------------------------------------------------------
    def _build_ui(self, side: int) -> None:
        self.folders = QListWidget()
        self.folders.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.folders.setMinimumWidth(150)
        add = QPushButton("Add folder…")
        remove = QPushButton("Remove")
        remove.setToolTip("Remove from the library (the photos stay on disk)")
        self._remove_button = remove
        add.clicked.connect(self.choose_folder)
        remove.clicked.connect(self.remove_selected_folder)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 6, 6)
        left_layout.addWidget(QLabel("<b>Folders</b>"))
        left_layout.addWidget(self.folders)
        left_layout.addLayout(buttons)

        self.empty = EmptyView()
        self.empty.add_button.clicked.connect(self.choose_folder)

        # results page
        self.query_thumb = QLabel()
        self.query_thumb.setFixedSize(96, 96)
        self.query_thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.query_thumb.setFrameShape(QFrame.Shape.StyledPanel)
        self.query_label = QLabel()
        self.query_label.setWordWrap(True)
        self.query_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        query_row = QHBoxLayout()
        query_row.addWidget(self.query_thumb)
        query_row.addWidget(self.query_label, 1)
        self.model = ResultsModel(self.thumbnails)
        self.grid = QListView()
        self.grid.setObjectName("resultsGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.grid.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.grid.setModel(self.model)
        self.delegate = ThumbnailDelegate(side)
        self.grid.setItemDelegate(self.delegate)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.addLayout(query_row)
        results_layout.addWidget(self.grid, 1)

        # detail page
        self.preview = PreviewLabel()
        self.details = QFormLayout()
        self.details_box = QWidget()
        self.details_box.setLayout(self.details)
        self.details_box.setMaximumWidth(380)
        self.details_box.setMinimumWidth(160)
        back = QPushButton("← Back")
        back.setToolTip("Back to the results (Esc)")
        back.clicked.connect(self.show_results)
        open_button = QPushButton("Open")
        open_button.clicked.connect(lambda: self.open_external(self.detail_path))
        reveal = QPushButton("Show in folder")
        reveal.clicked.connect(lambda: self.reveal(self.detail_path))
        copy = QPushButton("Copy path")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(display(self.detail_path)))
        search_this = QPushButton("Search with this")
        search_this.clicked.connect(lambda: self.search_for(self.detail_path))
        actions = QHBoxLayout()
        for widget in (back, open_button, reveal, copy, search_this):
            actions.addWidget(widget)
        actions.addStretch()
        self.strip_model = ResultsModel(self.thumbnails)
        self.strip = QListView()
        self.strip.setObjectName("similarStrip")
        self.strip.setViewMode(QListView.ViewMode.IconMode)
        self.strip.setFlow(QListView.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setMovement(QListView.Movement.Static)
        self.strip.setUniformItemSizes(True)
        self.strip.setHorizontalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.strip.setModel(self.strip_model)
        self.strip_delegate = ThumbnailDelegate(96)
        self.strip.setItemDelegate(self.strip_delegate)
        self.strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip.setFixedHeight(96 + 16 + self.fontMetrics().height() + 34)
        upper = QHBoxLayout()
        upper.addWidget(self.preview, 1)
        upper.addWidget(self.details_box)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.addLayout(actions)
        detail_layout.addLayout(upper, 1)
        detail_layout.addWidget(QLabel("<b>More like this</b>"))
        detail_layout.addWidget(self.strip)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(results)
        self.pages.addWidget(detail)
        self.duplicates = DuplicatesView(self.controller, self.thumbnails)
        self.pages.addWidget(self.duplicates)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 900])
        self.splitter = splitter

        # progress row
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress_label = QLabel()
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(self.controller.cancel)
        progress_row = QHBoxLayout()
        progress_row.setContentsMargins(8, 2, 8, 2)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.pause_button)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        self.progress_box.setVisible(False)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.progress_box)
        self.setCentralWidget(central)

        self.count_label = QLabel()
        self.device_label = QLabel("Model: not loaded yet")
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.device_label)

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.open_action = QAction("&Open image…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_image)
        add_action = QAction("&Add folder…", self)
        add_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        add_action.triggered.connect(self.choose_folder)
        self.paste_action = QAction("&Paste image or path", self)
        self.paste_action.setShortcut(QKeySequence.StandardKey.Paste)
        self.paste_action.triggered.connect(self.paste)
        rescan = QAction("&Rescan folders", self)
        rescan.setShortcut(QKeySequence.StandardKey.Refresh)
        rescan.triggered.connect(self.controller.reindex)
        settings = QAction("&Settings…", self)
        settings.setShortcut(QKeySequence.StandardKey.Preferences)
        settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        settings.triggered.connect(self.edit_settings)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        for action in (self.open_action, add_action, self.paste_action, rescan):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(settings)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        view_menu = menu.addMenu("&View")
        self.problems_action = QAction("&Problems…", self)
        self.problems_action.triggered.connect(self.show_problems)
        view_menu.addAction(self.problems_action)
        self.duplicates_action = QAction("&Duplicates", self)
        self.duplicates_action.setShortcut(QKeySequence("Ctrl+D"))
        self.duplicates_action.triggered.connect(self.show_duplicates)
        view_menu.addAction(self.duplicates_action)
        back = QAction("&Back", self)
        back.setShortcuts([QKeySequence.StandardKey.Back, QKeySequence(Qt.Key.Key_Escape)])
        back.triggered.connect(self.go_back)
        view_menu.addAction(back)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addAction(add_action)
        toolbar.addAction(self.open_action)
        toolbar.addAction(self.duplicates_action)
        toolbar.addAction(self.problems_action)
        toolbar.addAction(settings)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(QLabel("Size "))
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(96, 320)
        self.size_slider.setValue(self.controller.settings.thumbnail_size)
        self.size_slider.setFixedWidth(140)
        self.size_slider.setToolTip("Thumbnail size")
        self.size_slider.valueChanged.connect(self.set_thumbnail_size)
        toolbar.addWidget(self.size_slider)
        self.addToolBar(toolbar)

    def _connect(self) -> None:
        c = self.controller
        c.indexing_started.connect(self._on_indexing_started)
        c.indexing_progressed.connect(self._on_indexing_progressed)
        c.indexing_finished.connect(self._on_indexing_finished)
        c.indexing_failed.connect(self._on_indexing_failed)
        c.watch_failed.connect(self._on_watch_failed)
        c.library_changed.connect(self.refresh_library)
        c.results_ready.connect(self._on_results)
        c.stacks_ready.connect(self._on_stacks)
        c.search_failed.connect(self._on_search_failed)
        c.device_known.connect(self._on_device_known)
        self.grid.clicked.connect(self._on_grid_clicked)
        self.grid.activated.connect(lambda index: self.show_detail(path_of(index)))
        self.strip.clicked.connect(lambda index: self.show_detail(path_of(index)))
        self.strip.doubleClicked.connect(lambda index: self.open_external(path_of(index)))
        self.folders.customContextMenuRequested.connect(self._folder_menu)
        self.thumbnails.ready.connect(self._on_thumbnail_ready)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(1500)
        self._refresh_timer.timeout.connect(self.refresh_library)

    def _restore(self) -> None:
        geometry = self.state.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 800)
        splitter = self.state.value("splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        last = self.state.value("query", "")
        if isinstance(last, str) and last and Path(last).is_file():
            self.search_for(last)

    # -- library and folders ------------------------------------------------------------------
    @Slot()
    def refresh_library(self) -> None:
        """Folder list, counts and the empty state, from the catalogue."""
        counts = self.controller.counts()
        per_root = self.controller.root_counts()
        selected = self.selected_root()
        unwatched = self.controller.unwatched
        self.folders.clear()
        for root in self.controller.roots():
            state = {"offline": "offline", "new": "waiting"}.get(root.state, "")
            if self.controller.busy and root.state == "new":
                state = "indexing"
            elif not state and self.controller.watching:
                state = "not watched" if root.path in unwatched else "watching"
            text = (
                f"{display(Path(root.path).name or root.path)}\n{per_root.get(root.id, 0):,} photos"
            )
            text += f" · {state}" if state else ""
            item = QListWidgetItem(text)
            why = unwatched.get(root.path)
            shown = display(root.path)
            item.setToolTip(f"{shown}\nnot watched: {why}" if why else shown)
            item.setData(Qt.ItemDataRole.UserRole, as_item_data(root.path))
            self.folders.addItem(item)
            if root.path == selected:
                item.setSelected(True)
        problems = counts["problems"]
        self.problems_action.setText(f"Problems ({problems})…" if problems else "Problems…")
        self.count_label.setText(f"{counts['photos']:,} photos")
        self._remove_button.setEnabled(self.folders.count() > 0)
        if self.pages.currentIndex() == PAGE_EMPTY:
            self.empty.show_state(counts["photos"] > 0 or bool(self.controller.roots()))

    def selected_root(self) -> str | None:
        """The folder selected in the side panel."""
        items = self.folders.selectedItems()
        return from_item_data(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    @Slot()
    def choose_folder(self) -> None:
        """Ask for a folder and add it."""
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos", str(Path.home()))
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        """Add a folder to the library and start indexing it."""
        self.controller.add_folder(folder)
        self.statusBar().showMessage(f"Adding {folder}…", 5000)

    @Slot()
    def remove_selected_folder(self) -> None:
        """Remove the selected folder from the library after confirming."""
        root = self.selected_root()
        if root is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove folder",
            f"Remove {display(root)} from the library?\n\nThe photos stay on disk; Simili only "
            "forgets them. You can add the folder again at any time.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.controller.remove_folder(root)

    def _folder_menu(self, position: object) -> None:
        item = self.folders.itemAt(position)  # type: ignore[arg-type]
        if item is None:
            return
        root = from_item_data(item.data(Qt.ItemDataRole.UserRole))
        menu = QMenu(self)
        menu.addAction("Show in file manager", lambda: self.open_external(root))
        menu.addAction("Exclude subfolders or patterns…", lambda: self.edit_excludes(root))
        menu.addAction("Rescan", self.controller.reindex)
        self.personal.folder_menu(menu, root)
        menu.addSeparator()
        menu.addAction("Remove from library…", self.remove_selected_folder)
        menu.exec(self.folders.mapToGlobal(position))  # type: ignore[arg-type]

    def edit_excludes(self, root: str) -> None:
        """Edit a folder's exclude patterns."""
        current = next((r.excludes for r in self.controller.roots() if r.path == root), ())
        dialog = ExcludesDialog(root, current, self)
        if dialog.exec():
            self.controller.set_excludes(root, dialog.patterns())

    # -- indexing progress ---------------------------------------------------------------------
    @Slot()
    def _on_indexing_started(self) -> None:
        self._index_started = time.monotonic()
        self.progress_box.setVisible(True)
        self.progress.setRange(0, 0)
        self.progress_label.setText("Looking for photos…")
        self.pause_button.setText("Pause")
        self._refresh_timer.start()

    @Slot(object)
    def _on_indexing_progressed(self, progress: Progress) -> None:
        if progress.phase == "indexing" and progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            parts = [f"Indexing {progress.done:,} of {progress.total:,}"]
            if progress.rate:
                parts.append(f"{progress.rate:.0f} photos/s")
            if progress.eta_s:
                parts.append(f"{human_duration(progress.eta_s)} left")
            self.progress_label.setText(" · ".join(parts))
        elif progress.phase == "scanning":
            self.progress.setRange(0, 0)
            found = f": {progress.done:,} photos found" if progress.done else "…"
            self.progress_label.setText(f"Looking for photos{found}")
        elif progress.phase == "finishing":
            self.progress_label.setText("Finishing…")

    @Slot(object, bool)
    def _on_indexing_finished(self, report: IndexReport | None, cancelled: bool) -> None:
        self._refresh_timer.stop()
        self.refresh_library()
        if cancelled and self.controller.paused:
            self.progress.setRange(0, 1)
            self.progress_label.setText("Paused. Everything indexed so far is kept and searchable.")
            self.pause_button.setText("Resume")
            return
        if self.controller.busy:
            return
        self.progress_box.setVisible(False)
        if report is not None:
            done = report.added + report.changed + report.reused
            message = f"Indexed {done:,} photos in {report.seconds:.0f} s"
            if report.problems:
                message += f"; {len(report.problems)} could not be read (View → Problems)"
            if report.offline_roots:
                message += f"; offline: {', '.join(report.offline_roots)}"
            self.statusBar().showMessage(message, 15000)
        elif cancelled:
            self.statusBar().showMessage("Indexing cancelled; finished photos are kept.", 10000)

    @Slot(str)
    def _on_indexing_failed(self, message: str) -> None:
        self._refresh_timer.stop()
        self.progress_box.setVisible(self.controller.busy)
        self.statusBar().showMessage(message, 20000)

    @Slot(str)
    def _on_watch_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 20000)

    @Slot()
    def toggle_pause(self) -> None:
        """Pause indexing (keeps all finished work) or resume it."""
        if self.controller.paused:
            self.controller.resume()
        else:
            self.controller.pause()
            self.pause_button.setText("Pausing…")

    # -- search -------------------------------------------------------------------------------
    def search_for(self, path: str) -> None:
        """Show photos like the image at `path`."""
        self.query_path = path
        self.state.setValue("query", path)
        name, shown = display(Path(path).name), display(path)
        self.query_label.setText(f"<b>Photos like</b> {name}<br><small>{shown}</small>"
                                 "<br>Searching…")  # fmt: skip
        pixmap = self.thumbnails.get(path)
        self.query_thumb.setPixmap(self._fit(pixmap, 96) if pixmap else QPixmap())
        self.model.set_matches([])
        self.pages.setCurrentIndex(PAGE_RESULTS)
        self.controller.search_image(path, tag=("search", path))

    def _fit(self, pixmap: QPixmap, side: int) -> QPixmap:
        ratio = self.devicePixelRatioF()
        scaled = pixmap.scaled(
            QSize(side, side) * ratio,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        scaled.setDevicePixelRatio(ratio)
        return scaled

    @Slot(object, object)
    def _on_stacks(self, tag: object, stacks: list[list[str]]) -> None:
        self._stacks = (tag, stacks)

    def _on_grid_clicked(self, index: object) -> None:
        row = index.row()  # type: ignore[attr-defined]
        if self.model.stacked(row):
            self.model.expand(row)  # first click unfolds a burst; then photos open as usual
            self.grid.setCurrentIndex(self.model.index(row))
        else:
            self.show_detail(path_of(index))  # type: ignore[attr-defined]

    @Slot(object, object)
    def _on_results(self, tag: object, matches: list[Match]) -> None:
        if not isinstance(tag, tuple):
            return
        if tag[0] == "search" and tag[1] == self.query_path:
            stacks_tag, stacks = getattr(self, "_stacks", (None, []))
            self.model.set_matches(matches, stacks if stacks_tag == tag else None)
            note = f"{len(matches)} most similar photos" if matches else "No photos indexed yet"
            self.query_label.setText(
                f"<b>Photos like</b> {display(Path(self.query_path).name)}<br>"
                f"<small>{display(self.query_path)}</small><br>{note}"
            )
            if matches:
                self.grid.setCurrentIndex(self.model.index(0))
            self.grid.setFocus()
        elif tag[0] == "similar" and tag[1] == self.detail_path:
            self.strip_model.set_matches(matches)
        elif tag[0] == "device":
            pass

    @Slot(str)
    def _on_device_known(self, text: str) -> None:
        self.device_text = text
        self.device_label.setText(f"Model on {text}")

    @Slot(object, str)
    def _on_search_failed(self, tag: object, message: str) -> None:
        if isinstance(tag, tuple) and tag[0] == "search":
            self.query_label.setText(f"<b>Cannot search with this image</b><br>{message}")
        else:
            self.statusBar().showMessage(message, 10000)

    @Slot(object)
    def _on_thumbnail_ready(self, path: str) -> None:
        if path == self.query_path:
            pixmap = self.thumbnails.get(path)
            if pixmap is not None:
                self.query_thumb.setPixmap(self._fit(pixmap, 96))
        if path == self.detail_path:
            self.preview.set_photo(path, self.thumbnails.get(path, PREVIEW_SIDE))

    @Slot()
    def choose_image(self) -> None:
        """Ask for an image to search with (File → Open image)."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Find photos like…", str(Path.home()), IMAGE_FILTER
        )
        if path:
            self.search_for(path)

    @Slot()
    def paste(self) -> None:
        """Search with an image or a file path from the clipboard."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasUrls():
            for url in mime.urls():
                if url.isLocalFile() and Path(url.toLocalFile()).is_file():
                    self.search_for(url.toLocalFile())
                    return
        image = clipboard.image()
        if not image.isNull():
            folder = Path(tempfile.gettempdir()) / "simili-pasted"
            folder.mkdir(exist_ok=True)
            target = folder / f"pasted-{int(time.time() * 1000)}.png"
            image.save(str(target), "PNG")
            self.search_for(str(target))
            return
        text = clipboard.text().strip().strip('"')
        if text.startswith("file://"):
            text = QUrl(text).toLocalFile()
        if text and Path(text).is_file():
            self.search_for(text)
        else:
            self.statusBar().showMessage("The clipboard holds no image or image path.", 5000)

    # -- detail -------------------------------------------------------------------------------
    def show_detail(self, path: str) -> None:
        """A photo large, with its details and similar photos."""
        if not path:
            return
        self.detail_path = path
        self.preview.set_photo(path, self.thumbnails.get(path, PREVIEW_SIDE))
        while self.details.rowCount():
            self.details.removeRow(0)
        info = self.controller.photo_info(path)
        self.details.addRow("<b>File</b>", self._selectable(display(Path(path).name)))
        self.details.addRow("Folder", self._selectable(display(str(Path(path).parent))))
        if info is not None:
            size, mtime_ns, meta = info
            self.details.addRow("Size", QLabel(human_bytes(size)))
            modified = time.strftime("%Y-%m-%d %H:%M", time.localtime(mtime_ns / 1e9))
            self.details.addRow("Modified", QLabel(modified))
            if meta is not None:
                self.details.addRow("Dimensions", QLabel(f"{meta.width} × {meta.height}"))
                if meta.taken:
                    self.details.addRow("Taken", QLabel(meta.taken))
                if meta.camera:
                    self.details.addRow("Camera", QLabel(meta.camera))
        else:
            self.details.addRow("", QLabel("Not in the library"))
        self.personal.show_detail(path)
        self.strip_model.set_matches([])
        self.pages.setCurrentIndex(PAGE_DETAIL)
        if info is not None:
            self.controller.similar_to(path, tag=("similar", path))

    def _selectable(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    @Slot()
    def show_results(self) -> None:
        """Back to the result grid (or the start page)."""
        self.pages.setCurrentIndex(PAGE_RESULTS if self.query_path else PAGE_EMPTY)
        self.grid.setFocus()

    @Slot()
    def go_back(self) -> None:
        """Esc / Back: detail or duplicates → results."""
        if self.pages.currentIndex() in (PAGE_DETAIL, PAGE_DUPLICATES):
            self.show_results()

    @Slot()
    def show_duplicates(self) -> None:
        """The duplicates review; starts a search the first time."""
        self.pages.setCurrentIndex(PAGE_DUPLICATES)
        if not self.duplicates.groups and self.duplicates.find_button.isEnabled():
            self.duplicates.find()

    def open_external(self, path: str) -> None:
        """Open in the system's viewer or file manager."""
        if path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def reveal(self, path: str) -> None:
        """Show the file in its folder, selected where the platform allows."""
        if not path:
            return
        if sys.platform == "darwin":
            subprocess.Popen(["open", "-R", path])
        elif sys.platform == "win32":
            subprocess.Popen(["explorer", "/select,", path])
        else:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))

    # -- settings and view --------------------------------------------------------------------
    @Slot(int)
    def set_thumbnail_size(self, side: int) -> None:
        """Resize the grid's thumbnails (rendered at twice the size for high-DPI screens)."""
        self.delegate.side = side
        self.grid.doItemsLayout()
        self.controller.update_settings(self.controller.settings.with_changes(thumbnail_size=side))

    @Slot()
    def edit_settings(self) -> None:
        """Open the settings dialog."""
        active = getattr(self, "device_text", "not loaded yet")
        dialog = SettingsDialog(self.controller.settings, active, self)
        if dialog.exec():
            self.controller.update_settings(dialog.settings())
            self.device_label.setText("Model: reloads on next use")
            self.controller.probe_device()

    @Slot()
    def show_problems(self) -> None:
        """List the files that could not be read."""
        dialog = ProblemsDialog(self.controller.problems(), self, controller=self.controller)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exec()

    # -- drag and drop ------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Qt: accept files, folders and images."""
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Qt: a folder is added to the library; an image is searched for."""
        mime = event.mimeData()
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        folders = [p for p in paths if Path(p).is_dir()]
        files = [p for p in paths if Path(p).is_file()]
        for folder in folders:
            self.add_folder(folder)
        if files:
            self.search_for(files[0])
        elif not folders and mime.hasImage():
            self.paste()
        event.acceptProposedAction()

    # -- lifetime -----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Qt: remember the window, stop work cleanly (the current batch is committed)."""
        self.state.setValue("geometry", self.saveGeometry())
        self.state.setValue("splitter", self.splitter.saveState())
        self.state.sync()
        self.thumbnails.shutdown()
        self.personal.close()
        self.controller.close()
        super().closeEvent(event)
