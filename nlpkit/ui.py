"""`python -m nlpkit.ui`: see `nlpkit.cli.ui`."""

import sys

from nlpkit.cli.ui import main

if __name__ == "__main__":
    sys.exit(main())
