"""Profile a city-scale year: where the CPU time goes.

    .venv/bin/python benchmarks/profile_city.py [--days 250]

Two views, both written to results/benchmarks/:
- profile-city-year-cpu.txt: cProfile timed with the process's CPU clock, so that time the
  process spends waiting for a core on a shared machine is not charged to whatever line it
  was on (a wall-clock sampler is distorted by that); functions by own and cumulative time.
- profile-city-year.txt: pyinstrument's call tree (a dev tool: `pip install pyinstrument`),
  wall-clock sampled, for the shape of the calls.
docs/performance.md quotes their top.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/city-scale.yaml")
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--out", default="results/benchmarks/profile-city-year.txt")
    args = ap.parse_args()
    from pyinstrument import Profiler

    from sim import load_scenario, run

    import cProfile
    import io
    import pstats
    import time

    scenario = load_scenario(ROOT / args.scenario)
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    cpu = cProfile.Profile(time.process_time)
    cpu.enable()
    run(scenario, 0, days=args.days, timeseries=False)
    cpu.disable()
    buf = io.StringIO()
    stats = pstats.Stats(cpu, stream=buf).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(30)
    out.with_name(out.stem + "-cpu.txt").write_text(buf.getvalue())
    print(buf.getvalue())

    profiler = Profiler(interval=0.001)
    profiler.start()
    run(scenario, 0, days=args.days, timeseries=False)
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False)
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
