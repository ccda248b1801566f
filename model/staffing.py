"""Staff in posts, per handler kind, and equal-staff comparisons (G3).

Posts (persons) a scenario budgets, by kind:

* ``departments``: ``department_staff``; ``townships``: ``township_staff`` (or the
  township table's staff); delegation with staff moves posts between these two
  and leaves the total unchanged (G3);
* ``chief_representatives``: ``chief_representatives × chief_rep_hours / 8`` —
  the share of the deputy heads' day spent on coordination, in posts;
  ``leading_group_office``: ``leading_group_staff``; ``desks`` is their sum;
* ``commissioners``: ``commissioners`` (F10), who run errands (``referral``);
* ``dispatchers``: the county platform's ``dispatch_staff`` with ``online_dispatch``
  (none without it), who dispatch referred files (``referral``);
* ``grid_workers``: ``grid_coverage × residents / grid_worker_residents``;
* ``callback_desk``: ``callback_desk_posts``, the county's call-back desk (回访), whose hours cap the
  call-backs made a day (``callback``; none by default).

Budgeted hours are posts × 8 per working day. Overtime (department effort above
1, see ``Department.work_hours``) is paid on top and reported apart.

Department posts follow expected work with a one-person floor
(:func:`workload_posts`): ``posts_d = max(floor, k · h_d)``, ``k`` such that they sum
to ``department_staff``. :func:`equalise_staff` funds a reform's extra posts from
department posts so that the total budgeted staff-hours equal a reference
scenario's ("without raising the county's total staffing quota", G3); since posts
follow work, every department above the floor keeps the same share of its posts
(pro rata), and the departments pushed to the floor are reported
(``floored_departments``).
"""

from __future__ import annotations

import numpy as np

from .geography import township_staff_total
from .params import HOURS_PER_DAY, Params

KINDS = (
    "departments",
    "townships",
    "desks",
    "chief_representatives",
    "leading_group_office",
    "commissioners",
    "dispatchers",
    "grid_workers",
    "callback_desk",
)
"""Handler kinds reported; ``desks`` = chief representatives + leading-group office."""

SUMMED = ("departments", "townships", "desks", "commissioners", "dispatchers", "grid_workers", "callback_desk")
"""The kinds whose posts make up the total (desks counted once)."""

MIN_DEPARTMENT_STAFF = 0.1
"""Fewest department posts :func:`equalise_staff` may leave (the Params lower bound)."""


class StaffingError(ValueError):
    """The reference's staff budget cannot fund the reform's extra posts; one line."""


def budget(params: Params) -> dict[str, float]:
    """Posts (persons) per handler kind (``KINDS``) and their ``total`` (desks counted once)."""
    chief = params.chief_representatives * params.chief_rep_hours / HOURS_PER_DAY
    out = {
        "departments": float(params.department_staff),
        "townships": float(township_staff_total(params)),
        "desks": chief + params.leading_group_staff,
        "chief_representatives": chief,
        "leading_group_office": float(params.leading_group_staff),
        "commissioners": float(params.commissioners),
        "dispatchers": dispatchers(params),
        "grid_workers": params.grid_coverage * params.residents / params.grid_worker_residents,
        "callback_desk": float(params.callback_desk_posts),
    }
    out["total"] = total(out)
    return out


def total(posts: dict[str, float]) -> float:
    """Total posts of a budget (``SUMMED`` kinds)."""
    return float(sum(posts[k] for k in SUMMED))


def dispatchers(params: Params) -> float:
    """Dispatcher posts of the county platform (persons): ``dispatch_staff`` with online dispatch, else 0."""
    return float(params.dispatch_staff) if params.online_dispatch else 0.0


def workload_posts(total: float, hours: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Posts per department following expected work ``hours`` (hours/day) with a floor: ``max(f, k·h_d)``
    summing to ``total``, ``f = min(floor, total / D)``; and the mask of departments at the floor."""
    hours = np.asarray(hours, float)
    D = len(hours)
    f = min(floor, total / D)
    at_floor = hours <= 0
    for _ in range(D + 1):  # each pass floors at least one more department or stops
        rest = total - f * at_floor.sum()
        h = hours[~at_floor].sum()
        k = rest / h if h > 0 else 0.0
        new = at_floor | (k * hours <= f)
        if (new == at_floor).all():
            break
        at_floor = new
    posts = np.where(at_floor, f, k * hours)
    return posts, at_floor


def budget_hours(params: Params) -> dict[str, float]:
    """Budgeted staff-hours per working day, per kind (posts × 8)."""
    return {k: v * HOURS_PER_DAY for k, v in budget(params).items()}


def equalise_staff(params: Params, reference: Params) -> Params:
    """``params`` with department posts cut (or raised) so total budgeted staff-hours equal ``reference``'s.

    The extra posts of the reform (desks, commissioners, dispatchers, grid workers, the call-back
    desk, township posts beyond the reference) are taken from the departments pro rata; a reform with fewer
    posts gives the difference to the departments. Raises :class:`StaffingError` when the
    departments would be left with fewer than ``MIN_DEPARTMENT_STAFF`` persons.
    """
    extra = budget(params)["total"] - budget(reference)["total"]
    if abs(extra) < 1e-9:
        return params
    new = params.department_staff - extra
    if new < MIN_DEPARTMENT_STAFF:
        raise StaffingError(
            f"equal_staff: the reform needs {extra:.2f} more posts than the reference, but the "
            f"departments have only {params.department_staff:g}; raise department_staff"
        )
    return params.replace(department_staff=new)
