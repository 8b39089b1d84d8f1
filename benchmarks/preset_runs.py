"""Wall time of one 250-day run of each preset scenario (median of 5, one core).

    .venv/bin/python benchmarks/preset_runs.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sim import load_scenario, run

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'preset':28s} {'median s':>9s} {'min s':>7s} {'tasks':>9s} {'tasks/s':>10s}")
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        times, tasks = [], 0
        for seed in range(args.repeats):
            start = time.perf_counter()
            result = run(scenario, seed, timeseries=False)
            times.append(time.perf_counter() - start)
            tasks = result.summary["tasks_created"]
        med = statistics.median(times)
        print(f"{path.stem:28s} {med:9.3f} {min(times):7.3f} {tasks:9,d} {tasks / med:10,.0f}")


if __name__ == "__main__":
    main()
