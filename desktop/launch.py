"""The `simili` entry point: the desktop app without a command, the CLI with one.

`simili PHOTO` opens the app searching for photos like PHOTO, and `simili FOLDER` opens it
adding FOLDER ("Open with" from a file manager); anything else is the command line.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Sequence
from pathlib import Path

from core import cli


def main(argv: Sequence[str] | None = None) -> int:
    """Open the app when no command is given (and one is installed); else run the CLI."""
    multiprocessing.freeze_support()  # decode workers in a frozen (PyInstaller) app
    args = list(sys.argv[1:] if argv is None else argv)
    if not any(a in cli.COMMANDS or a in ("-h", "--help", "--version") for a in args):
        try:
            from desktop.app import run  # type: ignore[import-not-found]
        except ImportError:
            pass  # no desktop app in this build: the CLI prints its help
        else:
            opened = [a for a in args if not a.startswith("-") and Path(a).exists()]
            rest = [a for a in args if a not in opened]
            parsed = cli.build_parser().parse_args(rest)
            return run(getattr(parsed, "library", None), opened)
    return cli.main(args)


if __name__ == "__main__":
    sys.exit(main())
