"""One timed run in a fresh process, so that peak memory (max RSS) is the run's own.

    python benchmarks/_child.py ledger|objects SCENARIO DAYS SEED [key=value ...]

Prints one JSON line: wall and CPU seconds of the run (model build included, scenario
loading and imports excluded), the process's peak RSS in MiB, tasks created, and the
run's summary figures. `key=value` pairs are dotted scenario overrides (`--set`).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    which, path, days, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    from sim import load_scenario, parse_set

    overrides = parse_set(sys.argv[5:]) if len(sys.argv) > 5 else None
    scenario = load_scenario(path, overrides)
    scenario = scenario.model_copy(update={"days": days, "warmup_days": min(scenario.warmup_days, days - 1)})
    if which == "ledger":
        from sim import run

        wall, cpu = time.perf_counter(), time.process_time()
        summary = run(scenario, seed, timeseries=False).summary
    else:
        import object_per_task

        wall, cpu = time.perf_counter(), time.process_time()
        summary = object_per_task.run(scenario, seed, days)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {
        "impl": which,
        "days": days,
        "seed": seed,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mib": peak,
        "tasks_created": summary["tasks_created"],
        "tasks_done": summary["tasks_done"],
        "lead_time_days_mean": summary["lead_time_days_mean"],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
