"""A sweep from start to finish: plan, skip what is stored, run the rest, stream results.

The order matters for safety: everything is validated before DIR is touched; local
workers are forked before any Parquet I/O starts threads; finished runs are written in
batches as they arrive (every few seconds), and whatever is finished is written before
the sweep stops for any reason: Ctrl-C, a lost worker, a run that raised.
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import InputError, Problem
from sim.resources import check_memory
from sim.scenario_io import with_overrides

from .executors import DEFAULT_RUNNER, STACK_RUNNER, RunRecord, RunTask, resolve_runner
from .plan import Plan, model_code_hash
from .progress import Progress
from .store import FORMAT, ResultStore

if TYPE_CHECKING:  # a sweep without time series never imports pandas (sim.sweep.store)
    import pandas as pd


class SweepFailed(RuntimeError):
    """A run raised or a worker was lost; what finished is stored, rerunning resumes."""


@dataclass
class SweepReport:
    total: int
    skipped: int
    ran: int = 0
    seconds: float = 0.0
    run_seconds: float = 0.0
    executor: str = "serial"
    workers: int = 1
    failures: list[RunRecord] = field(default_factory=list)

    @property
    def runs_per_second(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else 0.0

    @property
    def overhead_per_run(self) -> float:
        """Wall time per run beyond the model's own time, with all workers counted."""
        if not self.ran:
            return 0.0
        return max(0.0, (self.seconds * self.workers - self.run_seconds) / self.ran)


def manifest_for(plan: Plan, experiment_file: str) -> dict:
    exp = plan.experiment
    return {
        "format": FORMAT,
        "name": exp.name,
        "description": exp.description,
        "experiment_file": experiment_file,
        "fingerprint": plan.fingerprint,
        "spec_fingerprint": plan.spec_fingerprint,
        "model_code": model_code_hash(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "total_runs": len(plan.runs),
        "sub_experiments": exp.arm_names,
        "baseline": exp.baseline,
        "outcomes": exp.outcomes,
        "input_columns": plan.input_columns,
        "varied": exp.varied_paths,
        "design": exp.design.method if exp.design else ("factorial" if exp.factors else None),
        "replications": exp.replications,
        "master_seed": exp.master_seed,
        "timeseries": plan.timeseries,
        "experiment": exp.model_dump(mode="json"),
    }


IDENTIFIERS = ("seed", "days", "warmup_days")  # summary fields that say which run it was


def check_outcomes(plan: Plan, runner: str = DEFAULT_RUNNER) -> list[str]:
    """Run one two-day probe to learn the summary fields; refuse outcomes that are not among them."""
    first = plan.runs[0]
    try:
        probe = with_overrides(first.scenario, {"days": 2, "warmup_days": 1}, source="probe")
    except InputError:
        return []  # a scenario that cannot be shortened: compare will check the outcomes
    if runner == DEFAULT_RUNNER:  # the same summary as `sim.run`'s, stepped without importing Mesa (sim.stack)
        summary = resolve_runner(STACK_RUNNER)(probe, [first.seed], timeseries=False)[0].summary
    else:
        summary = resolve_runner(runner)(probe, seed=first.seed, timeseries=False).summary
    numeric = sorted(k for k, v in summary.items() if isinstance(v, (int, float, bool)) or hasattr(v, "item"))
    labels = [o for o in plan.experiment.outcomes if o in IDENTIFIERS]
    if labels:  # a result row carries them already; as outcomes, compare would test seeds for a difference
        raise InputError([Problem(plan.source, "outcomes", "identifies the run (every result row carries it), "
                                  "not an outcome to compare", o) for o in labels])
    unknown = [o for o in plan.experiment.outcomes if o not in numeric]
    if unknown:
        known = [k for k in numeric if k not in IDENTIFIERS]
        raise InputError([
            Problem(plan.source, "outcomes", f"not a numeric summary field of a run (known: {', '.join(known)})", o)
            for o in unknown
        ])
    return list(summary)


def flush_interval(flush_seconds: float, elapsed: float) -> float:
    """Seconds between writes: `flush_seconds`, stretched on long sweeps to 5% of the time
    elapsed (at most 60 s) so that a store does not fill with tiny parts; 0 writes every
    batch as it arrives, whatever the time (what a test or a very careful user asks for)."""
    if flush_seconds <= 0:
        return 0.0
    return max(flush_seconds, min(60.0, 0.05 * elapsed))


def run_sweep(
    plan: Plan,
    store: ResultStore,
    executor,
    runner: str = DEFAULT_RUNNER,
    progress: Progress | None = None,
    flush_seconds: float = 5.0,
) -> SweepReport:
    """Run every planned run not yet in `store`, streaming results into it."""
    stored = store.stored_run_ids()
    todo = [r for r in plan.runs if r.run_id not in stored]
    report = SweepReport(total=len(plan.runs), skipped=len(plan.runs) - len(todo),
                         executor=executor.kind, workers=executor.workers)
    progress = progress or Progress(report.total, report.skipped, quiet=True)
    by_id = {r.run_id: r for r in todo}
    tasks = [RunTask(r.run_id, r.scenario, r.seed, plan.timeseries) for r in todo]
    # One entry per finished run, its row and its time series together: a signal lands
    # between any two statements, so a run must join this list in a single step, or a
    # Ctrl-C could store its row (which marks it done) without its time series.
    finished: list[tuple[dict, pd.DataFrame | None]] = []
    start = last_flush = time.perf_counter()

    def flush() -> None:
        # Take the runs out before writing: if a signal interrupts the write, they are
        # either committed or left for the next session, never written twice.
        nonlocal last_flush
        batch = finished[:]
        finished.clear()
        store.append([row for row, _ in batch],
                     [ts for _, ts in batch if ts is not None] if plan.timeseries else None)
        last_flush = time.perf_counter()

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if main_thread else None
    if main_thread:  # `kill PID` stops the sweep like Ctrl-C: finished runs are written first
        signal.signal(signal.SIGTERM, _terminate)
    try:
        for batch in executor.map(runner, tasks):
            for record in batch:
                if record.error is None and plan.timeseries and record.timeseries is None:
                    record = RunRecord(record.run_id, None, None, record.seconds,
                                       "the run function returned no time series")
                if record.error is not None:
                    report.failures.append(record)
                    continue
                run = by_id[record.run_id]
                labels = plan.row_labels(run)
                outcomes = {k: v for k, v in _clean(record.summary).items() if k not in labels}
                row = {**labels, **outcomes, "run_seconds": record.seconds}
                ts = _label(record.timeseries, labels) if plan.timeseries else None
                finished.append((row, ts))
                report.ran += 1
                report.run_seconds += record.seconds
            progress.advance(len(batch))
            if report.failures:
                break
            if time.perf_counter() - last_flush >= flush_interval(flush_seconds, time.perf_counter() - start):
                flush()
    except BaseException:
        flush()
        executor.close(abort=True)
        raise
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    flush()
    executor.close(abort=bool(report.failures))
    report.seconds = time.perf_counter() - start
    if report.failures:
        first = report.failures[0]
        raise SweepFailed(
            f"run {first.run_id} raised an error; {report.ran} runs finished and are stored; "
            f"fix the cause and run the same command again to resume.\n{first.error}"
        )
    return report


def check_plan_memory(plan: Plan) -> None:
    """Refuse a plan any of whose scenarios would not fit in this machine's memory
    (sim.resources; TIAOKUAI_MAX_MEMORY overrides)."""
    seen = set()
    for run in plan.runs:
        key = (run.sub_experiment, run.point)
        if key not in seen:
            seen.add(key)
            check_memory(run.scenario, f"{plan.source}: sub-experiment {run.sub_experiment}, point {run.point}")


def check_same_code(executor, expected: str) -> None:
    """Refuse remote workers whose model code differs from ours: their rows would not match."""
    ask = getattr(executor, "worker_values", None)
    if ask is None:
        return
    differing = sorted(w for w, h in ask(model_code_hash).items() if h != expected)
    if differing:
        raise SweepFailed(
            f"Dask workers {', '.join(differing)} run different model code (sim/*.py) from this "
            "checkout; start them from the same version"
        )


def _terminate(signum, frame):
    raise KeyboardInterrupt


def _clean(summary: dict) -> dict:
    """Summary values as plain Python scalars (NumPy scalars unwrapped)."""
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in summary.items()}


def _label(frame: pd.DataFrame, labels: dict) -> pd.DataFrame:
    frame = frame.copy()
    for i, key in enumerate(("run_id", "sub_experiment", "point", "replication", "seed")):
        frame.insert(i, key, labels[key])
    return frame


def sweep(
    plan: Plan,
    store: ResultStore | str | Path,
    executor,
    restart: bool = False,
    runner: str = DEFAULT_RUNNER,
    progress_stream=None,
    quiet: bool = False,
    flush_seconds: float = 5.0,
) -> SweepReport:
    """Run a validated plan into a result store: check, open, run what is missing.

    `plan` comes from `build_plan(file)` or `plan_experiment(experiment, scenarios)`;
    `store` is a `ResultStore` or its folder; `executor` is an executor or a zero-argument
    callable making one (e.g. `SerialExecutor`, `partial(make_executor, 4, None)`). A
    callable is preferred for local processes: it is called only once every check has
    passed, so a refused sweep starts nothing, and before Parquet I/O starts threads (the
    workers fork). Raises InputError before writing anything."""
    check_plan_memory(plan)
    check_outcomes(plan, runner)
    store = store if isinstance(store, ResultStore) else ResultStore(store)
    manifest = manifest_for(plan, plan.source)
    if not restart:  # refuse before anything is written or started
        store.check_compatible(manifest, plan.source)
        store.stored_run_ids()  # a damaged part is refused now, naming it
    else:
        store.check_clearable()
    executor = executor() if isinstance(executor, type) or not hasattr(executor, "map") else executor
    try:
        store.lock()
        if not restart:  # again, now that no other sweep can write here
            store.check_compatible(manifest, plan.source)
        check_same_code(executor, manifest["model_code"])
        store.start(manifest, restart=restart)
    except BaseException:
        executor.close(abort=True)
        store.unlock()
        raise
    try:
        stored = len(store.stored_run_ids())
        progress = Progress(len(plan.runs), stored, stream=progress_stream, quiet=quiet)
        report = run_sweep(plan, store, executor, runner, progress, flush_seconds)
        msg = "" if not report.skipped else f"; {report.skipped} already stored"
        progress.finish(msg)
        store.update_manifest(
            complete=len(store.stored_run_ids()) == len(plan.runs),
            last_session={
                "executor": report.executor, "workers": report.workers, "ran": report.ran,
                "skipped": report.skipped, "seconds": round(report.seconds, 3),
                "runs_per_second": round(report.runs_per_second, 3),
                "overhead_ms_per_run": round(1000 * report.overhead_per_run, 3),
            },
        )
        return report
    finally:
        store.unlock()
