"""Puts the personal features into the main window: star buttons, For you, Albums.

Kept out of main_window.py, which only creates it and calls `show_detail` / `folder_menu`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QPushButton

from core.favourites import favourites
from core.suggest import Suggestion
from desktop.albums_view import AlbumsView, belongs_text
from desktop.for_you_view import ForYouView
from desktop.grid_model import path_of
from desktop.personal import Personal

STAR, UNSTAR = "☆ Star", "★ Starred"


class PersonalUi(QObject):
    """The For you and Albums pages, the star button and menu entries of one window."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.personal = Personal(window.controller)
        self.for_you = ForYouView(self.personal, window.thumbnails)
        self.albums = AlbumsView(self.personal)
        window.pages.addWidget(self.for_you)
        window.pages.addWidget(self.albums)
        self.for_you.open_requested.connect(window.show_detail)
        self.albums.open_requested.connect(window.show_detail)
        self.star_button: QPushButton | None = None  # in the detail panel, made per photo
        self.for_you_action = QAction("&For you", window)
        self.for_you_action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.for_you_action.triggered.connect(self.show_for_you)
        self.albums_action = QAction("&Albums", window)
        self.albums_action.triggered.connect(self.show_albums)
        view_menu = next(
            (a.menu() for a in window.menuBar().actions() if a.text() == "&View"), None
        )
        for action in (self.for_you_action, self.albums_action):
            if view_menu is not None:
                view_menu.addAction(action)
            window.addAction(action)
        window.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        window.grid.customContextMenuRequested.connect(self._grid_menu)
        self._starred: set[str] = set()
        self._load_stars()
        for model in (window.model, window.strip_model):
            model.is_starred = self._starred.__contains__
        self.personal.starred_changed.connect(self._on_starred_changed)
        self.personal.failed.connect(lambda m: window.statusBar().showMessage(m, 15000))
        self.personal.suggested.connect(self._on_suggested)

    # -- stars --------------------------------------------------------------------------------
    def show_detail(self, path: str) -> None:
        """Add a star button to the detail panel of a library photo.

        The panel deletes its rows for each photo, so each photo gets a new button.
        """
        self.star_button = None
        if self.window.controller.photo_info(path) is None:
            return
        button = QPushButton()
        button.setObjectName("starButton")
        button.setCheckable(True)
        button.setToolTip("Favourite: 'For you' shows photos like your favourites")
        starred = self.personal.is_starred(path)
        button.setChecked(starred)
        button.setText(UNSTAR if starred else STAR)
        button.clicked.connect(lambda checked: self._on_star_clicked(button, path, checked))
        self.window.detail.details.addRow("", button)
        self.star_button = button

    def _load_stars(self) -> None:
        """The paths of every starred content (all its files), for the ★ on grid names."""
        self._starred.clear()
        for fav in favourites(self.window.controller.catalog):
            self._starred.update(fav.paths)

    @Slot(str, bool)
    def _on_starred_changed(self, _path: str, _starred: bool) -> None:
        self._load_stars()
        self.window.model.refresh_stars()
        self.window.strip_model.refresh_stars()

    def _on_star_clicked(self, button: QPushButton, path: str, checked: bool) -> None:
        if not self.personal.set_starred(path, checked):
            checked = not checked
        button.setChecked(checked)
        button.setText(UNSTAR if checked else STAR)

    @Slot(QPoint)
    def _grid_menu(self, position: QPoint) -> None:
        index = self.window.grid.indexAt(position)
        if not index.isValid():
            return
        path = path_of(index)
        starred = self.personal.is_starred(path)
        menu = QMenu(self.window)
        label = "Unstar" if starred else "Star as a favourite"
        menu.addAction(label, lambda: self.personal.set_starred(path, not starred))
        menu.exec(self.window.grid.viewport().mapToGlobal(position))

    def folder_menu(self, menu: QMenu, root: str) -> None:
        """The folders panel's entry: teach albums from a folder's subfolders."""
        menu.addAction("Teach Simili these albums (subfolders)…", lambda: self.teach_from(root))

    # -- pages --------------------------------------------------------------------------------
    @Slot()
    def show_for_you(self) -> None:
        """The For you page, refreshed."""
        self.window.pages.setCurrentWidget(self.for_you)
        self.for_you.refresh()

    @Slot()
    def show_albums(self) -> None:
        """The Albums page."""
        self.window.pages.setCurrentWidget(self.albums)
        self.albums.show_albums()

    def teach_from(self, folder: str) -> None:
        """Teach from a folder (the folders panel or the Albums page)."""
        self.show_albums()
        self.albums.teach_from(folder)

    @Slot(str, object)
    def _on_suggested(self, path: str, found: Suggestion) -> None:
        if found.albums:
            self.window.statusBar().showMessage(belongs_text(path, found), 20000)

    def close(self) -> None:
        """Release the stars connection."""
        self.personal.close()
