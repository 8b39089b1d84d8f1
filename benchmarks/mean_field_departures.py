"""The table of docs/verification.md "The mean-field check": the small city under
unlimited responsibility at several loads, mean field vs the model with every issue-15
behaviour off and on (seed 1, 250 days, 100-day warm-up).

    .venv/bin/python benchmarks/mean_field_departures.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import with_overrides  # noqa: E402
from sim.model import run  # noqa: E402
from sim.levels import COMMITTEE  # noqa: E402
from tests.support.cities import small  # noqa: E402
from tests.support.mean_field import BEHAVIOURS_OFF, expected_utilisation  # noqa: E402


def at(m):
    s = small(days=250, warmup=100)
    kinds = tuple(k.model_copy(update={"rate_per_day": k.rate_per_day * (m if k.origin == "department" else 1.0)}) for k in s.task_kinds)
    return s.model_copy(update={"task_kinds": kinds})
print("| load × | mean field: committee util. | behaviours off: committee util. | on: committee util. | off: SG h/committee-day | on: SG h/committee-day | on: participation | on: formalism share | on: documentation share | off: blame on committees | on: blame on committees |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for m in (0.4, 0.7, 1.0, 1.3):
    s = at(m)
    e = expected_utilisation(with_overrides(s, BEHAVIOURS_OFF))[COMMITTEE]
    off = run(with_overrides(s, BEHAVIOURS_OFF), 1, timeseries=False).summary
    on = run(s, 1, timeseries=False).summary
    print(f"| {m} | {e:.2f} | {off['committee_utilisation_mean']:.2f} | {on['committee_utilisation_mean']:.2f} | {off['committee_self_governance_hours_mean']:.1f} | {on['committee_self_governance_hours_mean']:.1f} | {on['participation_mean']:.2f} | {on['formalism_hours_share']:.3f} | {on['documentation_hours_share']:.3f} | {off['blame_committee_total']} | {on['blame_committee_total']} |")
