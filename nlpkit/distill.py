"""`python -m nlpkit.distill`: see `nlpkit.cli.distill`."""

import sys

from nlpkit.cli.distill import main

if __name__ == "__main__":
    sys.exit(main())
