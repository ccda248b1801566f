"""Assessment every ``assessment_period`` days: top-down, and two-way when ω > 0 (G2, G5).

Top-down: the county scores each township

    S_t = 1 − ½ · (late share of its closed cases) − ½ · (share of its duty work left undone).

Two-way (双向互评): townships score each department

    S_d = 1 − ½ · (share of its duty tasks it pushed down) − ½ · (late share of the cases it owns).

Departments are agents of a multi-task principal–agent problem
(Holmström & Milgrom 1991): their utility is ``(1 − ω) · own-target score +
ω · S_d``. At each assessment they move a share ``learning_rate`` (η) of the
way to their best response:

* Δ̂_d ← Δ̂_d + η · (drop_d / dump share_d − Δ̂_d), where drop_d = ½ · dump
  share_d is the part of S_d lost to dumping: the department learns how much
  township score one unit of dumping costs it (½, the townships' scoring rule;
  nothing is learned in a period without dumping). Δ̂ enters the cost of
  dumping weighted by ω (see ``dumping``); so with ω > 0 dumping falls over
  successive periods as Δ̂ rises from 0 towards ½;
* e_d ← e_d + η · (1 + effort_gain · ω · (1 − S_d) − e_d): effort (work
  speed on cases) rises with ω, more for departments scored low.
With ω = 0 both rules leave dumping and effort where one-way assessment
puts them.
"""

from __future__ import annotations

from .params import Params


def township_score(late: int, cases: int, duty_left: float, duty_done: float) -> float:
    late_share = late / cases if cases else 0.0
    total = duty_left + duty_done
    undone = duty_left / total if total > 0 else 0.0
    return 1.0 - 0.5 * late_share - 0.5 * undone


DUMPING_WEIGHT = 0.5
"""Weight of the dumped share in the townships' score of a department."""


def department_score(dumped: int, tasks: int, late: int, cases: int) -> float:
    dump_share = dumped / tasks if tasks else 0.0
    late_share = late / cases if cases else 0.0
    return 1.0 - DUMPING_WEIGHT * dump_share - (1.0 - DUMPING_WEIGHT) * late_share


def update_department(dept, params: Params) -> None:
    """Score a department, update its learned expected score drop and its effort; reset counters."""
    eta, w = params.learning_rate, params.two_way_weight
    dump_share = dept.period_dumped / dept.period_tasks if dept.period_tasks else 0.0
    dept.score = department_score(dept.period_dumped, dept.period_tasks, dept.period_late, dept.period_cases)
    if w > 0 and dump_share > 0:
        observed = DUMPING_WEIGHT * dump_share / dump_share  # score lost per unit of dump share
        dept.expected_score_drop += eta * (observed - dept.expected_score_drop)
    target_effort = 1.0 + params.effort_gain * w * (1.0 - dept.score)
    dept.effort += eta * (target_effort - dept.effort)
    dept.period_tasks = dept.period_dumped = dept.period_cases = dept.period_late = 0


def update_township(town, duty_done: float) -> None:
    town.score = township_score(town.period_late, town.period_cases, town.handler.duty_backlog, duty_done)
    town.period_cases = town.period_late = 0


def apply(model, day: int) -> bool:
    """Run the assessment at the end of each period (the agents' ``assess`` methods, through the
    model's AgentSets); return whether it ran today."""
    from .agents import Department, Township

    p = model.params
    if (day + 1) % p.assessment_period != 0:
        return False
    model.agents_by_type[Township].do("assess")
    model.agents_by_type[Department].do("assess")
    return True
