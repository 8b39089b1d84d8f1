"""Fixtures every test file may use; the helpers behind them live in tests/support/."""

from __future__ import annotations

import os

# One BLAS thread, set before anything imports NumPy (and inherited by the sweeps' and
# pools' worker processes). The suite's linear algebra is small; on a shared 2-core
# machine OpenBLAS's spinning threads multiplied its CPU time by 12 (the Markov-chain
# checks of tests/test_verification_theory.py: 20 s of CPU against 1.6 s).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402

from tests.support.cities import small  # noqa: E402


@pytest.fixture
def small_city():
    return small

