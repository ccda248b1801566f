"""`townsim run` / `townsim scenarios` on bad input: one line on stderr, exit 2, no traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import cli_env

from townsim.experiments.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder, so that the default results/ folder is inside tmp_path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s").mkdir()
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """One file per validation case: (path, a word the error line must contain)."""
    s = folder / "s"
    write(s, "a.toml", 'extends = "b"\n')
    write(s, "b.toml", 'extends = "a"\n')
    return {
        "syntax": (write(s, "syntax.toml", 'extends = "baseline"\nonline_share = 0.5\ntownships = [\n'), "line"),
        "unknown": (write(s, "unknown.toml", "delegated_shar = 0.5\n"), "delegated_share"),
        "type": (write(s, "type.toml", 'townships = "ten"\n'), "townships"),
        "range": (write(s, "range.toml", "online_share = 1.5\n"), "[0, 1]"),
        "missing_extends": (write(s, "missing.toml", 'extends = "nothing_here"\n'), "extends"),
        "cyclic": (s / "a.toml", "cyclic"),
        "empty": (write(s, "empty.toml", "# nothing\n"), "empty"),
        "escape_extends": (write(s, "esc.toml", 'extends = "../../etc/passwd"\n'), "extends"),
    }


def assert_one_line_error(capsys, code: int, needle: str) -> str:
    out, err = capsys.readouterr()
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("townsim: error: ") and needle in lines[0], lines[0]
    assert "Traceback" not in err
    return lines[0]


def assert_nothing_written(workdir: Path, *extra: Path) -> None:
    assert not (workdir / "results").exists()
    for path in extra:
        assert not path.exists()
    leftovers = [p for p in workdir.rglob("*") if "partial" in p.name]
    assert not leftovers


@pytest.mark.parametrize(
    "case", ["syntax", "unknown", "type", "range", "missing_extends", "cyclic", "empty", "escape_extends"]
)
def test_run_bad_scenario_file(workdir, capsys, case):
    path, needle = bad_files(workdir)[case]
    out_dir = workdir / "out"
    code = main(["run", str(path), "--days", "2", "--out", str(out_dir)])
    line = assert_one_line_error(capsys, code, needle)
    assert path.name in line or case == "cyclic"
    assert_nothing_written(workdir, out_dir)
    code = main(["run", str(path), "--days", "2"])  # default folder under ./results
    assert_one_line_error(capsys, code, needle)
    assert_nothing_written(workdir)


@pytest.mark.parametrize(
    "name, needle",
    [
        ("../../etc/passwd", "not a valid scenario name"),
        ("../results/x", "not a valid scenario name"),
        ("validation/../../x", "not a valid scenario name"),
        ("baselin", "did you mean 'baseline'"),
    ],
)
def test_run_bad_scenario_name(workdir, capsys, name, needle):
    code = main(["run", name, "--days", "2"])
    assert_one_line_error(capsys, code, needle)
    assert_nothing_written(workdir)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--set", "delegated_share=2"], "[0, 1]"),
        (["--set", "delegated_shar=0.5"], "did you mean 'delegated_share'"),
        (["--set", "townships=ten"], "an integer"),
        (["--set", "novalue"], "key=value"),
        (["--days", "0"], "--days"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_run_bad_options(workdir, capsys, args, needle):
    code = main(["run", "baseline", *args])
    assert_one_line_error(capsys, code, needle)
    assert_nothing_written(workdir)


def test_run_refuses_non_empty_out(workdir, capsys):
    out_dir = workdir / "full"
    out_dir.mkdir()
    (out_dir / "keep.txt").write_text("x")
    code = main(["run", "baseline", "--days", "1", "--out", str(out_dir)])
    assert_one_line_error(capsys, code, "not empty")
    assert [p.name for p in out_dir.iterdir()] == ["keep.txt"]


def test_scenarios_validate_reports_each_bad_file(workdir, capsys):
    files = bad_files(workdir)
    paths = [str(files[c][0]) for c in ("syntax", "unknown", "range")]
    code = main(["scenarios", "validate", "baseline", *paths])
    out, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 3 and "Traceback" not in err
    assert "ok" in out and "baseline.toml" in out


def test_scenarios_validate_all_shipped(capsys):
    assert main(["scenarios", "validate"]) == 0
    out, _ = capsys.readouterr()
    assert "linping.toml" in out and "baseline.toml" in out


def test_scenarios_show_bad_name(capsys):
    assert_one_line_error(capsys, main(["scenarios", "show", "../x"]), "not a valid scenario name")


def test_subprocess_no_traceback(tmp_path):
    """The real process: exit code 2, a single stderr line, nothing on stdout."""
    bad = write(tmp_path, "bad.toml", "online_share = 1.5\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from townsim.experiments.cli import main; sys.exit(main())",
            "run",
            str(bad),
            "--days",
            "2",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": cli_env()["PYTHONPATH"], "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "bad.toml" in proc.stderr and "online_share" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "results").exists()


def test_run_bad_matter_catalogue(workdir, capsys):
    (workdir / "s" / "m.csv").write_text("name,category\nx,approval\n")
    path = write(workdir / "s", "cat.toml", 'extends = "baseline"\nmatter_catalogue = "m.csv"\n')
    code = main(["run", str(path), "--days", "2"])
    assert_one_line_error(capsys, code, "m.csv")
    assert_nothing_written(workdir)
