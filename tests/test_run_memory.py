"""A finished run leaves nothing for the garbage collector: its memory returns at once.

A sweep worker runs thousands of models back to back; a model left in reference cycles
keeps its arrays until Python's next full collection, and worker memory grew by ~6 KB a
run before `run()` released the model (benchmarks/sweep_efficiency.py --memory-only)."""

import gc
import weakref

import pytest

from sim import TiaokuaiModel, run
from tests.support.cities import small


@pytest.fixture
def collector_off():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_run_leaves_no_cyclic_garbage(collector_off):
    scenario = small("purchased-services", days=15, warmup=5)
    result = run(scenario, 3)
    assert gc.collect() == 0
    assert result.summary["tasks_created"] > 0 and len(result.timeseries) > 0


def test_a_released_model_is_freed_by_reference_counting_alone(collector_off):
    model = TiaokuaiModel(small(days=5, warmup=1), 3)
    model.step()
    summary = model.summary()
    ref = weakref.ref(model)
    model.release()
    del model
    assert ref() is None
    assert summary["tasks_created"] > 0
