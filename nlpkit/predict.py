"""`python -m nlpkit.predict`: see `nlpkit.cli.predict`."""

import sys

from nlpkit.cli.predict import main

if __name__ == "__main__":
    sys.exit(main())
