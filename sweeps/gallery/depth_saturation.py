"""Gallery entry depth-saturation: where sigmoid networks stop training as depth grows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sweeps.results.read import ResultsDir
from sweeps.stats.levels import levels
from sweeps.stats.survival import summarize

from . import fair, kit
from .kit import constant_output_loss, row_of

__all__ = ["INIT_NAMES", "page"]

INIT_NAMES = {"normal": "default normal(σ = 1)", "glorot_standard": "standard U(±1/√fan-in)",
              "glorot_normal": "Glorot", "he_normal": "He"}  # fmt: skip


def page(res: ResultsDir, img: Path) -> kit.Page:
    """The depth-saturation page: success and epochs against depth, at the best rate."""
    m = res.max_epochs
    flat = constant_output_loss(str(res.runs["task"].iloc[0]))
    runs = res.runs.assign(
        depth=res.runs["hidden"].map(lambda h: h.count("x") + 1 if h else 0),
        flat=np.isclose(res.runs["final_loss"], flat, rtol=0.01)
        & (res.runs["status"] != "converged"),
    )
    s = summarize(runs, ["depth", "activation", "init", "lr"], m)
    _, top = fair.choose(runs, "lr", ["depth", "activation", "init"], m)
    pick, show = fair.seed_ranges(runs)
    _, report = fair.halves(runs)
    top = top.merge(_flat_share(report), on=["depth", "activation", "init", "lr"], how="left")
    top = top.merge(_saturation(res, report), on=["depth", "activation", "init", "lr"], how="left")
    depths = levels(top, "depth")
    shallow, deep = depths[0], depths[-1]
    figures = [_depth_figure(top, img, m, "success_rate"), _depth_figure(top, img, m, "km_median")]
    sig = top[top["activation"] == "sigmoid"]
    layers = f"{shallow} → {deep} hidden layers"
    headline = (
        f"Each cell at its best of {s['lr'].nunique()} learning rates (chosen on {pick}, "
        f"reported on {show}), sigmoid networks "
        f"reach the threshold, from {layers}, in "
        + "; ".join(
            f"{_pct(sig, shallow, i, short=True)} → {_pct(sig, deep, i)} of runs with "
            f"{INIT_NAMES.get(i, i)} init"
            for i in levels(sig, "init")
        )
        + f". tanh reaches it in {_span(top, 'tanh', deep)} at {deep} layers, whatever the "
        f"init. Sigmoid runs that fail end with a constant output (loss {flat:.3f})."
    )
    comparison = [
        (
            "The logistic sigmoid in deeper networks",
            "Glorot & Bengio: with random initialisation the logistic sigmoid is unsuited to "
            "deep networks: its mean value drives the top hidden layer into saturation, "
            "which slows learning (paraphrased from the abstract)",
            "; ".join(
                _sigmoid_depth(sig, i, m)
                for i in ("glorot_standard", "glorot_normal", "he_normal")
            )  # fmt: skip
            + "; "
            + _saturated_text(sig, deep),
        ),
        (
            "What a stalled network does",
            "Glorot & Bengio's explanation: with the top hidden layer saturated, the output "
            "is driven by its biases alone (paraphrased)",
            f"{_flat_runs(sig, deep)} failed sigmoid runs at {deep} layers ended at the loss "
            f"of a constant output, {flat:.3f}",
        ),
        (
            "Symmetric activations",
            "LeCun et al.: symmetric sigmoids such as tanh, or 1.7159·tanh(2x/3), converge "
            "faster than the logistic function (paraphrased)",
            f"at {deep} layers: tanh {_span(top, 'tanh', deep)}, lecun_tanh "
            f"{_span(top, 'lecun_tanh', deep)}, sigmoid {_span(top, 'sigmoid', deep)} "
            "(range over the four inits)",
        ),
        (
            "Initialisation scaled to the layer",
            "Glorot & Bengio: normalised (Glorot) initialisation keeps activations and "
            "gradients from shrinking with depth, and speeds learning (with tanh and softsign)",
            _init_effect(top, deep, m),
        ),
    ]
    tables = [("Sigmoid networks, each cell at its best learning rate", _depth_table(sig, m))]
    discussion = (
        "Glorot & Bengio trained networks of five hidden layers of 1,000 units on image data "
        "with minibatch SGD and measured activations and test error; this entry trains 4-bit "
        "parity (16 patterns) with layers of 8, full-batch gradient descent and a fixed "
        "budget, and measures whether and when every output gets within 0.1 of its target. "
        "Their “standard” initialisation, uniform(±1/√fan-in), is in the grid; "
        "“default” here is nnsweep's normal(σ = 1), far larger than Glorot's or He's "
        "scale in layers of 8, which keeps the sigmoid's net inputs away from 0 and its "
        "gradient from fading layer by layer. Saturation is measured, not inferred: the "
        "share of the top hidden layer's units whose mean |f′| is below 5% of its maximum, "
        "at the last logged epoch (the table), with the first layer's gradient norm. "
        + _saturation_verdict(sig, deep)
        + " "
        + fair.edge_note(sig, "lr")
        + " Each cell is read at its own best rate of the "
        f"grid, chosen on {pick} and reported on {show}; with {report['seed'].nunique()} "
        "reporting seeds per cell the intervals are wide. The paper's networks are three "
        "orders of magnitude wider and its data different: the comparison is with the "
        "direction of its claims."
    )
    return kit.Page(headline, figures, comparison, discussion, tables)


def _saturation(res: ResultsDir, runs: pd.DataFrame) -> pd.DataFrame:
    """Per cell, at each run's last logged epoch (medians): the share of saturated units in
    the top hidden layer, and the first layer's weight-gradient norm (NaN without
    diagnostics)."""
    keys = ["depth", "activation", "init", "lr"]
    path = res.path / "diagnostics.csv.gz"
    if not path.is_file():
        return runs[keys].drop_duplicates().assign(top_saturated=np.nan, first_grad=np.nan)
    d = pd.read_csv(path)
    d = d[d["epoch"] == d.groupby("run_id")["epoch"].transform("max")]
    d = d.merge(runs[["run_id", *keys]], on="run_id")
    top = d[(d["metric"] == "saturated") & (d["layer"] == d["depth"])]  # layers count from 1
    first = d[(d["metric"] == "grad_norm") & (d["layer"] == 1)]
    a = top.groupby(keys)["value"].median().rename("top_saturated")
    b = first.groupby(keys)["value"].median().rename("first_grad")
    return pd.concat([a, b], axis=1).reset_index()


def _saturated_text(sig: pd.DataFrame, depth: int) -> str:
    rows = sig[sig["depth"] == depth]
    said = [
        f"{INIT_NAMES.get(r['init'], r['init']).split(' ')[0]} {100 * r['top_saturated']:.0f}%"
        for _, r in rows.iterrows()
        if np.isfinite(r.get("top_saturated", np.nan))
    ]
    if not said:
        return "saturation not measured"
    grads = ", ".join(
        f"{INIT_NAMES.get(r['init'], r['init']).split(' ')[0]} {r['first_grad']:.2g}"
        for _, r in rows.iterrows()
        if np.isfinite(r.get("first_grad", np.nan))
    )
    return (
        f"measured at the end, {depth} layers (medians): share of the top hidden layer's units "
        f"saturated {', '.join(said)}; first layer's gradient norm {grads}"
    )


def _saturation_verdict(sig: pd.DataFrame, depth: int) -> str:
    """Whether the failed deep sigmoid networks were saturated, as the paper explains."""
    rows = sig[(sig["depth"] == depth) & (sig["success_rate"] < 0.5)]
    v = rows["top_saturated"].dropna() if "top_saturated" in rows else pd.Series(dtype=float)
    if v.empty:
        return ""
    if v.max() < 0.1:
        return (
            f"This disagrees with the paper's mechanism: in the sigmoid networks of {depth} "
            f"layers that fail, at most {100 * v.max():.0f}% of the top hidden layer's units are "
            "saturated; they end at a constant output without saturating (their first "
            "layer's gradient norm is in the comparison above)."
        )
    return (
        f"In the sigmoid networks of {depth} layers that fail, {100 * v.min():.0f}–"
        f"{100 * v.max():.0f}% of the top hidden layer's units are saturated, as the paper says."
    )


def _flat_share(runs: pd.DataFrame) -> pd.DataFrame:
    keys = ["depth", "activation", "init", "lr"]
    failed = runs[runs["status"] != "converged"]
    out = failed.groupby(keys, dropna=False)["flat"].agg(["sum", "size"]).reset_index()
    return out.rename(columns={"sum": "flat_runs", "size": "failed_runs"})


def _pct(table: pd.DataFrame, depth: int, init: str, short: bool = False) -> str:
    r = row_of(table, depth=depth, init=init)
    if r is None:
        return "n/a"
    return f"{100 * r['success_rate']:.0f}%" if short else kit.rate(r)


def _span(top: pd.DataFrame, act: str, depth: int) -> str:
    rows = top[(top["activation"] == act) & (top["depth"] == depth)]
    if not len(rows):
        return "n/a"
    lo, hi = rows["success_rate"].min(), rows["success_rate"].max()
    return f"{100 * lo:.0f}–{100 * hi:.0f}%" if lo != hi else f"{100 * lo:.0f}%"


def _sigmoid_depth(sig: pd.DataFrame, init: str, m: int) -> str:
    rows = sig[sig["init"] == init].sort_values("depth")
    if not len(rows):
        return f"{init}: not run"
    dead = rows[rows["success_rate"] == 0]["depth"]
    parts = ", ".join(f"{int(r['depth'])}: {kit.rate_short(r)}" for _, r in rows.iterrows())
    stop = f"; no run converged from {int(dead.min())} layers on" if len(dead) else ""
    return f"{INIT_NAMES.get(init, init)} init, success (95% CI) by depth {parts}{stop}"


def _flat_runs(sig: pd.DataFrame, depth: int) -> str:
    rows = sig[sig["depth"] == depth]
    failed = rows["failed_runs"].fillna(0).sum()
    flat = rows["flat_runs"].fillna(0).sum()
    return f"{int(flat)} of the {int(failed)}" if failed else "0 of the 0"


def _init_effect(top: pd.DataFrame, depth: int, m: int) -> str:
    parts = []
    for act in levels(top, "activation"):
        rows = top[(top["activation"] == act) & (top["depth"] == depth)].set_index("init")
        meds = ", ".join(
            f"{INIT_NAMES.get(i, i).split(' ')[0]} {kit.median_short(r, m)}"
            for i, r in rows.iterrows()
        )
        parts.append(f"{act}: {meds}")
    return f"median epochs (95% CI) at {depth} layers — " + "; ".join(parts)


def _depth_table(sig: pd.DataFrame, m: int) -> pd.DataFrame:
    sig = sig.sort_values(["init", "depth"])
    return pd.DataFrame(
        {
            "init": sig["init"].map(lambda i: INIT_NAMES.get(i, i)),
            "hidden layers": sig["depth"],
            "best lr": [
                f"{r['lr']:g}" if r["converged"] else "none converged" for _, r in sig.iterrows()
            ],
            "converged": [kit.rate(r) for _, r in sig.iterrows()],
            "median epochs": [kit.median(r, m) for _, r in sig.iterrows()],
            "top hidden layer saturated at the end": [
                f"{100 * v:.0f}%" if np.isfinite(v) else "–" for v in sig["top_saturated"]
            ],
            "first layer's gradient norm at the end": [
                f"{v:.2g}" if np.isfinite(v) else "–" for v in sig["first_grad"]
            ],
            "failed runs at constant output": [
                f"{int(r['flat_runs'])} of {int(r['failed_runs'])}"
                if r["failed_runs"] > 0
                else "–"
                for _, r in sig.fillna({"flat_runs": 0, "failed_runs": 0}).iterrows()
            ],
        }
    )


def _depth_figure(top: pd.DataFrame, img: Path, m: int, value: str) -> tuple[str, str]:
    inits = levels(top, "init")
    fig = kit.figure(len(inits), panel=(3.1, 2.9), legend_w=1.5)
    axs = fig.subplots(1, len(inits), sharey=True, squeeze=False)[0]
    colours = {"sigmoid": "#d55e00", "tanh": "#0173b2", "relu": "#029e73", "lecun_tanh": "#cc78bc"}
    for ax, init in zip(axs, inits, strict=True):
        rows = top[top["init"] == init]
        if value == "km_median":
            kit.median_panel(ax, rows, "depth", "activation", m, log_x=False, colours=colours,
                             low=kit.epoch_floor(top))  # fmt: skip
        else:
            kit.rate_panel(ax, rows, "depth", "activation", log_x=False, colours=colours)
        ax.set_title(f"{INIT_NAMES.get(init, init)} init", fontsize=10)
        ax.set_xlabel("hidden layers of 8 units")
    kit.legend(fig, axs[0], "hidden activation")
    if value == "km_median":
        axs[0].set_ylabel("median epochs to threshold\n(log scale, 95% CI)")
        title, name = "4-bit parity: epochs to threshold against depth", "depth-epochs"
        caption = (
            "Kaplan–Meier median epochs to threshold against the number of hidden layers, "
            "each activation at its best learning rate. " + kit.budget_note(m)
        )
    else:
        axs[0].set_ylabel("runs that reached the threshold")
        title, name = "4-bit parity: success against depth", "depth-success"
        caption = (
            f"Share of runs (12 seeds per point) in which every output got within 0.1 of its "
            f"target within {m:,} epochs, with its 95% Wilson interval, against the number of "
            "hidden layers; one panel per initialisation, each activation at its best of the "
            "grid's learning rates."
        )
    fig.suptitle(title, x=0.02, ha="left")
    return kit.save(fig, img, name), caption
