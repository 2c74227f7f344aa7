"""What every subcommand shares: exit codes and argument types."""

from __future__ import annotations

import argparse

EXIT_OK, EXIT_REGRESSION, EXIT_BAD_INPUT = 0, 1, 2


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return value


def add_jobs(parser: argparse.ArgumentParser) -> None:
    """The ``-j/--jobs`` option every command that trains shares."""
    parser.add_argument(
        "-j", "--jobs", type=positive_int, default=None,
        help="worker processes (default: all cores)",
    )  # fmt: skip
