"""A handler on the compiled engine: its run totals read from the kernel's handler tables when asked.

The kernel keeps each handler's hour accounts and counters in its tables (``hf``, ``hi``) and the engine
writes them back to the ``Handler`` objects after each day's call (``writeback``). The run totals (hours
worked and of duties, steps started, their waits) are read only for the summary, the counted window's marks
and the assessments, so :class:`KernelHandler` reads them from the tables when asked instead of having them
written back every day: the same values (the doubles the write-back would have set), five of its nine
columns fewer a day.
"""

from __future__ import annotations

from ..engine import Handler
from .layout import HF_DUTY_TOTAL, HF_WAIT, HF_WORKED_TOTAL, HI_SERVED, HI_WAITED


def _total(name: str, table: int, col: int) -> property:
    """A run total read from the kernel's table ``table`` (0: ``hf``, 1: ``hi``) at column ``col``; set (by
    ``Handler.__init__`` or a copy's restore) into the handler's own slot, which the tables then stand for."""
    slot = vars(Handler)[name]

    def get(self):
        return self.tables[table].item(self.hid, col)

    def put(self, value) -> None:
        slot.__set__(self, value)

    return property(get, put, doc=f"``Handler.{name}``, read from the kernel's tables.")


class KernelHandler(Handler):
    """``Handler`` whose run totals are the kernel's (same layout: an engine's handlers become this class)."""

    __slots__ = ()
    worked_total = _total("worked_total", 0, HF_WORKED_TOTAL)
    duty_total = _total("duty_total", 0, HF_DUTY_TOTAL)
    wait_total = _total("wait_total", 0, HF_WAIT)
    served_total = _total("served_total", 1, HI_SERVED)
    waited = _total("waited", 1, HI_WAITED)


def attach(handlers: list, hf, hi) -> None:
    """Make ``handlers`` read their run totals from the tables ``hf`` and ``hi`` (rows by handler id), which hold
    their totals so far."""
    for h in handlers:
        hf[h.hid, HF_WORKED_TOTAL], hf[h.hid, HF_DUTY_TOTAL], hf[h.hid, HF_WAIT] = (
            h.worked_total,
            h.duty_total,
            h.wait_total,
        )
        hi[h.hid, HI_SERVED], hi[h.hid, HI_WAITED] = h.served_total, h.waited
        h.__class__ = KernelHandler
        h.tables = (hf, hi)
