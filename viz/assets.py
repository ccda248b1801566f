"""The page's front-end files (Vue/Vuetify app, RequireJS, grid layout, icons), for classrooms offline.

Solara serves these files from its asset cache (``SOLARA_ASSETS_PROXY_CACHE_DIR``,
by default ``<prefix>/share/solara/cdn``) and fetches a missing one from a
public CDN on first use. A classroom without internet (or behind a firewall
that blocks that CDN) would then see a blank page, and so would a CI machine.
``ensure()`` fills the cache once from the npm registry with ``npm pack`` (the
same packages, the npm client as installed), so the app then runs with no
network at all.

Which packages: the exact ``name@x.y.z`` specs that the installed Solara
references in its page template and grid-layout widget, the ``vega@5``-style
specs of its chart widget (used by Mesa's Altair plots), plus Font Awesome
(Solara's setting), keeping only the Vuetify app that matches the installed
ipyvuetify (2 or 3). Nothing is hard-coded that a Solara upgrade would change.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

_SPEC = re.compile(r"(?:\{\{cdn\}\}|getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@\d+\.\d+\.\d+(?:-[\w.]+)?)/")
_MAJOR = re.compile(r"getCdn\(\)\}/((?:@[\w.-]+/)?[\w.-]+@\d+)/")
"""Major-only specs (``vega@5``) that the chart widget loads; npm resolves them to the newest release."""


def _solara_dir() -> Path:
    import solara  # deferred: solara is an optional extra [viz], loaded only by the app

    return Path(solara.__file__).resolve().parent


def required() -> list[str]:
    """npm specs (``name@version``) of the files the app's page loads."""
    import ipyvuetify  # deferred: it pulls in IPython (present only in a notebook)
    import solara.server.settings as ss  # deferred: solara is an optional extra [viz], loaded only by the app

    root = _solara_dir()
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "server" / "templates").glob("*.j2"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((root / "widgets" / "vue").glob("gridlayout*.vue"))]
    specs = {m.group(1) for text in texts for m in _SPEC.finditer(text)}
    vega = (root / "widgets" / "vue" / "vegalite.vue").read_text(encoding="utf-8")
    specs |= {m.group(1) for m in _MAJOR.finditer(vega)}
    vue3 = int(str(ipyvuetify.__version__).split(".")[0]) >= 3
    drop = "solara-vuetify-app@" if vue3 else "solara-vuetify3-app@"
    specs = {s for s in specs if drop not in s}
    fa = ss.assets.fontawesome_path.strip("/").split("/")[0]
    if ss.assets.fontawesome_enabled and "@" in fa:
        specs.add(fa)
    return sorted(specs)


def cache_dir() -> Path:
    """Solara's asset cache folder."""
    import solara.server.settings as ss  # deferred: solara is an optional extra [viz], loaded only by the app

    return Path(ss.assets.proxy_cache_dir)


def missing(specs: list[str] | None = None) -> list[str]:
    """Specs not yet in the cache."""
    base = cache_dir()
    return [s for s in (specs or required()) if not (base / s / "package.json").exists()]


def fetch(specs: list[str], npm: str = "npm", timeout: float = 300.0) -> None:
    """Put each npm package ``spec`` into the cache (``npm pack``, unpacked, renamed in place when complete)."""
    base = cache_dir()
    for spec in specs:
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [npm, "pack", spec, "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            tarballs = list(Path(tmp).glob("*.tgz"))
            if out.returncode != 0 or len(tarballs) != 1:
                msg = (out.stderr or out.stdout).strip().splitlines()
                raise RuntimeError(f"npm pack {spec} failed: {msg[-1] if msg else out.returncode}")
            unpack = Path(tmp) / "unpacked"
            with tarfile.open(tarballs[0]) as tar:
                tar.extractall(unpack, filter="data")
            target = base / spec
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".townsim-", dir=target.parent))
            shutil.rmtree(staging)
            shutil.move(str(unpack / "package"), staging)
            if target.exists():  # a partial copy (no package.json) from an earlier attempt
                shutil.rmtree(target)
            staging.rename(target)


def ensure(npm: str = "npm") -> tuple[list[str], str | None]:
    """Fetch what is missing; returns (fetched specs, problem or None). Never raises."""
    try:
        todo = missing()
    except Exception as exc:  # solara not installed or changed layout
        return [], f"cannot list the page's front-end files: {exc}"
    if not todo:
        return [], None
    if shutil.which(npm) is None:
        return [], "npm is not installed; the page's scripts will be fetched from the public CDN on first use"
    try:
        fetch(todo, npm=npm)
    except (OSError, RuntimeError, subprocess.TimeoutExpired, tarfile.TarError) as exc:
        return [], f"could not fetch the page's scripts with npm ({exc}); they will be fetched on first use"
    return todo, None
