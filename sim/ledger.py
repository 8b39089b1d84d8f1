"""The task ledger: every open task as one row of a set of NumPy columns.

Agents decide; the ledger holds. A task's queue position is given by its holder column,
so "the queue of agent i" is `holder == i`, and a whole level's day of work can be done
with a sort and a cumulative sum instead of one Python object per task.

Departed tasks (done or abandoned) are dropped by `compact`, which keeps the open rows
in creation order; the statistics of departures are accounted by the model when they
leave, so nothing needs the dead rows afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

OPEN, DONE, ABANDONED = 0, 1, 2

# column name -> dtype. One row per task.
COLUMNS: dict[str, type | np.dtype] = {
    "task_id": np.int64,  # unique, increasing: ties in the queue go to the older task
    "kind": np.intp,  # (index columns are intp: NumPy gathers with any other index dtype convert it first, ~3x slower)
    "holder": np.intp,  # office index (model.offices) that holds the task now
    "territory": np.intp,  # the committee whose territory the task concerns
    "responsible": np.intp,  # department that holds the legal authority / originated it
    "buyer": np.intp,  # street that bought the task from a social organisation, or -1
    "created": np.int32,  # day created
    "deadline": np.int32,  # last day to be done on time
    "ready_day": np.int32,  # not workable or routable before this day (review, bounce wait)
    "review_until": np.int32,  # end of an admission review: till then the reviewer's (routing.hold_for_review)
    "effort_total": np.float64,  # staff-hours the task needed at creation
    "effort_left": np.float64,  # staff-hours still to do (including the authority part)
    "authority_left": np.float64,  # part of effort_left only a department may do
    "funded": np.float64,  # funded hours travelling with the task, not yet used
    "handoffs": np.int16,
    "refusals": np.int16,
    "bounces": np.int16,
    "reworks": np.int16,
    "state": np.int8,
    "fresh": np.bool_,  # the holder has not decided what to do with it yet
    "pinned": np.bool_,  # the holder must do it itself (accepted escalation, rework)
    "from_above": np.bool_,  # reached its holder by being pushed or imposed from above
    "leaked": np.bool_,  # passed a gate that should have refused it
    "hard": np.bool_,  # jumps the queue (assessment)
    "box_ticked": np.bool_,  # done for show at a fraction of its effort (coping, sim.rules.coping)
    "draw_key": np.uint64,  # the key of the task's decision draws, the same in every regime (sim.draws)
}


# neutral values of a new task, where not zero
DEFAULTS = {"buyer": -1, "fresh": True}


class TaskLedger:
    """Columnar store of tasks; grows by doubling, shrinks by compaction."""

    if TYPE_CHECKING:  # the column views set up at the end of this module, for the type checker
        task_id: np.ndarray
        kind: np.ndarray
        holder: np.ndarray
        territory: np.ndarray
        responsible: np.ndarray
        buyer: np.ndarray
        created: np.ndarray
        deadline: np.ndarray
        ready_day: np.ndarray
        review_until: np.ndarray
        effort_total: np.ndarray
        effort_left: np.ndarray
        authority_left: np.ndarray
        funded: np.ndarray
        handoffs: np.ndarray
        refusals: np.ndarray
        bounces: np.ndarray
        reworks: np.ndarray
        state: np.ndarray
        fresh: np.ndarray
        pinned: np.ndarray
        from_above: np.ndarray
        leaked: np.ndarray
        hard: np.ndarray
        box_ticked: np.ndarray
        draw_key: np.ndarray

    def __init__(self, capacity: int = 1024):
        self.size = 0
        self.next_id = 0
        self._cap = max(16, int(capacity))
        self.cols: dict[str, np.ndarray] = {
            name: np.zeros(self._cap, dtype=dtype) for name, dtype in COLUMNS.items()
        }

    def __len__(self) -> int:
        return self.size


    def _reserve(self, extra: int) -> None:
        need = self.size + extra
        if need <= self._cap:
            return
        cap = self._cap
        while cap < need:
            cap *= 2
        for name, arr in self.cols.items():
            grown = np.zeros(cap, dtype=arr.dtype)
            grown[: self.size] = arr[: self.size]
            self.cols[name] = grown
        self._cap = cap

    def add(self, n: int, **values: np.ndarray | int | float | bool) -> slice:
        """Append n tasks; columns not given take neutral defaults. Returns their rows."""
        if n <= 0:
            return slice(self.size, self.size)
        self._reserve(n)
        start, stop = self.size, self.size + n
        for name, arr in self.cols.items():
            if name not in values:
                arr[start:stop] = DEFAULTS.get(name, 0)
        self.cols["task_id"][start:stop] = np.arange(self.next_id, self.next_id + n)
        for name, value in values.items():
            self.cols[name][start:stop] = value
        self.size = stop
        self.next_id += n
        return slice(start, stop)

    def compact(self) -> None:
        """Drop departed rows, keeping open rows in order."""
        keep = np.flatnonzero(self.cols["state"][: self.size] == OPEN)
        n = keep.size
        if n == self.size:
            return
        # an index take is several times faster than a boolean mask, and the kept rows
        # are usually a small share of the day's (most tasks are done the day they come);
        # each column is taken straight into a new buffer of the same capacity (no copy back)
        for name, arr in self.cols.items():
            kept = np.empty_like(arr)
            np.take(arr, keep, out=kept[:n], mode="clip")  # (`keep` is in range; "clip" skips the buffered check)
            self.cols[name] = kept
        self.size = n

    def tidy(self, min_rows: int = 4096) -> None:
        """Compact once departed rows are the majority (most tasks are done the day they
        arrive, so in a large city this is most days): every later scan is shorter."""
        if self.size > min_rows and np.count_nonzero(self.cols["state"][: self.size] == OPEN) < self.size / 2:
            self.compact()

    def open_mask(self) -> np.ndarray:
        return self.cols["state"][: self.size] == OPEN


def stable_order(key: np.ndarray) -> np.ndarray:
    """Indices that sort a non-negative integer key, ties kept in their given order.

    The position is packed into the key's low bits so that a plain sort of one int64
    array replaces a stable argsort (several times faster); falls back when the bits run out."""
    n = key.size
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    pos_bits = max(int(n - 1).bit_length(), 1)
    top = int(key.max())
    if top < 0 or int(key.min()) < 0 or top.bit_length() + pos_bits > 63:
        return np.argsort(key, kind="stable")
    packed = key.astype(np.int64)  # a copy, worked on in place
    packed <<= pos_bits
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    packed &= (1 << pos_bits) - 1
    return packed.astype(np.intp, copy=False)


def running_total_within(group: np.ndarray, value: np.ndarray, world: np.ndarray | None = None) -> np.ndarray:
    """Running total of `value`, restarting at each new run of `group` (rows sorted by group).

    `world` (sorted too, when the rows belong to a stack of worlds): each world's totals
    are taken over its own rows only, as they would be if it ran alone (a running sum
    carries rounding from everything summed before it): each world's cumulative sum is
    taken apart, and a world's first row starts a run."""
    n = value.size
    if n == 0:
        return np.cumsum(value)
    new_run = np.empty(n, dtype=bool)
    new_run[0] = False
    np.not_equal(group[1:], group[:-1], out=new_run[1:])
    if world is not None and world[0] != world[-1]:
        starts = np.flatnonzero(world[1:] != world[:-1]) + 1
        cs = np.empty(n)
        for a, b in zip([0, *starts.tolist()], [*starts.tolist(), n]):
            np.cumsum(value[a:b], out=cs[a:b])
        new_run[starts] = True
    else:
        starts, cs = None, np.cumsum(value)
    first = np.flatnonzero(new_run)  # each run's first row but the very first run's
    before = np.concatenate(([0.0], cs[first - 1]))  # per run: the total of earlier runs
    if starts is not None:
        before[np.searchsorted(first, starts) + 1] = 0.0  # nothing comes before a world's first run in its own sum
    return cs - np.repeat(before, np.diff(first, prepend=0, append=n))


def _column(name: str) -> property:
    def live_rows(self: TaskLedger) -> np.ndarray:
        return self.cols[name][: self.size]

    return property(live_rows, doc=f"the {name} of every row (a view)")


# `ledger.holder` etc.: properties rather than __getattr__, which Python tries only after a
# failed lookup (several times slower, and the model reads columns ~150 times a day)
for _name in COLUMNS:
    setattr(TaskLedger, _name, _column(_name))
