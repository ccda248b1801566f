"""The executor options every experiment command shares: ``--workers K | --scheduler ADDR | --dask-local``."""

from __future__ import annotations

import sys

from townsim.experiments.core.executors import Executor, default_workers, make_executor, one_line
from townsim.experiments.errors import UserError, shorten


def add_executor_arguments(parser) -> None:
    """Add ``--workers K | --scheduler ADDR | --dask-local`` (mutually exclusive) to an argparse parser."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="K",
        help=f"local worker processes (default: the number of cores, {default_workers()} here; "
        "1 = run in this process)",
    )
    group.add_argument(
        "--scheduler", default=None, metavar="ADDR", help="run on a running Dask cluster, e.g. tcp://10.0.0.5:8786"
    )
    group.add_argument(
        "--dask-local",
        action="store_true",
        help="start a local Dask cluster (one worker per core, on 127.0.0.1) for this command",
    )


def executor_from_args(args) -> Executor:
    """The executor chosen by :func:`add_executor_arguments`; :class:`UserError` (one line) if it cannot start.

    ``--workers`` beyond the cores of this machine is capped to them, with a warning on stderr.
    """
    workers = getattr(args, "workers", None)
    if workers is not None and workers < 1:
        raise UserError(f"--workers {shorten(str(workers))}: allowed: an integer >= 1")
    cores = default_workers()
    if workers is not None and workers > cores:
        print(
            f"townsim: warning: --workers {shorten(str(workers))} is more than the {cores} core(s) of this "
            f"machine; capped to {cores}",
            file=sys.stderr,
        )
        workers = cores
    scheduler = getattr(args, "scheduler", None)
    try:
        return make_executor(workers=workers, scheduler=scheduler, dask_local=getattr(args, "dask_local", False))
    except (OSError, TimeoutError) as exc:
        raise UserError(f"--scheduler {scheduler}: cannot connect ({one_line(exc)})") from None
