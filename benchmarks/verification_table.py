"""The verification table of docs/verification.md: each degenerate case, its theory, the
model's value, the difference and the tolerance the tests use (issue #7).

    .venv/bin/python benchmarks/verification_table.py

Recomputes the same runs (same seeds) as tests/test_verification_*.py and prints Markdown,
then Little's law ratio and `stable` for every shipped scenario (seed 1, as shipped).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import TiaokuaiModel, load_scenario, run  # noqa: E402
from sim.agents import DEPARTMENT  # noqa: E402
from tests.support.queueing import (  # noqa: E402
    chain_mean_and_asymptotic_variance,
    closed_form_mean_queue_k1,
    fifo_sojourns,
    lindley_window_means,
)
from tests.support.verification_cities import (  # noqa: E402
    DEPARTMENTS,
    KINDS,
    OFFICES,
    PUSH_DAYS,
    QUEUE_DAYS as DAYS,  # noqa: E402
    WARMUP,
    Z,
    everything_pushed_city,
    single_office_city,
    street_arrivals,
)

WINDOW = OFFICES * (DAYS - WARMUP)


def rows() -> list[tuple[str, str, float, float, float]]:
    out = []
    r = run(single_office_city(0.7, 8.0, 0.0, 8.0), seed=11, timeseries=False).summary
    _, var = chain_mean_and_asymptotic_variance(0.7, 1, 300)
    out.append(("one office, λ=0.7/day, effort 8 h, capacity 8 h: mean backlog (h)",
                "closed form 8·λ²/(2(1−λ))", 8 * closed_form_mean_queue_k1(0.7),
                r["department_backlog_hours_mean"], Z * 8 * np.sqrt(var / WINDOW)))
    out.append(("same: utilisation", "ρ = λe/c", 0.7, r["department_utilisation_mean"],
                Z * np.sqrt(0.7 / WINDOW) + 0.002))
    r = run(single_office_city(2.8, 2.0, 0.0, 8.0), seed=13, timeseries=False).summary
    mean, var = chain_mean_and_asymptotic_variance(2.8, 4, 300)
    out.append(("one office, λ=2.8/day, effort 2 h, capacity 8 h: mean backlog (h)",
                "Markov chain N'=max(N+A−4,0), exact", 2 * mean, r["department_backlog_hours_mean"],
                Z * 2 * np.sqrt(var / WINDOW)))
    r = run(single_office_city(0.7, 8.0, 1.0, 10.0), seed=12, timeseries=False).summary
    chains = lindley_window_means(0.7, 8.0, 1.0, 10.0, DAYS, WARMUP, chains=2000, seed=99)
    sd = chains.std(ddof=1)
    out.append(("one office, λ=0.7/day, gamma effort mean 8 h cv 1, capacity 10 h: mean backlog (h)",
                "Lindley recursion, 2000 NumPy chains", chains.mean(), r["department_backlog_hours_mean"],
                Z * np.sqrt(sd**2 / OFFICES + sd**2 / chains.size)))
    model = TiaokuaiModel(single_office_city(1.8, 3.0, 0.0, 6.0, offices=1, days=300, warmup=0), seed=5)
    for _ in range(300):
        model.step()
    created = np.array([h["tasks_created"] for h in model.history])
    done, born = fifo_sojourns(created, 2)
    b, path = 0.0, []
    for n in created:
        b = max(b + 3.0 * n - 6.0, 0.0)
        path.append(b)
    ts = model.timeseries()
    backlog = ts.loc[ts.level == "department", "backlog_hours"].to_numpy()
    out.append(("constant effort 3 h, capacity 6 h, 300 days: max |backlog − recursion| (h)",
                "Lindley on the model's own arrivals", 0.0, float(np.abs(backlog - path).max()), 1e-9))
    out.append(("same: mean days in system", "FIFO on the model's own arrivals",
                float((done - born).mean()), model.summary()["sojourn_days_mean"], 1e-12))
    model = TiaokuaiModel(everything_pushed_city(), seed=3)
    model.track_flows = True
    deps = set(np.flatnonzero(model.roster.level == DEPARTMENT).tolist())
    pushed = 0.0
    for _ in range(PUSH_DAYS):
        model.step()
        pushed += sum(h for (s, _), h in model.recent_flows().items() if s in deps)
    tasks, hours = street_arrivals(model.timeseries())
    rate = DEPARTMENTS * sum(k[1] for k in KINDS)
    out.append(("everything pushed, no gate: street arrivals (tasks/day)", "Σ departments' rates",
                rate, tasks / PUSH_DAYS, 4 * np.sqrt(rate * PUSH_DAYS) / PUSH_DAYS))
    out.append(("same: street hours received vs departments' pushed hours", "conservation",
                pushed, hours, 1e-9 * pushed))
    return out


def main() -> int:
    print("| case | theory | theory value | model | difference | tolerance |\n|---|---|---|---|---|---|")
    for case, theory, t, m, tol in rows():
        print(f"| {case} | {theory} | {t:.4g} | {m:.4g} | {m - t:+.3g} | {tol:.3g} |")
    print("\n| scenario | littles_law_ratio | stable |\n|---|---|---|")
    for path in sorted((ROOT / "scenarios").glob("**/*.yaml")):
        s = run(load_scenario(path), seed=1, timeseries=False).summary
        print(f"| {path.relative_to(ROOT / 'scenarios')} | {s['littles_law_ratio']:.4f} | {s['stable']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
