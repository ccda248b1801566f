"""The matter catalogue (事项清单): what can be requested, who owns it, how hard it is.

Stored as numpy arrays, one row per matter type. Generated from the
parameters and the run's random generator, or loaded from a CSV file that a
scenario names (planners have real lists: Linping's first batch has 425
service products in 9 categories, F3). Three dispute matter types, handled
by the township (grid and mediation, G7–G9), are always appended.

CSV columns (one row per matter type; header required):
``name, category, requester, weight, difficulty, hours, departments, district``
where ``requester`` is ``enterprise`` or ``citizen``, ``difficulty`` is one of
``simple, general, difficult, complex``, ``hours`` the base work-hours of one
department step, ``departments`` the 0-based indices of the departments
needed, owner first, separated by ``;`` (e.g. ``3;7``), and ``district``
``true``/``false`` (needs district-level coordination, 135 tier 5).
"""

from __future__ import annotations

import csv
import math
import os
import stat
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from pathlib import Path

import numpy as np

from .params import Params


class Difficulty(IntEnum):
    """A matter's difficulty (F9)."""

    SIMPLE = 0
    GENERAL = 1
    DIFFICULT = 2
    COMPLEX = 3


class Requester(IntEnum):
    """Who files a case: an enterprise, a citizen, or a resident's dispute."""

    ENTERPRISE = 0
    CITIZEN = 1
    DISPUTE = 2


class Tier(IntEnum):
    """135 tier of a matter (F11): one department (1 day), several (3 days), district coordination (5 days)."""

    TIER1 = 0
    TIER3 = 1
    TIER5 = 2


DIFFICULTIES = ("simple", "general", "difficult", "complex")
SIMPLE, GENERAL, DIFFICULT, COMPLEX = Difficulty
REQUESTERS = ("enterprise", "citizen", "dispute")
ENTERPRISE, CITIZEN, DISPUTE = Requester
TIER_NAMES = ("tier1", "tier3", "tier5")
"""Names of the ``Tier`` codes, by code."""

ENTERPRISE_CATEGORIES = (  # F3: the centre's 9 categories (property/tax at its windows)
    "talent",
    "investment",
    "approval",
    "policy_payout",
    "economic_analysis",
    "request_coordination",
    "business_environment",
    "risk_control",
    "property",
)
CITIZEN_CATEGORIES = ("social_security", "household", "civil_affairs", "health", "housing", "property")
DISPUTE_MEDIATION, DISPUTE_GENERAL, DISPUTE_ESCALATED = "dispute_mediation", "dispute_general", "dispute_escalated"
LOCAL_PROBLEMS = ("local_hazard", "local_sanitation", "local_facility")
"""Local problems a grid worker finds on patrol besides disputes (safety hazards, sanitation, public
facilities, G7–G9): township matters, filed by the grid or, once they surface, by a resident's call."""
ENQUIRY = "enquiry"
"""The catalogue row of an enquiry (咨询: information or guidance about a matter, answered by whoever
receives it): one step of ``enquiry_hours``; the matter asked about is the case's ``subject``."""
DISPUTE_KINDS = (DISPUTE_MEDIATION, DISPUTE_GENERAL, DISPUTE_ESCALATED)
APPENDED = len(DISPUTE_KINDS) + len(LOCAL_PROBLEMS) + 1
"""Matter types appended to every catalogue: the three dispute types, the local problems, the enquiry."""
DISPUTE_OWNER = 0
"""Department that joins a dispute once it has surfaced late (escalated disputes need it)."""
TOWNSHIP = -1
"""Owner marker: the township handles the step itself."""


MAX_CATALOGUE_BYTES = 16 * 1024**2
"""Largest catalogue file read (16 MiB; Linping's 425 matters fit in a few tens of KiB)."""
MAX_FIELD_CHARS = 200
"""Longest value of one CSV field (a matter name or category), in characters."""


class CatalogueError(ValueError):
    """A catalogue CSV is invalid; ``str()`` is one line naming file, row and column."""


@dataclass
class MatterCatalogue:
    """Matter types as parallel numpy arrays (length M, dispute types last)."""

    name: np.ndarray  # str
    category: np.ndarray  # str
    requester: np.ndarray  # int8: ENTERPRISE / CITIZEN / DISPUTE
    weight: np.ndarray  # float: relative frequency within its requester kind
    difficulty: np.ndarray  # int8: SIMPLE..COMPLEX (F9)
    hours: np.ndarray  # float: base work-hours of one department step
    departments: np.ndarray  # int32 (M, K): departments needed, owner first, -1 padded; TOWNSHIP for disputes
    n_departments: np.ndarray  # int8
    district: np.ndarray  # bool: needs district-level coordination (tier 5)
    _ids: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.name)

    @property
    def owner(self) -> np.ndarray:
        return self.departments[:, 0]

    @property
    def tier(self) -> np.ndarray:
        """135 tier index: 0 one department, 1 several, 2 district coordination (F11)."""
        t = np.where(self.n_departments > 1, 1, 0)
        return np.where(self.district, 2, t).astype(np.int8)

    @property
    def start_level(self) -> np.ndarray:
        """Starting escalation level by difficulty (F9), capped by what the tier needs."""
        cap = self.tier + 1  # tier1 -> at most the chief representative, tier3 -> office, tier5 -> conference
        return np.minimum(self.difficulty, cap).astype(np.int8)

    @property
    def is_property(self) -> np.ndarray:
        return self.category == "property"

    def service_ids(self, requester: int) -> np.ndarray:
        return np.flatnonzero(self.requester == requester)

    @cached_property
    def is_dispute(self) -> np.ndarray:
        """Per matter type: is it one of the dispute types (``DISPUTE_KINDS``)? Made once (read every day by
        the petitions)."""
        out = np.zeros(len(self.name), dtype=bool)
        out[[self.dispute_id(k) for k in DISPUTE_KINDS]] = True
        return out

    def dispute_id(self, name: str) -> int:
        """Index of the dispute type ``name`` (looked up once: asked for every closed case)."""
        if name not in self._ids:
            self._ids[name] = int(np.flatnonzero(self.name == name)[0])
        return self._ids[name]


def generate(params: Params, rng: np.random.Generator) -> MatterCatalogue:
    """A synthetic catalogue: Zipf frequencies, rarer matters harder and more cross-department."""
    m = params.matter_types
    D = params.departments
    rank = np.arange(m)
    weight = (rank + 1.0) ** -params.catalogue_zipf
    q = rank / max(m - 1, 1)  # 0 = most frequent, 1 = rarest
    probs = np.stack([0.75 - 0.55 * q, 0.2 + 0.1 * q, 0.04 + 0.26 * q, 0.01 + 0.19 * q], axis=1)
    probs /= probs.sum(axis=1, keepdims=True)
    u = rng.random(m)
    difficulty = (u[:, None] > np.cumsum(probs, axis=1)).sum(axis=1).astype(np.int8)
    difficulty[0] = SIMPLE  # the most frequent matter is a simple one
    requester = np.where(rng.random(m) < 0.5, ENTERPRISE, CITIZEN).astype(np.int8)
    requester[0], requester[min(1, m - 1)] = CITIZEN, ENTERPRISE if m > 1 else CITIZEN
    extra = np.select(
        [difficulty == SIMPLE, difficulty == GENERAL, difficulty == DIFFICULT],
        [0, (rng.random(m) < 0.3).astype(int), 1 + rng.integers(0, 2, m)],
        default=1 + rng.integers(0, 3, m),
    )
    extra = np.minimum(extra, D - 1)
    district = ((difficulty == COMPLEX) & (rng.random(m) < 0.7)) | ((difficulty == DIFFICULT) & (rng.random(m) < 0.2))
    sigma = params.matter_hours_spread
    hours = np.asarray(params.difficulty_hours)[difficulty] * np.exp(sigma * rng.standard_normal(m) - sigma**2 / 2)
    K = int(extra.max()) + 1 if m else 1
    departments = np.full((m, max(K, 2)), -1, dtype=np.int32)
    for i in range(m):
        chosen = rng.choice(D, size=extra[i] + 1, replace=False)
        departments[i, : extra[i] + 1] = chosen
    category = np.empty(m, dtype=object)
    for i in range(m):
        cats = ENTERPRISE_CATEGORIES if requester[i] == ENTERPRISE else CITIZEN_CATEGORIES
        category[i] = cats[rng.integers(len(cats))]
    name = np.array([f"matter_{i:04d}" for i in range(m)], dtype=object)
    cat = MatterCatalogue(
        name, category, requester, weight, difficulty, hours, departments, (extra + 1).astype(np.int8), district
    )
    return _with_disputes(cat, params)


def load_csv(path: str | Path, params: Params) -> MatterCatalogue:
    """Load a catalogue CSV (columns in the module docstring); CatalogueError on bad rows."""
    path = Path(path)
    text = _read_text(path)
    reader = csv.DictReader(text.splitlines(keepends=True))
    rows, lines = [], []
    limit = csv.field_size_limit(len(text) + 1)  # the file's size is capped; over-long fields are named below
    try:
        for row in reader:
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise CatalogueError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from None
    finally:
        csv.field_size_limit(limit)
    need = ("name", "category", "requester", "weight", "difficulty", "hours", "departments", "district")
    if not rows:
        raise CatalogueError(f"{path}: matter catalogue is empty")
    missing = [c for c in need if c not in rows[0]]
    if missing:
        raise CatalogueError(f"{path}: missing column(s) {', '.join(missing)}; required: {', '.join(need)}")
    names, cats, reqs, weights, diffs, hours, deps, districts = [], [], [], [], [], [], [], []
    for line, row in zip(lines, rows):
        try:
            req, diff, w, h, d, dist = _checked_row(row, params)
        except (ValueError, KeyError, AttributeError) as exc:
            raise CatalogueError(f"{path}:{line}: {exc}") from None
        names.append(row["name"].strip())
        cats.append(row["category"].strip())
        reqs.append(ENTERPRISE if req == "enterprise" else CITIZEN)
        weights.append(w)
        diffs.append(DIFFICULTIES.index(diff))
        hours.append(h)
        deps.append(d)
        districts.append(dist in ("true", "1", "yes"))
    K = max(2, max(map(len, deps)))
    departments = np.full((len(rows), K), -1, dtype=np.int32)
    for i, d in enumerate(deps):
        departments[i, : len(d)] = d
    cat = MatterCatalogue(
        np.array(names, dtype=object),
        np.array(cats, dtype=object),
        np.array(reqs, dtype=np.int8),
        np.array(weights),
        np.array(diffs, dtype=np.int8),
        np.array(hours),
        departments,
        np.array([len(d) for d in deps], dtype=np.int8),
        np.array(districts, dtype=bool),
    )
    return _with_disputes(cat, params)


def _checked_row(row: dict, params: Params) -> tuple[str, str, float, float, list[int], str]:
    """One catalogue row's requester, difficulty, weight, hours, departments and district flag, checked
    (``ValueError`` naming the column and what is allowed)."""
    for column, value in row.items():
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            raise ValueError(f"{column}: {len(value):,} characters; allowed: at most {MAX_FIELD_CHARS} characters")
    req = row["requester"].strip()
    if req not in ("enterprise", "citizen"):
        raise ValueError(f"requester {req!r}; allowed: enterprise, citizen")
    diff = row["difficulty"].strip()
    if diff not in DIFFICULTIES:
        raise ValueError(f"difficulty {diff!r}; allowed: {', '.join(DIFFICULTIES)}")
    w, h = float(row["weight"]), float(row["hours"])
    if not (0 < w < math.inf and 0 < h < math.inf):
        raise ValueError("weight and hours must be finite numbers > 0")
    d = [int(x) for x in row["departments"].split(";") if x.strip()]
    if not d or len(set(d)) != len(d) or min(d) < 0 or max(d) >= params.departments:
        raise ValueError(
            f"departments {row['departments']!r}; allowed: distinct indices in [0, {params.departments - 1}] "
            "separated by ';'"
        )
    dist = row["district"].strip().lower()
    if dist not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"district {row['district']!r}; allowed: true, false")
    return req, diff, w, h, d, dist


def _read_text(path: Path) -> str:
    """The file's text: an ordinary file of at most MAX_CATALOGUE_BYTES in UTF-8 (CatalogueError otherwise).

    The file is opened without blocking and checked on the open descriptor, so a pipe or device is refused
    at once rather than read forever.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read matter catalogue ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CatalogueError(
                f"{path}: matter catalogue is not an ordinary file (a device, pipe or folder); give a CSV file"
            )
        if info.st_size > MAX_CATALOGUE_BYTES:
            raise CatalogueError(
                f"{path}: matter catalogue is {info.st_size / 1024**2:,.0f} MiB; the limit is "
                f"{MAX_CATALOGUE_BYTES // 1024**2} MiB"
            )
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read(MAX_CATALOGUE_BYTES + 1)
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read matter catalogue ({exc.strerror})") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > MAX_CATALOGUE_BYTES:
        raise CatalogueError(f"{path}: matter catalogue is larger than the {MAX_CATALOGUE_BYTES // 1024**2} MiB limit")
    try:
        return data.decode("utf-8-sig")  # -sig: Excel's "CSV UTF-8" has a BOM
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{path}: not UTF-8 text (byte {exc.start}); save the catalogue as CSV UTF-8") from None


def _with_disputes(cat: MatterCatalogue, params: Params) -> MatterCatalogue:
    """Append the three dispute types — mediated (simple), general, and escalated (surfaced late) — the
    local problems (``LOCAL_PROBLEMS``: simple township matters of residents, requester kind ``DISPUTE``
    like disputes: they reach the township through the grid or a resident's call, never through the
    demand of requests) and the enquiry row (``ENQUIRY``: never drawn as a request; its step goes to the
    receiver fixed at intake)."""
    h, f = params.difficulty_hours, params.dispute_hours_factor  # a dispute takes f × a request's hours
    q = params.enquiry_hours
    K = cat.departments.shape[1]
    n_local = len(LOCAL_PROBLEMS)
    n = 3 + n_local + 1
    dep = np.full((n, K), -1, dtype=np.int32)
    dep[:, 0] = TOWNSHIP
    dep[2, 1] = DISPUTE_OWNER  # a dispute that surfaced late also needs a department
    return MatterCatalogue(
        np.concatenate([cat.name, [*DISPUTE_KINDS, *LOCAL_PROBLEMS, ENQUIRY]]),
        np.concatenate([cat.category, ["dispute"] * 3, ["local problem"] * n_local, [ENQUIRY]]),
        np.concatenate([cat.requester, [DISPUTE] * n]).astype(np.int8),
        np.concatenate([cat.weight, [1.0] * n]),
        np.concatenate([cat.difficulty, [SIMPLE, GENERAL, DIFFICULT], [SIMPLE] * (n_local + 1)]).astype(np.int8),
        np.concatenate([cat.hours, [h[SIMPLE] * f, h[GENERAL] * f, h[DIFFICULT] * f], [h[SIMPLE]] * n_local, [q]]),
        np.concatenate([cat.departments, dep]),
        np.concatenate([cat.n_departments, [1, 1, 2], [1] * (n_local + 1)]).astype(np.int8),
        np.concatenate([cat.district, [False] * n]),
    )


def build(params: Params, rng: np.random.Generator, base_dir: Path | None = None) -> MatterCatalogue:
    """The run's catalogue: loaded when ``params.matter_catalogue`` names a CSV, else generated."""
    if params.matter_catalogue:
        path = Path(params.matter_catalogue)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return load_csv(path, params)
    return generate(params, rng)
