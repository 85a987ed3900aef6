"""``python -m pictory_async``: the ``pictory`` command line."""

from __future__ import annotations

import sys

from pictory_async.cli import main

if __name__ == "__main__":
    sys.exit(main())
