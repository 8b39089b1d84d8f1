"""The result store: atomic parts, resumable, and it refuses to mix two experiments' rows."""

import os
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.sweep import driver
from sim.sweep.plan import build_plan
from sim.sweep.driver import sweep
from sim.sweep.executors import SerialExecutor
from sim.sweep.seeds import replication_seeds
from sim.sweep.store import ResultStore, StoreBusy
from tests.support.cities import TINY

REPO = Path(__file__).resolve().parents[1]


def write_experiment(path: Path, **fields) -> Path:
    spec = {
        "name": "store-test", "base": str(REPO / "scenarios/unlimited-responsibility.yaml"),
        "days": 15, "warmup_days": 5, "replications": 3, "master_seed": 5,
        "outcomes": ["tasks_done_on_time_share", "committee_backlog_hours_mean"],
        "sub_experiments": {
            "unlimited": {"set": TINY},
            "gated": {"scenario": str(REPO / "scenarios/admission-list.yaml"), "set": TINY},
        },
        "baseline": "unlimited",
        "timeseries": True,
    }
    spec.update(fields)
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in directory.rglob("*") if p.is_file()}


@pytest.fixture
def done(tmp_path):
    """A finished sweep of 6 runs: (experiment file, result folder)."""
    experiment = write_experiment(tmp_path / "exp.yaml")
    out = tmp_path / "results"
    report = sweep(build_plan(experiment), out, SerialExecutor, quiet=True)
    assert report.ran == 6
    return experiment, out


def test_a_finished_sweep_stores_one_row_per_run_with_its_inputs_seed_and_outcomes(done):
    _, out = done
    runs = ResultStore(out).read_runs()
    assert len(runs) == 6 and runs["run_id"].is_unique
    for column in ("run_id", "sub_experiment", "point", "replication", "seed",
                   "levers.street_gate.enabled", "tasks_done_on_time_share", "tasks_created"):
        assert column in runs.columns
    seeds = replication_seeds(5, 3)
    assert [seeds[r] for r in runs["replication"]] == runs["seed"].tolist()
    ts = ResultStore(out).read_timeseries()
    assert set(ts["run_id"]) == set(runs["run_id"])
    assert len(ts) == 6 * 15 * ts["level"].nunique()


def test_running_a_finished_sweep_again_runs_nothing_and_changes_no_result(done):
    experiment, out = done
    before = {k: v for k, v in snapshot(out).items() if k.startswith(("runs", "timeseries"))}
    report = sweep(build_plan(experiment), out, SerialExecutor, quiet=True)
    assert (report.ran, report.skipped) == (0, 6)
    after = {k: v for k, v in snapshot(out).items() if k.startswith(("runs", "timeseries"))}
    assert after == before


def test_a_changed_experiment_is_refused_with_exit_2_and_the_store_untouched(done, capsys):
    experiment, out = done
    write_experiment(experiment, replications=4)
    before = snapshot(out)
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "holds results of a different experiment" in err and "--restart" in err
    assert snapshot(out) == before


def test_a_changed_scenario_file_is_refused_too(tmp_path, capsys):
    scenario = tmp_path / "base.yaml"
    scenario.write_text((REPO / "scenarios/unlimited-responsibility.yaml").read_text())
    experiment = write_experiment(tmp_path / "exp.yaml", base=str(scenario), sub_experiments={"u": {"set": TINY}},
                                  baseline=None, replications=1)
    out = tmp_path / "r"
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    data = yaml.safe_load(scenario.read_text())
    data["levers"] = {**data.get("levers", {}), "push_down_propensity": 0.31}
    scenario.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    assert "scenario it uses has changed" in capsys.readouterr().err


def test_asking_for_time_series_on_a_store_without_them_is_refused_by_name(tmp_path, capsys):
    experiment = write_experiment(tmp_path / "exp.yaml", timeseries=False, replications=1)
    out = tmp_path / "r"
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1", "--timeseries"]) == 2
    assert "time-series flag differs" in capsys.readouterr().err


def test_changed_model_code_is_refused(done, monkeypatch, capsys):
    experiment, out = done
    monkeypatch.setattr(driver, "model_code_hash", lambda: "0" * 64)
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1"]) == 2
    assert "model code" in capsys.readouterr().err


def test_restart_discards_the_old_results_and_runs_the_new_experiment(done):
    experiment, out = done
    write_experiment(experiment, replications=2)
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1", "--restart", "--quiet"]) == 0
    runs = ResultStore(out).read_runs()
    assert len(runs) == 4 and set(runs["replication"]) == {0, 1}


def test_a_folder_holding_other_files_is_not_used(tmp_path, capsys):
    experiment = write_experiment(tmp_path / "exp.yaml")
    out = tmp_path / "r"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1"]) == 2
    assert sorted(os.listdir(out)) == ["thesis.tex"]


def test_leftovers_of_a_killed_writer_are_cleared_and_never_read(done):
    experiment, out = done
    store = ResultStore(out)
    part = store.run_parts()[0].name
    (out / "runs" / ".tmp-dead-part-999999-abc.parquet").write_bytes(b"half a file")
    orphan = out / "timeseries" / "part-999999-abcdef.parquet"  # its runs part never arrived
    orphan.write_bytes((out / "timeseries" / part).read_bytes())
    assert store.read_timeseries()["run_id"].nunique() == 6  # uncommitted series are ignored
    sweep(build_plan(experiment), out, SerialExecutor, quiet=True)
    assert not orphan.exists()
    assert not list((out / "runs").glob(".tmp-*"))


def test_only_one_sweep_writes_a_folder_at_a_time(done):
    experiment, out = done
    holder = ResultStore(out)
    holder.lock()
    try:
        with pytest.raises(StoreBusy):
            sweep(build_plan(experiment), out, SerialExecutor, quiet=True)
    finally:
        holder.unlock()


def test_parts_appear_whole_under_their_final_name(tmp_path):
    store = ResultStore(tmp_path / "s")
    store.start({"format": "tiaokuai-sweep/1"})
    rows = [{"run_id": f"a/p000/r{i:03d}", "y": float(i)} for i in range(5)]
    name = store.append(rows, [pd.DataFrame({"run_id": ["a/p000/r000"], "day": [1]})])
    assert sorted(os.listdir(tmp_path / "s" / "runs")) == [name]
    assert store.stored_run_ids() == {r["run_id"] for r in rows}
    assert store.read_runs()["y"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_an_interrupt_while_a_run_is_being_stored_never_keeps_its_row_without_its_time_series(tmp_path, monkeypatch):
    # A Ctrl-C can land between any two statements of the driver. Simulate one landing while
    # the third finished run's time series is being labelled: the runs finished before it are
    # stored whole, and the third is stored not at all (the rerun does it), never half.
    exp = write_experiment(tmp_path / "e.yaml")
    real_label, calls = driver._label, []

    def label_then_interrupt(frame, labels):
        calls.append(labels["run_id"])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_label(frame, labels)

    monkeypatch.setattr(driver, "_label", label_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        sweep(build_plan(exp), tmp_path / "r", SerialExecutor, quiet=True)
    store = ResultStore(tmp_path / "r")
    assert store.stored_run_ids() == set(calls[:2])
    assert set(store.read_timeseries()["run_id"]) == set(calls[:2])

    monkeypatch.setattr(driver, "_label", real_label)
    sweep(build_plan(exp), tmp_path / "r", SerialExecutor, quiet=True)
    runs, ts = store.read_runs(), store.read_timeseries()
    assert len(runs) == 6
    assert set(ts["run_id"]) == set(runs["run_id"])
    assert (ts.groupby("run_id").size() == ts.groupby("run_id").size().iloc[0]).all()


def test_a_change_to_a_rule_changes_the_model_code_hash(tmp_path):
    """A resumed sweep must notice a changed rule in sim/rules/, not only top-level modules."""
    from sim.sweep.plan import model_code_hash

    (tmp_path / "rules").mkdir()
    (tmp_path / "model.py").write_text("x = 1\n")
    (tmp_path / "rules" / "routing.py").write_text("p = 0.5\n")
    before = model_code_hash(tmp_path)
    (tmp_path / "rules" / "routing.py").write_text("p = 0.6\n")
    assert model_code_hash(tmp_path) != before
    (tmp_path / "cli_extra.py").write_text("print('tools do not count')\n")
    (tmp_path / "rules" / "routing.py").write_text("p = 0.5\n")
    assert model_code_hash(tmp_path) == before


def test_flush_seconds_zero_writes_every_batch_however_long_the_sweep_has_run():
    # a slow first run used to stretch the interval to 5% of the time elapsed even at
    # --flush-seconds 0, so two quick later runs shared a part (test_store_damage counts parts)
    assert driver.flush_interval(0.0, elapsed=3600.0) == 0.0
    assert driver.flush_interval(5.0, elapsed=10.0) == 5.0  # the asked interval on a short sweep
    assert driver.flush_interval(5.0, elapsed=400.0) == 20.0  # 5% of the time elapsed
    assert driver.flush_interval(5.0, elapsed=1e6) == 60.0  # at most a minute


# ---- rows stored without pandas: the same Parquet part, byte for byte -----------------------

def _part_bytes(path: Path, table) -> bytes:
    import pyarrow.parquet as pq

    pq.write_table(table, path)
    return path.read_bytes()


PLAIN_ROWS = [
    {"run_id": "a/p000/r000", "sub_experiment": "a", "point": 0, "seed": 2**62, "share": 0.25,
     "mean": float("nan"), "stable": True, "scenario": "城市 district", "neg": -0.0, "big": float("inf")},
    {"run_id": "a/p000/r001", "sub_experiment": "a", "point": -3, "seed": 7, "share": 1e-300,
     "mean": 2.5, "stable": False, "scenario": "", "neg": 3.0, "big": -1.5},
]


@pytest.mark.parametrize("rows", [PLAIN_ROWS, PLAIN_ROWS[:1], [{**r, "mean": float("nan")} for r in PLAIN_ROWS]])
def test_plain_rows_make_the_part_pandas_makes_byte_for_byte_without_pandas(rows, tmp_path):
    import pyarrow as pa

    from sim.sweep import store

    if not pd.__version__.startswith("3."):
        pytest.skip("the pandas-free path is for pandas 3")
    fast = store._plain_rows_table(rows)
    assert fast is not None  # these rows take the pandas-free path
    slow = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
    assert fast.schema.equals(slow.schema, check_metadata=True)
    assert _part_bytes(tmp_path / "fast.parquet", fast) == _part_bytes(tmp_path / "slow.parquet", slow)


@pytest.mark.parametrize("change", [
    lambda rows: [{**rows[0], "mean": None}, rows[1]],           # a missing value
    lambda rows: [{**rows[0], "point": 1.5}, rows[1]],           # int and float in one column
    lambda rows: [{**rows[0], "seed": 2**63}, rows[1]],          # beyond int64 (pandas: uint64)
    lambda rows: [rows[0], {k: rows[1][k] for k in reversed(list(rows[1]))}],  # another key order
    lambda rows: [rows[0], {**rows[1], "extra": 1}],             # a key only some rows have
    lambda rows: [{**rows[0], "stable": __import__("numpy").bool_(True)}, rows[1]],  # a NumPy scalar
])
def test_rows_pandas_would_read_otherwise_go_through_pandas_and_give_its_part(change, tmp_path):
    import pyarrow as pa

    from sim.sweep import store

    rows = change(PLAIN_ROWS)
    assert store._plain_rows_table(rows) is None
    expected = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
    assert _part_bytes(tmp_path / "a.parquet", store.rows_table(rows)) == _part_bytes(tmp_path / "b.parquet", expected)


def test_a_sweep_without_time_series_imports_neither_pandas_nor_mesa(tmp_path):
    """Start-up is a sweep's largest cost outside the runs: pandas alone was a third of a
    second of CPU (docs/performance.md, *The sweep's own cost*)."""
    import subprocess
    import sys

    exp = write_experiment(tmp_path / "exp.yaml", timeseries=False, replications=2)
    code = ("import sys\nfrom sim.cli import main\n"
            f"assert main(['sweep', {str(exp)!r}, '--out', {str(tmp_path / 'out')!r}, '--workers', '1', "
            "'--quiet']) == 0\n"
            "print(sorted(m for m in ('pandas', 'mesa', 'matplotlib', 'scipy', 'dask', 'distributed') "
            "if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"
    runs = ResultStore(tmp_path / "out").read_runs()
    assert len(runs) == 4 and runs["run_id"].is_unique


def test_once_pandas_is_imported_rows_go_through_pandas_itself(monkeypatch, tmp_path):
    """A process that has pandas (time series, a notebook) may have changed its options:
    its own table then, not the pandas-free one."""
    import pyarrow as pa

    from sim.sweep import store

    def refuse(rows):
        raise AssertionError("the pandas-free path was taken with pandas imported")

    monkeypatch.setattr(store, "_plain_rows_table", refuse)
    expected = pa.Table.from_pandas(pd.DataFrame(PLAIN_ROWS), preserve_index=False)
    assert _part_bytes(tmp_path / "a.parquet", store.rows_table(PLAIN_ROWS)) == _part_bytes(tmp_path / "b.parquet", expected)
