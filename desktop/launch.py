"""The `simili` entry point: the desktop app without a command, the CLI with one.

`simili PHOTO` opens the app searching for photos like PHOTO, and `simili FOLDER` opens it
adding FOLDER ("Open with" from a file manager); anything else is the command line. When the
library is already open, the running window takes the photo or folder and this launch exits;
`--new-window` opens a second, read-only window instead.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections.abc import Sequence
from pathlib import Path

from core import cli

NEW_WINDOW = "--new-window"  # a second window on an open library (read-only), not a handoff


def _split(parser: argparse.ArgumentParser, args: list[str]) -> tuple[list[str], list[str]]:
    """Photos and folders to open, and the options; an option's value is never opened.

    (`--library DIR` names the library; DIR is not a folder to add to it.)
    """
    takes_value = {
        option
        for action in parser._actions  # argparse has no public list of its options
        if action.option_strings and action.nargs != 0
        for option in action.option_strings
    }
    opened: list[str] = []
    rest: list[str] = []
    value_next = False
    for arg in args:
        if value_next:
            rest.append(arg)
            value_next = False
        elif arg.startswith("-"):
            rest.append(arg)
            value_next = arg in takes_value  # `--library=DIR` carries its own value
        elif Path(arg).exists():
            opened.append(arg)
        else:
            rest.append(arg)
    return opened, rest


def main(argv: Sequence[str] | None = None) -> int:
    """Open the app when no command is given (and one is installed); else run the CLI."""
    multiprocessing.freeze_support()  # decode workers in a frozen (PyInstaller) app
    args = list(sys.argv[1:] if argv is None else argv)
    if not any(a in cli.COMMANDS or a in ("-h", "--help", "--version") for a in args):
        try:
            from desktop import single_instance  # type: ignore[import-not-found]
        except ImportError:
            pass  # no desktop app in this build: the CLI prints its help
        else:
            new_window = NEW_WINDOW in args
            parser = cli.build_parser()
            opened, rest = _split(parser, [a for a in args if a != NEW_WINDOW])
            parsed = parser.parse_args(rest)
            library = getattr(parsed, "library", None)
            handoff = None
            if not new_window:  # before the app's imports: a hand-over then costs little
                handoff = single_instance.offer(library, opened)
                if handoff is single_instance.Handoff.DONE:
                    return 0
            from desktop.app import run

            return run(library, opened, new_window=new_window, handoff=handoff)
    return cli.main(args)


if __name__ == "__main__":
    sys.exit(main())
