"""The compiled engine's rows of dead cases, their tasks and steps, released (``kernel.release``): never read again.

Each rule is tested twice: the marks' invariants checked after every day of a run (every case below the case
mark closed and named by no event or queue entry; every task and step a live case or a pending event or queue
entry reaches above the task and step marks), and a run whose released rows are *poisoned* (``gcpolicy.POISON``:
written with ones, neither zero nor their values) giving the very summary and time series of a run that
releases nothing. A rule that released a row still read fails the latter: shown by releasing the open cases' rows.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.model import TownshipModel, gcpolicy  # noqa: E402
from townsim.model.kernel import core as K  # noqa: E402
from townsim.model.kernel import release  # noqa: E402
from townsim.model.kernel.tables import grow  # noqa: E402
from townsim.scenarios import load_scenario  # noqa: E402

DAYS = 120
SCENARIOS = ["full_reform", "one_stop_135", "grid_governance", "baseline"]


@pytest.fixture
def small_steps(monkeypatch):
    """Release from 64 dead cases on, and every array of 4 KiB or more in pages of its own (so that releases act)."""
    monkeypatch.setattr(release, "RELEASE_STEP", 64)
    monkeypatch.setattr(gcpolicy, "PAGES_FROM", 4096)


def _run(scenario: str, days: int = DAYS) -> tuple[str, TownshipModel]:
    m = TownshipModel(load_scenario(scenario).params.replace(engine="compiled"), rng=7).run(days)
    text = repr(sorted(m.summary().items())) + m.timeseries().to_csv()
    return hashlib.sha1(text.encode()).hexdigest(), m


def _reference(scenario: str, monkeypatch) -> str:
    with monkeypatch.context() as mp:
        mp.setattr(release, "RELEASE_STEP", 1 << 62)  # nothing released
        digest, m = _run(scenario)
    assert m.engine._freed == [0, 0, 0]
    return digest


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_poisoned_released_rows_change_nothing(scenario, small_steps, monkeypatch):
    ref = _reference(scenario, monkeypatch)
    monkeypatch.setattr(gcpolicy, "POISON", [1])
    before = gcpolicy.RELEASED[0]
    digest, m = _run(scenario)
    assert digest == ref
    w, wt, ws = m.engine._freed
    assert w > m.cases.n // 4 and wt > 0 and ws > 0  # a quarter of the cases' rows and more were poisoned
    assert gcpolicy.RELEASED[0] - before > w * 40


def test_the_poisoned_run_sees_a_released_row_read(small_steps, monkeypatch):
    """Releasing the rows of cases still open (a wrong rule) changes the poisoned run's results (or the kernel's
    own checks stop it)."""
    ref = _reference("baseline", monkeypatch)
    monkeypatch.setattr(gcpolicy, "POISON", [1])
    monkeypatch.setattr(release, "_named", lambda eng: 1 << 62)
    monkeypatch.setattr(release, "_first", lambda flags_of, lo, hi: hi)  # every case counted closed
    try:
        digest, _ = _run("baseline")
    except Exception:  # a garbage row the kernel refused (``NotCovered``)
        return
    assert digest != ref


def _check_marks(m: TownshipModel) -> None:
    """The release marks' invariants (``kernel.release``) on the engine between two days."""
    e = m.engine
    w, wt, ws = e._freed
    c = m.cases
    assert not np.isnan(c.closed[:w]).any()  # every case below the mark is closed …
    nev = int(e.ctr[K.CTR_NEV])
    kind, a = e.evi[:nev, 1], e.evi[:nev, 2]
    of_task = (kind == K.ARRIVE) | (kind == K.FINISH)
    of_case = (kind == K.COURIER) | (kind == K.ESCALATE)
    assert (a[of_task] >= wt).all() and (a[of_case] >= w).all()  # … and named by no pending event …
    qlen = e.hi[:, K.HI_QLEN]
    for h in np.flatnonzero(qlen):
        assert (e.ent[0][e.hq[h, : qlen[h]]] >= wt).all()  # … nor by a queue entry
    open_ = np.flatnonzero(e.fl[4][: c.n])
    assert (open_ >= w).all()
    off, nxt = e.fl[0][open_], e.fl[2][open_]
    assert (off >= ws).all() or not len(open_)  # the open cases' steps and released tasks lie above the marks
    for cid, o, k in zip(open_.tolist(), off.tolist(), nxt.tolist()):
        assert (e.fl_task[o : o + k] >= wt).all()
        assert all(t < 0 or t >= wt for t in [int(e.fl[10][cid]), *e.fl_c[cid].tolist()])


def test_the_marks_keep_every_row_still_read(small_steps):
    m = TownshipModel(load_scenario("full_reform").params.replace(engine="compiled"), rng=3)
    for _ in range(DAYS):
        m.step()
        _check_marks(m)
    assert m.engine._freed[0] > 0


def test_growth_copies_no_released_row():
    a = gcpolicy.zeros(1 << 16, np.int32)
    a[:] = np.arange(1 << 16)
    b = grow(a, (1 << 16) + 1, 0, 2, start=1000)
    assert len(b) == 1 << 17
    assert not b[:1000].any() and (b[1000 : 1 << 16] == np.arange(1000, 1 << 16)).all() and not b[1 << 16 :].any()
