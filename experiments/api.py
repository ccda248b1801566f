"""Every experiment from Python: one function per ``townsim`` command, returning a :class:`Results`.

    import townsim
    res = townsim.compare(["baseline", "delegation"], reps=3, days=30, set={"townships": 4})
    res.tables["comparison"]       # pandas DataFrame, the same table as comparison.csv
    res.figures["forest_differences"]  # the live matplotlib Figure the command drew (restyle it)
    print(res.report())            # the planner's report (Markdown)

Each function takes the command's settings as keyword arguments (the option names with ``-`` written
``_``; ``set=`` and ``vary=``/``range=`` take a dict or a list of ``"KEY=VALUE"`` strings) and runs the
command's own pipeline, so the tables are those the command writes. ``out=FOLDER`` writes there and
resumes exactly like ``--out``; without it the results go to a new temporary folder (``Results.out``).
Bad settings raise :class:`~townsim.experiments.errors.UserError` with the one line the command prints
(exit code 2 on the command line); a run that failed raises
:class:`~townsim.experiments.errors.RunFailed` only where the command exits 1 for it. Progress shows as
tqdm's notebook bar in Jupyter and as a text bar on a terminal (``progress="never"`` turns it off).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm as auto_tqdm

from townsim.experiments.cli import build_parser
from townsim.experiments.core import progress
from townsim.experiments.errors import UserError

__all__ = [
    "Results",
    "calibrate",
    "compare",
    "discover",
    "robust",
    "sensitivity",
    "sweep",
    "validate",
]

_REPEATABLE = {"set", "vary", "range", "fix"}
"""Options given once per value (``--set a=1 --set b=2``); a dict becomes ``KEY=VALUE`` items."""

_POSITIONAL = {
    "compare": "scenarios",
    "sweep": "scenario",
    "sensitivity": "spec",
    "discover": "spec",
    "calibrate": "spec",
    "robust": "scenarios",
}
"""The command's positional argument, by its Python name."""


def _items(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [f"{k}={v}" for k, v in value.items()]
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def to_argv(command: str, positional: Any = None, **settings: Any) -> list[str]:
    """The command line (without ``townsim``) that these settings stand for; ``None`` and ``False`` are left out."""
    argv = [command]
    for name, value in settings.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif name in _REPEATABLE:
            for item in _items(value):
                argv += [flag, item]
        elif name == "only":
            argv += [flag, *_items(value)]
        else:
            argv += [flag, str(value)]
    if positional is not None:
        argv += _items(positional) if not isinstance(positional, str | Path) else [str(positional)]
    return argv


def _parse(argv: list[str]):
    """Parse ``argv`` with the command line's own parser; an argparse error becomes a one-line UserError."""
    parser = build_parser()
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            return parser.parse_args(argv)
    except SystemExit as exc:
        lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
        message = lines[-1] if lines else f"bad settings: {' '.join(argv)}"
        raise UserError(message.removeprefix("townsim: error: ").split(": error: ")[-1]) from exc


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython  # deferred: IPython is present only in a notebook
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


@contextlib.contextmanager
def _progress_bars(enabled: bool):
    """Use tqdm's notebook bar (via ``tqdm.auto``) in Jupyter while an experiment runs."""
    if not (enabled and _in_notebook()):
        yield
        return

    plain = progress.tqdm
    progress.tqdm = auto_tqdm
    try:
        yield
    finally:
        progress.tqdm = plain


def _execute(
    command: str, argv: list[str], out: str | Path | None, progress: str, lang: str | None
) -> tuple[Path, dict[Path, Any]]:
    """Run the command; its output folder and the live Figures its figure functions drew (PNG path → Figure)."""
    from townsim.experiments.render.plots import keep_figures  # deferred: it pulls in matplotlib (heavy)

    full = [*argv, "--progress", progress] if progress is not None else list(argv)
    if lang is not None:
        full += ["--lang", lang]
    args = _parse([*full, "--out", str(out)] if out is not None else full)
    temporary = out is None
    if temporary:
        args.out = Path(tempfile.mkdtemp(prefix=f"townsim-{command}-"))
    folder = Path(args.out)
    if progress == "auto" and _in_notebook():
        args.progress = "always"
    try:
        with _progress_bars(progress != "never"), keep_figures() as drawn:
            code = int(args.func(args) or 0)
    except BaseException:
        if temporary and not any(folder.iterdir()):
            folder.rmdir()  # bad settings: nothing is left behind
        raise
    if code not in (0, 1):
        raise UserError(f"townsim {command} stopped with exit code {code}")
    return folder, drawn


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:  # a table with no rows (e.g. no differences with the baseline alone)
        return pd.DataFrame()


@dataclass
class Results:
    """An experiment's results: its tables, its figures and its report, read from its output folder.

    ``tables`` maps a table's name (its file name without extension: ``runs``, ``summary``,
    ``comparison``, ``indices``, ...) to a DataFrame; ``figures`` maps a figure's name to the live
    matplotlib Figure the project's figure functions drew (restyle it, show it, save it); ``out`` is the
    folder.
    """

    command: str
    out: Path
    argv: list[str]
    lang: str | None = None
    _tables: dict[str, pd.DataFrame] | None = field(default=None, repr=False)
    _drawn: dict[Path, Any] | None = field(default=None, repr=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        if self._tables is None:
            files = sorted(
                p for ext in ("*.csv", "*.parquet") for p in self.out.glob(ext) if not p.name.startswith(".")
            )
            self._tables = {p.stem: _read_table(p) for p in files}
        return self._tables

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        tables = self.tables
        if name in tables:
            return tables[name]
        raise AttributeError(f"{self.command} wrote no table '{name}' (it has: {', '.join(tables) or 'none'})")

    @property
    def figure_files(self) -> dict[str, Path]:
        """Figure name → PNG file the command wrote (``figures/`` and the folder itself)."""
        files = sorted([*self.out.glob("*.png"), *self.out.glob("figures/**/*.png")])
        return {str(p.relative_to(self.out).with_suffix("")).removeprefix("figures/"): p for p in files}

    @property
    def figures(self) -> dict[str, Any]:
        """Figure name → the live :class:`matplotlib.figure.Figure` the command's figure functions drew.

        The same objects on every access, so a restyling sticks. Results built on a finished folder (not
        from a call) draw them once from its stored runs: the command resumes, nothing is simulated again."""
        if self._drawn is None:
            with contextlib.redirect_stdout(io.StringIO()):
                _, self._drawn = _execute(self.command, self.argv, self.out, "never", self.lang)
            self._tables = None
        drawn = self._drawn
        return {name: drawn[p.resolve()] for name, p in self.figure_files.items() if p.resolve() in drawn}

    def report(self, lang: str | None = None) -> str:
        """The report (Markdown) in ``lang`` (``en`` or ``zh``); another language rewrites it (and draws the
        figures again in that language) from the stored runs."""
        if lang is not None and lang != (self.lang or "en"):
            _, self._drawn = _execute(self.command, self.argv, self.out, "never", lang)
            self.lang = lang
        path = self.out / "report.md"
        if not path.exists():
            raise FileNotFoundError(f"{self.out}: {self.command} wrote no report.md")
        return path.read_text(encoding="utf-8")

    def _repr_markdown_(self) -> str:
        names = ", ".join(f"`{n}`" for n in self.tables)
        return f"**townsim {self.command}** in `{self.out}`: tables {names}; {len(self.figure_files)} figures"


def _run(
    command: str,
    positional: Any,
    out: str | Path | None,
    progress: str,
    lang: str | None,
    settings: dict[str, Any],
) -> Results:
    argv = to_argv(command, positional, **settings)
    folder, drawn = _execute(command, argv, out, progress, lang)
    return Results(command, folder, argv, lang, _drawn=drawn)


def compare(
    scenarios: Iterable[str] | str = (),
    *,
    out: str | Path | None = None,
    progress: str = "auto",
    lang: str | None = None,
    **settings: Any,
) -> Results:
    """``townsim compare``: replicated runs of reforms against a baseline (settings: ``baseline``, ``reps``,
    ``days``, ``seed``, ``set``, ``equal_staff``, ``cases``, ``independent_seeds``, ``posterior``, ``force``,
    ``workers``). Tables: ``runs``, ``timeseries``, ``summary``, ``comparison``."""
    return _run("compare", list(_items(scenarios)) or None, out, progress, lang, settings)


def sweep(
    scenario: str,
    *,
    out: str | Path | None = None,
    progress: str = "auto",
    lang: str | None = None,
    **settings: Any,
) -> Results:
    """``townsim sweep``: one scenario over a one- or two-lever grid (``vary={"key": "low:high:steps"}``,
    ``reps``, ``kpi``, ``days``, ``seed``, ``set``, ``workers``). Tables: ``runs``, ``summary``."""
    return _run("sweep", scenario, out, progress, lang, settings)


def sensitivity(
    spec: str | Path,
    *,
    out: str | Path | None = None,
    progress: str = "auto",
    lang: str | None = None,
    **settings: Any,
) -> Results:
    """``townsim sensitivity``: SALib indices of a spec file or shipped spec name (``workers``).
    Tables: ``indices``, ``rankings``, ``convergence``, ``noise``, ``samples``, ..."""
    return _run("sensitivity", spec, out, progress, lang, settings)


def discover(spec: str | Path, *, out: str | Path | None = None, progress: str = "auto", **settings: Any) -> Results:
    """``townsim discover``: scenario discovery over a spec's lever box (``workers``)."""
    return _run("discover", spec, out, progress, None, settings)


def calibrate(spec: str | Path, *, out: str | Path | None = None, progress: str = "auto", **settings: Any) -> Results:
    """``townsim calibrate``: ABC-SMC calibration of a spec (``workers``). Tables: ``posterior``, ``generations``."""
    return _run("calibrate", spec, out, progress, None, settings)


def validate(*, out: str | Path | None = None, progress: str = "auto", **settings: Any) -> Results:
    """``townsim validate``: the verification and validation checks (``quick``, ``only=[names]``, ``part``,
    ``seed``, ``power_worlds``, ``workers``, ``yes``); with ``out=`` it resumes like the command.
    Tables: ``checks``, ``power``."""
    return _run("validate", None, out, progress, None, settings)


def robust(
    scenarios: Iterable[str] | str = (),
    *,
    out: str | Path | None = None,
    progress: str = "auto",
    lang: str | None = None,
    **settings: Any,
) -> Results:
    """``townsim robust``: reforms across plausible worlds (``baseline``, ``worlds``, ``reps``, ``days``,
    ``seed``, ``sampler``, ``vary``, ``fix``, ``range``, ``set``, ``equal_staff``, ``regret_kpi``, ...).
    Tables: ``worlds``, ``runs``, the regret and failure-box tables."""
    return _run("robust", list(_items(scenarios)) or None, out, progress, lang, settings)
