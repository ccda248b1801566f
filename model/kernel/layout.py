"""The compiled kernel's layouts: its array columns, event and task kinds, states, counters and status codes.

The arrays are plain numpy arrays (struct of arrays) that the Python side (:mod:`.engine`) owns and
passes to the kernel's functions; times are working hours.

Layouts (column constants below):

* handlers: ``hf`` (float64, one row per handler: capacity, duty, hours, today's work fraction and
  effort, overtime) and ``hi`` (int64: servers, first server's slot, open tasks, tasks started,
  kind, queue length, idle count);
* servers: flat arrays, a handler's servers in the slots ``hi[h, HI_S0] + k``;
* queues: ``hq``, one row per handler, its waiting task ids in ``heapq``'s list order;
* tasks: ``tk_*`` arrays (case, handler, step, state, queue sequence number, draw, hours, arrival,
  kind: a step, a coordination or a forwarding);
* flows: per case, its steps (``fl_steps[fl_off[c] : fl_off[c] + fl_n[c]]``), the next step to
  release, its live steps, whether it is open, and the work log (needed and done work-hours);
* the event heap: ``evt`` (time) and ``evi`` (sequence number, kind, three integer arguments);
* ``ctr``: counters (``CTR_*``) shared with Python between calls;
* the random stream: the model's generator and its three buffers with their positions.
"""

from __future__ import annotations

HOURS = 8.0  # working hours per day (params.HOURS_PER_DAY)

# event kinds (COURIER: a referred case's file reaches the seat, ``referral``)
ARRIVE, FINISH, WAKE, COURIER, ESCALATE = 0, 1, 2, 3, 4  # ESCALATE: a case's level is due (135)
# task kinds (engine.TaskKind): a case's step, a coordination at a desk, forwarding a file
STEP, COORD, FORWARD = 0, 1, 2
FIRST, SECOND = 0, 1  # a forwarding task's pass (referral.FIRST, referral.SECOND)
# task states (engine.TaskState)
WAITING, RUNNING, DONE, CANCELLED, PENDING = 0, 1, 2, 3, 4
# server states (engine.ServerState)
IDLE, BUSY, ASLEEP = 0, 1, 2
# handler kinds
DEPT, TOWN, OTHER, DISPATCH, COMMISSIONER = 0, 1, 2, 3, 4

# handler float columns
HF_CAP, HF_DUTY_BACKLOG, HF_DUTY_CAP, HF_DUTY_TODAY, HF_DUTY_TOTAL = 0, 1, 2, 3, 4
HF_WORKED_TODAY, HF_WORKED_TOTAL, HF_FRACTION, HF_EFFORT, HF_OVERTIME = 5, 6, 7, 8, 9
HF_WAIT = 10  # hours its case steps waited in its queue before they started (Handler.wait_total)
N_HF = 11
# handler int columns
HI_N, HI_S0, HI_OPEN, HI_SERVED, HI_KIND, HI_QLEN, HI_IDLE_N = 0, 1, 2, 3, 4, 5, 6
HI_WAITED = 7  # case steps started (Handler.waited)
N_HI = 8

# counters
CTR_SEQ, CTR_NTASK, CTR_UNRELEASED, CTR_NEV, CTR_NCLOSED = 0, 1, 2, 3, 4
CTR_NREF, CTR_NREP, CTR_STATUS, CTR_NSTEPS, CTR_OPEN = 5, 6, 7, 8, 9
CTR_NENT, CTR_NCONF = 10, 11  # queue entries made; cases in the joint conference's queue (coordination.conf_push)
N_CTR = 12

# parameters (float array)
PF_DIST, PF_SIGMA, PF_ONE_STOP, PF_TRAVEL, PF_RES_BASE, PF_THETA, PF_CALLBACK, PF_REPEAT, PF_REPEAT_DAYS = range(9)
PF_ATTEND, PF_COORD1, PF_COORD2 = 9, 10, 11  # attendance share, coordination hours at levels 1 and 2
PF_FORWARD_H, PF_DISPATCH_H, PF_ERRAND_H, PF_MISROUTE, PF_COURIER_DAYS, PF_ONLINE_DISPATCH = 12, 13, 14, 15, 16, 17
PF_N_DEPTS = 18  # departments (their handlers are the first ones)
PF_MEDIATION_ID, PF_LOCAL_MEDIATION, PF_DISPUTE_HOURS = 19, 20, 21  # the dispute in local mediation (resolution)
PF_C0, PF_LEARNING, PF_REWORK, PF_OVERSIGHT = 22, 23, 24, 25  # delegation: competence, rework, oversight hours
PF_135, PF_LEVEL_SHARE = 26, 27  # the 135 rule on; the share of the deadline a level has (escalation)
PF_SITE, PF_TOWN_HID0 = 28, 29  # the whistle's on-site hours (each side); the first township's handler
PF_CB_BUDGET = 30  # the call-back desk's call-backs a day (0: no desk, every drawn call-back is made; callback)
PF_CB_DAY, PF_CB_MADE, PF_CB_MISSED = 31, 32, 33  # the desk's state, shared with Python (model.callback_desk)
N_PF = 34
DIST_EXPONENTIAL, DIST_LOGNORMAL, DIST_DETERMINISTIC = 0, 1, 2

# status codes: a path the kernel does not cover was reached (the Python side raises)
OK, E_LIVE_AT_CLOSE, E_TASKS_FULL = 0, 3, 4
E_ROOM = 6  # not an error: the task table is nearly full; Python grows it and calls ``run_until`` again
STATUS_TEXT = {
    E_LIVE_AT_CLOSE: "a case closed with steps still live (rework or gaming are not compiled)",
    E_TASKS_FULL: "the task arrays were full (the Python side sizes them before each call)",
}

# the day's closure statistics (``daystats.closure_stats``' counts), by position in its integer output; numba-free
# here, so that ``metrics.collect`` reads them without importing the kernel's compiled module
IN_TIER = 0  # 3 slots: closures by tier
ON_TIME_TIER = 3  # 3 slots: of which on time
ON_TIME, SERVICE, ZERO_TRIP, TRIPS, SEAT_TRIPS, RESOLVED, GAMED = 6, 7, 8, 9, 10, 11, 12
REPEATS, GRID_REPORTS = 13, 14  # among the cases filed today (``day_stats``): repeat contacts, grid reports
N_COUNTS = 15
