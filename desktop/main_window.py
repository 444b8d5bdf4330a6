"""The main window: folders on the left, search results or a photo's details in the middle."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from html import escape
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, QStandardPaths, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.formats import SUFFIXES
from core.formatting import count_of
from core.pathtext import display
from core.records import IndexReport, Match, Progress
from desktop.controller import LibraryController
from desktop.detail_view import DetailView
from desktop.dialogs import ExcludesDialog, ProblemsDialog, SettingsDialog
from desktop.drop_overlay import DropOverlay
from desktop.duplicate_review import DuplicatesView
from desktop.empty_view import EmptyView
from desktop.folders_panel import FoldersPanel
from desktop.grid_model import from_item_data, path_of
from desktop.indexing_bar import IndexingBar, ahead_text, finished_message
from desktop.personal_ui import PersonalUi
from desktop.results_view import ResultsView
from desktop.tag_views import SearchBarView, TagStripView
from desktop.thumbnails import ThumbnailCache

PAGE_EMPTY, PAGE_RESULTS, PAGE_DETAIL, PAGE_DUPLICATES = 0, 1, 2, 3
PREVIEW_SIDE = 1600
IMAGE_FILTER = "Images (" + " ".join(f"*{s}" for s in sorted(SUFFIXES)) + ")"


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
        self.query_title = ""  # shown instead of the file name (a pasted image has none)
        self._words_tag: tuple = ()
        self.detail_path = ""
        # What the grid showed before the search in flight: back on screen if that one fails.
        self._previous: tuple[str, str, list[Match]] | None = None
        self._index_started = 0.0
        self._indexing = False  # from indexing_started (sent before the runner is busy) to its end
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
        self.folders_panel = FoldersPanel()
        self.folders = self.folders_panel.folders
        self.folders_panel.add_button.clicked.connect(self.choose_folder)
        self.folders_panel.remove_button.clicked.connect(self.remove_selected_folder)

        self.empty = EmptyView()
        self.empty.add_button.clicked.connect(self.choose_folder)

        self.results = ResultsView(self.thumbnails, side)
        self.query_thumb = self.results.query_thumb
        self.query_label = self.results.query_label
        self.model = self.results.model
        self.grid = self.results.grid
        self.delegate = self.results.delegate

        self.detail = DetailView(self.thumbnails)
        self.preview = self.detail.preview
        self.strip = self.detail.strip
        self.strip_model = self.detail.strip_model
        self.detail.back_button.clicked.connect(self.show_results)
        self.detail.open_button.clicked.connect(lambda: self.open_external(self.detail_path))
        self.detail.reveal_button.clicked.connect(lambda: self.reveal(self.detail_path))
        self.detail.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(display(self.detail_path))
        )
        self.detail.search_button.clicked.connect(lambda: self.search_for(self.detail_path))
        self.detail.stepped.connect(self.step_detail)
        self.preview.activated.connect(lambda: self.open_external(self.detail_path))

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.results)
        self.pages.addWidget(self.detail)
        self.duplicates = DuplicatesView(self.controller, self.thumbnails)
        self.pages.addWidget(self.duplicates)

        self.search_bar = SearchBarView()
        # Words and filters search photos; on the duplicates page they would search nothing there.
        self.pages.currentChanged.connect(
            lambda _: self.search_bar.setVisible(self.pages.currentWidget() is not self.duplicates)
        )
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 6, 0, 0)
        right_layout.addWidget(self.search_bar)
        right_layout.addWidget(self.pages, 1)
        splitter = QSplitter()
        splitter.addWidget(self.folders_panel)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 900])
        self.splitter = splitter

        self.indexing_bar = IndexingBar()
        self.progress_box = self.indexing_bar
        self.progress = self.indexing_bar.progress
        self.progress_label = self.indexing_bar.label
        self.pause_button = self.indexing_bar.pause_button
        self.cancel_button = self.indexing_bar.cancel_button
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(self.controller.cancel)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.indexing_bar)
        self.setCentralWidget(central)

        self.drop_overlay = DropOverlay(central)

        self.count_label = QLabel()
        self.device_label = QLabel("Model: not loaded yet")
        self.ahead_label = QLabel()
        self.ahead_label.setToolTip(
            "Simili compares likely pairs of photos in the background, so that Find Duplicates "
            "opens quickly. It gives way to anything you ask for and keeps what it has done."
        )
        self.ahead_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.ahead_label)
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
        c.ahead_progressed.connect(self._on_ahead_progressed)
        c.library_changed.connect(self.refresh_library)
        c.results_ready.connect(self._on_results)
        c.stacks_ready.connect(self._on_stacks)
        c.search_failed.connect(self._on_search_failed)
        c.device_known.connect(self._on_device_known)
        self.search_bar.searched.connect(self.search_words)
        self.grid.clicked.connect(self._on_grid_clicked)
        self.grid.activated.connect(
            lambda index: self.model.activate(index.row()) or self.show_detail(path_of(index))
        )
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

    # -- launches -----------------------------------------------------------------------------
    @Slot(object)
    def open_paths(self, paths: list[str], raise_window: bool = True) -> None:
        """Folders are added, the first image is searched for: "Open with", or a later launch."""
        for path in paths:
            if Path(path).is_dir():
                self.add_folder(path)
        files = [p for p in paths if Path(p).is_file()]
        if files:
            self.search_for(files[0])
        if raise_window:
            if self.isMinimized():
                self.showNormal()
            self.show()
            self.raise_()
            self.activateWindow()

    # -- library and folders ------------------------------------------------------------------
    @Slot()
    def refresh_library(self) -> None:
        """Folder list, counts and the empty state, from the catalogue."""
        if self.controller.closed:
            return  # a late signal while closing: the catalogue is gone
        counts = self.controller.counts()
        self.folders_panel.show_roots(
            self.controller.roots(),
            self.controller.root_counts(),
            busy=self.controller.busy,
            watching=self.controller.watching,
            unwatched=self.controller.unwatched,
        )
        self.search_bar.set_folders([root.path for root in self.controller.roots()])
        problems = counts["problems"]
        self.problems_action.setText(f"Problems ({problems})…" if problems else "Problems…")
        self.count_label.setText(count_of(counts["photos"], "photo", grouped=True))
        if self.pages.currentIndex() == PAGE_EMPTY:
            self.empty.show_state(
                counts["photos"] > 0 or bool(self.controller.roots()),
                indexing=self._indexing and counts["photos"] == 0,
            )

    def selected_root(self) -> str | None:
        """The folder selected in the side panel."""
        return self.folders_panel.selected_root()

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
        self._indexing = True
        self.indexing_bar.show_started()
        self._refresh_timer.start()
        self.refresh_library()

    @Slot(object)
    def _on_indexing_progressed(self, progress: Progress) -> None:
        self.indexing_bar.show_progress(progress)
        if progress.phase == "indexing" and progress.done:
            # Each reported batch is committed: the catalogue's count moves with it.
            self.refresh_library()

    @Slot(object, bool)
    def _on_indexing_finished(self, report: IndexReport | None, cancelled: bool) -> None:
        self._refresh_timer.stop()
        self._indexing = False
        self.refresh_library()
        if cancelled and self.controller.paused:
            self.indexing_bar.show_paused()
            return
        if self.controller.busy:
            return
        self.progress_box.setVisible(False)
        if report is not None:
            message = finished_message(report)
            if message:  # a start with nothing new says nothing
                self.statusBar().showMessage(message, 15000)
        elif cancelled:
            self.statusBar().showMessage("Indexing cancelled; finished photos are kept.", 10000)

    @Slot(str)
    def _on_indexing_failed(self, message: str) -> None:
        self._refresh_timer.stop()
        self._indexing = False
        self.progress_box.setVisible(self.controller.busy)
        self.statusBar().showMessage(message, 20000)

    @Slot(object)
    def _on_ahead_progressed(self, progress: Progress | None) -> None:
        text = ahead_text(progress)
        self.ahead_label.setText(text)
        self.ahead_label.setVisible(bool(text))

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
    def search_for(self, path: str, title: str = "") -> None:
        """Show photos like the image at `path`; `title` names it when its file name means nothing.

        The results on screen are kept aside until the new ones come: a search that fails
        brings them back.
        """
        if self.model.rowCount():
            self._previous = (self.query_path, self.query_title, self.model.matches())
        self.query_path = path
        self.search_bar.set_photo(path)
        self.query_title = title
        if not title:  # a pasted image's temporary file is not worth coming back to
            self.state.setValue("query", path)
        self.query_label.setText(self.query_heading("Searching…"))
        pixmap = self.thumbnails.get(path)
        self.query_thumb.setPixmap(self._fit(pixmap, 96) if pixmap else QPixmap())
        self.model.set_matches([])
        self.pages.setCurrentIndex(PAGE_RESULTS)
        self.controller.search_image(path, tag=("search", path))

    def query_heading(self, note: str) -> str:
        """The rich text over the grid: what was searched for, and `note` below it."""
        if self.query_title:
            return f"<b>Photos like {escape(self.query_title)}</b><br>{note}"
        name, shown = escape(display(Path(self.query_path).name)), escape(display(self.query_path))
        return f"<b>Photos like</b> {name}<br><small>{shown}</small><br>{note}"

    @Slot(str, str, object)
    def search_words(self, words: str, photo: str, photo_filter: object) -> None:
        """Search by words and/or the current photo, under the bar's filters."""
        what = " and ".join(
            part for part in (f"like {display(Path(photo).name)}" if photo else "", words) if part
        )
        self._words_tag = ("words", what or "All photos", words, photo, photo_filter)
        self.query_label.setText(f"<b>{what or 'All photos'}</b><br>Searching…")
        self.query_thumb.setPixmap(QPixmap())
        self.model.set_matches([])
        self.pages.setCurrentIndex(PAGE_RESULTS)
        self.controller.find(words, photo, photo_filter, self._words_tag)  # type: ignore[arg-type]

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
        if self.model.activate(row):  # a divider or "Show more", not a photo
            return
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
            note = self.model.summary() if matches else "No photos indexed yet"
            self.query_label.setText(self.query_heading(note))
            self._previous = None
            if matches:
                self.grid.setCurrentIndex(self.model.index(0))
            self.grid.setFocus()
        elif tag[0] == "words" and tag == self._words_tag:
            self.model.set_matches(matches)
            self.query_label.setText(f"<b>{tag[1]}</b><br>{len(matches)} photos")
            if matches:
                self.grid.setCurrentIndex(self.model.index(0))
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
            if tag[1] != self.query_path:
                return  # an older search; the current one is still running
            failed = self.query_title or display(Path(self.query_path).name)
            why = f"<b>Cannot search with {escape(failed)}</b>: {escape(message)}"
            previous = self._previous
            if previous is None:
                self.query_label.setText(why)
                return
            # Back to what was on screen, with the reason above it.
            self.query_path, self.query_title, matches = previous
            self._previous = None
            if not self.query_title:
                self.state.setValue("query", self.query_path)  # a restart shows these, too
            self.model.set_matches(matches)
            pixmap = self.thumbnails.get(self.query_path)
            self.query_thumb.setPixmap(self._fit(pixmap, 96) if pixmap else QPixmap())
            previous_heading = self.query_heading("Showing the previous results.")
            self.query_label.setText(f"{why}<br>{previous_heading}")
            self.statusBar().showMessage(f"Cannot search with {failed}: {message}", 10000)
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
            self, "Find photos like…", self.photo_folder(), IMAGE_FILTER
        )
        if path:
            self.search_for(path)

    def photo_folder(self) -> str:
        """Where file dialogs open: the selected library folder, the first one, else Pictures."""
        roots = [r.path for r in self.controller.roots() if Path(r.path).is_dir()]
        selected = self.selected_root()
        if selected in roots:
            return selected
        if roots:
            return roots[0]
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        return pictures if pictures and Path(pictures).is_dir() else str(Path.home())

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
        if self._search_image(clipboard.image()):
            return
        text = clipboard.text().strip().strip('"')
        if text.startswith("file://"):
            text = QUrl(text).toLocalFile()
        if text and Path(text).is_file():
            self.search_for(text)
        else:
            self.statusBar().showMessage("The clipboard holds no image or image path.", 5000)

    def _search_image(self, image: object, title: str = "the pasted image") -> bool:
        """Search with pixels that have no file (pasted or dropped): saved to a temporary file."""
        if not isinstance(image, QImage) or image.isNull():
            return False
        folder = Path(tempfile.gettempdir()) / "simili-pasted"
        folder.mkdir(exist_ok=True)
        target = folder / f"pasted-{int(time.time() * 1000)}.png"
        if not image.save(str(target), "PNG"):
            self.statusBar().showMessage(f"Cannot save the image to {folder} to search.", 10000)
            return True
        self.search_for(str(target), title=title)
        return True

    # -- detail -------------------------------------------------------------------------------
    def show_detail(self, path: str) -> None:
        """A photo large, with its details and similar photos."""
        if not path:
            return
        self.detail_path = path
        self.preview.set_photo(path, self.thumbnails.get(path, PREVIEW_SIDE))
        info = self.controller.photo_info(path)
        self.detail.show_info(path, info)
        if info is not None:
            self.tag_strip = TagStripView()  # the form deletes its rows' widgets on removal
            self.tag_strip.tag_clicked.connect(self.search_bar.search_words)
            self.tag_strip.set_tags(self.controller.photo_tags(path))
            self.detail.details.addRow("Tags", self.tag_strip)
        self.personal.show_detail(path)
        self.pages.setCurrentIndex(PAGE_DETAIL)
        if info is not None:
            self.controller.similar_to(path, tag=("similar", path))

    @Slot(int)
    def step_detail(self, step: int) -> None:
        """Left/Right on the detail page: the previous or next photo of the results."""
        paths = [m.path for m in self.model.matches()]
        if self.detail_path not in paths:
            return
        row = paths.index(self.detail_path) + step
        if 0 <= row < len(paths):
            self.show_detail(paths[row])
            self.grid.setCurrentIndex(self.model.index(row))

    @Slot()
    def show_results(self) -> None:
        """Back to the result grid (or the start page)."""
        self.pages.setCurrentIndex(
            PAGE_RESULTS if self.query_path or self._words_tag else PAGE_EMPTY
        )
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

    def open_external(self, path: str) -> bool:
        """Open in the system's viewer or file manager; says so when nothing can open it."""
        if not path:
            return False
        if QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
            return True
        kind = "folder" if Path(path).is_dir() else "file"
        self.statusBar().showMessage(
            f"No app is set to open {display(Path(path).name)}: choose a default app for this "
            f"kind of {kind} in your system settings, or use “Show in folder”.",
            15000,
        )
        return False

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
        self.grid.fit_columns()
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
            self.drop_overlay.show_for(mime)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        """Qt: the drag went elsewhere; the highlight goes."""
        self.drop_overlay.hide()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """Qt: a folder is added to the library; an image is searched for."""
        self.drop_overlay.hide()
        mime = event.mimeData()
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        folders = [p for p in paths if Path(p).is_dir()]
        files = [p for p in paths if Path(p).is_file()]
        for folder in folders:
            self.add_folder(folder)
        if files:
            self.search_for(files[0])
        elif not folders and mime.hasImage():
            self._search_image(mime.imageData())
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
