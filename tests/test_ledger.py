"""The task ledger grows, keeps order and drops departed tasks."""

import numpy as np

from sim.ledger import COLUMNS, DONE, TaskLedger


def test_adding_beyond_capacity_keeps_every_task():
    ledger = TaskLedger(capacity=16)
    for i in range(10):
        ledger.add(7, kind=i, effort_left=float(i))
    assert len(ledger) == 70
    assert list(ledger.task_id) == list(range(70))
    assert np.all(ledger.kind == np.repeat(np.arange(10), 7))


def test_new_tasks_start_fresh_with_no_buyer():
    ledger = TaskLedger()
    ledger.add(3, kind=1)
    assert ledger.fresh.all() and (ledger.buyer == -1).all() and (ledger.state == 0).all()


def test_compaction_drops_departed_tasks_and_keeps_order():
    ledger = TaskLedger()
    ledger.add(6, kind=np.arange(6))
    ledger.state[[1, 4]] = DONE
    ledger.compact()
    assert list(ledger.kind) == [0, 2, 3, 5]
    assert list(ledger.task_id) == [0, 2, 3, 5]
    ledger.add(1, kind=9)
    assert ledger.task_id[-1] == 6


def test_the_type_checker_sees_every_column():
    """`TaskLedger` declares its column views for mypy by hand (they are made in a loop);
    a column added to COLUMNS without its declaration would make mypy see less than there is."""
    import re
    from pathlib import Path

    import sim.ledger

    declared = re.findall(r"^        (\w+): np\.ndarray$", Path(sim.ledger.__file__).read_text(), re.M)
    assert sorted(declared) == sorted(COLUMNS)
