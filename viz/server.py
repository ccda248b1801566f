"""Run the app with Solara's own server (``solara run viz.app``) in this process.

The settings reach the page through environment variables (read by
``viz.app.initial``). The server runs in production mode (no file watcher),
binds to ``host`` (127.0.0.1 unless told otherwise), does not check for a
newer Solara on start and sends no usage telemetry: a classroom machine may
have no network, and a teacher's data stays on it.
"""

from __future__ import annotations

import os
import socket
import sys

APP = "townsim.viz.app"
ENV_SCENARIO, ENV_LANG, ENV_SEED = "TOWNSIM_VIZ_SCENARIO", "TOWNSIM_VIZ_LANG", "TOWNSIM_VIZ_SEED"


def port_free(host: str, port: int) -> bool:
    """True if ``host:port`` can be bound now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def environment(scenario: str, lang: str, seed: int) -> dict[str, str]:
    """Environment variables for the page and for Solara."""
    return {
        ENV_SCENARIO: scenario,
        ENV_LANG: lang,
        ENV_SEED: str(seed),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }


def serve(scenario: str, host: str, port: int, lang: str, seed: int, open_browser: bool = False) -> int:
    """Run the server until interrupted; returns an exit code."""
    os.environ.update(environment(scenario, lang, seed))
    from solara.__main__ import run

    args = [APP, "--host", host, "--port", str(port), "--production", "--no-check-version",
            "--log-level", "warning", "--open" if open_browser else "--no-open"]
    import click

    try:
        run.main(args=args, standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):  # Ctrl-C while browsers are connected
        print("townsim viz: stopped", file=sys.stderr)
    return 0
