"""`python -m nlpkit.label`: see `nlpkit.cli.label`."""

import sys

from nlpkit.cli.label import main

if __name__ == "__main__":
    sys.exit(main())
