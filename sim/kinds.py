"""The scenario's task kinds as arrays, so rules can look a property up for many tasks at once."""

from __future__ import annotations

import numpy as np

from .config import Scenario

ORIGIN_CODES = {"department": 0, "residents": 1, "assessment": 2}
FROM_DEPARTMENT, FROM_RESIDENTS, FROM_ASSESSMENT = 0, 1, 2


class KindTable:
    """Column view of `scenario.task_kinds`; index = position in the scenario's list."""

    def __init__(self, scenario: Scenario):
        kinds = scenario.task_kinds
        self.names = tuple(k.name for k in kinds)
        self.origin = np.array([ORIGIN_CODES[k.origin] for k in kinds], dtype=np.int8)
        # the calibrated rates: data sharing and the demand multiplier act in the arrival rule
        self.rate = np.array([k.rate_per_day for k in kinds], dtype=float)
        self.redundant_share = np.array([k.redundant_share for k in kinds], dtype=float)
        self.effort_mean = np.array([k.effort_mean_hours for k in kinds], dtype=float)
        self.effort_cv = np.array([k.effort_cv for k in kinds], dtype=float)
        self.deadline = np.array([k.deadline_days for k in kinds], dtype=np.int32)
        self.needs_authority = np.array([k.needs_authority for k in kinds], dtype=bool)
        self.authority_share = np.where(
            self.needs_authority, [k.authority_share for k in kinds], 0.0
        )
        self.street_listed = np.array(scenario.listed_at("street"), dtype=bool)
        self.committee_listed = np.array(scenario.listed_at("committee"), dtype=bool)
        self.abandon_after = np.array(
            [k.abandon_after_days or 0 for k in kinds], dtype=np.int32
        )
        self.hard = np.array([k.hard for k in kinds], dtype=bool)
        self.self_governance = np.array([k.self_governance for k in kinds], dtype=bool)
        self.purchasable = np.array([k.purchasable for k in kinds], dtype=bool)
        self.is_administrative = self.origin != FROM_RESIDENTS
        # each kind's effort distribution as `draw_effort` draws it: a gamma of this shape
        # times this scale, or the mean itself when the kind has no spread (shape 0)
        self.gamma_shape = np.zeros(len(kinds))
        self.gamma_scale = np.zeros(len(kinds))
        for k in range(len(kinds)):
            mean, cv = self.effort_mean[k], self.effort_cv[k]
            if cv > 0:
                self.gamma_shape[k] = 1.0 / cv**2
                self.gamma_scale[k] = mean / self.gamma_shape[k]

    def __len__(self) -> int:
        return len(self.names)

    def of_origin(self, code: int) -> np.ndarray:
        return np.flatnonzero(self.origin == code)

    def efforts(self, kind: np.ndarray, gammas: np.ndarray) -> np.ndarray:
        """The efforts of tasks of `kind` from their standard gamma draws of each kind's
        shape (`gammas`, one for each task of a kind with spread, in order): the draw times
        the kind's scale (mean / shape), or the kind's mean when it has no spread."""
        shape = self.gamma_shape[kind]
        spread = shape > 0
        if spread.all():
            return gammas * self.gamma_scale[kind]
        effort = self.effort_mean[kind].copy()
        effort[spread] = gammas * self.gamma_scale[kind[spread]]
        return effort
