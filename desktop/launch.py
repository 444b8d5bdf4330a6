"""The `simili` entry point: the desktop app without arguments, the CLI with them."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Sequence

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
            parsed = cli.build_parser().parse_args(args)
            return run(getattr(parsed, "library", None))
    return cli.main(args)


if __name__ == "__main__":
    sys.exit(main())
