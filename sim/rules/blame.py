"""Blame avoidance (BEHAVIOUR.md §4): a blame stock per office, and the documentation it
makes the office produce.

Sources: Hood, *The Blame Game* (2011); 倪星 and 王锐 (2017), "from claiming credit to
avoiding blame" (从邀功到避责); 003, 揽权诿责 ("grabbing authority, shirking
responsibility"); the paper trails of 003 and 004 (留痕).

Each administrative task that passes its deadline while an office holds it adds one to
that office's blame stock, which fades by `blame_decay` a day. An office with blame
documents: the next day it spends a share `documentation_overhead × blame / staff` (at
most half) of its normal hours on paper that covers it, hours its queue does not get.
Under unlimited responsibility overdue work sits at the bottom, so blame and the
documentation it brings concentrate there, take hours from the work, and make more work
overdue.

Blame also changes what an office does (shifting it, 揽权诿责): with
`s = min(blame_shifting × blame / staff, 1)` for the office concerned, a decision taken
with probability p is taken with probability `p + (1 − p)·s` —

- a sender (department, street) hands a task down (`routing.wants_to_push`);
- a receiver (street, committee) behind an admission gate holds its refusal of an unlisted
  task (`routing.admit`: the sender respects it);
- an office below escalating work that needs authority gets the department to take it
  (`escalation.escalate`: it insists until it is taken).

So blame pushes work, and with it blame, downwards and back up wherever the receiver has a
gate or the work needs authority. These decisions draw the same numbers from the same
streams as before; with `blame_shifting` 0 they are the model before issue 15, bit for bit.
"""

from __future__ import annotations

import numpy as np

from ..kinds import FROM_RESIDENTS
from ..ledger import OPEN
from ..world import World

MAX_DOCUMENTATION_SHARE = 0.5


def shifted(world: World, offices: np.ndarray | slice, p: np.ndarray | float) -> np.ndarray | float:
    """The probability `p` of a decision that shifts work away from `offices` (or a slice of the roster), raised by
    their blame per staff member (unchanged when blame_shifting is 0)."""
    k = world.lever_at("blame_shifting", offices)  # one, or each office's world's
    if not isinstance(k, np.ndarray) and k <= 0:
        return p
    per_staff = world.behaviour.blame_stock[offices] / np.maximum(world.roster.staff[offices], 1)
    s = np.minimum(k * per_staff, 1.0)
    raised = p + (1.0 - np.clip(p, 0.0, 1.0)) * s
    return np.where(k > 0, raised, p) if isinstance(k, np.ndarray) else raised  # worlds without shifting keep p


def record_documentation(world: World) -> None:
    """After the day's work: the hours documenting took count as worked hours."""
    b = world.behaviour
    if not world.lever_anywhere("documentation_overhead"):
        return
    doc = world.normal_hours() * b.documentation_share  # 0 in a world without documentation
    world.roster.hours_used += doc
    world.roster.capacity += doc  # the day had these hours; the queue did not get them
    world.tally.today["documentation_hours"] += world.tally.per_level(world.level_key, doc)


def update_blame(world: World) -> None:
    """Overdue administrative work adds to its holder's blame stock, which fades; the
    stock sets tomorrow's documentation share."""
    b, r, t = world.behaviour, world.roster, world.tasks
    everyone = slice(None)
    overdue = (t.state == OPEN) & (t.deadline == world.day)
    rows = np.flatnonzero(overdue)
    rows = rows[world.kinds.origin[t.kind[rows]] != FROM_RESIDENTS]
    b.blame_stock *= 1.0 - world.lever_at("blame_decay", everyone)
    b.blame_stock += np.bincount(t.holder[rows], minlength=r.size)
    world.tally.today["blame_stock"] = world.tally.per_level(world.level_key, b.blame_stock)
    if world.lever_anywhere("documentation_overhead"):  # a world without it documents nothing (0 × blame)
        per_staff = b.blame_stock / np.maximum(r.staff, 1)
        overhead = world.lever_at("documentation_overhead", everyone)
        b.documentation_share = np.minimum(overhead * per_staff, MAX_DOCUMENTATION_SHARE)
