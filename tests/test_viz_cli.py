"""``townsim viz`` input checks: one line on stderr, exit code 2, no traceback, no server started."""

from __future__ import annotations

import socket

import pytest

from townsim.experiments.cli import main


def run(capsys, *argv):
    code = main(["viz", *argv])
    err = capsys.readouterr().err
    return code, err


def test_unknown_scenario(capsys):
    code, err = run(capsys, "--scenario", "no_such_scenario", "--port", "8799")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "no_such_scenario" in lines[0] and "Traceback" not in err


def test_port_in_use(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        code, err = run(capsys, "--port", str(port), "--no-fetch-assets")
    assert code == 2
    assert err.strip().count("\n") == 0 and f"127.0.0.1:{port}" in err and "--port" in err


@pytest.mark.parametrize("argv,word", [(["--port", "0"], "--port"), (["--port", "70000"], "--port"),
                                       (["--seed", "-1"], "--seed")])
def test_bad_numbers(capsys, argv, word):
    code, err = run(capsys, *argv)
    assert code == 2 and word in err and len(err.strip().splitlines()) == 1


def test_bad_language_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["viz", "--lang", "fr"])
    assert exc.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_viz_is_imported_lazily():
    import subprocess
    import sys

    code = ("import sys; from townsim.experiments.cli import build_parser; build_parser(); "
            "print(any(m == 'townsim.viz' or m.startswith('townsim.viz.') or m == 'solara' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
