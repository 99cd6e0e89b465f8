"""`python -m nlpkit.server`: see `nlpkit.cli.server`."""

import sys

from nlpkit.cli.server import main

if __name__ == "__main__":
    sys.exit(main())
