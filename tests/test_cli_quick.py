"""A quick command line: ``import townsim``, ``--version``, ``--help`` and ``scenarios list`` import neither
Mesa, pandas nor matplotlib, and the help of commands listed without importing them is their real help."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import cli_env

HEAVY = ("mesa", "pandas", "matplotlib", "scipy", "townsim.experiments.workflows")

PROBE = """
import sys, contextlib, io
from townsim.experiments.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main({argv!r})
    except SystemExit:
        pass
print(sorted(m for m in {heavy!r} if m in sys.modules))
"""


def loaded(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), check=True)
    return out.stdout.strip().splitlines()[-1]


def test_import_townsim_is_light():
    assert loaded(f"import sys, townsim; print(sorted(m for m in {HEAVY!r} if m in sys.modules))") == "[]"


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["scenarios", "list"], ["-q", "scenarios", "list"]])
def test_quick_commands_import_nothing_heavy(argv):
    assert loaded(PROBE.format(argv=argv, heavy=HEAVY)) == "[]"


def test_scenarios_list_builds_no_parameters():
    """The listing reads the files' descriptions; numpy and pydantic (the parameters) are not imported."""
    assert loaded(PROBE.format(argv=["scenarios", "list", "--all"], heavy=("numpy", "pydantic"))) == "[]"


def test_scenarios_list_inherits_descriptions_and_marks_a_broken_file(tmp_path, monkeypatch, capsys):
    from townsim.experiments.cli import main
    from townsim.experiments.cli import scenarios as cmd

    (tmp_path / "base.toml").write_text('description = "the root"\n', encoding="utf-8")
    (tmp_path / "child.toml").write_text('extends = "base"\ndelegated_share = 0.5\n', encoding="utf-8")
    (tmp_path / "broken.toml").write_text("description = [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(cmd, "SCENARIO_DIR", tmp_path)
    main(["scenarios", "list"])
    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.strip().splitlines())
    assert rows["base"] == "the root" and rows["child"] == "the root"
    assert rows["broken"].startswith("INVALID: ") and "broken.toml" in rows["broken"]


def test_the_model_is_still_there_on_first_use():
    import townsim

    assert townsim.TownshipModel.__name__ == "TownshipModel"
    assert townsim.model.metrics.__name__ == "townsim.model.metrics"
    with pytest.raises(AttributeError):
        townsim.model.no_such_thing  # noqa: B018


def test_static_help_is_the_registered_help():
    import argparse

    from townsim.experiments.cli import build_parser, command_names, static_help

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    for name in command_names():
        assert static_help(name) in (None, helps[name]), name
    assert sum(static_help(n) is not None for n in command_names()) >= len(command_names()) - 1


def test_lazy_and_full_parsers_agree():
    from townsim.experiments.cli import build_parser

    assert build_parser(only="").format_help() == build_parser().format_help()
    args = build_parser(only="run").parse_args(["run", "baseline", "--days", "3"])
    assert args.command == "run" and callable(args.func)
