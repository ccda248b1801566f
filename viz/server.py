"""Run the app with Solara's own server (``solara run viz.app``) in this process.

The settings reach the page through environment variables (read by
``viz.app.initial``). The server runs in production mode (no file watcher),
binds to ``host`` (127.0.0.1 unless told otherwise), does not check for a
newer Solara on start and sends no usage telemetry: a classroom machine may
have no network, and a teacher's data stays on it. Solara's developer
warnings (rules of hooks in Mesa's code, session cookies over plain http)
are kept out of the teacher's terminal. ``announce`` prints the addresses
students can open: for ``0.0.0.0`` (all interfaces) this machine's LAN
addresses, with a one-line warning that anyone on the network can use the app.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import warnings

import click

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
        "SOLARA_CHECK_HOOKS": "off",  # Solara's rules-of-hooks check flags Mesa's own code, not the teacher's
    }


def quiet_warnings() -> None:
    """Keep Solara's developer warnings out of the teacher's terminal."""
    # A classroom server is plain http on a LAN address: Solara then falls back to samesite=lax cookies
    # (what the app needs) and warns on every page load.
    warnings.filterwarnings("ignore", message=r"Cookies with samesite=none require https", category=UserWarning)
    # the rules-of-hooks text spans several lines: the pattern must match across them
    warnings.filterwarnings("ignore", message=r"(?s).*rules of hooks", category=UserWarning)


def hooks_check_off() -> None:
    """Turn Solara's rules-of-hooks check off in this process.

    Solara reads ``SOLARA_CHECK_HOOKS`` once, when ``solara.settings`` is first imported; fetching the
    page's front-end files imports it before ``serve`` sets the variable, so the setting is also put
    on the live settings object (the check runs when the app module defines its components).
    """
    import solara.settings  # deferred: solara is an optional extra [viz], loaded only by the app

    solara.settings.main.check_hooks = "off"


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (what students type), sorted."""
    found: set[str] = set()
    try:
        import psutil  # deferred: psutil is an optional extra [viz]

        found = {a.address for addrs in psutil.net_if_addrs().values() for a in addrs if a.family == socket.AF_INET}
    except Exception:  # psutil missing: the address of the default route and the host name's addresses
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
                found.add(s.getsockname()[0])
        except OSError:
            pass
        try:
            found |= {str(i[4][0]) for i in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
        except OSError:
            pass
    return sorted(a for a in found if not ipaddress.ip_address(a).is_loopback)


def announce(host: str, port: int, scenario: str, lang: str) -> list[str]:
    """Lines telling where the app runs; for all interfaces, the LAN addresses and one warning line."""
    shown = f"[{host}]" if ":" in host else host
    tail = f"(scenario {scenario}, language {lang}); Ctrl-C stops"
    if host not in ("0.0.0.0", "::", ""):
        return [f"townsim viz: http://{shown}:{port}/  {tail}"]
    addresses = lan_addresses()
    urls = [f"http://{a}:{port}/" for a in addresses] or [f"http://<this computer's address>:{port}/"]
    return [
        f"townsim viz: students open {'  or  '.join(urls)}  (this computer: http://127.0.0.1:{port}/)",
        "townsim viz: warning: the app is open to the network; anyone who can reach this computer can use it "
        "(use --host 127.0.0.1 to keep it private)",
        f"townsim viz: {tail}",
    ]


def serve(scenario: str, host: str, port: int, lang: str, seed: int, open_browser: bool = False) -> int:
    """Run the server until interrupted; returns an exit code."""
    os.environ.update(environment(scenario, lang, seed))
    quiet_warnings()
    hooks_check_off()
    from solara.__main__ import run  # deferred: solara is an optional extra [viz], loaded only by the app

    args = [
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--log-level",
        "warning",
        "--open" if open_browser else "--no-open",
    ]

    try:
        run.main(args=args, standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):  # Ctrl-C while browsers are connected
        print("townsim viz: stopped", file=sys.stderr)
    return 0
