"""Cases (诉求/事项) as plain records: a growable structure of numpy arrays, not agents.

Times are in working hours since the start of the run (day ``d`` spans
``[8d, 8d + 8)``), so "closed within 1 hour" (F5) is measurable.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from . import gcpolicy
from .catalogue import REQUESTERS

FIELDS: dict[str, tuple[type, object]] = {
    "requester_kind": (np.int8, 0),  # catalogue.Requester
    "requester": (np.int32, -1),  # index of the Enterprise or Citizen agent
    "township": (np.int32, -1),
    "matter": (np.int32, -1),
    "tier": (np.int8, 0),  # catalogue.Tier: 1-day, 3-day, 5-day tier (F11)
    "difficulty": (np.int8, 0),  # F9
    "onset": (np.float64, np.nan),  # when the need arose (disputes: before they surface), hours
    "created": (np.float64, np.nan),  # when the request was filed, hours
    "deadline": (np.float64, np.nan),  # created + tier deadline, hours
    "started": (np.float64, np.nan),  # when work on its first step began, hours
    "closed": (np.float64, np.nan),  # hours; NaN while open
    "level": (np.int8, 0),  # escalation.Level (0 handler .. 3 joint conference)
    "start_level": (np.int8, 0),
    "boost": (np.int8, 0),  # level whose coordination has been done (queue priority)
    "escalations": (np.int8, 0),
    "trips": (np.int16, 0),  # visits to an office (seat or township hall)
    "seat_trips": (np.int16, 0),  # of which trips to the county seat
    "travel": (np.float64, 0.0),  # requester's travel hours to and from the seat
    "at_seat": (np.bool_, False),  # filed in person at the seat (runs between departments when serial)
    "referred": (np.bool_, False),  # reached its department through a referral hop
    "errand": (np.bool_, False),  # filed for an enterprise by a commissioner (errand, F10)
    "desk_decided": (np.bool_, False),  # decided on the spot by a chief representative at the centre (F7, F9)
    "enquiry": (np.bool_, False),  # asks for information or guidance (咨询): answered by whoever received it
    "subject": (np.int32, -1),  # an enquiry's matter asked about (``matter`` is the catalogue's enquiry row)
    "receiver": (np.int32, -1),  # handler of its one step fixed at intake (desk decision, enquiry); −1: by matter
    "hop_clerk": (np.float64, np.nan),  # hours from filing until its file was sent (clerk, dispatcher or errand)
    "hop_courier": (np.float64, 0.0),  # hours its file waited for a courier run (first pass)
    "misrouted": (np.bool_, False),  # its file first reached the wrong department
    "hop_misrouted": (np.float64, 0.0),  # hours lost on the wrong department's desk and the extra courier run
    "needs_coord": (np.bool_, False),  # tier 3/5: a coordination step before its department steps
    "whistle": (np.bool_, False),  # township-held case whose department is called by whistle (P3)
    "overdue": (np.bool_, False),  # its deadline passed while it was open (marked at the day's end)
    "reworks": (np.int16, 0),
    "online": (np.bool_, False),  # filed online or through a commissioner: no trips
    "joint": (np.bool_, False),  # department steps handled in parallel
    "delegated": (np.bool_, False),  # owner step handled by the township (强镇扩权)
    "petitioned": (np.bool_, False),  # became a petition (上访)
    "outstanding": (np.int16, 0),  # department/township steps not yet finished
    "source": (np.int8, 0),  # Source: walk-in, online, hotline, grid report, township call
    "channel": (np.int8, 0),  # Channel: online, township hall, trip to the seat
    "contact": (np.int16, 0),  # 0 for a first contact, k for the k-th repeat of its chain
    "repeat_of": (np.int32, -1),  # first case of the chain this repeat contact belongs to (−1: a first contact)
    "resolved": (np.bool_, False),  # closed and really resolved (resolution)
    "gamed": (np.bool_, False),  # closed without solving near its deadline (gaming)
    "called_back": (np.bool_, False),  # checked by a call-back (回访)
    "work_share": (np.float32, np.nan),  # share of its steps worked when closed
    "reported": (np.bool_, False),  # a dispute reported by its resident through the app (grid)
    "petition_decided": (np.bool_, False),  # its resident has decided whether to petition
}


class Source(IntEnum):
    """How a case reached the government."""

    WALK_IN = 0
    ONLINE = 1
    HOTLINE = 2
    GRID_REPORT = 3
    TOWNSHIP_CALL = 4


class Channel(IntEnum):
    """Where a request is filed: online, at the township hall, or by a trip to the county seat."""

    ONLINE = 0
    HALL = 1
    SEAT = 2


SOURCES = ("walk-in", "online", "hotline", "grid report", "township call")
"""Names of the ``Source`` codes, by code."""
WALK_IN, ONLINE_SOURCE, HOTLINE, GRID_REPORT, TOWNSHIP_CALL = Source
CHANNELS = ("online", "township hall", "trip to the seat")
"""Names of the ``Channel`` codes, by code."""
ONLINE, HALL, SEAT = Channel


BLOCK_DTYPES = (np.int8, np.int16, np.int32, np.int64, np.float32, np.float64, np.bool_)
"""The dtypes of the case table's blocks, in ``CaseTable.blocks`` order."""
BLOCK_FIELDS = tuple(tuple(k for k, (t, _) in FIELDS.items() if t is d) for d in BLOCK_DTYPES)
"""The fields of each block, in ``FIELDS`` order (a field is the row of its position)."""
LAYOUT = {name: (b, row) for b, names in enumerate(BLOCK_FIELDS) for row, name in enumerate(names)}
"""Each field's (block, row) in ``CaseTable.blocks``."""
_DEFAULTS: tuple[np.ndarray, ...] = tuple(
    np.array([FIELDS[name][1] for name in names], dtype=d)[:, None] for names, d in zip(BLOCK_FIELDS, BLOCK_DTYPES)
)
"""Each block's field defaults, a column (``CaseTable.add`` writes them into the new rows)."""
_NONZERO_ROWS: tuple[np.ndarray, ...] = tuple(
    np.array([r for r, name in enumerate(names) if not FIELDS[name][1] == 0], dtype=np.intp) for names in BLOCK_FIELDS
)
"""Each block's fields (rows) whose default is not zero (NaN compares unequal): ``CaseTable.add`` writes only these
ahead; a zero default is what the free rows hold already, and a column written with nothing but its zeros (a hop
no file takes) stays untouched zero pages."""
_NONZERO_DEFAULTS = tuple(d[rows] for d, rows in zip(_DEFAULTS, _NONZERO_ROWS))
"""Those fields' defaults, a column per block."""
NONZERO_FIELDS = tuple(name for name, (_, default) in FIELDS.items() if not default == 0)
"""The fields whose default is not zero: what a writer of whole rows (``CaseTable.reserve``) must write."""


DEFAULTS_AHEAD = 4096
"""Rows whose defaults ``CaseTable.add`` writes ahead of the rows in use (a few pages of each column)."""
GROWTH = 8
"""How much the case table's capacity grows at a time (its free rows are untouched zero pages, ``gcpolicy.zeros``)."""
CAPACITY = 1 << 18
"""A new case table's rows: a county-year's cases (57,791 in ``full_reform``), so that it is not copied while it grows
(4,096 → 262,144 in two copies cost 3.7 ms of a 0.26 s ``full_reform`` year); free rows are untouched zero pages."""


class CaseTable:
    """Structure-of-arrays case store; ``n`` rows are in use. One array per entry of ``FIELDS``: row of a 2-D
    block that holds the fields of its dtype (``blocks``), so that a kernel takes the table as a few arrays."""

    requester_kind: np.ndarray
    requester: np.ndarray
    township: np.ndarray
    matter: np.ndarray
    tier: np.ndarray
    difficulty: np.ndarray
    onset: np.ndarray
    created: np.ndarray
    deadline: np.ndarray
    started: np.ndarray
    closed: np.ndarray
    level: np.ndarray
    start_level: np.ndarray
    boost: np.ndarray
    escalations: np.ndarray
    trips: np.ndarray
    seat_trips: np.ndarray
    travel: np.ndarray
    at_seat: np.ndarray
    referred: np.ndarray
    errand: np.ndarray
    desk_decided: np.ndarray
    enquiry: np.ndarray
    subject: np.ndarray
    receiver: np.ndarray
    hop_clerk: np.ndarray
    hop_courier: np.ndarray
    misrouted: np.ndarray
    hop_misrouted: np.ndarray
    needs_coord: np.ndarray
    whistle: np.ndarray
    overdue: np.ndarray
    reworks: np.ndarray
    online: np.ndarray
    joint: np.ndarray
    delegated: np.ndarray
    petitioned: np.ndarray
    outstanding: np.ndarray
    source: np.ndarray
    channel: np.ndarray
    contact: np.ndarray
    repeat_of: np.ndarray
    resolved: np.ndarray
    gamed: np.ndarray
    called_back: np.ndarray
    work_share: np.ndarray
    reported: np.ndarray
    petition_decided: np.ndarray

    def __init__(self, capacity: int = CAPACITY):
        self.n = 0
        self._cap = max(16, capacity)
        self.blocks: tuple[np.ndarray, ...] = ()
        self._allocate(self._cap)

    def _allocate(self, cap: int) -> None:
        """(Re)allocate the blocks with capacity ``cap``, keeping the ``n`` rows in use; link the columns. The
        free rows are zero pages (``gcpolicy.zeros``: no memory until written); ``add`` writes a new row's defaults.
        Each old row is freed once copied (the old blocks are no longer used): growth never holds two tables."""
        n = self.n
        old = self.blocks
        blocks = []
        for b, names in enumerate(BLOCK_FIELDS):
            block = gcpolicy.zeros((len(names), cap), BLOCK_DTYPES[b])
            for row in range(len(names) if n else 0):
                block[row, :n] = old[b][row, :n]
                gcpolicy.release(old[b][row])  # the old row's pages freed before the next is copied
            blocks.append(block)
        self.blocks = tuple(blocks)
        self._filled = n  # the free rows are zeros again: their defaults are written as they are added
        self._link()

    def _link(self) -> None:
        """Each field's attribute: its row of its dtype's block (a view: writing it writes the block)."""
        for name, (b, row) in LAYOUT.items():
            setattr(self, name, self.blocks[b][row])

    def __getstate__(self) -> dict:
        """The blocks' rows in use and the counters, not the columns (a copied view would be an array of its
        own) nor the free rows (a copy or a pickle holds only what is used; the capacity is zero pages again)."""
        state = {k: v for k, v in self.__dict__.items() if k not in FIELDS}
        state["blocks"] = tuple(b[:, : self.n] for b in self.blocks)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        used, n = self.blocks, self.n
        blocks = []
        for b, names in enumerate(BLOCK_FIELDS):
            block = gcpolicy.zeros((len(names), self._cap), BLOCK_DTYPES[b])
            block[:, :n] = used[b][:, :n]
            blocks.append(block)
        self.blocks = tuple(blocks)
        self._filled = n
        self._link()

    def add(self, count: int, **values) -> np.ndarray:
        """Append ``count`` cases with the given field values (scalars or arrays); return their ids."""
        need = self.n + count
        if need > self._cap:  # eightfold: fewer copies; the free rows cost no memory until used
            cap = max(need, GROWTH * self._cap)
            self._allocate(cap)
            self._cap = cap
        ids = np.arange(self.n, need)
        filled = self.__dict__.get("_filled", self.n)  # rows whose defaults are written
        if need > filled:  # the next rows' defaults, a chunk at a time (a few pages ahead, not one fill a batch)
            end = min(self._cap, max(need, filled + DEFAULTS_AHEAD))
            for b, block in enumerate(self.blocks):
                rows = _NONZERO_ROWS[b]
                if len(rows) == len(block):
                    block[:, filled:end] = _DEFAULTS[b]
                elif len(rows):
                    block[rows, filled:end] = _NONZERO_DEFAULTS[b]
            self._filled = end
        for name, value in values.items():
            getattr(self, name)[self.n : need] = value
        self.n = need
        return ids

    def reserve(self, count: int) -> int:
        """Room for ``count`` new rows that the caller writes in full — every field of ``NONZERO_FIELDS`` (the
        others stay the free rows' zeros): the compiled intake's kernel call (``kernel.route.route_rows``) writes
        them, so no defaults are written ahead here (``add``'s chunk, ~0.2 ms each 4,096 rows). Returns the first
        row's id; ``add`` writes no default over the rows reserved."""
        n0 = self.n
        need = n0 + count
        if need > self._cap:
            cap = max(need, GROWTH * self._cap)
            self._allocate(cap)
            self._cap = cap
        if need > self.__dict__.get("_filled", n0):
            self._filled = need
        self.n = need
        return n0

    def view(self, name: str) -> np.ndarray:
        """The used part of field ``name``."""
        return getattr(self, name)[: self.n]

    @property
    def is_open(self) -> np.ndarray:
        return np.isnan(self.closed[: self.n])

    def __len__(self) -> int:
        return self.n


_CONSTANT: dict = {}
"""``constant_column``'s columns by (code, dtype)."""


def constant_column(code: int, n: int, dtype) -> np.ndarray:
    """A column of ``n`` copies of the code ``code`` (e.g. a batch's source or requester kind): a view of one kept
    column, made again only when longer ones are asked (a batch's ``np.full`` costs ~1.5 µs). Read it only."""
    key = (code, dtype)  # (an ``IntEnum`` code is the same key as its int)
    col = _CONSTANT.get(key)
    if col is None or len(col) < n:
        col = _CONSTANT[key] = np.full(max(n, 256 if col is None else 2 * len(col)), int(code), dtype)
    return col[:n]


def frame(model):
    """The per-case table of a model as a pandas DataFrame, one row per case.

    Columns: case, requester_kind, requester, township, matter, matter_name, source, channel,
    tier (1/3/5), difficulty, onset/created/deadline/started/closed (working days since the
    start), trips, travel_hours, reworks, escalations, delegated, on_time, resolved, gamed,
    called_back, petitioned, contact (0 = first), repeat_of (−1 = a first contact).
    """
    import pandas as pd  # deferred: a run needs no pandas until its case table is asked for

    c = model.cases
    n = c.n
    days = 8.0
    closed = c.view("closed")
    return pd.DataFrame(
        {
            "case": np.arange(n),
            "requester_kind": pd.Categorical.from_codes(c.view("requester_kind"), REQUESTERS),
            "requester": c.view("requester"),
            "township": c.view("township"),
            "matter": c.view("matter"),
            "matter_name": model.catalogue.name[c.view("matter")] if n else np.zeros(0, str),
            "source": pd.Categorical.from_codes(c.view("source"), SOURCES),
            "channel": pd.Categorical.from_codes(c.view("channel"), CHANNELS),
            "tier": np.array([1, 3, 5])[c.view("tier")],
            "difficulty": c.view("difficulty"),
            "onset_day": c.view("onset") / days,
            "created_day": c.view("created") / days,
            "deadline_day": c.view("deadline") / days,
            "started_day": c.view("started") / days,
            "closed_day": closed / days,
            "trips": c.view("trips"),
            "seat_trips": c.view("seat_trips"),
            "travel_hours": c.view("travel"),
            "referred": c.view("referred"),
            "reworks": c.view("reworks"),
            "escalations": c.view("escalations"),
            "delegated": c.view("delegated"),
            "on_time": ~np.isnan(closed) & (closed <= c.view("deadline")),
            "resolved": c.view("resolved"),
            "gamed": c.view("gamed"),
            "called_back": c.view("called_back"),
            "petitioned": c.view("petitioned"),
            "contact": c.view("contact"),
            "repeat_of": c.view("repeat_of"),
        }
    )
