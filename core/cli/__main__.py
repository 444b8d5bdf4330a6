"""`python -m core.cli`."""

import sys

from core.cli.main import main

if __name__ == "__main__":  # spawned decode workers re-import this module: do nothing then
    sys.exit(main())
