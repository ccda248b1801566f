"""Mechanism: the matter catalogue (model/catalogue.py).

Generated catalogues (aligned arrays, Zipf weights, difficulty → departments /
district / hours, 135 tier and F9 start level), the three dispute types that
are always appended, and CSV loading with one-line ``file:line`` errors.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from townsim.model import Params, TownshipModel
from townsim.model.catalogue import (
    APPENDED,
    CITIZEN,
    COMPLEX,
    DIFFICULT,
    DIFFICULTIES,
    DISPUTE,
    DISPUTE_ESCALATED,
    DISPUTE_GENERAL,
    DISPUTE_MEDIATION,
    DISPUTE_OWNER,
    ENQUIRY,
    ENTERPRISE,
    GENERAL,
    LOCAL_PROBLEMS,
    SIMPLE,
    TOWNSHIP,
    CatalogueError,
    generate,
    load_csv,
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "scenarios" / "catalogues" / "example_matters.csv"
HEADER = "name,category,requester,weight,difficulty,hours,departments,district\n"
GOOD_ROW = "licence,approval,enterprise,3,simple,0.5,0,false\n"


def gen(seed=0, **kw):
    p = Params(**{"matter_types": 200, "departments": 12, **kw})
    return generate(p, np.random.default_rng(seed)), p


# --- generated catalogue ----------------------------------------------------


@pytest.mark.parametrize("m,d", [(1, 1), (2, 1), (7, 3), (200, 12), (300, 2)])
def test_generated_arrays_are_aligned_and_department_rows_valid(m, d):
    cat, p = gen(seed=m + d, matter_types=m, departments=d)
    n = m + APPENDED  # three dispute types and the local problems
    for name in ("name", "category", "requester", "weight", "difficulty", "hours", "n_departments", "district"):
        assert len(getattr(cat, name)) == n, name
    assert cat.departments.shape[0] == n and cat.departments.shape[1] >= 2
    assert len(cat) == n
    for i in range(m):
        k = int(cat.n_departments[i])
        row = cat.departments[i]
        assert 1 <= k <= d
        assert np.all((row[:k] >= 0) & (row[:k] < d)), row
        assert len(set(row[:k].tolist())) == k, f"departments repeated in {row}"
        assert np.all(row[k:] == -1), row
    assert np.all(cat.hours[:m] > 0)
    assert set(cat.requester[:m].tolist()) <= {ENTERPRISE, CITIZEN}
    assert len(set(cat.name.tolist())) == n


@pytest.mark.parametrize("s", [0.0, 0.8, 1.1, 2.0])
def test_zipf_weights_follow_rank_power_and_never_increase(s):
    cat, p = gen(catalogue_zipf=s)
    w = cat.weight[: p.matter_types]
    assert np.all(np.diff(w) <= 0)
    # documented Zipf law: w_k ∝ (k + 1)^(-s), rank k from 0
    ranks = np.arange(1, p.matter_types + 1)
    np.testing.assert_allclose(w / w[0], ranks**-s, rtol=1e-12)


def test_difficulty_rules_departments_and_district():
    cat, p = gen(seed=3, matter_types=3000, departments=12)
    m = p.matter_types
    diff, k, dist = cat.difficulty[:m], cat.n_departments[:m], cat.district[:m]
    assert diff[0] == SIMPLE, "the most frequent matter is a simple one"
    assert np.all(k[diff == SIMPLE] == 1), "simple matters need one department"
    assert set(k[diff == GENERAL].tolist()) <= {1, 2}
    assert set(k[diff == DIFFICULT].tolist()) <= {2, 3}
    assert set(k[diff == COMPLEX].tolist()) <= {2, 3, 4}
    assert not dist[(diff == SIMPLE) | (diff == GENERAL)].any(), "only difficult/complex need the district"
    assert dist[diff == COMPLEX].mean() > dist[diff == DIFFICULT].mean() > 0
    # rarer matters are harder (probabilities shift with rank): compare the two ends
    q = m // 4
    assert diff[-q:].mean() > diff[:q].mean() + 0.5
    assert k[-q:].mean() > k[:q].mean()


def test_generated_hours_have_the_difficulty_means():
    cat, p = gen(seed=5, matter_types=6000, matter_hours_spread=0.3, difficulty_hours=(0.5, 1.0, 2.0, 4.0))
    m = p.matter_types
    for level, mean in enumerate(p.difficulty_hours):
        h = cat.hours[:m][cat.difficulty[:m] == level]
        assert len(h) > 200
        # lognormal with mean-one multiplier; sd of the mean ≈ mean·0.31/√n
        se = mean * np.sqrt(np.expm1(0.3**2)) / np.sqrt(len(h))
        assert abs(h.mean() - mean) < 4 * se, (level, h.mean(), mean)


def test_no_spread_gives_exact_difficulty_hours():
    cat, p = gen(matter_hours_spread=0.0)
    m = p.matter_types
    np.testing.assert_allclose(cat.hours[:m], np.asarray(p.difficulty_hours)[cat.difficulty[:m]])


def test_tier_and_start_level_rules():
    cat, p = gen(seed=8, matter_types=2000)
    k, dist, diff = cat.n_departments, cat.district, cat.difficulty
    # F11: one department → tier 1 (index 0); several → 3 (1); district coordination → 5 (2)
    expected_tier = np.where(dist, 2, np.where(k > 1, 1, 0))
    np.testing.assert_array_equal(cat.tier, expected_tier)
    # F9: start level = difficulty (simple 0 … complex 3), capped: tier-1 ≤ chief rep, tier-3 ≤ office
    for i in range(len(cat)):
        cap = {0: 1, 1: 2, 2: 3}[int(expected_tier[i])]
        assert cat.start_level[i] == min(int(diff[i]), cap)
    assert (cat.start_level == 3).any() and (cat.start_level == 0).any()


def test_same_seed_same_catalogue_other_seed_differs():
    a, _ = gen(seed=11)
    b, _ = gen(seed=11)
    c, _ = gen(seed=12)
    np.testing.assert_array_equal(a.departments, b.departments)
    np.testing.assert_array_equal(a.hours, b.hours)
    assert not np.array_equal(a.hours, c.hours)


# --- dispute types ------------------------------------------------------------


@pytest.mark.parametrize("source", ["generated", "csv"])
def test_dispute_types_local_problems_and_the_enquiry_row_are_appended(source):
    p = Params(matter_types=30, departments=6, difficulty_hours=(0.5, 1.25, 2.5, 7.0), enquiry_hours=0.3)
    cat = generate(p, np.random.default_rng(1)) if source == "generated" else load_csv(EXAMPLE, p)
    last = len(cat) - 1  # the enquiry row comes last
    assert cat.name[last] == ENQUIRY and cat.dispute_id(ENQUIRY) == last and cat.hours[last] == 0.3
    assert cat.requester[last] == DISPUTE and cat.n_departments[last] == 1 and cat.tier[last] == 0
    assert cat.difficulty[last] == SIMPLE and not cat.district[last]
    cat = cat.__class__(
        *(
            getattr(cat, f)[:last]
            for f in (
                "name",
                "category",
                "requester",
                "weight",
                "difficulty",
                "hours",
                "departments",
                "n_departments",
                "district",
            )
        )
    )
    n0 = len(cat) - len(LOCAL_PROBLEMS)  # the disputes end here; the local problems follow
    n = n0
    tail = slice(n - 3, n)
    assert cat.name[tail].tolist() == [DISPUTE_MEDIATION, DISPUTE_GENERAL, DISPUTE_ESCALATED]
    assert np.all(cat.requester[tail] == DISPUTE)
    assert not (cat.requester[: n - 3] == DISPUTE).any()
    local = slice(n0, len(cat))
    assert cat.name[local].tolist() == list(LOCAL_PROBLEMS)
    assert np.all(cat.requester[local] == DISPUTE) and np.all(cat.owner[local] == TOWNSHIP)
    assert np.all(cat.difficulty[local] == SIMPLE) and np.all(cat.n_departments[local] == 1)
    assert np.all(cat.owner[tail] == TOWNSHIP)
    assert cat.difficulty[tail].tolist() == [SIMPLE, GENERAL, DIFFICULT]
    np.testing.assert_allclose(cat.hours[tail], [1.0, 2.5, 5.0])  # twice the difficulty hours
    assert cat.n_departments[tail].tolist() == [1, 1, 2]
    assert cat.departments[n - 1, 1] == DISPUTE_OWNER, "a late-surfacing dispute also needs a department"
    assert not cat.district[tail].any()
    assert cat.dispute_id(DISPUTE_ESCALATED) == n - 1
    for kind in (ENTERPRISE, CITIZEN):
        assert not np.isin(cat.service_ids(kind), np.arange(n - 3, len(cat))).any()


# --- CSV loading ---------------------------------------------------------------


def test_example_catalogue_loads_with_the_values_in_the_file():
    p = Params(departments=6)
    cat = load_csv(EXAMPLE, p)
    with EXAMPLE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(cat) == len(rows) + APPENDED
    assert len(rows) >= 10
    for i, r in enumerate(rows):
        deps = [int(x) for x in r["departments"].split(";")]
        assert cat.name[i] == r["name"]
        assert cat.category[i] == r["category"]
        assert cat.requester[i] == (ENTERPRISE if r["requester"] == "enterprise" else CITIZEN)
        assert cat.weight[i] == float(r["weight"])
        assert cat.hours[i] == float(r["hours"])
        assert cat.difficulty[i] == DIFFICULTIES.index(r["difficulty"])
        assert cat.n_departments[i] == len(deps)
        assert cat.departments[i, : len(deps)].tolist() == deps, "owner first, order kept"
        assert cat.owner[i] == deps[0]
        assert bool(cat.district[i]) == (r["district"] == "true")
    # the example exercises every difficulty, both requesters, all three tiers, and property matters
    assert set(cat.difficulty[:-3].tolist()) == {0, 1, 2, 3}
    assert set(cat.tier[:-3].tolist()) == {0, 1, 2}
    assert cat.is_property[:-3].any()


def test_model_resolves_a_catalogue_relative_to_the_scenarios_folder():
    p = Params(
        townships=2, departments=6, enterprises=20, residents=2000, matter_catalogue="catalogues/example_matters.csv"
    )
    m = TownshipModel(p, rng=1)
    with EXAMPLE.open(encoding="utf-8") as fh:
        n_rows = sum(1 for _ in fh) - 1
    assert len(m.catalogue) == n_rows + APPENDED
    m.run(3)
    used = np.unique(m.cases.view("matter"))
    assert used.max() < len(m.catalogue)


def write(tmp_path, body: str, name="bad.csv") -> Path:
    f = tmp_path / name
    f.write_text(HEADER + GOOD_ROW + body, encoding="utf-8")
    return f


BAD_ROWS = {
    "requester": ("x,approval,government,1,simple,0.5,0,false\n", "requester"),
    "difficulty": ("x,approval,citizen,1,hard,0.5,0,false\n", "difficulty"),
    "weight_zero": ("x,approval,citizen,0,simple,0.5,0,false\n", "weight"),
    "weight_text": ("x,approval,citizen,lots,simple,0.5,0,false\n", "lots"),
    "hours_negative": ("x,approval,citizen,1,simple,-1,0,false\n", "hours"),
    "hours_nan": ("x,approval,citizen,1,simple,nan,0,false\n", "hours"),
    "department_range": ("x,approval,citizen,1,simple,0.5,0;6,false\n", "departments"),
    "department_negative": ("x,approval,citizen,1,simple,0.5,-1,false\n", "departments"),
    "department_repeat": ("x,approval,citizen,1,simple,0.5,2;2,false\n", "departments"),
    "department_empty": ("x,approval,citizen,1,simple,0.5,,false\n", "departments"),
    "department_text": ("x,approval,citizen,1,simple,0.5,tax,false\n", "tax"),
    "district": ("x,approval,citizen,1,simple,0.5,0,maybe\n", "district"),
    "short_row": ("x,approval\n", ""),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_row_is_one_line_naming_file_and_line(tmp_path, case):
    row, word = BAD_ROWS[case]
    f = write(tmp_path, GOOD_ROW + row)  # header = line 1, two good rows, the bad one is line 4
    with pytest.raises(CatalogueError) as exc:
        load_csv(f, Params(departments=6))
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(f"{f}:4:"), msg
    assert word in msg


def test_missing_column_names_file_and_column(tmp_path):
    f = tmp_path / "cols.csv"
    f.write_text(
        "name,category,requester,weight,difficulty,departments,district\nx,approval,citizen,1,simple,0,false\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as exc:
        load_csv(f, Params())
    msg = str(exc.value)
    assert "\n" not in msg and str(f) in msg and "hours" in msg


def test_empty_and_missing_files_are_one_line_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER, encoding="utf-8")
    for path in (empty, tmp_path / "nowhere.csv"):
        with pytest.raises(CatalogueError) as exc:
            load_csv(path, Params())
        msg = str(exc.value)
        assert "\n" not in msg and str(path) in msg


def test_model_with_bad_catalogue_raises_the_one_line_error(tmp_path):
    f = write(tmp_path, "x,approval,citizen,1,simple,0.5,0;99,false\n")
    with pytest.raises(CatalogueError, match=rf"^{tmp_path}.*bad\.csv:3: departments"):
        TownshipModel(Params(departments=6, matter_catalogue=str(f)), rng=0)


# --- known defects (xfail strict: they pass once fixed) ---------------------------


def test_line_number_counts_blank_lines(tmp_path):
    f = tmp_path / "blank.csv"
    f.write_text(HEADER + GOOD_ROW + "\n\n" + "x,approval,citizen,1,hard,0.5,0,false\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        load_csv(f, Params())
    assert str(exc.value).startswith(f"{f}:5:"), str(exc.value)


def test_non_utf8_file_is_a_catalogue_error(tmp_path):
    f = tmp_path / "gbk.csv"
    f.write_bytes((HEADER + "社保转移,social_security,citizen,1,simple,0.5,0,false\n").encode("gbk"))
    with pytest.raises(CatalogueError) as exc:
        load_csv(f, Params())
    assert str(f) in str(exc.value)


def test_excel_utf8_bom_file_loads(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_text(HEADER + GOOD_ROW, encoding="utf-8-sig")
    cat = load_csv(f, Params())
    assert cat.name[0] == "licence"


@pytest.mark.parametrize("column", ["weight", "hours"])
def test_infinite_weight_or_hours_rejected(tmp_path, column):
    row = (
        "x,approval,citizen,inf,simple,0.5,0,false\n"
        if column == "weight"
        else "x,approval,citizen,1,simple,inf,0,false\n"
    )
    f = write(tmp_path, row)
    with pytest.raises(CatalogueError, match=":3:"):
        load_csv(f, Params())
