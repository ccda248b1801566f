"""docs/findings.md generator: conclusion first from the comparisons, rankings, regime differences,
commands at the top, the discover section kept, missing analyses said to be missing."""

import pandas as pd

from townsim.experiments.workflows.findings import DISCOVER_BEGIN, DISCOVER_END, render


def test_render_from_result_folders(tmp_path):
    cmp = tmp_path / "compare"
    cmp.mkdir()
    pd.DataFrame(
        [
            {
                "scenario": "full_reform",
                "kpi": "on_time_rate",
                "difference": 0.04,
                "ci_low": 0.02,
                "ci_high": 0.06,
                "significant": True,
            },
            {
                "scenario": "full_reform+equal_staff",
                "kpi": "on_time_rate",
                "difference": -0.03,
                "ci_low": -0.05,
                "ci_high": -0.01,
                "significant": True,
            },
            {
                "scenario": "grid_governance",
                "kpi": "on_time_rate",
                "difference": -0.001,
                "ci_low": -0.01,
                "ci_high": 0.008,
                "significant": False,
            },
        ]
    ).to_csv(cmp / "comparison.csv", index=False)
    sob = tmp_path / "sobol"
    sob.mkdir()
    pd.DataFrame(
        [
            {
                "scenario": "baseline",
                "output": "on_time_rate",
                "parameter": "staff_transfer",
                "rank": 1,
                "influential": True,
                "value": 0.6,
            },
            {
                "scenario": "baseline",
                "output": "on_time_rate",
                "parameter": "app_reporting",
                "rank": 2,
                "influential": False,
                "value": 0.01,
            },
        ]
    ).to_csv(sob / "rankings.csv", index=False)
    pd.DataFrame(
        [
            {
                "output": "on_time_rate",
                "a": "baseline",
                "b": "full_reform",
                "kendall_tau": 0.2,
                "top_a": "",
                "top_b": "",
                "changed": "staff_transfer (rank 1 vs 4)",
                "suggestive": "",
            }
        ]
    ).to_csv(sob / "regimes.csv", index=False)
    prev = f"old\n{DISCOVER_BEGIN}\nboxes found by discover\n{DISCOVER_END}\n"
    text = render(tmp_path, prev)
    concl = text[text.index("## Conclusion") : text.index("## Evidence")]
    assert "full_reform raises the on-time rate (+4.0 pts" in concl
    assert "grid_governance does not clearly change" in concl
    assert text.index("```bash") < text.index("## Conclusion")  # commands at the top
    assert "**staff_transfer**, app_reporting" in text and "τ = 0.20" in text
    # one `compare --equal-staff` feeds both sections: raw runs in one, their equal-staff runs in the other
    assert "full_reform+equal_staff lowers the on-time rate" in concl and "at equal staff)" in concl
    raw = text[text.index("### Default comparison") : text.index("### At equal staff")]
    assert "| full_reform |" in raw and "+equal_staff" not in raw
    assert "*Not run yet* (`" in text  # missing analyses (Morris without rankings here) are said
    assert "boxes found by discover" in text  # the discover section is kept
