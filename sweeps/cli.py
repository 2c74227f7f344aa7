"""The ``nnsweep`` command: the only module that prints or picks exit codes.

Exit codes: 0 success, 1 a check found a regression, 2 bad input (one line on
stderr, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nncore import ConfigError

EXIT_OK, EXIT_REGRESSION, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input found by the CLI itself; printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every other bad input
        raise UsageError(f"{self.prog}: {message}")


def _demo(args: argparse.Namespace) -> int:
    from .demo import plot_demo, run_demo

    res = run_demo(args.gate, args.activation, args.lr, args.init_scale, args.max_epochs)
    rec = res.record
    fmt = {"float_kind": lambda v: f"{v:8.5f}"}
    print(f"{args.gate.upper()} gate, 2-{6}-1 network, {args.activation} hidden, sigmoid output")
    print(f"init normal(σ={args.init_scale}), plain gradient descent, lr={args.lr}\n")
    print("input:\n", np.array2string(res.X, formatter=fmt), "\n")
    print("expected output:\n", np.array2string(res.Y, formatter=fmt), "\n")
    print("prior to training:\n", np.array2string(res.before, formatter=fmt), "\n")
    print("post training:\n", np.array2string(res.after, formatter=fmt), "\n")
    if rec.status == "converged":
        print(f"every output within 0.1 of its target after {rec.epochs_to_threshold:,} epochs")
    else:
        print(f"{rec.status} after {rec.epochs_run:,} epochs (max error {rec.max_error:.3f})")
    out = plot_demo(res, f"{args.gate.upper()} gate, {args.activation} hidden units", args.plot)
    print(f"loss plot: {out}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nnsweep", description="Train many small NumPy MLPs; measure convergence.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    d = sub.add_parser("demo", help="the seed's OR-gate question, done right")
    d.add_argument("--gate", default="or", choices=["and", "or", "nand", "nor", "xor", "xnor"])
    d.add_argument("--activation", default="tanh")
    d.add_argument("--lr", type=float, default=0.5)
    d.add_argument("--init-scale", type=float, default=0.01)
    d.add_argument("--max-epochs", type=int, default=100_000)
    d.add_argument("--plot", type=Path, default=Path("results/demo/loss.png"))
    d.set_defaults(func=_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``nnsweep`` with ``argv`` (default: sys.argv[1:]); return the exit code."""
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except (ConfigError, UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
