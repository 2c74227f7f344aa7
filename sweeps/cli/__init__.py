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

from sweeps.cli import _bench, _demo, _doctor, _gallery, _regress, _report, _run
from sweeps.cli._common import EXIT_BAD_INPUT, EXIT_OK, EXIT_REGRESSION

__all__ = ["EXIT_BAD_INPUT", "EXIT_OK", "EXIT_REGRESSION", "build_parser", "main"]

COMMANDS = (_demo, _run, _report, _gallery, _bench, _regress, _doctor)


class UsageError(Exception):
    """Bad input found by the CLI itself; printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every other bad input
        raise UsageError(f"{self.prog}: {message}")


class _Version(argparse.Action):
    """--version, worked out only when asked for (it reads git and the package metadata,
    which every other command would pay for at start-up)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # noqa: ANN001
        print(_version())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The ``nnsweep`` argument parser with every subcommand."""
    p = _Parser(prog="nnsweep", description="Train many small NumPy MLPs; measure convergence.")
    p.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMANDS:
        module.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``nnsweep`` with ``argv`` (default: sys.argv[1:]); return the exit code."""
    try:
        args = _parse(build_parser(), argv)
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
    except BrokenPipeError:  # e.g. 'nnsweep list | head -1': the reader has gone
        _quiet_stdout()
        return EXIT_OK
    except OSError as e:  # disk full, read-only, permission, name too long
        print(f"error: {_io_line(e)}", file=sys.stderr)
        return EXIT_REGRESSION
    finally:
        from sweeps.execute.workers import stop

        stop()  # any command that ran local workers ends without waiting for them


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv``; KEY=VALUE overrides may come after a command's options too
    (``nnsweep run quick -j 2 lr=0.1``), where argparse leaves them unparsed."""
    args, extra = parser.parse_known_args(argv)
    if extra and (not hasattr(args, "overrides") or any(e.startswith("-") for e in extra)):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if extra:
        args.overrides = [*args.overrides, *extra]
    return args


def _io_line(e: OSError) -> str:
    """One line naming the path and the cause of an I/O failure."""
    from sweeps.results.files import ResultsIOError

    if isinstance(e, ResultsIOError):
        return str(e)
    where = f"{e.filename!r}: " if e.filename else ""
    cause = e.strerror or (str(e).splitlines()[0] if str(e) else type(e).__name__)
    return where + cause


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that Python's exit flush cannot fail again."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _version() -> str:
    from importlib import metadata

    from sweeps.execute.manifest import HERE, git_state

    try:
        v = metadata.version("nnsweep")
    except metadata.PackageNotFoundError:
        v = "unknown"
    commit = git_state(HERE)[0] if (HERE / ".git").exists() else None
    return f"nnsweep {v}" + (f" (commit {commit[:12]})" if commit else "")
