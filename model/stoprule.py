"""The stop rule for runs whose queues explode (``stop_backlog_days``; 0 = off).

At the end of a day, the open backlog (cases filed and not closed) is compared with the mean daily
arrivals since the start of the run (warm-up included): by Little's law their ratio is the mean time a
case spends in the system, in working days. When it exceeds ``stop_backlog_days`` the run stops: the
queues of such a world grow without bound, and simulating more days of it costs time and memory and
changes no conclusion. The day loop (``TownshipModel``) applies the rule, whichever engine runs the day.
"""

from __future__ import annotations


def exceeded(model) -> bool:
    """True when the rule is on and the open backlog exceeds ``stop_backlog_days`` days of arrivals."""
    bound = model.params.stop_backlog_days
    if bound <= 0 or model.clock_day <= 0:
        return False
    per_day = model.cases.n / model.clock_day  # cases filed per working day since the start
    return len(model.open_ids) > bound * per_day
