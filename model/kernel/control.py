"""The compiled engine's answers to the model between kernel calls: deadline gaming's projection, a case's
withdrawals and boost, the reform start (levers re-read, servers re-laid out, queues re-keyed), and the Python
engine's calls the kernel does not take."""

from __future__ import annotations

import numpy as np

from . import core as K
from .gaming import Queues
from .tables import EngineTables, NotCovered


class Control(EngineTables):
    """What the model asks of the compiled engine between its daily calls."""

    def _flush(self) -> None:
        """Hand intake's waiting batch to the kernel (the engine's, :class:`.engine.CompiledEngine`)."""
        raise NotImplementedError

    # --- the requesters' judgements of closed cases -------------------------------------------------
    def judge(self, st: dict, rows, s_case, trips, online, alpha: float) -> None:
        """``_RowAgent.judge``'s updates of the requesters' arrays ``st`` in one kernel call (``judge``)."""
        self.k_judge(
            st["satisfaction"], st["exp_online"], st["exp_offline"], st["trips"], rows, s_case, trips, online, alpha
        )

    # --- deadline gaming: the projection read from the kernel's tables ---------------------------
    def gaming_queues(self):
        """The queues as the day's gaming decisions read them (``gaming._Queues``)."""
        return Queues(self)

    def forward(self, cid: int, t: float, handler) -> None:
        """``referral.start``: the case joins the batch with the forwarding of its file by ``handler``
        arriving at ``t`` (hours); the kernel opens its flow (no draw at filing)."""
        self._batch.append(((cid,), (t,), (handler.hid,)))

    # --- what the Python engine offers and the covered scenarios never ask for --------------------
    def arrive(self, task, t: float) -> None:
        """Python hands the kernel no task: intake's forwarding comes through :meth:`forward`, every other
        task is the kernel's own."""
        raise NotCovered(
            f"compiled engine: a {task.kind!r} task from Python (only intake's forwarding is compiled, by forward)"
        )

    def schedule(self, t: float, fn, arg) -> None:
        raise NotCovered("compiled engine: timed Python calls (escalation, courier runs) are not compiled")

    def cancel(self, task) -> None:
        raise NotCovered("compiled engine: withdrawing Python tasks is not compiled")

    def withdraw(self, cid: int) -> None:
        """A case held by the kernel is closed in the kernel (its event loop; a gamed one in the day's gaming
        decisions, ``kernel.gamed.close_gamed``, which withdraws its work), never by ``handling.close``."""
        raise NotCovered(f"compiled engine: case {cid} closed from Python (the kernel closes its cases)")

    def rekey(self, task) -> None:
        raise NotCovered("compiled engine: priority changes are not compiled (FIFO queues only)")

    def rekey_all(self, handlers: list) -> None:
        """``Engine.rekey_all`` at the reform start: every queue rebuilt with the key now in force (first come
        first served, or the 135 rule's)."""
        self._flush()
        self._room_ent(int(self.ctr[K.CTR_NENT]) + int(self.hi[:, K.HI_QLEN].sum()) + 1)
        self.hq = K.rekey_all(self.hq, self.hi, self.ent, self.tk, self.ctr, self.pf, self._esc())
        self._summary_fresh = False

    # --- the 135 rule's withdrawal and boost of one case --------------------------------------------------
    def withdraw_coordination(self, cid: int) -> None:
        """``escalation.withdraw``: the case's coordination requests not yet started, cancelled."""
        K.withdraw_coord(int(cid), self.hi, self.tk, self._flows(), self._esc())
        self._summary_fresh = False

    def boost(self, cid: int, level: int, t: float) -> None:
        """``escalation.boost``: the case first in every queue it needs and its steps released (at ``t``)."""
        self._flush()
        most = self._max_steps + 4
        self._room_tasks(int(self.ctr[K.CTR_NTASK]) + most)
        self._room_ent(int(self.ctr[K.CTR_NENT]) + most)
        self.evt, self.evi = K.ev_room(self.evt, self.evi, self.ctr, most)
        m = self.model
        s = m.stream
        self.hq = K.boost_case(
            int(cid),
            int(level),
            float(t),
            self.hq,
            self.hi,
            self.ent,
            self.tk,
            self._flows(),
            self.pf,
            m.rng,
            s.eb,
            s.zb,
            s.idx,
            self.evt,
            self.evi,
            self.ctr,
            self._esc(),
            m.cases.joint,
        )
        self._check()
        self._summary_fresh = False

    # --- the reform start ------------------------------------------------------------------------
    def restart(self, params) -> None:
        """The reform start (``model._start_reform``), after the handlers were re-sized
        (``Handler.resize``) and before the queues are rebuilt: the kernel's levers re-read and its
        servers re-laid out as ``Handler.resize`` does it: a kept server keeps its state (busy stays busy,
        else asleep till the next day's start) with a new token, a new one starts asleep, a removed one
        finishes its task and leaves; no server idle."""
        self._flush()
        self._set_params(params)
        old_status, old_token, old_free, old_pend, _base, _idle = self.srv
        hi, hf = self.hi, self.hf
        total = sum(h.n_servers for h in self.handlers)
        status = np.full(total, K.ASLEEP, dtype=np.int64)
        token = np.zeros(total, dtype=np.int64)
        free = np.zeros(total)
        pend = np.full(total, -1.0)
        s0 = 0
        for i, h in enumerate(self.handlers):
            o0, old_n, n = int(hi[i, K.HI_S0]), int(hi[i, K.HI_N]), h.n_servers
            keep = min(old_n, n)
            kept = old_status[o0 : o0 + keep]
            status[s0 : s0 + keep] = np.where(kept == K.BUSY, K.BUSY, K.ASLEEP)
            token[s0 : s0 + keep] = old_token[o0 : o0 + keep] + 1
            free[s0 : s0 + keep] = old_free[o0 : o0 + keep]
            pend[s0 : s0 + keep] = old_pend[o0 : o0 + keep]
            hi[i, K.HI_N] = n
            hi[i, K.HI_S0] = s0
            hi[i, K.HI_IDLE_N] = 0
            hf[i, K.HF_CAP] = h.capacity_hours
            s0 += n
        base = np.concatenate([np.asarray(h.base_offset, float) for h in self.handlers]) if total else np.zeros(0)
        self.srv = (status, token, free, pend, base, np.zeros(total, dtype=np.int64))
        self._summary_fresh = False
