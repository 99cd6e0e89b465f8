"""The command-line entry points: argparse and main, one module per command. Nothing imports them."""
