"""The ``nnsweep`` command: the only package that prints or picks exit codes.

One module per group of subcommands, each with a ``register(sub)`` that adds its
parsers. Exit codes: 0 success, 1 a check found a regression, 2 bad input (one line
on stderr, no traceback). The top layer: it may import every package below it, and
nothing imports it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sweeps.cli import _bench, _demo, _gallery, _regress, _report, _run
from sweeps.cli._common import EXIT_BAD_INPUT, EXIT_OK, EXIT_REGRESSION

__all__ = ["EXIT_BAD_INPUT", "EXIT_OK", "EXIT_REGRESSION", "build_parser", "main"]

COMMANDS = (_demo, _run, _report, _gallery, _bench, _regress)


class UsageError(Exception):
    """Bad input found by the CLI itself; printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every other bad input
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The ``nnsweep`` argument parser with every subcommand."""
    p = _Parser(prog="nnsweep", description="Train many small NumPy MLPs; measure convergence.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMANDS:
        module.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``nnsweep`` with ``argv`` (default: sys.argv[1:]); return the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if hasattr(args, "prepare"):  # before the heavy imports below: see sweeps.execute.workers
        args.prepare(args)
    from nncore import ConfigError

    try:
        return args.func(args)
    except (ConfigError, UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        from sweeps.execute.workers import stop

        stop()  # any command that ran local workers ends without waiting for them
