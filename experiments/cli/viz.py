"""``townsim viz`` — the interactive teaching app (Mesa SolaraViz) in the browser.

    townsim viz [NAME|PATH] [--host 127.0.0.1] [--port 8765] [--lang zh|en] [--seed N]

Checks everything before starting: the scenario loads, the port is free on
the host, Solara is installed. Binds to 127.0.0.1 unless ``--host`` says
otherwise. On first start it puts the page's front-end files into Solara's
cache with npm (``viz.assets``) so that later starts need no network. The
``viz`` package is imported only inside the handler, so other commands never
pay for Solara.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

from townsim.experiments.cli._common import add_seed_argument, seed
from townsim.experiments.errors import UserError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LANGS = ("zh", "en")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "viz",
        help="interactive teaching app in the browser (Mesa SolaraViz)",
        description="Open the county in the browser: pick a scenario, move the reform levers, step or play "
        "the days and watch backlogs, escalations, dumping and satisfaction react.",
    )
    p.add_argument(
        "scenario",
        nargs="?",
        default=None,
        metavar="NAME|PATH",
        help="shipped scenario name or scenario .toml file to start with (default: baseline)",
    )
    p.add_argument("--scenario", dest="scenario_option", default=None, help=argparse.SUPPRESS)  # older spelling
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default 127.0.0.1: this computer only; 0.0.0.0 opens it to the classroom network)",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--lang", choices=LANGS, default="zh", help="labels in Chinese (zh, default) or English (en)")
    add_seed_argument(p, 1, "random seed of the first model")
    p.add_argument("--open", action="store_true", help="open a browser tab once the server runs")
    p.add_argument(
        "--no-fetch-assets", action="store_true", help="do not fetch the page's front-end files with npm on first start"
    )
    p.set_defaults(func=handle)


def handle(args) -> int:
    if not 1 <= args.port <= 65535:
        raise UserError(f"--port: got {args.port}; allowed: an integer in [1, 65535]")
    if args.scenario and args.scenario_option and args.scenario != args.scenario_option:
        raise UserError("give the scenario once (as NAME|PATH)")
    args.scenario = args.scenario or args.scenario_option or "baseline"
    seed(args.seed)
    if importlib.util.find_spec("solara") is None:
        raise UserError('the app needs Solara: python3 -m pip install -e ".[viz]"')
    from townsim.scenarios import ScenarioError, load_scenario

    try:
        sc = load_scenario(args.scenario)
    except ScenarioError as exc:
        raise UserError(str(exc)) from None
    from townsim.viz import assets, server

    if not server.port_free(args.host, args.port):
        raise UserError(f"--port: {args.host}:{args.port} is in use or not available; pick another with --port")
    if not args.no_fetch_assets:
        fetched, problem = assets.ensure()
        if fetched:
            print(f"townsim viz: cached the page's front-end files ({', '.join(fetched)})", file=sys.stderr)
        if problem:
            print(f"townsim viz: note: {problem}", file=sys.stderr)
    scenario = str(sc.path) if sc.path.parent.resolve() != _shipped_dir() else sc.name
    for line in server.announce(args.host, args.port, sc.name, args.lang):
        print(line, file=sys.stderr, flush=True)
    return server.serve(scenario, args.host, args.port, args.lang, args.seed, open_browser=args.open)


def _shipped_dir():
    from townsim.scenarios import SCENARIO_DIR

    return SCENARIO_DIR.resolve()
