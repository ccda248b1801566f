"""Reduced horizon of the `linping` calibration: KPIs of 40 working days against a full year (250).

    python3 docs/scripts/horizon_check.py 260,280,300,320 3

Runs `linping` at 5,000 residents per agent (as the calibration spec does) for each window staff and
seed 1…S, at 40 and at 250 days, and prints one Markdown row per (staff, days) with the mean over the
seeds and, for the F5 targets, the number of seeds that keep the bound (≥ 90 %).
"""

import sys

import numpy as np

from townsim.model import TownshipModel
from townsim.scenarios import load_scenario

TARGETS = ("property_simple_within_1h_share", "property_complex_within_8h_share")
HELD_OUT = ("on_time_rate", "on_time_rate_tier3", "on_time_rate_tier5")

staffs = [float(s) for s in sys.argv[1].split(",")]
seeds = range(1, 1 + int(sys.argv[2]))
base = load_scenario("linping").params
print("| department_staff | days | " + " | ".join(HELD_OUT + TARGETS) + " | seeds keeping both F5 bounds |")
print("|---" * (len(HELD_OUT + TARGETS) + 3) + "|")
for staff in staffs:
    p = base.replace(residents_per_agent=5000, department_staff=staff)
    for days in (40, 250):
        runs = [TownshipModel(p, rng=s).run(days).summary() for s in seeds]
        cells = [f"{100 * np.mean([r[k] for r in runs]):.2f} %" for k in HELD_OUT + TARGETS]
        keep = sum(all(r[k] >= 0.9 for k in TARGETS) for r in runs)
        print(f"| {staff:.0f} | {days} | " + " | ".join(cells) + f" | {keep} of {len(runs)} |")
