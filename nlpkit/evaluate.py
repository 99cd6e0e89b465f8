"""`python -m nlpkit.evaluate`: see `nlpkit.cli.evaluate`."""

import sys

from nlpkit.cli.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
