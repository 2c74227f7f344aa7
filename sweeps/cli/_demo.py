"""nnsweep demo: the seed's OR gate, done right."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    import numpy as np

    from sweeps.demo import plot_demo, run_demo

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


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``nnsweep`` parser."""
    d = sub.add_parser("demo", help="the seed's OR-gate question, done right")
    d.add_argument("--gate", default="or", choices=["and", "or", "nand", "nor", "xor", "xnor"])
    d.add_argument("--activation", default="tanh")
    d.add_argument("--lr", type=float, default=0.5)
    d.add_argument("--init-scale", type=float, default=0.01)
    d.add_argument("--max-epochs", type=int, default=100_000)
    d.add_argument("--plot", type=Path, default=Path("results/demo/loss.png"))
    d.set_defaults(func=_demo)
