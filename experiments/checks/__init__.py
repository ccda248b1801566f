"""Model checks defined once: the test suite asserts them (quick replications) and
``townsim validate`` runs and reports them (full replications).

Each check is a function ``fn(reps: int, seed: int) -> CheckResult`` registered with
:func:`check`; modules of this package group them: ``queueing`` (analytic verification),
``mechanisms`` (reform mechanisms), ``incentives`` (incentives and outcomes), ``outcomes``
(outcomes from the work done: resolution under load, gaming only when late, a settled start),
``capacity`` (every post works, every hour counts), ``patterns`` (validation: published outcome
patterns of other places, P7–P9, each status quo vs the matching reform). Linping's F11, held out of
its calibration, is checked in ``workflows/validate/patterns`` (it runs the calibrate workflow's posterior).
"""

from .base import CHECKS, Check, CheckResult, check, paired_difference

__all__ = ["CHECKS", "Check", "CheckResult", "check", "paired_difference"]
