"""Warm-up length by Welch's method on the shipped presets (issue #7).

For each scenario: R replications of a long horizon; average each day's value of the
slow outcomes across replications, smooth with a centred moving average of half-width w
(Welch 1983; Law, *Simulation Modeling and Analysis*, 5th ed., §9.5.1), and take as
warm-up the first day after which the smoothed curve stays within a band of +-BAND of its
plateau (the mean of the last half of the horizon). The warm-up of a scenario is the
largest over the outcomes.

    .venv/bin/python benchmarks/verification_welch.py [--reps 5] [--days 600] [--out results/sensitivity/welch.csv]

Prints a Markdown table (docs/ODD.md, "Initialisation") and writes the tidy table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import load_scenario, run, with_overrides  # noqa: E402

OUTCOMES = {
    "open tasks": ("all", "open_tasks"),
    "street backlog h": ("street", "backlog_hours"),
    "committee backlog h": ("committee", "backlog_hours"),
    "committee staff": ("committee", "staff"),
}
BAND = 0.05
FLOOR = 5.0  # outcomes whose plateau is below this (tasks, hours) are left out


def daily_series(frame: pd.DataFrame, level: str, column: str) -> np.ndarray:
    if level == "all":
        return frame.groupby("day")[column].sum().to_numpy(dtype=float)
    return frame.loc[frame.level == level, column].to_numpy(dtype=float)


def moving_average(y: np.ndarray, w: int) -> np.ndarray:
    """Welch's centred moving average; near the start the window shrinks to fit."""
    out = np.empty_like(y)
    for i in range(y.size):
        h = min(w, i, y.size - 1 - i)
        out[i] = y[i - h : i + h + 1].mean()
    return out


def welch_warmup(mean_curve: np.ndarray, w: int, band: float = BAND) -> tuple[int, float]:
    """First day after which the smoothed curve stays near its plateau (the mean of the
    last half): within +-band of it, or within three standard deviations of the smoothed
    curve's own wobble over the last half when that is wider (noisy, small outcomes)."""
    smooth = moving_average(mean_curve, w)
    tail = smooth[smooth.size // 2 :]
    plateau = float(tail.mean())
    if abs(plateau) < FLOOR:
        return -1, plateau  # negligible outcome: nothing to warm up
    tol = max(band * abs(plateau), 3.0 * float(tail.std()))
    outside = np.flatnonzero(np.abs(smooth[: smooth.size - w] - plateau) > tol)
    return (int(outside[-1]) + 2 if outside.size else 1), plateau


def mser5_warmup(mean_curve: np.ndarray) -> int:
    """MSER-5 (White 1997): truncate the d batches of 5 days that minimise the squared
    standard error of the remaining mean; d searched over the first half."""
    n = mean_curve.size // 5
    batches = mean_curve[: n * 5].reshape(n, 5).mean(axis=1)
    scores = [batches[d:].var() / (n - d) for d in range(n // 2)]
    return int(np.argmin(scores)) * 5


def plot(curves: dict, table: pd.DataFrame, path: Path) -> None:
    """One panel per outcome: each scenario's smoothed mean curve and its Welch warm-up."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(OUTCOMES), figsize=(5 * len(OUTCOMES), 4))
    for ax, outcome in zip(axes, OUTCOMES):
        for (scenario, name), smooth in curves.items():
            if name != outcome:
                continue
            line = ax.plot(np.arange(1, smooth.size + 1), smooth, lw=1, label=scenario)[0]
            warm = table[(table.scenario == scenario) & (table.outcome == name)].warmup_days.iloc[0]
            ax.axvline(warm, color=line.get_color(), ls=":", lw=0.8)
        ax.set_title(f"{outcome} (Welch moving average)")
        ax.set_xlabel("working day")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (no optional dependency)."""
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--days", type=int, default=600)
    p.add_argument("--window", type=int, default=10, help="moving-average half-width w")
    p.add_argument("--out", default=str(ROOT / "results" / "sensitivity" / "welch.csv"))
    args = p.parse_args(argv)
    rows, curves = [], {}
    start = time.perf_counter()
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        base = load_scenario(path)
        scenario = with_overrides(base, {"days": args.days})
        frames = [run(scenario, seed=1000 + r).timeseries for r in range(args.reps)]
        for name, (level, column) in OUTCOMES.items():
            curve = np.mean([daily_series(f, level, column) for f in frames], axis=0)
            warm, plateau = welch_warmup(curve, args.window)
            curves[(base.name, name)] = moving_average(curve, args.window)
            rows.append({"scenario": base.name, "outcome": name, "warmup_days": warm,
                         "mser5_days": mser5_warmup(curve),
                         "plateau": plateau, "shipped_warmup_days": base.warmup_days,
                         "reps": args.reps, "days": args.days, "window": args.window})
    table = pd.DataFrame(rows)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    wide = table.pivot(index="scenario", columns="outcome", values="warmup_days")
    wide["Welch warm-up"] = wide.max(axis=1)
    wide = wide.astype(int).astype(str).replace("-1", "–")
    wide["MSER-5 (max)"] = table.groupby("scenario")["mser5_days"].max()
    wide["shipped warmup_days"] = table.groupby("scenario")["shipped_warmup_days"].first()
    print(markdown(wide.reset_index()))
    plot(curves, table, Path(args.out).with_suffix(".png"))
    print(f"\n{args.reps} replications x {args.days} days, w = {args.window}, band +-{BAND:.0%}; "
          f"{time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
