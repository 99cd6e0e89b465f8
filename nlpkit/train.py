"""`python -m nlpkit.train`: see `nlpkit.cli.train`."""

import sys

from nlpkit.cli.train import main

if __name__ == "__main__":
    sys.exit(main())
