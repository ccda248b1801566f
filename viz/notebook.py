"""The teaching app in a notebook cell, the way Mesa's ``SolaraViz`` page renders there.

    import townsim
    townsim.app("baseline", lang="zh")   # the last expression of a cell: the page renders below it

The page is the app's own ``Page`` (the one ``townsim viz`` serves), inside Solara's ``AppLayout``
so that its sidebar of levers shows in the cell.
"""

from __future__ import annotations

import os

from townsim.viz.server import ENV_LANG, ENV_SCENARIO, ENV_SEED


def app(scenario: str = "baseline", lang: str = "en", seed: int = 1):
    """The page component of the teaching app on ``scenario`` (a shipped name or a .toml path),
    in ``lang`` (``en`` or ``zh``), seeded with ``seed``; a bad scenario raises the app's one-line error."""
    import solara  # deferred: solara is an optional extra [viz], loaded only by the app

    from townsim.viz import app as page  # deferred: it pulls in solara (an optional extra [viz])

    page.scenario(scenario)  # a bad name or file fails here, as one line, before the page is built
    if lang not in page.LANGS:
        raise ValueError(f"lang: got {lang!r}; allowed: {', '.join(page.LANGS)}")
    os.environ[ENV_SCENARIO], os.environ[ENV_LANG], os.environ[ENV_SEED] = str(scenario), lang, str(int(seed))
    return solara.AppLayout(children=[page.Page()])
