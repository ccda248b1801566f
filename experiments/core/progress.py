"""Progress bar for long experiments: count, rate and time left — on a terminal only, quiet otherwise."""

from __future__ import annotations

import sys

from tqdm import tqdm


def progress_bar(
    total: int, desc: str = "runs", initial: int = 0, unit: str = "run", enabled: bool | None = None, file=None
) -> tqdm:
    """A tqdm bar over ``total`` items, starting at ``initial`` (resumed runs).

    ``enabled=None`` shows it only when ``file`` (default stderr) is a terminal;
    tqdm prints count, rate (runs/s) and the estimated time left.
    """
    file = file if file is not None else sys.stderr
    if enabled is None:
        enabled = bool(getattr(file, "isatty", lambda: False)())
    return tqdm(
        total=total,
        initial=initial,
        desc=desc,
        unit=unit,
        file=file,
        disable=not enabled,
        dynamic_ncols=True,
        smoothing=0.1,
    )
