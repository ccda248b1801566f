"""The teacher's terminal stays quiet: ``townsim viz`` started exactly as the README says, no browser needed.

Solara checks the "rules of hooks" of every component when it is defined and warns about Mesa's own
code; a teacher cannot act on that warning. It must not reach the terminal, however the server starts
(with or without fetching the page's front-end files first), and the filter must hold for the
warning's real text, which spans several lines.
"""

from __future__ import annotations

import re
import shlex
import urllib.request
import warnings

import pytest

pytest.importorskip("solara")

from browser_helpers import ROOT, Server  # noqa: E402

NOISE = ("rules of hooks", "samesite", "UserWarning", "Traceback")


def readme_command() -> list[str]:
    """The first ``townsim viz`` command of the README's app section (its arguments after ``viz``)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The teaching app", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    first = next(ln for ln in block.splitlines() if ln.startswith("townsim viz"))
    argv = shlex.split(first.split("#", 1)[0])
    assert argv[:2] == ["townsim", "viz"], first
    return argv[2:]


def test_filter_holds_for_the_warnings_real_text_with_its_line_breaks():
    from townsim.viz.server import quiet_warnings

    text = (
        "/site-packages/mesa/visualization/solara_viz.py:399: ComponentsView: `use_state` found despite "
        "early return on line 376\nTo suppress this check, replace the line with:\n    x = solara.use_state(0)"
        "  # noqa: SH101\n\nMake sure you understand the consequences of this, by reading about the rules of "
        "hooks at:\n    https://solara.dev/documentation/advanced/understanding/rules-of-hooks\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_warnings()
        warnings.warn(text, UserWarning, stacklevel=1)
    assert not caught, [str(w.message)[:80] for w in caught]


@pytest.mark.timeout(180)
def test_townsim_viz_as_the_readme_starts_it_prints_no_developer_warnings():
    args = readme_command()  # `townsim viz`: fetches (or finds cached) front-end files, then serves
    assert "--no-fetch-assets" not in args
    server = Server(*args)  # on a free port (the README's default port may be taken on a shared machine)
    try:
        server.wait()
        with urllib.request.urlopen(server.url, timeout=30) as r:  # the page a browser would load first
            assert r.status == 200
    finally:
        out = server.stop()
    assert "townsim viz: http://127.0.0.1:" in out, out[-2000:]
    for noise in NOISE:
        assert noise not in out, out[-3000:]
