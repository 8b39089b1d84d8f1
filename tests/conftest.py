"""Fixtures every test file may use; the helpers behind them live in tests/support/."""

from __future__ import annotations

import pytest

from tests.support.cities import small


@pytest.fixture
def small_city():
    return small
