"""Work inside a day: handlers with staff (servers), priority queues and an event heap.

A handler (department, township or escalation desk) has ``ceil(staff)``
servers of 8 working hours a day; a fractional last server works only its
fraction of the day. Duty hours (inspections, duty tasks) are taken off the
servers' day first. Times are continuous working hours (day ``d`` spans
``[8d, 8d + 8)``), so a task started at 7.5 h that needs 2 h finishes at
1.5 h of the next day. A server that frees up takes the waiting task with
the smallest priority key (FIFO: arrival time; 135 rule: the level at which
the case has been coordinated, then deadline). Cost is proportional to events (arrivals, starts, finishes), not
to agents. This is the queueing core the M/M/c validation (Erlang C) checks.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from enum import IntEnum

import numpy as np

from .params import HOURS_PER_DAY


class TaskKind(IntEnum):
    """What a task is: one of a case's steps at a handler, a coordination at a desk, or the
    forwarding of a case's file (a clerk's, a dispatcher's or a commissioner's work, ``referral``)."""

    STEP = 0
    COORD = 1
    FORWARD = 2


class TaskState(IntEnum):
    """Where a task is in its life."""

    WAITING = 0  # in its handler's queue
    RUNNING = 1  # being served
    DONE = 2
    CANCELLED = 3
    PENDING = 4  # on its way: it joins the queue when its arrival event fires


class EventKind(IntEnum):
    """Kinds of events on the engine's calendar."""

    ARRIVE = 0
    FINISH = 1
    WAKE = 2
    CALL = 3


class ServerState(IntEnum):
    """State of one server (a person's working time) of a handler."""

    IDLE = 0
    BUSY = 1
    ASLEEP = 2


STEP, COORD, FORWARD = TaskKind
WAITING, RUNNING, DONE, CANCELLED, PENDING = TaskState
ARRIVE, FINISH, WAKE, CALL = EventKind
IDLE, BUSY, ASLEEP = ServerState


class Task:
    """One unit of work for one handler: a case's step, or a coordination at a desk."""

    __slots__ = ("case", "handler", "kind", "stage", "noise", "hours", "arrival", "state", "version", "urgent")

    def __init__(self, case: int, handler: Handler, kind: TaskKind, stage: int, noise: float):
        self.case = case
        self.handler = handler
        self.kind = kind  # a TaskKind: STEP or COORD
        self.stage = stage  # index in the case's list of steps
        self.noise = noise  # multiplier of the base work-hours (service-time draw)
        self.hours = 0.0
        self.arrival = 0.0
        self.state = PENDING  # on its way: it joins the queue when its arrival event fires
        self.version = 0
        self.urgent = False  # answered before every other waiting task (吹哨报到, P3)


class Handler:
    """Servers, a priority queue and daily accounting of one handler."""

    __slots__ = (
        "hid",
        "kind",
        "index",
        "label",
        "staff",
        "n_servers",
        "base_offset",
        "status",
        "token",
        "free_at",
        "pending_wake",
        "idle",
        "waiting",
        "open_tasks",
        "worked_today",
        "duty_backlog",
        "duty_today",
        "capacity_hours",
        "worked_total",
        "duty_total",
        "retired",
        "duty_cap",
        "served_total",
        "wait_total",
        "waited",
        "tables",  # the compiled engine's handler tables (``kernel.handlers``), where it keeps the run totals
    )

    def __init__(self, hid: int, kind: str, index: int, label: str, staff: float):
        self.hid, self.kind, self.index, self.label = hid, kind, index, label
        self.waiting: list = []
        self.open_tasks = 0
        self.worked_today = self.duty_today = 0.0
        self.worked_total = self.duty_total = 0.0
        self.duty_backlog = 0.0
        self.served_total = 0  # tasks started since the run began
        self.wait_total = 0.0  # hours its case steps waited in its queue before they started (since the run began)
        self.waited = 0  # case steps started (the count ``wait_total`` is over)
        self.duty_cap = math.inf  # most duty hours worked before cases today (set by the township's day split)
        self.retired: set = set()
        self.set_staff(staff)

    def set_staff(self, staff: float) -> None:
        """Set staff (persons); servers = ceil(staff), the last one part-time."""
        self.staff = max(0.0, float(staff))
        n = math.ceil(self.staff - 1e-12)
        self.n_servers = n
        frac = self.staff - (n - 1) if n else 0.0
        self.base_offset = [0.0] * n
        if n:
            self.base_offset[-1] = (1.0 - frac) * HOURS_PER_DAY
        self.status = [ASLEEP] * n
        self.token = [0] * n
        self.free_at = [0.0] * n  # when each server is next free (end of task, duty or absence)
        self.pending_wake = [-1.0] * n  # for a busy server: when it is back after its task
        self.idle: list[int] = []
        self.capacity_hours = self.staff * HOURS_PER_DAY

    def resize(self, staff: float) -> None:
        """Change staff between days (reform start) keeping the queue and tasks in service.

        Servers kept keep their state; new ones start asleep (woken by the next
        ``start_day``); removed ones finish the task in hand and then leave.
        """
        old_n = self.n_servers
        status, token, free_at, pending = self.status, self.token, self.free_at, self.pending_wake
        self.set_staff(staff)
        n = self.n_servers
        keep = min(old_n, n)
        self.status[:keep] = status[:keep]
        self.token[:keep] = [x + 1 for x in token[:keep]]
        self.free_at[:keep] = free_at[:keep]
        self.pending_wake[:keep] = pending[:keep]
        self.status[:keep] = [BUSY if s == BUSY else ASLEEP for s in status[:keep]]
        self.retired = {k for k in range(n, old_n) if status[k] == BUSY}

    @property
    def utilisation_today(self) -> float:
        if self.capacity_hours <= 0:
            return 0.0
        return (self.worked_today + self.duty_today) / self.capacity_hours


class Engine:
    """The event loop of one model: arrivals, finishes and server wake-ups in time order."""

    def __init__(
        self,
        key: Callable[[Task], tuple],
        service_hours: Callable[[Task], float],
        on_finish: Callable[[Task, float], None],
    ):
        self.events: list = []
        self._seq = itertools.count()
        self.key = key
        self.service_hours = service_hours
        self.on_finish = on_finish
        self.now = 0.0

    # --- scheduling ----------------------------------------------------
    def arrive(self, task: Task, t: float) -> None:
        """``task`` reaches its handler at time ``t`` (hours)."""
        heapq.heappush(self.events, (t, next(self._seq), ARRIVE, task, 0))

    def schedule(self, t: float, fn: Callable, arg) -> None:
        """Call ``fn(arg, t)`` at time ``t`` (hours): deadlines, escalations, hops."""
        heapq.heappush(self.events, (t, next(self._seq), CALL, fn, arg))

    def rekey_all(self, handlers: list[Handler]) -> None:
        """Rebuild every waiting queue with the current priority key (the queue discipline changed)."""
        for h in handlers:
            tasks = [tk for _, _, v, tk in h.waiting if tk.version == v and tk.state == WAITING]
            h.waiting = []
            for tk in tasks:
                self.push(tk)

    def start_day(self, day: int, handlers: list[Handler]) -> None:
        """Book the hours of steps carried over into today, take the day's duty hours off each handler's
        servers (as many as their free hours hold) and wake its idle servers."""
        t0 = day * HOURS_PER_DAY
        for h in handlers:
            h.worked_today = 0.0
            n = h.n_servers
            if n == 0:
                h.duty_today = 0.0
                continue
            # hours each server has today: its window, less a task carried over from earlier days
            # (booked to today as worked); duty fits in what is left, so no day books more than
            # the staff's hours
            t_end = t0 + HOURS_PER_DAY
            avail, room = [0.0] * n, 0.0  # room added one by one as the kernel does (3.12's ``sum`` compensates)
            for k in range(n):
                base = h.base_offset[k]
                if h.free_at[k] <= t0 + base:
                    avail[k] = HOURS_PER_DAY - base
                else:
                    avail[k] = max(t_end - h.free_at[k], 0.0)
                    if h.status[k] == BUSY:
                        h.worked_today += min(h.free_at[k], t_end) - (t0 + base)
                room += avail[k]
            duty = min(h.duty_backlog, room, h.duty_cap)
            h.duty_backlog -= duty
            h.duty_today = duty
            h.duty_total += duty
            share = duty / room if room > 0 else 0.0  # duty spread over servers by their free hours
            h.idle.clear()
            for k in range(n):
                base = h.base_offset[k]
                # the server's day starts when it is free (work carried over from earlier days
                # comes first) and not before its part-time window; then duty
                free = max(h.free_at[k], t0 + base) + share * avail[k]
                h.free_at[k] = free
                h.token[k] += 1
                if h.status[k] == BUSY:
                    h.pending_wake[k] = free
                    continue
                h.status[k] = ASLEEP
                heapq.heappush(self.events, (free, next(self._seq), WAKE, h, (k, h.token[k])))

    def run_until(self, t_end: float) -> None:
        """Process every event before ``t_end`` (hours)."""
        events = self.events
        pop = heapq.heappop
        while events and events[0][0] < t_end:
            t, _, kind, a, b = pop(events)
            self.now = t
            if kind == ARRIVE:
                self._on_arrive(a, t)
            elif kind == FINISH:
                self._on_finish(a, b, t)
            elif kind == CALL:
                a(b, t)
            else:
                k, token = b
                if k < a.n_servers and a.token[k] == token and a.status[k] == ASLEEP:
                    self._serve(a, k, t)
        self.now = t_end

    # --- queue operations ----------------------------------------------
    def push(self, task: Task) -> None:
        task.version += 1
        key = self.key(task)
        heapq.heappush(task.handler.waiting, (key, next(self._seq), task.version, task))

    def rekey(self, task: Task) -> None:
        """Re-sort a waiting task after its priority changed (escalation)."""
        if task.state == WAITING:
            self.push(task)

    def cancel(self, task: Task) -> None:
        """Withdraw a task that has not started (its heap or arrival entry is skipped later)."""
        if task.state == WAITING:
            task.state = CANCELLED
            task.handler.open_tasks -= 1
        elif task.state == PENDING:
            task.state = CANCELLED

    def _pop(self, h: Handler) -> Task | None:
        w = h.waiting
        while w:
            _, _, version, task = heapq.heappop(w)
            if task.version == version and task.state == WAITING:
                return task
        return None

    def _on_arrive(self, task: Task, t: float) -> None:
        if task.state != PENDING:  # withdrawn on its way
            return
        h = task.handler
        task.arrival = t
        task.state = WAITING
        h.open_tasks += 1
        self.push(task)
        if h.idle:
            self._serve(h, h.idle.pop(), t)

    def _serve(self, h: Handler, k: int, t: float) -> None:
        task = self._pop(h)
        if task is None:
            h.status[k] = IDLE
            h.free_at[k] = t
            if h.base_offset[k] > 0:  # the part-time server is the last choice for new work
                h.idle.insert(0, k)
            else:
                h.idle.append(k)
            return
        task.state = RUNNING
        if task.kind == STEP:
            h.wait_total += t - task.arrival
            h.waited += 1
        hours = self.service_hours(task)
        task.hours = hours
        h.served_total += 1
        h.worked_total += hours
        h.status[k] = BUSY
        end = finish_time(t, hours, h.base_offset[k])
        # today's part of the task is worked today; the rest is booked on the days it is worked
        # (``start_day``)
        h.worked_today += min(end, (math.floor(t / HOURS_PER_DAY) + 1) * HOURS_PER_DAY) - t
        h.free_at[k] = end
        heapq.heappush(self.events, (end, next(self._seq), FINISH, task, k))

    def _on_finish(self, task: Task, k: int, t: float) -> None:
        h = task.handler
        task.state = DONE
        h.open_tasks -= 1
        self.on_finish(task, t)
        if k >= h.n_servers:  # a post removed at the reform start: the person leaves after this task
            h.retired.discard(k)
            return
        back = h.pending_wake[k]
        h.pending_wake[k] = -1.0
        if back > t:  # duty or part-time absence owed since the day began
            h.status[k] = ASLEEP
            h.token[k] += 1
            h.free_at[k] = back
            heapq.heappush(self.events, (back, next(self._seq), WAKE, h, (k, h.token[k])))
        else:
            self._serve(h, k, t)


def finish_time(t: float, hours: float, base_offset: float) -> float:
    """End of ``hours`` of work started at ``t`` by a server present ``[base_offset, 8)`` each day."""
    end = t + hours
    if base_offset <= 0:
        return end
    day_end = (math.floor(t / HOURS_PER_DAY) + 1) * HOURS_PER_DAY
    if end <= day_end:
        return end
    window = HOURS_PER_DAY - base_offset
    rest = hours - (day_end - t)
    days = math.ceil(rest / window) - 1  # whole windows before the last one
    return day_end + days * HOURS_PER_DAY + base_offset + (rest - days * window)


class RandomStream:
    """Buffered draws from the model's generator, for per-event randomness at low cost."""

    def __init__(self, rng: np.random.Generator, size: int = 8192):
        self.rng = rng
        self.size = size
        self._u: list[float] = []
        self._e: list[float] = []
        self._z: list[float] = []
        self._iu = self._ie = self._iz = size

    def uniform(self) -> float:
        if self._iu >= self.size:
            self._u = self.rng.random(self.size).tolist()
            self._iu = 0
        self._iu += 1
        return self._u[self._iu - 1]

    def uniforms(self, k: int) -> list[float]:
        """``k`` draws of ``uniform`` in one call (the same values, the same refills)."""
        return [self.uniform() for _ in range(k)]

    def exponential(self) -> float:
        if self._ie >= self.size:
            self._e = self.rng.standard_exponential(self.size).tolist()
            self._ie = 0
        self._ie += 1
        return self._e[self._ie - 1]

    def normal(self) -> float:
        if self._iz >= self.size:
            self._z = self.rng.standard_normal(self.size).tolist()
            self._iz = 0
        self._iz += 1
        return self._z[self._iz - 1]
