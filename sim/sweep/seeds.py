"""Run seeds: one per replication, derived from the master seed alone.

`SeedSequence(master).spawn(n)` hands out children in order, so a child's value depends
on how many were spawned before it. Here replication r's seed is the first word of
`SeedSequence([master, r])`: the same whatever the number of runs, their order or the
machine that runs them. Every sub-experiment and design point uses the same replication
seeds, so arms are compared on common random numbers.
"""

from __future__ import annotations

import numpy as np


def replication_seed(master_seed: int, replication: int) -> int:
    """The seed of replication `replication` (0-based): a non-negative 63-bit integer."""
    if master_seed < 0 or replication < 0:
        raise ValueError(f"seeds derive from non-negative integers (got {master_seed}, {replication})")
    word = np.random.SeedSequence([master_seed, replication]).generate_state(1, dtype=np.uint64)[0]
    return int(word >> np.uint64(1))  # fits a signed 64-bit Parquet column


def replication_seeds(master_seed: int, replications: int) -> list[int]:
    return [replication_seed(master_seed, r) for r in range(replications)]
