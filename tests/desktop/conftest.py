"""GUI tests run offscreen (no display needed); the main window fixture most of them share."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture
def window(qtbot, library_home):
    """A shown main window over an empty library in a temp folder, closed afterwards."""
    from desktop.app import create_window

    win = create_window(library_home)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    yield win
    win.close()
