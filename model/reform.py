"""Reform attention: the two-way weight and the inspection cut fade unless renewed (P2).

Reports on the 2019 burden-reduction campaign (P2) describe cuts in meetings,
documents and inspections that crept back. From the day the reform starts
(the end of the warm-up, ``model.count_start``; 0 without one) its attention is

    a(t) = 2^(−(t − t_r) / h),   t_r = the last renewal: t_r = ⌊t / R⌋·R  (R = reform_renewal_days)

with ``h = reform_half_life_days`` (∞ by default: no fading; an assumption
and a sensitivity lever, not a published figure). The effective levers are

    ω_eff = a · two_way_weight
    I_eff = I_pre + a · (inspection_hours_per_week − I_pre)

where ``I_pre`` is the inspection load of the pre-reform regime (the root of
the scenario's ``extends`` chain, ``params.pre_reform``; the scenario's own
value when it does not set one). During the warm-up the pre-reform levers
apply unchanged. With ``a = 1`` both are the scenario's levers.
"""

from __future__ import annotations

import math

from .params import HOURS_PER_DAY, Params


def attention(params: Params, days_since_start: float) -> float:
    """Share 0–1 of the reform's force left ``days_since_start`` days after it began (1 before)."""
    h = params.reform_half_life_days
    if not math.isfinite(h) or days_since_start <= 0:
        return 1.0
    t = float(days_since_start)
    r = params.reform_renewal_days
    if math.isfinite(r):
        t -= math.floor(t / r) * r
    return 0.5 ** (t / h)


def model_attention(model) -> float:
    """Today's attention of ``model`` (days counted from the start of the counted window)."""
    start = getattr(model, "count_start", 0.0) / HOURS_PER_DAY
    return attention(model.params, getattr(model, "clock_day", model.day) - start)


def pre_reform_value(model, name: str):
    """Lever ``name`` in the pre-reform regime (the scenario's own value when it sets none)."""
    p = model.params
    return (p.pre_reform or {}).get(name, getattr(p, name))


def two_way_weight(model) -> float:
    """Effective weight ω of the townships' score in departments' utility today."""
    return model.params.two_way_weight * model_attention(model)


def inspection_hours_per_week(model) -> float:
    """Effective inspection hours per township and week today."""
    p = model.params
    before = pre_reform_value(model, "inspection_hours_per_week")
    return before + model_attention(model) * (p.inspection_hours_per_week - before)


def effective_inspection_hours(model) -> float:
    """``effective_params(model).inspection_hours_per_week`` (the same double), without copying the parameters:
    the lever itself while unfaded, else :func:`inspection_hours_per_week`."""
    p = model.params
    if not math.isfinite(p.reform_half_life_days) or model_attention(model) >= 1.0:
        return p.inspection_hours_per_week
    return inspection_hours_per_week(model)


def effective_params(model) -> Params:
    """The model's parameters with today's faded inspection load (the same object when unfaded)."""
    p = model.params
    if model_attention(model) >= 1.0:
        return p
    key = (getattr(model, "clock_day", model.day), id(p))
    cached = getattr(model, "_reform_cache", None)
    if cached is None or cached[0] != key:
        # a copy without re-validation (~2 µs against ~40 for ``Params.replace``, once a day while the reform
        # fades): the faded value lies between two validated values, and no validator derives anything from it
        faded = p.model_copy(update={"inspection_hours_per_week": inspection_hours_per_week(model)})
        model._reform_cache = (key, faded)
    return model._reform_cache[1]
