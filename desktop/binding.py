"""What the app must know about the Qt binding it runs on: a reference-count defect and its guard.

PySide6/shiboken6 6.12.0 on CPython < 3.12 drops one reference to `None` on every call of a
wrapped method that returns nothing (`setValue`, `resize`, `setText`, ...) and one reference to
`True` on every `Signal.emit()`. From CPython 3.12 on these objects are immortal and the defect
is harmless; on 3.10/3.11 their counts run down as the app works and the process dies with
"Fatal Python error: none_dealloc: deallocating None" (or bool_dealloc) wherever the last
reference goes, which was the duplicate review's synced zoom: hundreds of Qt calls per wheel
step. PySide6 6.11 does not have the defect (pyproject pins it below 6.12 on those Pythons).

The guard measures whether the running binding leaks and, only then, gives the three singletons
a reserve of references so large (2**40) that no session can use it up: what CPython 3.12's
immortal objects do. They are statically allocated and never freed either way.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

PROBE_CALLS = 200
RESERVE = 1 << 40


class _Probe(QObject):
    pinged = Signal()


def leaks() -> dict[str, int]:
    """References to None and True the binding loses over PROBE_CALLS void calls and emits."""
    probe = _Probe()
    none_before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")  # returns nothing
    none_lost = none_before - sys.getrefcount(None)
    true_before = sys.getrefcount(True)
    for _ in range(PROBE_CALLS):
        probe.pinged.emit()
    true_lost = true_before - sys.getrefcount(True)
    return {"None": max(0, none_lost), "True": max(0, true_lost)}


def _add_references(obj: object, count: int) -> bool:
    """Add `count` to a CPython object's reference count, if its layout is the plain one."""
    cell = ctypes.c_ssize_t.from_address(id(obj))
    if cell.value != sys.getrefcount(obj) - 1:  # a debug build (Py_TRACE_REFS) or not CPython
        return False
    cell.value += count
    return True


def guard_singletons() -> bool:
    """Protect None, True and False from a leaking binding; True when the guard was needed.

    Does nothing on CPython >= 3.12 (immortal singletons) or when the binding does not leak.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    lost = leaks()
    if lost["None"] < PROBE_CALLS // 2 and lost["True"] < PROBE_CALLS // 2:
        return False
    for obj in (None, True, False):
        if sys.getrefcount(obj) < RESERVE and not _add_references(obj, RESERVE):
            sys.stderr.write(
                "warning: this PySide6 loses references to None/True on this Python and "
                "Simili cannot compensate; install PySide6 < 6.12 or use Python >= 3.12\n"
            )
            return False
    return True
