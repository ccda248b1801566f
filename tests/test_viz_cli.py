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


@pytest.mark.parametrize(
    "argv,word", [(["--port", "0"], "--port"), (["--port", "70000"], "--port"), (["--seed", "-1"], "--seed")]
)
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

    code = (
        "import sys; from townsim.experiments.cli import build_parser; build_parser(); "
        "print(any(m == 'townsim.viz' or m.startswith('townsim.viz.') or m == 'solara' for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_host_all_interfaces_prints_lan_addresses_and_a_warning():
    """``--host 0.0.0.0``: students cannot open http://0.0.0.0/; print this machine's LAN addresses and warn."""
    import subprocess
    import sys
    import threading
    import time

    psutil = pytest.importorskip("psutil")
    pytest.importorskip("solara")
    lan = sorted(
        {
            a.address
            for addrs in psutil.net_if_addrs().values()
            for a in addrs
            if a.family == socket.AF_INET and not a.address.startswith("127.")
        }
    )
    if not lan:
        pytest.skip("this machine has no LAN address")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "townsim.experiments.cli",
            "viz",
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--no-fetch-assets",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        end = time.monotonic() + 90
        while time.monotonic() < end and not any("Ctrl-C" in ln for ln in lines) and proc.poll() is None:
            time.sleep(0.2)
    finally:
        import os
        import signal

        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        reader.join(10)
    out = "".join(lines)
    assert "http://0.0.0.0" not in out, out
    for address in lan:
        assert f"http://{address}:{port}/" in out, out
    warnings = [ln for ln in out.splitlines() if "warning" in ln.lower() and "network" in ln.lower()]
    assert len(warnings) == 1, out
