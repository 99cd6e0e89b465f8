"""`python -m nlpkit.finetune`: see `nlpkit.cli.finetune`."""

import sys

from nlpkit.cli.finetune import main

if __name__ == "__main__":
    sys.exit(main())
