"""The burnout-tipping figure and table of docs/verification.md: committees' staff in post
and strain as departments' demand is ramped up, held, ramped back down and held, with
burnout tipping on and off (the path of tests/test_behaviour_burnout.py, seeds 1-4, as the test).

    .venv/bin/python benchmarks/burnout_hysteresis.py      # table; docs/burnout-hysteresis.png
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_behaviour_burnout import (  # noqa: E402
    BACK_AT,
    BURNOUT,
    HOLD,
    RAMP_DOWN,
    RAMP_UP,
    committee_staff_path,
)

ARMS = {
    "burnout on (loss 0.8, threshold 0.3)": BURNOUT,
    "burnout off (loss 0)": {"staff.strain_productivity_loss": 0.0},
}
SEEDS = (1, 2, 3, 4)


def main() -> None:
    multipliers = np.concatenate([RAMP_UP, np.full(30, RAMP_UP[-1]), RAMP_DOWN, np.full(HOLD, BACK_AT)])
    paths = {name: [committee_staff_path(seed, **over) for seed in SEEDS] for name, over in ARMS.items()}
    up_at = int(np.argmin(np.abs(RAMP_UP - BACK_AT)))
    print(f"| arm | staff in post at ×{BACK_AT} going up | … after the ramp down (last 60 days) "
          "| strain going up | strain after |")
    print("|---|---|---|---|---|")
    for name, runs in paths.items():
        staff = np.mean([p[0] for p in runs], axis=0)
        strain = np.mean([p[1] for p in runs], axis=0)
        print(f"| {name} | {staff[up_at - 5:up_at + 5].mean():.3f} | {staff[-60:].mean():.3f} | "
              f"{strain[up_at - 5:up_at + 5].mean():.3f} | {strain[-60:].mean():.3f} |")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=False)
    days = np.arange(multipliers.size)
    for (name, runs), colour in zip(paths.items(), ("tab:red", "tab:blue")):
        staff = np.mean([p[0] for p in runs], axis=0)
        strain = np.mean([p[1] for p in runs], axis=0)
        axes[0].plot(days, staff, color=colour, label=name)
        axes[1].plot(days, strain, color=colour, label=name)
    for ax, label in zip(axes, ("committees' staff in post / posts", "committees' mean strain")):
        twin = ax.twinx()
        twin.plot(days, multipliers, color="grey", lw=0.8, ls="--")
        twin.set_ylabel("departments' demand × (dashed)")
        ax.set_xlabel("working day")
        ax.set_ylabel(label)
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle("Burnout tipping: demand ramped up and back down (2 streets × 8 committees, seeds 1-4 averaged)")
    fig.tight_layout()
    out = ROOT / "docs" / "burnout-hysteresis.png"
    fig.savefig(out, dpi=90)
    print(f"figure: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
