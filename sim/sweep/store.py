"""The result store: a folder of Parquet parts and a manifest, safe to kill at any moment.

Layout of DIR:
    manifest.json        the experiment, its fingerprint, the model code hash, progress
    runs/part-*.parquet  one row per run: run id, sub-experiment, varied inputs, seed, outcomes
    timeseries/part-*.parquet   per-day, per-level rows of the same runs (optional)

Every part is written to a hidden temporary file and renamed into place (`os.replace` is
atomic), so a reader never sees half a file. A batch's time-series part is renamed before
its runs part; the runs part is the commit: on opening, time-series parts whose runs part
never arrived, and leftover temporary files, are deleted. A run counts as stored when its
row is in a runs part, and a restarted sweep skips exactly those. A lock on DIR keeps two
sweeps from writing the same results at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError, Problem

if TYPE_CHECKING:  # pandas is imported where frames are read or time series written, not to store rows
    import pandas as pd

FORMAT = "tiaokuai-sweep/1"
MANIFEST = "manifest.json"
# A small file every store keeps beside its manifest. The manifest is not committed with a
# shipped result folder (only its tables and figures are), so on a fresh clone this marker
# is what tells `--restart` that results/<experiment>/ is a tiaokuai folder it may clear.
MARKER = ".tiaokuai-results"
PART = re.compile(r"^part-(\d{6})-[0-9a-f]{6}\.parquet$")
REQUIRED = ("format", "name", "total_runs", "sub_experiments", "outcomes")  # what every reader needs
DAMAGED = "damaged"
RUN_COLUMNS = ("sub_experiment", "point", "replication")  # besides run_id, in every runs part a sweep writes


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# what the readers take each manifest key to be (an optional key may also be absent or null)
SHAPES = {
    "name": (lambda v: isinstance(v, str), "text"),
    "total_runs": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number"),
    "sub_experiments": (_texts, "a list of names"),
    "outcomes": (_texts, "a list of names"),
    "varied": (_texts, "a list of names"),
    "input_columns": (_texts, "a list of names"),
    "design": (lambda v: isinstance(v, str), "the name of a design"),
    "baseline": (lambda v: isinstance(v, str), "the name of a sub-experiment"),
    "replications": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "description": (lambda v: isinstance(v, str), "text"),
}


def _check_hint(directory: Path) -> str:
    return (f"run `tiaokuai store check {directory}` to move damaged parts aside, then the same "
            "sweep command re-runs exactly those runs")


class StoreBusy(RuntimeError):
    """Another sweep holds this result folder."""


def write_atomically(path: Path, write) -> None:
    """Call `write(tmp_path)`, then rename the finished file to `path`."""
    tmp = path.with_name(f".tmp-{secrets.token_hex(4)}-{path.name}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(path: Path, data: dict) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=False, default=str)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())

    write_atomically(path, write)


def write_parquet(path: Path, frame: pd.DataFrame | pa.Table) -> None:
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    write_atomically(path, lambda tmp: pq.write_table(table, tmp))


def rows_table(rows: list[dict[str, Any]]) -> pa.Table:
    """The rows as the Arrow table `pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)`
    gives, schema and pandas metadata included (so the Parquet part is the same, byte for
    byte), built without importing pandas (a third of a second of CPU, the largest cost of a
    sweep's start-up) when that table is certain: pandas 3, every row the same keys in the
    same order, and each column all `str`, all `int` (within int64), all `float` (NaN
    stored as null) or all `bool`. Anything else, or any rows once pandas is imported,
    go through pandas, as before."""
    # pandas already imported (time series, a notebook): its own table, options and all
    table = None if "pandas" in sys.modules else _plain_rows_table(rows)
    if table is None:
        import pandas as pd

        return pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
    return table


# per column kind: its Arrow type and the pandas metadata pandas 3 + pyarrow write for it
_PLAIN = {
    str: (pa.large_string(), "object", "str"),
    int: (pa.int64(), "int64", "int64"),
    float: (pa.float64(), "float64", "float64"),
    bool: (pa.bool_(), "bool", "bool"),
}
_pandas_version_cache: list[str | None] = []


def _pandas_version() -> str | None:
    """The installed pandas's version, read from its dist-info without importing it (None
    when it cannot be told for sure); `importlib.metadata` alone costs 50 ms."""
    if not _pandas_version_cache:
        import importlib.util

        version = None
        spec = importlib.util.find_spec("pandas")
        if spec is not None and spec.origin:
            infos = list(Path(spec.origin).parent.parent.glob("pandas-*.dist-info"))
            if len(infos) == 1:
                version = infos[0].name[len("pandas-"):-len(".dist-info")]
        _pandas_version_cache.append(version)
    return _pandas_version_cache[0]


def _plain_rows_table(rows: list[dict[str, Any]]) -> pa.Table | None:
    version = _pandas_version()
    if not rows or version is None or not version.startswith("3."):
        return None  # pandas 2 stores text as `object`/string, not `str`/large_string: let it say
    keys = list(rows[0])
    if any(list(row) != keys for row in rows) or not all(isinstance(k, str) for k in keys):
        return None
    n = len(rows)
    arrays, fields, columns = [], [], []
    try:
        for key in keys:
            values = [row[key] for row in rows]
            kind = type(values[0])
            if kind not in _PLAIN or any(type(v) is not kind for v in values):
                return None
            arrow_type, pandas_type, numpy_type = _PLAIN[kind]
            arrays.append(_plain_array(kind, arrow_type, values, n))
            fields.append(pa.field(key, arrow_type))
            columns.append({"name": key, "field_name": key, "pandas_type": pandas_type,
                            "numpy_type": numpy_type, "metadata": None})
    except (OverflowError, UnicodeEncodeError):  # an int beyond int64, text that is not UTF-8
        return None
    metadata = {"index_columns": [], "column_indexes": [], "columns": columns, "attributes": {},
                "creator": {"library": "pyarrow", "version": pa.__version__}, "pandas_version": version}
    schema = pa.schema(fields, metadata={b"pandas": json.dumps(metadata).encode("utf8")})
    return pa.Table.from_arrays(arrays, schema=schema)


def _plain_array(kind: type, arrow_type: pa.DataType, values: list, n: int) -> pa.Array:
    """One column from its buffers (`pa.array` would import pandas to ask whether the
    values are a pandas object)."""
    if kind is str:
        encoded = [v.encode("utf-8") for v in values]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return pa.Array.from_buffers(arrow_type, n, [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])
    if kind is bool:
        bits = np.packbits(np.array(values, dtype=bool), bitorder="little")
        return pa.Array.from_buffers(arrow_type, n, [None, pa.py_buffer(bits)])
    data = np.array(values, dtype=np.int64 if kind is int else np.float64)
    validity, nulls = None, 0
    if kind is float:
        missing = np.isnan(data)  # pandas' NaN is Arrow's null
        nulls = int(missing.sum())
        if nulls:
            validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(arrow_type, n, [validity, pa.py_buffer(data)], null_count=nulls)


class ResultStore:
    """One sweep's results on disk; see the module docstring for the layout."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        self.runs_dir = self.dir / "runs"
        self.ts_dir = self.dir / "timeseries"
        self._lock_fh: TextIO | None = None
        self._seq = 0

    # -- reading -------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.dir / MANIFEST

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def manifest(self) -> dict:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(
                [Problem(str(self.dir), "", "no sweep results here (manifest.json missing)", str(self.dir))]
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise InputError([Problem(
                str(self.manifest_path), "", f"damaged manifest, not valid JSON ({str(err).splitlines()[0]}); "
                "start over with --restart or a new --out folder", None)]) from None
        except OSError as err:
            raise InputError([Problem(str(self.manifest_path), "", f"cannot read: {err.strerror}", None)]) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            got = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise InputError(
                [Problem(str(self.manifest_path), "format", f"not a result store of format {FORMAT}", got)]
            )
        missing = [k for k in REQUIRED if k not in data]
        if missing:
            raise InputError([Problem(
                str(self.manifest_path), "", f"damaged manifest, keys missing: {', '.join(missing)}; "
                "start over with --restart or a new --out folder", None)])
        for key, (fits, rule) in SHAPES.items():
            if (key in REQUIRED or data.get(key) is not None) and not fits(data.get(key)):
                raise InputError([Problem(
                    str(self.manifest_path), key, f"damaged manifest, should be {rule}; start over with --restart "
                    "or a new --out folder", data.get(key))])
        return data

    def check_belongs(self, manifest: dict, run_ids: Iterable[str]) -> None:
        """Refuse stored runs the manifest cannot account for (runs of sub-experiments it does
        not name, or more runs than it plans): a manifest copied from another experiment, whose
        figures would be drawn from rows it does not describe."""
        ids = [str(i) for i in run_ids]
        arms = {str(a) for a in manifest["sub_experiments"]}
        foreign = sorted({i.split("/", 1)[0] for i in ids} - arms)
        total = manifest["total_runs"]
        if not foreign and (not isinstance(total, int) or len(ids) <= total):
            return
        held = (f"runs of sub-experiments it does not name ({', '.join(foreign[:5])})" if foreign
                else f"{len(ids)} runs, more than the {total} it plans")
        raise InputError([Problem(
            str(self.manifest_path), "", f"describes experiment {manifest['name']!r} (sub-experiments "
            f"{', '.join(sorted(arms)) or 'none'}) but the folder holds {held}: the manifest belongs to another "
            "experiment; put this folder's own manifest back, or start over with --restart or a new --out folder",
            None)])

    def check_seeds(self, manifest: dict, runs: pd.DataFrame) -> None:
        """Refuse stored runs whose seeds are not the replication seeds of the manifest's
        master seed: runs of another experiment (the same sub-experiment names, another seed)."""
        from .seeds import replication_seed

        master = manifest.get("master_seed")
        if not isinstance(master, int) or isinstance(master, bool) or master < 0 \
                or not {"seed", "replication"} <= set(runs.columns):
            return
        for replication, seed in runs[["replication", "seed"]].drop_duplicates().itertuples(index=False):
            try:
                expected = replication_seed(master, int(replication))
            except (TypeError, ValueError):
                expected = None
            if expected != seed:
                raise InputError([Problem(
                    str(self.manifest_path), "", f"describes experiment {manifest['name']!r} with master_seed "
                    f"{master}, but a stored run of replication {replication} has seed {seed}, not {expected} "
                    "(the seed that master_seed gives it): the manifest belongs to another experiment; put this "
                    "folder's own manifest back, or start over with --restart or a new --out folder", None)])

    def run_parts(self) -> list[Path]:
        return sorted(self.runs_dir.glob("part-*.parquet")) if self.runs_dir.is_dir() else []

    def read_run_ids(self, part: Path) -> list[str]:
        """The run ids one part holds (an InputError naming it when it cannot be read)."""
        return [str(i) for i in self._read(part, columns=["run_id"]).column("run_id").to_pylist()]

    def stored_run_ids(self) -> set[str]:
        """The runs stored; a damaged part or a run stored twice is an InputError naming the part."""
        ids: set[str] = set()
        for part in self.run_parts():
            got = self._read(part, columns=["run_id"]).column("run_id").to_pylist()
            if len(ids) + len(got) != len(ids | set(got)):
                twice = next(i for i in got if i in ids or got.count(i) > 1)
                raise InputError([Problem(str(part), "", f"run {twice} is stored twice; "
                                          + _check_hint(self.dir), None)])
            ids.update(got)
        return ids

    def _read(self, part: Path, columns: list[str] | None = None) -> pa.Table:
        """One part, or an InputError naming it and saying how to recover."""
        if not PART.match(part.name):
            raise InputError([Problem(str(part), "", "stray file, not a part this store wrote; "
                                      + _check_hint(self.dir), None)])
        try:  # a ParquetFile: pq.read_table imports pandas, which a sweep otherwise need not
            with pq.ParquetFile(part) as parquet:
                return parquet.read(columns=columns)
        except (pa.ArrowException, OSError, KeyError, ValueError):
            raise InputError([Problem(str(part), "", "damaged part (not readable Parquet: truncated, "
                                      "zeroed or overwritten); " + _check_hint(self.dir), None)]) from None

    def read_runs(self) -> pd.DataFrame:
        """All stored runs, one row each, in run-id order."""
        import pandas as pd

        frames = []
        seen: dict[str, Path] = {}
        for part in self.run_parts():
            frame = self._read(part).to_pandas()
            if "run_id" not in frame.columns:
                raise InputError([Problem(str(part), "", "damaged part (no run_id column); "
                                          + _check_hint(self.dir), None)])
            for run_id in frame["run_id"]:
                if run_id in seen:
                    raise InputError([Problem(str(part), "", f"run {run_id} is stored twice (also in "
                                              f"{seen[run_id].name}); " + _check_hint(self.dir), None)])
                seen[run_id] = part
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=["run_id"])
        runs = pd.concat(frames, ignore_index=True)
        return runs.sort_values("run_id", kind="stable").reset_index(drop=True)

    def timeseries_parts(self) -> list[Path]:
        """The time-series parts of stored runs (those committed by a runs part)."""
        committed = {p.name for p in self.run_parts()}
        found = sorted(self.ts_dir.glob("part-*.parquet")) if self.ts_dir.is_dir() else []
        return [p for p in found if p.name in committed]

    def check_timeseries_parts(self) -> None:
        """Every stored time-series part opens as Parquet (its footer reads), or an InputError
        naming it: a reader checks this before it writes anything drawn from them."""
        for part in self.timeseries_parts():
            try:
                pq.read_metadata(part)
            except (pa.ArrowException, OSError, ValueError):
                raise InputError([Problem(str(part), "", "damaged part (not readable Parquet: truncated, "
                                          "zeroed or overwritten); " + _check_hint(self.dir), None)]) from None

    def read_timeseries(self, columns: list[str] | None = None) -> pd.DataFrame | None:
        """The per-day rows of every stored run (those committed by a runs part), or None."""
        import pandas as pd

        parts = self.timeseries_parts()
        if not parts:
            return None
        frame = pd.concat([self._read(p, columns=columns).to_pandas() for p in parts], ignore_index=True)
        if {"run_id", "day"} <= set(frame.columns):
            frame = frame.sort_values(["run_id", "day"], kind="stable").reset_index(drop=True)
        return frame

    def damaged_parts(self) -> list[tuple[Path, str]]:
        """Every file in runs/ or timeseries/ a sweep could not use, and why: a stray name,
        an unreadable or truncated part, a part without run ids, a run stored twice."""
        out: list[tuple[Path, str]] = []
        seen: set[str] = set()
        for folder in (self.runs_dir, self.ts_dir):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.name.startswith(".tmp-"):
                    continue
                if not path.is_file() or not PART.match(path.name):
                    out.append((path, "stray file, not a part this store wrote"))
                    continue
                try:
                    table = pq.read_table(path)
                except (pa.ArrowException, OSError, ValueError):
                    out.append((path, "not readable Parquet (truncated, zeroed or overwritten)"))
                    continue
                if "run_id" not in table.column_names:
                    out.append((path, "no run_id column"))
                    continue
                if folder == self.runs_dir:
                    lacking = [c for c in RUN_COLUMNS if c not in table.column_names]
                    if lacking:
                        out.append((path, f"no {', '.join(lacking)} column"))
                        continue
                    ids = table.column("run_id").to_pylist()
                    twice = [i for i in ids if i in seen]
                    if twice or len(set(ids)) != len(ids):
                        out.append((path, f"runs stored twice (e.g. {(twice or ids)[0]})"))
                        continue
                    seen.update(ids)
        bad_runs = {p.name for p, _ in out if p.parent == self.runs_dir}
        for path in sorted(self.ts_dir.glob("part-*.parquet")) if self.ts_dir.is_dir() else []:
            if path.name in bad_runs and all(path != p for p, _ in out):
                out.append((path, "time series of a damaged runs part"))
        return out

    def move_aside(self, damaged: list[tuple[Path, str]]) -> Path:
        """Move damaged files under DIR/damaged/<time>/ (kept, not deleted); returns that folder."""
        target = self.dir / DAMAGED / time.strftime("%Y%m%dT%H%M%S")
        for path, _ in damaged:
            dest = target / path.parent.name
            dest.mkdir(parents=True, exist_ok=True)
            os.replace(path, dest / path.name)
        return target

    def check_clearable(self) -> None:
        """`--restart` clears only a folder that is recognisably a result store (or empty)."""
        if not self.dir.exists():
            return
        if not self.dir.is_dir():
            raise InputError([Problem(str(self.dir), "", "exists and is not a folder", None)])
        if not any(p.name != ".lock" for p in self.dir.iterdir()):
            return
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            ok = isinstance(data, dict) and data.get("format") == FORMAT
        except (OSError, ValueError):
            ok = False
        if not ok:
            try:
                ok = (self.dir / MARKER).read_text(encoding="utf-8").strip() == FORMAT
            except (OSError, ValueError):
                ok = False
        if not ok:
            raise InputError([Problem(
                str(self.dir), "", "--restart clears only a tiaokuai result folder (one with a "
                f"manifest.json or {MARKER} of format {FORMAT}); this folder is not one, nothing was deleted; "
                "choose a new --out folder", None)])

    # -- writing -------------------------------------------------------------------------

    def lock(self) -> None:
        """Hold DIR for this process (released on exit, even on SIGKILL)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        fh = open(self.dir / ".lock", "w")  # held until unlock()
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            self._lock_fh = None
            raise StoreBusy(f"{self.dir} is in use by another sweep") from None
        self._lock_fh = fh

    def unlock(self) -> None:
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None

    def check_compatible(self, manifest: dict, experiment_file: str) -> None:
        """Refuse to add runs of a different experiment (or model code) to these results."""
        if not self.exists():
            if self.dir.exists() and any(p.name != ".lock" for p in self.dir.iterdir()):
                raise InputError([Problem(
                    str(self.dir), "", "folder exists and holds files but no sweep manifest; "
                    "choose an empty or new --out folder", sorted(p.name for p in self.dir.iterdir())[:5],
                )])
            return
        old = self.manifest()
        hint = f"use a new --out folder, or --restart to discard the {len(self.run_parts())} stored part(s)"
        if old.get("fingerprint") != manifest["fingerprint"]:
            what = "the time-series flag differs" if _only_ts_differs(old, manifest) else (
                "the experiment or a scenario it uses has changed")
            raise InputError([Problem(
                experiment_file, "", f"{self.dir} holds results of a different experiment "
                f"({old.get('experiment_file')}, {old.get('name')}): {what} since they were stored; {hint}",
                old.get("fingerprint", "")[:12],
            )])
        if old.get("model_code") != manifest["model_code"]:
            raise InputError([Problem(
                experiment_file, "", f"the model code (sim/*.py) changed since {self.dir} was "
                f"started; its stored runs would not match new ones; {hint}",
                old.get("model_code", "")[:12],
            )])

    def start(self, manifest: dict, restart: bool = False) -> None:
        """Prepare DIR for writing: clear it on restart, tidy debris, write the manifest."""
        if restart:
            self.check_clearable()
            for sub in (self.runs_dir, self.ts_dir, self.dir / "figures"):
                shutil.rmtree(sub, ignore_errors=True)
            self.manifest_path.unlink(missing_ok=True)
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.ts_dir.mkdir(parents=True, exist_ok=True)
        self._tidy()
        if self.exists():
            old = self.manifest()
            manifest = {**manifest, "created": old.get("created", manifest.get("created"))}
        write_json(self.manifest_path, manifest)
        (self.dir / MARKER).write_text(FORMAT + "\n", encoding="utf-8")
        parts = self.run_parts()
        for part in parts:
            if not PART.match(part.name):
                self._read(part)  # refuses the stray file with a clear message
        numbers = [m.group(1) for m in (PART.match(p.name) for p in parts) if m]
        self._seq = max((int(n) for n in numbers), default=0)

    def _tidy(self) -> None:
        committed = {p.name for p in self.run_parts()}
        for folder in (self.runs_dir, self.ts_dir, self.dir):
            for tmp in folder.glob(".tmp-*"):
                tmp.unlink(missing_ok=True)
        for part in self.ts_dir.glob("part-*.parquet"):
            if part.name not in committed:
                part.unlink()

    def append(self, rows: list[dict[str, Any]], timeseries: list[pd.DataFrame] | None = None) -> str:
        """Store a batch of finished runs as one part (time series first, runs as the commit)."""
        if not rows:
            return ""
        self._seq += 1
        name = f"part-{self._seq:06d}-{secrets.token_hex(3)}.parquet"
        frames = [f for f in (timeseries or []) if f is not None and len(f)]
        if frames:
            import pandas as pd

            write_parquet(self.ts_dir / name, pd.concat(frames, ignore_index=True))
        write_parquet(self.runs_dir / name, rows_table(rows))
        return name

    def update_manifest(self, **fields: Any) -> None:
        data = self.manifest()
        data.update(fields)
        data["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        write_json(self.manifest_path, data)


def _only_ts_differs(old: dict, new: dict) -> bool:
    return old.get("spec_fingerprint") == new.get("spec_fingerprint") and old.get("timeseries") != new.get("timeseries")
