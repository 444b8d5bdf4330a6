"""Runtime hook: programs Simili starts get the user's library path, not the bundle's.

PyInstaller's Linux bootloader puts the bundle folder on LD_LIBRARY_PATH (saving the user's value
in LD_LIBRARY_PATH_ORIG) so the app finds its own Qt, ICU and ONNX Runtime. Child processes
inherit it: "Open" / "Show in folder" (xdg-open, the user's image viewer or file manager) would
then load the bundle's Qt and crash or look wrong. The dynamic loader read the variable when
this process started, so restoring it here changes nothing for Simili itself; spawned decode
workers are this same executable, and its bootloader sets the variable up again for them.
"""

import os
import sys


def _restore_library_path() -> None:
    bundle = getattr(sys, "_MEIPASS", None)
    if not bundle or not sys.platform.startswith("linux"):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        os.environ["LD_LIBRARY_PATH"] = original
        return
    current = os.environ.get("LD_LIBRARY_PATH")
    if current is None:
        return
    kept = [p for p in current.split(os.pathsep) if p and not p.startswith(bundle)]
    if kept:
        os.environ["LD_LIBRARY_PATH"] = os.pathsep.join(kept)
    else:
        del os.environ["LD_LIBRARY_PATH"]


_restore_library_path()
