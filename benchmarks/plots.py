"""Scaling plots from a benchmark JSON: ``python -m benchmarks.plots results.json [out_dir]``.

One figure, two panels (log-log): time against residents at a fixed
per-resident request rate, with the number of requests (scaled to the first
point) as the reference it should not outgrow; and time against residents at
a fixed total request volume, with a flat reference. Full runs write
``benchmarks/scaling.png``; ``--quick`` runs write ``benchmarks/out/scaling-quick.png``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def plot_scaling(report: dict, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    quick = "--quick" in report.get("command", "")
    if quick:
        out_dir = out_dir / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    d = report["derived"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
    titles = {
        "rate": "fixed per-resident rate (staff ∝ residents)",
        "volume": "fixed total request volume (staff fixed)",
    }
    for ax, mode in zip(axes, ("rate", "volume")):
        e = d.get(f"scaling_{mode}")
        if not e:
            ax.set_visible(False)
            continue
        pts = e["points"]
        x = [p["residents"] for p in pts]
        ax.plot(x, [p["wall_s"] for p in pts], "o-", label=f"build + run (slope {e['slope_wall_vs_residents']:.2f})")
        ax.plot(x, [p["run_s"] for p in pts], "s-", label=f"run only (slope {e['slope_run_vs_residents']:.2f})")
        if all(p.get("cases_created") for p in pts):
            ref = [pts[0]["run_s"] * p["cases_created"] / pts[0]["cases_created"] for p in pts]
            ax.plot(x, ref, "k--", lw=1, label="∝ cases created (run-only at first point)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("residents (= citizen agents, residents_per_agent = 1)")
        ax.set_ylabel("median wall time (s)")
        ax.set_title(titles[mode], fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    m = report["machine"]
    fig.suptitle(
        f"townsim scaling, {report['cases'][next(iter(report['cases']))]['args'].get('days', '')} days "
        f"· {m['cpu']} ×{m['cpus_available']} · git {report['git']}",
        fontsize=9,
    )
    path = out_dir / ("scaling-quick.png" if quick else "scaling.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return [path]


if __name__ == "__main__":
    rep = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent
    for p in plot_scaling(rep, out):
        print(p)
