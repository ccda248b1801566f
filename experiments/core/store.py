"""Results store: one atomic file per finished run, so an experiment can stop and resume.

Layout under ``out_dir``::

    runs/<key>.json         summary row of a finished run (written last: its presence means "done")
    runs/<key>.parquet      daily KPI table of that run (optional)
    runs/<key>.<name>.parquet  another table of that run, e.g. its cases (optional)
    failures/<key>.json     a run that raised: its key, error line and traceback

``<key>`` is built from :class:`RunKey` = (scenario, parameter hash, replication,
seed). Every file is written by the one atomic writer (:mod:`~townsim.experiments.core.atomic`),
so a reader never sees half a file, even if the process is killed (SIGKILL) mid-write. Hidden
``.tmp-*`` leftovers of a killed writer are never read as data and are removed by
:meth:`ResultStore.cleanup`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from townsim.experiments.core.atomic import cleanup as _cleanup
from townsim.experiments.core.atomic import write_bytes as atomic_write_bytes
from townsim.model.params import keyed_dump


class RunKey(NamedTuple):
    """Identity of one run: scenario name, hash of its resolved parameters, replication index, seed."""

    scenario: str
    param_hash: str
    replication: int
    seed: int

    @property
    def stem(self) -> str:
        """File-name stem (safe characters only; unique per key)."""
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.scenario).strip("._") or "scenario"
        if safe != self.scenario:  # keep distinct names distinct after sanitising
            safe += "-" + hashlib.sha256(self.scenario.encode()).hexdigest()[:6]
        return f"{safe}__{self.param_hash}__r{int(self.replication):05d}__s{int(self.seed)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "param_hash": self.param_hash,
            "replication": int(self.replication),
            "seed": int(self.seed),
        }


def param_hash(params: Any, length: int = 16) -> str:
    """Stable hex hash of resolved parameters (a pydantic model or a plain dict).

    Canonical JSON (sorted keys, tuples as lists) of :func:`hashable` → SHA-256 → first ``length`` hex
    digits.
    """
    text = json.dumps(hashable(params), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def hashable(params: Any) -> dict[str, Any]:
    """Parameters as they enter a hash: a pydantic model dumped to JSON values, each field that names a
    file (unit ``path``: township table, matter catalogue) by the file's content (:func:`content_id`), so
    a moved checkout or results folder keeps its run keys and an edited file gets new ones; a plain
    dict as it is."""
    if not hasattr(params, "model_dump"):
        return dict(params)
    data = keyed_dump(params)
    for name, field in type(params).model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get("unit") == "path" and data.get(name):
            data[name] = content_id(data[name])
    return data


def content_id(value: Any) -> Any:
    """``"sha256:<hex>"`` of the file that ``value`` names; any other value (no such file) unchanged."""
    if isinstance(value, str) and value and Path(value).is_file():
        stat = Path(value).stat()
        return _content_id(str(Path(value).resolve()), stat.st_size, stat.st_mtime_ns)
    return value


@functools.lru_cache(maxsize=64)
def _content_id(path: str, size: int, mtime_ns: int) -> str:  # size and mtime: a rewritten file is re-read
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _json_value(v: Any) -> Any:
    """Plain JSON-able scalar (numpy scalars → Python; NaN kept, JSON 'NaN')."""
    if hasattr(v, "item") and not isinstance(v, (list, dict, str)):
        v = v.item()
    return v


class IncompleteRuns(RuntimeError):
    """Some runs failed or are missing; ``str()`` is one line (how many, the first error, where the records
    are)."""


class ResultStore:
    """Per-run result files under ``out_dir`` (see module docstring). Single writer at a time."""

    def __init__(self, out_dir: str | os.PathLike, create: bool = True, durable: bool = True):
        """``create=False``: make no folder (an experiment without runs reads an empty store).
        ``durable=False``: files are renamed into place without flushing them to disk first (a SIGKILL still
        loses nothing finished; a power cut may), for runs cheaper than the flush."""
        self.root = Path(out_dir)
        self.durable = durable
        self.runs_dir = self.root / "runs"
        self.fail_dir = self.root / "failures"
        if create:
            self.make_folders()

    def make_folders(self) -> None:
        """Create ``runs/`` and ``failures/`` (a store made with ``create=False`` before its first run)."""
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.fail_dir.mkdir(parents=True, exist_ok=True)

    # --- paths ---------------------------------------------------------------
    def _row_path(self, key: RunKey) -> Path:
        return self.runs_dir / f"{key.stem}.json"

    def _ts_path(self, key: RunKey) -> Path:
        return self.runs_dir / f"{key.stem}.parquet"

    def _fail_path(self, key: RunKey) -> Path:
        return self.fail_dir / f"{key.stem}.json"

    # --- writing -------------------------------------------------------------
    def has(self, key: RunKey) -> bool:
        """True when ``key`` finished successfully (failed runs are run again on resume)."""
        return self._row_path(key).exists()

    def _table_path(self, key: RunKey, name: str) -> Path:
        return self.runs_dir / f"{key.stem}.{name}.parquet"

    def put(
        self,
        key: RunKey,
        row: dict[str, Any],
        timeseries: pd.DataFrame | None = None,
        tables: dict[str, pd.DataFrame] | None = None,
    ) -> None:
        """Record a finished run: its daily table and other tables first, then its row (the "done" marker)."""
        for name, table in (tables or {}).items():
            data = table.reset_index(drop=True).to_parquet(index=False)
            atomic_write_bytes(self._table_path(key, name), data, fsync=self.durable)
        if timeseries is not None:
            buf = timeseries.reset_index(drop=True).to_parquet(index=False)
            atomic_write_bytes(self._ts_path(key), buf, fsync=self.durable)
        record = {**key.as_dict(), **{k: _json_value(v) for k, v in row.items() if k not in RunKey._fields}}
        atomic_write_bytes(self._row_path(key), json.dumps(record, allow_nan=True).encode(), fsync=self.durable)
        try:
            self._fail_path(key).unlink()
        except FileNotFoundError:
            pass

    def put_failure(self, key: RunKey, failure: Any) -> None:
        """Record a run that raised (``failure`` has ``error`` and ``traceback``, or is a message)."""
        error = getattr(failure, "error", str(failure))
        trace = getattr(failure, "traceback", "")
        record = {**key.as_dict(), "error": error, "traceback": trace}
        atomic_write_bytes(self._fail_path(key), json.dumps(record).encode(), fsync=self.durable)

    # --- reading -------------------------------------------------------------
    @staticmethod
    def _read_json(path: Path) -> dict[str, Any]:
        return json.loads(path.read_text())

    @staticmethod
    def _key_of(record: dict[str, Any]) -> RunKey:
        return RunKey(record["scenario"], record["param_hash"], int(record["replication"]), int(record["seed"]))

    def _records(self, folder: Path) -> Iterator[dict[str, Any]]:
        for path in sorted(folder.glob("*.json")):
            if path.name.startswith("."):
                continue
            yield self._read_json(path)

    def rows(self, keys: list[RunKey] | None = None) -> list[dict[str, Any]]:
        """Summary rows of finished runs (all, or those of ``keys`` that exist), sorted by key."""
        if keys is None:
            recs = list(self._records(self.runs_dir))
        else:
            recs = [self._read_json(self._row_path(k)) for k in keys if self.has(k)]
        return sorted(recs, key=lambda r: (r["scenario"], r["param_hash"], r["replication"], r["seed"]))

    def finished(self, keys: list[RunKey]) -> dict[RunKey, dict[str, Any]]:
        """The summary row of every run of ``keys`` by key; :class:`IncompleteRuns` if any has no result."""
        rows = {self._key_of(r): r for r in self.rows(keys)}
        missing = [k for k in keys if k not in rows]
        if missing:
            fails = self.failures(missing)
            first = fails[0]["error"] if fails else "not run"
            raise IncompleteRuns(
                f"{len(missing)} of {len(keys)} runs have no result (first error: {first}); "
                f"records in {self.fail_dir}; rerun the same command to retry them"
            )
        return rows

    def keys(self) -> list[RunKey]:
        """Keys of every finished run."""
        return [self._key_of(r) for r in self.rows()]

    def failures(self, keys: list[RunKey] | None = None) -> list[dict[str, Any]]:
        """Failure records (scenario, param_hash, replication, seed, error, traceback), sorted by key."""
        recs = list(self._records(self.fail_dir))
        if keys is not None:
            wanted = set(keys)
            recs = [r for r in recs if self._key_of(r) in wanted]
        return sorted(recs, key=lambda r: (r["scenario"], r["param_hash"], r["replication"], r["seed"]))

    def timeseries(self, key: RunKey) -> pd.DataFrame | None:
        """Daily KPI table of a finished run, or None when it stored none."""
        path = self._ts_path(key)
        return pd.read_parquet(path) if path.exists() and self.has(key) else None

    def table(self, key: RunKey, name: str) -> pd.DataFrame | None:
        """Another table of a finished run (e.g. ``cases``), or None when it stored none."""
        path = self._table_path(key, name)
        return pd.read_parquet(path) if path.exists() and self.has(key) else None

    def table_frame(self, name: str, keys: list[RunKey]) -> pd.DataFrame:
        """Table ``name`` of ``keys`` (finished runs that stored it), with scenario, replication, seed in front."""
        parts = []
        for key in keys:
            t = self.table(key, name)
            if t is not None:
                front = pd.DataFrame(
                    {
                        "scenario": [key.scenario] * len(t),
                        "replication": [key.replication] * len(t),
                        "seed": [key.seed] * len(t),
                    }
                )
                parts.append(pd.concat([front, t.reset_index(drop=True)], axis=1))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def timeseries_frame(self, keys: list[RunKey] | None = None) -> pd.DataFrame:
        """Daily tables of ``keys`` (default: every finished run), with key columns in front."""
        parts = []
        for key in keys if keys is not None else self.keys():
            ts = self.timeseries(key)
            if ts is None:
                continue
            front = pd.DataFrame({f: [v] * len(ts) for f, v in key.as_dict().items()})
            parts.append(pd.concat([front, ts.reset_index(drop=True)], axis=1))
        if not parts:
            return pd.DataFrame(columns=list(RunKey._fields))
        return pd.concat(parts, ignore_index=True)

    def cleanup(self) -> int:
        """Remove hidden temp files a killed writer left behind; return how many."""
        return _cleanup(self.runs_dir) + _cleanup(self.fail_dir)
