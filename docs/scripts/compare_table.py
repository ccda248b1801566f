"""Compare table: baseline vs each reform, raw and at equal staff, over common seeds."""

import sys

import numpy as np

from townsim.model import TownshipModel
from townsim.model.staffing import equalise_staff
from townsim.scenarios import load_scenario

KEYS = [
    "on_time_rate_tier1",
    "on_time_rate_tier3",
    "on_time_rate_tier5",
    "requester_hours_per_case",
    "trips_to_seat_per_case",
    "township_service_share",
    "township_utilisation",
    "staff_hours",
    "staff_posts",
]
names = sys.argv[1].split(",")
days = int(sys.argv[2])
seeds = range(100, 100 + int(sys.argv[3]))
base = load_scenario("baseline").params
print("| scenario | staff | " + " | ".join(KEYS) + " |")
print("|---" * (len(KEYS) + 2) + "|")
for n in names:
    sc = load_scenario(n)
    variants = [("raw", sc.params)]
    if n != "baseline":
        root = load_scenario(sc.chain[-1]).params
        eq = equalise_staff(sc.params, root)
        if eq.department_staff != sc.params.department_staff:
            pre = dict(sc.params.pre_reform)
            pre.setdefault("department_staff", sc.params.department_staff)
            variants.append(("equal", eq.replace(pre_reform=pre)))
    for label, p in variants:
        vals = np.array([[TownshipModel(p, rng=s).run(days).summary()[k] for k in KEYS] for s in seeds])
        m = np.nanmean(vals, 0)
        h = 1.96 * np.nanstd(vals, 0, ddof=1) / np.sqrt(len(seeds))
        print(
            f"| {n} | {label} | "
            + " | ".join(f"{a:.3f}±{b:.3f}" if abs(a) < 100 else f"{a:.0f}" for a, b in zip(m, h))
            + " |",
            flush=True,
        )
