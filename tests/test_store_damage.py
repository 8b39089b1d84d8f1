"""Damaged result stores (issue #14): a truncated, zeroed or copied part, a stray file in
runs/, a manifest missing keys. Every command refuses them in one line naming the file
(exit 2), `tiaokuai store check DIR` moves the damaged parts aside, and the same sweep
command then re-runs exactly the runs they held. `--restart` clears only a real store."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.sweep.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]
TINY = {"structure.departments_per_district": 2, "structure.streets_per_district": 2,
        "structure.committees_per_street": 2}


def write_experiment(path: Path) -> Path:
    spec = {"name": "damage", "base": str(ROOT / "scenarios/unlimited-responsibility.yaml"),
            "days": 6, "warmup_days": 2, "replications": 4, "master_seed": 3,
            "outcomes": ["tasks_created"], "sub_experiments": {"a": {"set": TINY}}, "timeseries": True}
    path.write_text(yaml.safe_dump(spec))
    return path


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A finished 4-run sweep written as four parts (one run per flush)."""
    base = tmp_path_factory.mktemp("damage")
    exp = write_experiment(base / "exp.yaml")
    out = base / "store"
    # --stack 1: run by run, so that each run is flushed as a part of its own (stacks of
    # replications would store the four runs as one part)
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet", "--flush-seconds", "0",
                 "--stack", "1"]) == 0
    assert len(list((out / "runs").glob("part-*.parquet"))) == 4
    return exp, out


@pytest.fixture
def copy(stored, tmp_path):
    exp, out = stored
    target = tmp_path / "store"
    shutil.copytree(out, target)
    return exp, target


def first_part(store: Path) -> Path:
    return sorted((store / "runs").glob("part-*.parquet"))[0]


def truncate(store: Path) -> Path:
    part = first_part(store)
    part.write_bytes(part.read_bytes()[:100])
    return part


def zero(store: Path) -> Path:
    part = first_part(store)
    part.write_bytes(b"\0" * part.stat().st_size)
    return part


def duplicate(store: Path) -> Path:
    part = first_part(store)
    twin = part.with_name("part-999999-abcdef.parquet")
    shutil.copy(part, twin)
    return twin


def stray(store: Path) -> Path:
    path = store / "runs" / "part-notes.parquet"
    path.write_text("my notes")
    return path


DAMAGE = {"truncated part": truncate, "zeroed part": zero, "copied part": duplicate, "stray file": stray}


@pytest.mark.parametrize("how", DAMAGE, ids=list(DAMAGE))
@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_a_damaged_store_is_refused_in_one_line_naming_the_file_and_the_remedy(copy, how, command, capsys):
    exp, store = copy
    bad = DAMAGE[how](store)
    capsys.readouterr()
    argv = ["compare", str(store), "--no-plots"] if command == "compare" else \
        ["sweep", str(exp), "--out", str(store), "--workers", "1", "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert bad.name in err and "tiaokuai store check" in err


@pytest.mark.parametrize("how", DAMAGE, ids=list(DAMAGE))
def test_store_check_moves_damage_aside_and_the_sweep_reruns_exactly_those_runs(copy, how, capsys):
    exp, store = copy
    before = ResultStore(store).stored_run_ids() if how in ("copied part", "stray file") else None
    bad = DAMAGE[how](store)
    assert main(["store", "check", str(store), "--dry-run"]) == 1
    assert bad.exists(), "--dry-run moved something"
    assert main(["store", "check", str(store)]) == 0
    out = capsys.readouterr().out
    assert bad.name in out and "moved" in out
    assert not bad.exists() and list((store / "damaged").rglob(bad.name))
    remaining = ResultStore(store).stored_run_ids()
    if before is not None:
        assert remaining == before  # a copy or a stray file held no run of its own
    assert main(["store", "check", str(store)]) == 0
    assert "nothing damaged" in capsys.readouterr().out
    assert main(["sweep", str(exp), "--out", str(store), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert f"{4 - len(remaining)} ran" in err
    runs = ResultStore(store).read_runs()
    assert len(runs) == 4 and runs["run_id"].is_unique
    ts = ResultStore(store).read_timeseries()
    assert sorted(set(ts["run_id"])) == sorted(runs["run_id"])


@pytest.mark.parametrize("damage", ["missing keys", "not JSON", "a list", "wrong format"])
def test_a_damaged_manifest_is_refused_naming_it(copy, damage, capsys):
    exp, store = copy
    manifest = store / "manifest.json"
    data = json.loads(manifest.read_text())
    text = {
        "missing keys": json.dumps({k: v for k, v in data.items() if k not in ("outcomes", "fingerprint")}),
        "not JSON": manifest.read_text()[:50],
        "a list": "[1, 2]",
        "wrong format": json.dumps({**data, "format": "other/9"}),
    }[damage]
    manifest.write_text(text)
    for argv in (["compare", str(store), "--no-plots"], ["store", "check", str(store)],
                 ["sweep", str(exp), "--out", str(store), "--workers", "1", "--quiet"]):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "manifest.json" in err, err
    assert manifest.read_text() == text


def test_restart_clears_a_store_but_refuses_any_other_folder(copy, tmp_path, capsys):
    exp, store = copy
    mine = tmp_path / "mine"
    (mine / "figures").mkdir(parents=True)
    (mine / "runs").mkdir()
    (mine / "figures" / "thesis.png").write_text("precious")
    assert main(["sweep", str(exp), "--out", str(mine), "--restart", "--workers", "1", "--quiet"]) == 2
    assert "nothing was deleted" in capsys.readouterr().err
    assert (mine / "figures" / "thesis.png").read_text() == "precious"
    assert main(["sweep", str(exp), "--out", str(store), "--restart", "--workers", "1", "--quiet"]) == 0
    assert len(ResultStore(store).read_runs()) == 4


def test_restart_clears_a_shipped_result_folder_whose_manifest_is_not_committed(copy, capsys):
    """A fresh clone has results/<experiment>/ with its figures and the store's marker but no
    manifest (git ignores it): `make demo`'s --restart must still be allowed to clear it."""
    import shutil

    exp, store = copy
    assert (store / ".tiaokuai-results").exists()
    for sub in ("runs", "timeseries"):
        shutil.rmtree(store / sub, ignore_errors=True)
    (store / "manifest.json").unlink()
    (store / "figures").mkdir(exist_ok=True)
    (store / "figures" / "old.png").write_text("stale")
    assert main(["sweep", str(exp), "--out", str(store), "--restart", "--workers", "1", "--quiet"]) == 0
    assert not (store / "figures" / "old.png").exists()
    assert len(ResultStore(store).read_runs()) == 4


def test_a_full_disk_during_a_sweep_is_one_line_and_keeps_what_was_stored(copy, monkeypatch, capsys):
    from sim.sweep import store as store_module

    exp, store = copy
    part = first_part(store)
    part.unlink()  # one run to redo
    (store / "timeseries" / part.name).unlink(missing_ok=True)
    before = ResultStore(store).stored_run_ids()

    def full(path, frame):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(store_module, "write_parquet", full)
    assert main(["sweep", str(exp), "--out", str(store), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "No space left on device" in err, err
    assert ResultStore(store).stored_run_ids() == before
