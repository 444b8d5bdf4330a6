"""The `simili` command line: the same engine as the app, with a stable JSON contract.

`main.py` parses and dispatches; each command lives in the module named after what it does.
"""

from core.cli.main import COMMANDS, build_parser, check_ranges, main

__all__ = ["COMMANDS", "build_parser", "check_ranges", "main"]
