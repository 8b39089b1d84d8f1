"""Run seeds derive from the master seed and the replication alone (common random numbers)."""

from pathlib import Path

import numpy as np
import yaml
from hypothesis import given, settings, strategies as hs

from sim.sweep.plan import build_plan
from sim.sweep.seeds import replication_seed, replication_seeds
from tests.support.cities import TINY

REPO = Path(__file__).resolve().parents[1]


def write_experiment(tmp_path, **fields):
    spec = {
        "name": "seeds", "base": str(REPO / "scenarios/unlimited-responsibility.yaml"),
        "days": 20, "warmup_days": 5, "replications": 4, "master_seed": 11,
        "outcomes": ["tasks_done"],
        "sub_experiments": {
            "unlimited": {"set": TINY},
            "gated": {"scenario": str(REPO / "scenarios/admission-list.yaml"), "set": TINY},
        },
    }
    spec.update(fields)
    path = tmp_path / f"exp-{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def test_seed_is_pinned_to_the_seed_sequence_of_master_and_replication():
    # An independent restatement of the rule; a change of formula would reshuffle every result.
    expected = int(np.random.SeedSequence([2024, 3]).generate_state(1, dtype=np.uint64)[0]) >> 1
    assert replication_seed(2024, 3) == expected
    assert replication_seed(0, 0) == 7896617691693857887


@settings(max_examples=50, deadline=None)
@given(master=hs.integers(0, 2**63 - 1), n=hs.integers(1, 40), m=hs.integers(1, 40))
def test_seeds_do_not_depend_on_how_many_replications_there_are(master, n, m):
    short, long = sorted((n, m))
    assert replication_seeds(master, long)[:short] == replication_seeds(master, short)


@settings(max_examples=30, deadline=None)
@given(master=hs.integers(0, 2**63 - 1), order=hs.permutations(list(range(12))))
def test_seeds_do_not_depend_on_the_order_they_are_asked_for(master, order):
    in_order = replication_seeds(master, 12)
    assert [replication_seed(master, r) for r in order] == [in_order[r] for r in order]


def test_seeds_are_distinct_and_fit_a_signed_64_bit_column():
    seeds = replication_seeds(1, 10_000)
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s < 2**63 for s in seeds)
    assert replication_seeds(1, 5) != replication_seeds(2, 5)


def test_every_sub_experiment_uses_the_same_replication_seeds(tmp_path):
    plan = build_plan(write_experiment(tmp_path))
    by_arm = {}
    for run in plan.runs:
        by_arm.setdefault(run.sub_experiment, []).append((run.replication, run.seed))
    assert by_arm["unlimited"] == by_arm["gated"]
    assert [s for _, s in by_arm["gated"]] == replication_seeds(11, 4)


def test_a_larger_experiment_keeps_the_seeds_of_the_smaller(tmp_path):
    small = build_plan(write_experiment(tmp_path, replications=3))
    large = build_plan(write_experiment(tmp_path, replications=9))
    seeds = {(r.sub_experiment, r.point, r.replication): r.seed for r in large.runs}
    assert all(seeds[(r.sub_experiment, r.point, r.replication)] == r.seed for r in small.runs)
