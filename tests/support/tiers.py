"""Which tier of the suite is running: `make test-fast` (every test not marked slow) or the
whole suite. tests/conftest.py sets TIAOKUAI_TEST_TIER=fast when slow tests are deselected."""

from __future__ import annotations

import os


def fast_tier() -> bool:
    return os.environ.get("TIAOKUAI_TEST_TIER") == "fast"


def examples(full: int, fast: int) -> int:
    """A property test's number of examples: `full` in the whole suite (`make test`), `fast`
    in the inner loop, which runs the same test on fewer drawn cases."""
    return fast if fast_tier() else full
