"""`python -m nlpkit.digest`: see `nlpkit.cli.digest`."""

import sys

from nlpkit.cli.digest import main

if __name__ == "__main__":
    sys.exit(main())
