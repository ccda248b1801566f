"""The KPI strip's tiles: a view of the KPI registry (``tiles``), with no KPI named here.

Each group of the ``tiles`` view is a tile, in the order the view lists them (``model.metrics.views``); its
KPIs are the numbers it shows. KPIs of a tile that share a tile label are added up (the three levels of
escalations), others are shown side by side (``dumped / bounced``). A tile reads the day's row, or the run
so far (a ``running`` group: the run summary). Its label is its KPIs' tile labels worded by the group
(``"{} today"``, ``"今日{}"``); a value is written with one decimal fewer than the KPI's tables (large type,
read at a glance): shares as whole percentages, 0–1 scores with 2 decimals, counts whole. Solara-free, so
the translation table can read the labels.
"""

from __future__ import annotations

from townsim.model.metrics import Kpi, group, groups, kpi
from townsim.model.metrics.text import MISSING, number, share

VIEW = "tiles"


def keys() -> tuple[str, ...]:
    """The tiles' keys in the order shown (the page's CSS class ``kpi-<key>``)."""
    return tuple(key for key, _ in groups(VIEW))


def parts(key: str) -> tuple[tuple[Kpi, ...], ...]:
    """The KPIs of tile ``key``, by tile label: each inner tuple is added up, the tuples shown side by side."""
    names = dict(groups(VIEW)).get(key, ())
    by_label: dict[tuple[str, str], list[Kpi]] = {}
    for name in names:
        k = kpi(name)
        by_label.setdefault((k.tile_text("en"), k.tile_text("zh")), []).append(k)
    return tuple(tuple(ks) for ks in by_label.values())


def label(key: str, lang: str) -> str:
    """The label of tile ``key`` in ``lang``: its KPIs' tile labels worded by its group (an English label
    starts with a capital; in Chinese a qualifier joins a label's own closing bracket: ``（小时，累计）``)."""
    text = " / ".join(ks[0].tile_text(lang) for ks in parts(key))
    text = (group(VIEW, key).title(lang) or "{}").format(text).replace("）（", "，")
    return text if lang == "zh" else text[:1].upper() + text[1:]


def run_kpis() -> tuple[str, ...]:
    """The KPIs the tiles read from the run so far (a snapshot keeps their run values)."""
    return tuple(dict.fromkeys(n for key, names in groups(VIEW) if group(VIEW, key).running for n in names))


def _text(k: Kpi, v, whole: bool) -> str:
    if v is None:
        return MISSING
    if k.fmt == "pct":
        return share(v)
    return number(v, 0 if whole else max(k.digits - 1, 0))


def text(key: str, today: dict, run: dict, counts: dict) -> str:
    """What tile ``key`` shows: from the day's row ``today`` or the run's values ``run`` (its group says
    which); ``counts``: the county's counts a tile is shown out of (``{"townships": 8}``). Before the first
    day (``today`` empty) every tile is "—"."""
    if not today:
        return MISSING
    g = group(VIEW, key)
    source = run if g.running else today
    texts = []
    for ks in parts(key):
        known = [v for k in ks if (v := source.get(k.name)) is not None]
        total = sum(known) if len(known) == len(ks) else None
        texts.append(_text(ks[0], total, bool(g.of)))
    if g.of:
        texts.append(str(counts.get(g.of, MISSING)))
    return " / ".join(texts)
