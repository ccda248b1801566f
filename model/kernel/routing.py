"""The compiled engine's intake routing tables: what ``route.refer_and_route`` reads besides the batch, and the
channel choice's coefficients and probabilities.

:class:`Routing` is a base of ``CompiledEngine``: the arguments of its routing call kept while the levers they
hold stay (the catalogue's table, the flags, handlers, codes and deadlines, the rows of the columns written, the
delegated matters and refer-up's rates).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import channel
from ..cases import LAYOUT
from ..catalogue import ENQUIRY
from . import route


class Routing:
    """The routing call's kept arguments (``CompiledEngine.admit_batch``)."""

    _route_cat: tuple
    _route_travel: np.ndarray
    _route_memo: dict
    _route_fixed: dict
    model: Any

    def _channel_coefs(self, p) -> tuple:
        """:meth:`admit_batch`'s logits and slopes for parameters ``p`` (kept by the levers they hold), the shares
        that fix the probabilities online and at the hall (None: a logistic; ``channel``), :meth:`admit_batch`'s
        ``shares`` (those shares, NaN for a logistic, ``MARGIN`` and the gaming window) and the catalogue's enquiry
        row."""
        key = ("channels", p.online_share, p.channel_experience_slope, p.township_hall_share, p.channel_travel_slope)
        coefs = self._route_memo.get(key)
        if coefs is None:  # the logits and slopes
            logits = (channel._logit(key[1]), key[2], channel._logit(key[3]), key[4])
            coefs = self._route_memo[key] = np.array(logits, dtype=np.float64)
        fix_on = None if 0.0 < p.online_share < 1.0 else float(p.online_share)
        fix_hall = None if 0.0 < p.township_hall_share < 1.0 else float(p.township_hall_share)
        fixed = (np.nan if f is None else f for f in (fix_on, fix_hall))
        shares = np.array([*fixed, self.MARGIN, float(p.gaming_window)])
        return coefs, fix_on, fix_hall, shares, self.model.catalogue.dispute_id(ENQUIRY)

    MARGIN = 1e-12
    """:meth:`admit_batch`'s relative margin around a channel probability within which the kernel's ``exp`` may not
    decide as numpy's (both within a few ulp of the true value: ~1e-15 relative); read when the parameters change."""

    @staticmethod
    def _probabilities(negz: np.ndarray, chan: tuple) -> np.ndarray:
        """The probabilities online and at the hall from −z (``route.channel_draws``): the logistic with numpy's
        ``exp``, as ``channel`` takes it, or the fixed shares (``chan``: :meth:`_channel_coefs`' after the
        parameters)."""
        fix_on, fix_hall = chan[2], chan[3]
        n = len(negz) // 2
        prob = np.exp(negz)
        prob += 1.0
        np.divide(1.0, prob, out=prob)
        if fix_on is not None:
            prob[:n] = fix_on
        if fix_hall is not None:
            prob[n:] = fix_hall
        return prob

    def _fixed_args(self, model, given: tuple) -> tuple:
        """:meth:`admit_batch`'s arguments that stay while the levers, the delegated matters and the desk stay, for
        ``given`` (whether the batch gives enquiries, sources and chains): (the parameters, the delegated matters, the
        desk's servers, refer-up's initial competence, learning cases and rate, then the catalogue's table, the
        delegated matters as the kernel reads them, the ints, the reals and the rows of the columns written). One
        check a batch."""
        p = model.params
        fixed = self._route_fixed.get(given)
        n_desk = model.desks[0].n_servers
        if fixed is None or fixed[0] is not p or fixed[1] is not model.delegated or fixed[2] != n_desk:
            cat, ints, reals, where = self._tables_for(model, given)
            fixed = self._route_fixed[given] = (
                p,
                model.delegated,
                n_desk,
                np.array([p.initial_competence, p.learning_cases, p.refer_up_rate], dtype=np.float64),
                cat,
                np.ascontiguousarray(model.delegated, dtype=np.bool_),
                ints,
                reals,
                where,
            )
        return fixed

    def _tables_for(self, model, given: tuple) -> tuple:
        """:meth:`_route_tables` for the model's levers and handlers now and ``given``: whether the batch gives
        enquiries, sources and chains (kept by the levers they hold)."""
        p = model.params
        desk_ok = bool(p.desk_decisions and p.one_stop_centre and model.desks[0].n_servers)
        key = (
            p.escalation_135,
            given[0],
            desk_ok,
            p.whistle,
            p.joint_handling,
            model.township_hid0,
            model.desks[0].hid,
            model.commissioner_desk.hid,
            p.tier_deadlines,
            given[1],
            given[2],
            p.online_dispatch,
            model.dispatchers.hid,
        )
        tables = self._route_memo.get(key)
        if tables is None:
            tables = self._route_memo[key] = self._route_tables(key)
        return tables

    def _route_tables(self, key: tuple) -> tuple:
        """``route_rows``' fixed arguments for ``key`` (flags and handlers of :meth:`admit_batch`, the tier
        deadlines, the flags of sources and chains given, online dispatch and the dispatchers):
        the catalogue's table, the ints and reals it reads, and the rows of the columns it writes."""
        codes, hours = route.ROUTE_CONSTS[:5], route.ROUTE_CONSTS[5]
        deadlines = key[8]
        cat = np.array(self._route_cat, dtype=np.int64)
        flags = (int(x) for x in (*key[:8], *codes, len(deadlines), *key[9:11]))
        ints = np.array([*flags, *route.CHANNEL_CODES, int(key[11]), key[12]], dtype=np.int64)
        reals = np.concatenate([[hours], np.asarray(deadlines, dtype=np.float64), self._route_travel])
        where = np.array([LAYOUT[name][1] for name in route.COLUMNS], dtype=np.int64)
        return cat, ints, reals, where
