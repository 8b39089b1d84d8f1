"""Do results keep their distribution when the random streams change? Means over many
seeds, before and after, per preset and outcome, with a Welch 95% interval of the
difference (issue 13: moving demand and decisions onto streams of their own changes
every single run, but must not change what the model says on average).

    # before: an export of the code before the change, e.g. git archive <commit> | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before .venv/bin/python benchmarks/streams_before_after.py --out /tmp/before.json
    .venv/bin/python benchmarks/streams_before_after.py --out /tmp/after.json \
        --set self_governance.latent_hours_per_committee_day=0   # behaviours added since, off
    .venv/bin/python benchmarks/streams_before_after.py --compare /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

PRESETS = ("unlimited-responsibility", "admission-list")
OUTCOMES = (
    "tasks_created",
    "tasks_done_on_time_share",
    "committee_self_governance_share",
    "committee_utilisation_mean",
    "department_utilisation_mean",
    "committee_backlog_hours_mean",
    "lead_time_days_mean",
    "resident_unmet_share",
    "staff_lost_total",
)


def collect(seeds: int, days: int | None, overrides: list[str]) -> dict:
    from sim import load_scenario, run  # the `sim` on PYTHONPATH: before or after

    root = Path(__file__).resolve().parents[1]
    out: dict = {}
    for name in PRESETS:
        scenario = load_scenario(root / "scenarios" / f"{name}.yaml")
        if overrides:
            from sim import parse_set, with_overrides

            scenario = with_overrides(scenario, parse_set(overrides))
        rows = [run(scenario, seed, days=days, timeseries=False).summary for seed in range(1, seeds + 1)]
        out[name] = {k: [float(r[k]) for r in rows] for k in OUTCOMES}
    return out


def mean_sd(xs: list[float]) -> tuple[float, float, int]:
    xs = [x for x in xs if math.isfinite(x)]
    m = sum(xs) / len(xs)
    return m, math.sqrt(sum((x - m) ** 2 for x in xs) / max(len(xs) - 1, 1)), len(xs)


def compare(before: dict, after: dict) -> int:
    print("| preset | outcome | before mean | after mean | difference (95% CI) | agree |")
    print("|---|---|---|---|---|---|")
    disagree = 0
    for name in before:
        for key in OUTCOMES:
            mb, sb, nb = mean_sd(before[name][key])
            ma, sa, na = mean_sd(after[name][key])
            half = 1.96 * math.sqrt(sb**2 / nb + sa**2 / na)  # normal approximation, two independent samples
            diff = ma - mb
            ok = abs(diff) <= half or (half == 0 and diff == 0)
            disagree += not ok
            print(f"| {name} | {key} | {mb:.4g} | {ma:.4g} | {diff:+.3g} (±{half:.3g}) | {'yes' if ok else 'NO'} |")
    total = len(before) * len(OUTCOMES)
    print(f"\n{total - disagree} of {total} means agree within their 95% interval "
          f"(about {0.05 * total:.1f} would not by chance alone)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--days", type=int, default=None, help="default: each scenario's horizon")
    ap.add_argument("--out")
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                    help="override in every scenario (e.g. to turn off a behaviour added since 'before')")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.compare:
        return compare(*(json.loads(Path(p).read_text()) for p in args.compare))
    data = collect(args.seeds, args.days, args.set)
    Path(args.out).write_text(json.dumps(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
