"""A calibration from start to finish: check inputs, ABC-SMC, checks, outputs.

`Calibration.prepare` reads and checks everything and writes nothing; `run` does the pilot
evaluation (the shipped values on the calibration patterns, which also checks every
outcome name against a real summary), ABC-SMC into `DIR/abc.db`, then the outputs listed
in `report`. The output folder remembers the fingerprint of what it calibrates, so a
resumed run cannot mix two experiments.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim.config import Scenario
from sim.errors import InputError, Problem

from . import checks, report
from .abc import finished_generations, posterior_frame, run_abc
from .distance import PatternDistance
from .patterns import Pattern
from .simulator import PatternSimulator
from .spec import Budget, CalibrationSpec, check_inputs, propagation_arms


def fingerprint(*parts) -> str:
    """A stable hash of the calibration's inputs (to refuse resuming a different calibration)."""
    blob = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class Calibration:
    spec_path: str
    spec: CalibrationSpec
    budget_name: str
    budget: Budget
    patterns: list[Pattern]
    base: Scenario
    scenarios: dict[str, Scenario]
    out: Path
    days: int
    warmup: int
    fingerprint: str

    @classmethod
    def prepare(cls, spec_path: str, budget_name: str | None, out: str) -> Calibration:
        spec, name, patterns, base, scenarios, days, warmup = check_inputs(spec_path, budget_name)
        budget = spec.budgets[name]
        out_dir = Path(out)
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError([Problem("--out", "", "exists and is not a folder", out)])
        fp = fingerprint(
            spec.model_dump(mode="json"), name,
            [p.model_dump(mode="json") for p in patterns],
            {k: s.model_dump(mode="json") for k, s in scenarios.items()},
        )
        meta = out_dir / "calibration.json"
        if meta.exists():
            try:
                old = json.loads(meta.read_text()).get("fingerprint")
            except (OSError, ValueError):
                old = None
            if old != fp:
                raise InputError([Problem("--out", "", "holds a calibration of another experiment, budget or "
                                          "pattern file; give a new folder", out)])
        elif out_dir.exists() and any(out_dir.iterdir()):
            raise InputError([Problem("--out", "", "is a folder that is not empty and holds no calibration", out)])
        return cls(spec_path, spec, name, budget, patterns, base, scenarios, out_dir, days, warmup, fp)

    def simulator(self, executor, patterns: list[Pattern], replications: int) -> PatternSimulator:
        return PatternSimulator(self.spec, self.base, self.scenarios, patterns, executor, replications)

    def run(self, executor, particles_in_flight: int = 1, propagation: bool = True,
            log: Callable[[str], None] = print) -> None:
        start = time.perf_counter()
        calib = [p for p in self.patterns if not p.held_out]
        defaults = checks.default_values(self.base, self.spec)
        sim = self.simulator(executor, calib, self.spec.replications)
        log(f"calibrate: pilot at the shipped values ({len(sim.needed)} scenarios x {self.spec.replications}, "
            f"{self.days} days) ...")
        try:
            pilot = sim(defaults, self.spec.master_seed)
        except KeyError as err:
            raise InputError([Problem(self.spec.patterns, "", str(err.args[0]))]) from None
        pilot_seconds = time.perf_counter() - start
        distance = PatternDistance(self.patterns)
        log(f"calibrate: pilot took {pilot_seconds:.1f} s, distance {distance(pilot):.3f} at the shipped values")

        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "patterns.md").write_text("# Patterns\n\n" + report.patterns_markdown(self.patterns) + "\n")
        meta = {"fingerprint": self.fingerprint, "experiment": self.spec_path, "budget": self.budget_name,
                "days": self.days, "warmup_days": self.warmup}
        (self.out / "calibration.json").write_text(json.dumps(meta, indent=2) + "\n")

        db = self.out / "abc.db"
        done = finished_generations(db)
        if done:
            log(f"calibrate: resuming after {done} finished generation(s)")
        log(f"calibrate: ABC-SMC, {self.budget.generations} generations of {self.budget.population} particles "
            f"over {len(self.spec.parameters)} parameters ...")
        history = run_abc(
            sim, self.spec.parameters, distance, db,
            population=self.budget.population, generations=self.budget.generations,
            seed=self.spec.master_seed, max_simulations=self.budget.max_simulations,
            particles_in_flight=particles_in_flight,
        )
        abc_seconds = time.perf_counter() - start - pilot_seconds
        posterior = posterior_frame(history)
        posterior.to_parquet(self.out / "posterior.parquet", index=False)
        pops = history.get_all_populations()
        pops = pops[pops["t"] >= 0][["t", "epsilon", "samples", "particles"]] if "particles" in pops else pops
        log(f"calibrate: ABC done in {abc_seconds:.0f} s ({int(history.total_nr_simulations)} particles simulated)")

        summary = report.parameter_summary(posterior, self.spec, defaults)
        report.plot_marginals(posterior, self.spec, defaults, self.out / "marginals.png")
        report.plot_pairwise(posterior, self.spec, self.out / "pairwise.png")
        (self.out / "calibrated-scenario.yaml").write_text(
            report.calibrated_scenario_text(self.spec, self.spec_path, self.out, summary, self.budget_name)
        )

        log(f"calibrate: posterior-predictive check, {self.budget.predictive_draws} draws x every pattern ...")
        t0 = time.perf_counter()
        draws = checks.posterior_draws(posterior, list(self.spec.parameters), self.budget.predictive_draws,
                                       self.spec.master_seed + 1)
        every = self.simulator(executor, self.patterns, self.budget.predictive_replications)
        check = checks.predictive_check(every, draws, defaults, self.spec.master_seed + 2)
        check.to_parquet(self.out / "predictive.parquet", index=False)
        table = checks.predictive_table(check, self.patterns)
        table["prior_hit_share"] = checks.prior_hit_shares(posterior_frame(history, t=0), self.patterns)
        table.to_parquet(self.out / "predictive-summary.parquet", index=False)
        (self.out / "predictive.md").write_text(
            report.predictive_markdown(table, self.budget.predictive_draws, self.budget.predictive_replications)
        )
        check_seconds = time.perf_counter() - t0

        prop_seconds = 0.0
        prop_md = ""
        if propagation and self.spec.propagation is not None:
            t0 = time.perf_counter()
            log(f"calibrate: headline over {self.budget.propagation_draws} posterior draws ...")
            arms, baseline, outcomes = propagation_arms(self.spec, self.spec_path)
            pdraws = checks.posterior_draws(posterior, list(self.spec.parameters), self.budget.propagation_draws,
                                            self.spec.master_seed + 3)
            runs = checks.propagate(arms, baseline, outcomes, self.base, self.spec, pdraws,
                                    self.budget.propagation_replications, self.spec.master_seed + 4,
                                    executor, self.days, self.warmup)
            runs.to_parquet(self.out / "propagation.parquet", index=False)
            ptable = checks.propagation_table(runs, baseline, outcomes)
            note = f"budget {self.budget_name}: a small version, intervals from few draws are rough"
            prop_md = report.propagation_markdown(ptable, self.budget.propagation_draws,
                                                  self.budget.propagation_replications, self.days, note)
            (self.out / "propagation.md").write_text(prop_md)
            prop_seconds = time.perf_counter() - t0

        total = time.perf_counter() - start
        self._write_summary(summary, table, pops, history, executor,
                            {"pilot": pilot_seconds, "abc": abc_seconds, "check": check_seconds,
                             "propagation": prop_seconds, "total": total})
        met = table.groupby("held_out")["verdict"].apply(lambda v: f"{(v == 'met').sum()}/{len(v)}").to_dict()
        log(f"calibrate: {self.out}: calibration patterns met {met.get(False, '-')}, held-out met "
            f"{met.get(True, '-')} ({total:.0f} s)")

    def _write_summary(self, summary, table, pops, history, executor, seconds) -> None:
        lines = [
            f"# Calibration: {self.spec.name} (budget `{self.budget_name}`)",
            "",
            f"Command: `tiaokuai calibrate {self.spec_path} --out {self.out} --budget {self.budget_name}`",
            (f"({getattr(executor, 'kind', '?')} executor x{getattr(executor, 'workers', 1)}). "
             f"Horizon {self.days} days ({self.warmup} warm-up), {self.spec.replications} run(s) per scenario "
            f"per particle, population {self.budget.population}, up to {self.budget.generations} generations; "
            f"{int(history.total_nr_simulations)} particles simulated."),
            "",
            "Time (s; on a shared, loaded machine): " + ", ".join(f"{k} {v:.0f}" for k, v in seconds.items()),
            "",
            "## Parameters (weighted posterior of the last generation)",
            "",
            report.markdown_table(summary, ["parameter", "prior", "default", "median", "q05", "q95",
                                            "interval_share_of_prior"]),
            "",
            "## Generations",
            "",
            report.markdown_table(pops.reset_index(drop=True), list(pops.columns)),
            "",
            "## Patterns",
            "",
        ]
        for held, label in ((False, "calibration"), (True, "held-out")):
            sub = table[table["held_out"] == held]
            lines.append(f"- {label}: {int((sub['verdict'] == 'met').sum())} of {len(sub)} met "
                         f"(missed: {', '.join(sub[sub['verdict'] == 'missed']['pattern']) or 'none'})")
        lines += ["", "Details: `predictive.md`; the headline over the posterior: `propagation.md`.", ""]
        (self.out / "calibration.md").write_text("\n".join(lines))

