"""The county view: who holds the work and where it went today (one matplotlib figure).

Rows, top to bottom: county departments (squares), the one-stop centre and
the escalation desks (chief representatives → leading-group office → joint
conference), townships (circles), and sampled enterprises (▲) and citizens
(●) under their township. Handlers are coloured by queued work in days of
their own capacity (green = clears today, red = two days or more; a red ring
marks an overloaded township); requesters by satisfaction (red 0 → green 1).
Arrows are today's ``model.day_flows``: referrals between handlers (blue),
escalations up the levels (purple), duty tasks dumped on townships (red) and
bounced back under a responsibility list (orange); width grows with the
count. Only the ``MAX_ARROWS`` largest flows of each kind are drawn.

Drawing cost is bounded by the sample (see ``sampling``) and the arrow cap,
not by the county's size. Everything here reads the model; nothing writes it.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import matplotlib.cm as cm
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .county_layout import (
    COLOURS,
    HANDLER_CMAP,
    LOAD_MAX_DAYS,
    MAX_ARROWS,
    SAT_CMAP,
    X_CENTRE,
    X_DESKS,
    X_HANDLERS,
    Y_DEPT,
    Y_MARKS,
    Y_MID,
    Y_TOWN,
    Layout,
    _arrow,
    _top,
    department_names,
    fitted_size,
    queued_days,
    township_label,
)
from .fonts import family, hint_missing
from .i18n import t
from .sampling import MarkSample, township_means

__all__ = [
    "COLOURS",
    "HANDLER_CMAP",
    "LOAD_MAX_DAYS",
    "MAX_ARROWS",
    "SAT_CMAP",
    "X_CENTRE",
    "X_DESKS",
    "X_HANDLERS",
    "Y_DEPT",
    "Y_MARKS",
    "Y_MID",
    "Y_TOWN",
    "Layout",
    "department_names",
    "draw_county",
    "figure_png",
    "fitted_size",
    "queued_days",
    "township_label",
]


@dataclass
class _Canvas:
    """What every part of the drawing shares: the figure, its axes, the font, the colour scales."""

    fig: Figure
    ax: Axes
    lang: str
    fam: list[str]
    figsize: tuple[float, float]
    norm_load: Normalize
    norm_sat: Normalize
    fs: float = 11

    def txt(self, x, y, s, **kw):
        kw.setdefault("fontsize", self.fs)
        kw.setdefault("family", self.fam)
        return self.ax.text(x, y, s, **kw)


def draw_county(
    model, sample: MarkSample, lang: str, scenario: str = "", layout: Layout | None = None, figsize=(12.0, 5.6)
) -> Figure:
    """The county view of ``model``'s current day as a matplotlib Figure (no pyplot, thread-safe)."""
    lay = layout or Layout(model)
    fam = family()
    fig = Figure(figsize=figsize, dpi=100)
    ax = fig.add_axes((0.0, 0.13, 1.0, 0.77))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    cv = _Canvas(fig, ax, lang, fam, figsize, Normalize(0.0, LOAD_MAX_DAYS), Normalize(0.0, 1.0))
    fig.text(
        0.01,
        0.975,
        t("county_title", lang, day=getattr(model, "clock_day", model.day)),
        fontsize=14,
        fontweight="bold",
        va="top",
        family=fam,
    )
    if scenario:
        hint_missing(scenario)  # user text (a scenario's name): one log line if no font has a glyph
        fig.text(0.01, 0.93, scenario, fontsize=10.5, va="top", family=fam, color="#444")
    # --- row labels -------------------------------------------------------------
    cv.txt(0.005, Y_DEPT + 0.115, t("departments", lang), fontweight="bold", color="#333")
    cv.txt(
        0.005, Y_TOWN + 0.10, t("townships", lang) + "  ·  " + t("overloaded", lang), fontweight="bold", color="#333"
    )
    _departments(cv, model, lay)
    _centre_and_desks(cv, model, lay)
    _townships(cv, model, lay)
    _requesters(cv, model, lay, sample)
    hidden = _flows(cv, model, lay)
    _legend(cv, model, sample, hidden)
    return fig


def _departments(cv: _Canvas, model, lay: Layout) -> None:
    """County departments: squares coloured by queued days, their names and open cases."""
    ax, lang = cv.ax, cv.lang
    D = len(model.departments)
    d_load = np.array([queued_days(model, d.handler) for d in model.departments])
    size_d = min(420.0, 14000.0 / max(D, 1))
    ax.scatter(
        lay.dept_x,
        np.full(D, Y_DEPT),
        s=size_d,
        marker="s",
        c=np.minimum(d_load, 10),
        cmap=HANDLER_CMAP,
        norm=cv.norm_load,
        edgecolors="#333",
        linewidths=0.8,
        zorder=4,
    )
    d_gap = (lay.dept_x[1] - lay.dept_x[0]) * cv.figsize[0] if D > 1 else 1.0
    for i, (d, name) in enumerate(zip(model.departments, department_names(model, lang))):
        size = fitted_size(name, d_gap, 8.5)
        cv.txt(lay.dept_x[i], Y_DEPT - 0.075, name, ha="center", va="top", fontsize=size, color="#444", linespacing=1.0)
        cv.txt(lay.dept_x[i], Y_DEPT + 0.05, str(d.backlog), ha="center", va="bottom", fontsize=8.5, color="#222")


def _centre_and_desks(cv: _Canvas, model, lay: Layout) -> None:
    """The one-stop centre (today's trips per case) and the escalation desks by queued days."""
    ax, lang, p = cv.ax, cv.lang, model.params
    if p.one_stop_centre:
        ax.scatter([X_CENTRE], [Y_MID], s=900, marker="h", color="#2a7ab9", edgecolors="#123", zorder=4)
        cv.txt(X_CENTRE + 0.035, Y_MID, t("centre", lang), va="center", fontweight="bold", color="#123")
    else:
        ax.scatter(
            [X_CENTRE], [Y_MID], s=900, marker="h", facecolors="none", edgecolors="#999", linestyles="--", zorder=4
        )
        cv.txt(X_CENTRE + 0.035, Y_MID, t("centre_off", lang), va="center", color="#888")
    trips = model.kpi_today.get("trips_per_case") if model.kpi_today else None
    if trips is not None and not math.isnan(trips):
        trips_label = {"zh": f"今日每件跑动 {trips:.2f} 次", "en": f"trips per case today: {trips:.2f}"}[lang]
        cv.txt(X_CENTRE + 0.035, Y_MID - 0.06, trips_label, va="center", fontsize=9.5, color="#333")
    rule = p.escalation_135
    # levels 1 and 2 coordinate in both regimes (ad hoc without the rule); the joint conference meets
    # only under the rule
    desk_in_use = {1: True, 2: True, 3: rule}
    desk_loads = {h.index: queued_days(model, h) for h in model.desks}
    slots = max(p.joint_conference_slots, 1)
    desk_loads[3] = len(model.conference_queue) / slots * 0.5  # meetings every few days: half a day per slot-load
    for lvl, (x, y) in lay.desk_xy.items():
        desks_on = desk_in_use[lvl]
        if desks_on:
            ax.scatter(
                [x],
                [y],
                s=520,
                marker="D",
                c=[min(desk_loads.get(lvl, 0.0), 10)],
                cmap=HANDLER_CMAP,
                norm=cv.norm_load,
                edgecolors="#333",
                zorder=4,
            )
        else:
            ax.scatter([x], [y], s=520, marker="D", facecolors="none", edgecolors="#aaa", zorder=4)
        cv.txt(
            x,
            y - 0.065,
            t(f"desk_{lvl}", lang),
            ha="center",
            va="top",
            fontsize=9.5,
            color="#222" if desks_on else "#999",
        )
    if not rule:
        note = t("desks_adhoc", lang)
        cut = note.find("；" if lang == "zh" else ";")  # two lines, clear of the row label on the left
        if cut > 0:
            note = note[: cut + 1] + "\n" + note[cut + 1 :].strip()
        cv.txt(0.995, Y_TOWN + 0.085, note, ha="right", fontsize=8.5, color="#666", linespacing=1.0)


def _townships(cv: _Canvas, model, lay: Layout) -> None:
    """Townships: circles by queued days (a red ring if overloaded), name, open cases, travel, satisfaction."""
    lang = cv.lang
    T = len(model.townships)
    t_load = np.array([queued_days(model, tw.handler) for tw in model.townships])
    over = np.array([tw.overloaded for tw in model.townships], dtype=bool)
    size_t = min(1500.0, 16000.0 / max(T, 1))
    cv.ax.scatter(
        lay.town_x,
        np.full(T, Y_TOWN),
        s=size_t,
        marker="o",
        c=np.minimum(t_load, 10),
        cmap=HANDLER_CMAP,
        norm=cv.norm_load,
        edgecolors=np.where(over, "#c00000", "#333").tolist(),
        linewidths=np.where(over, 3.5, 0.8).tolist(),
        zorder=4,
    )
    cit_mean, ent_mean = township_means(model)
    for i, tw in enumerate(model.townships):
        name = township_label(tw.handler.label, lang)
        size = fitted_size(name, lay.cell * cv.figsize[0] * 0.95, 10.0)
        cv.txt(
            lay.town_x[i],
            Y_TOWN,
            name,
            ha="center",
            va="center",
            fontsize=size,
            fontweight="bold",
            zorder=5,
            linespacing=1.0,
        )
        sat = (
            np.nanmean([cit_mean[i], ent_mean[i]])
            if not (np.isnan(cit_mean[i]) and np.isnan(ent_mean[i]))
            else float("nan")
        )
        info = f"{t('open_cases_short', lang)} {tw.backlog}"
        if len(lay.travel) == T:
            info = t("to_seat", lang, h=float(lay.travel[i])) + "\n" + info
        if not math.isnan(sat):
            info += f"\n{t('sat_short', lang)} {sat:.2f}"
        cv.txt(lay.town_x[i], Y_TOWN - 0.07, info, ha="center", va="top", fontsize=8.5, color="#333", linespacing=1.1)


def _requesters(cv: _Canvas, model, lay: Layout, sample: MarkSample) -> None:
    """The sampled citizens (●) and enterprises (▲; × once exited) under their township, by satisfaction."""
    ax, norm_sat = cv.ax, cv.norm_sat
    sample.update(model)
    lo, hi = Y_MARKS
    cell = lay.cell
    cs, es = model.citizen_state, model.enterprise_state
    if len(sample.citizens):
        xy = sample.citizen_xy
        cx = lay.town_x[sample.citizen_town] + xy[:, 0] * cell
        cy = lo + xy[:, 1] * (hi - lo)
        ax.scatter(
            cx,
            cy,
            s=10,
            marker="o",
            c=cs["satisfaction"][sample.citizens],
            cmap=SAT_CMAP,
            norm=norm_sat,
            linewidths=0,
            zorder=3,
        )
    if len(sample.enterprises):
        rows = sample.enterprises
        town = es["township"][rows].astype(np.int64)
        xy = sample.enterprise_xy
        ex = lay.town_x[town] + xy[:, 0] * cell
        ey = lo + xy[:, 1] * (hi - lo)
        alive = es["stage"][rows] < 3
        ax.scatter(
            ex[alive],
            ey[alive],
            s=16,
            marker="^",
            c=es["satisfaction"][rows][alive],
            cmap=SAT_CMAP,
            norm=norm_sat,
            linewidths=0,
            zorder=3,
        )
        ax.scatter(ex[~alive], ey[~alive], s=12, marker="x", color="#aaaaaa", linewidths=0.8, zorder=3)


def _flows(cv: _Canvas, model, lay: Layout) -> int:
    """Today's arrows (the ``MAX_ARROWS`` largest of each kind); the number of flows left out."""
    ax = cv.ax
    flows = model.day_flows
    hidden = 0
    refs, more = _top(flows.get("referrals", {}), MAX_ARROWS)
    hidden += more
    for (src, dst), n in refs:
        a, b = lay.handler_xy(model, src), lay.handler_xy(model, dst)
        dx = b[0] - a[0]
        if abs(a[1] - b[1]) < 1e-9 and dx:  # same row: bulge downwards, about the same depth for any length
            rad = math.copysign(min(0.6, max(0.1, 0.1 / abs(dx))), dx)
        else:
            rad = 0.1
        _arrow(ax, a, b, n, COLOURS["referrals"], rad=rad)
    dumped, more = _top(flows.get("dumped", {}), MAX_ARROWS)
    hidden += more
    for (d, tw), n in dumped:
        _arrow(ax, (lay.dept_x[d], Y_DEPT), (lay.town_x[tw], Y_TOWN), n, COLOURS["dumped"], rad=0.08)
    bounced, more = _top(flows.get("bounced", {}), MAX_ARROWS)
    hidden += more
    for (tw, d), n in bounced:
        _arrow(ax, (lay.town_x[tw], Y_TOWN), (lay.dept_x[d], Y_DEPT), n, COLOURS["bounced"], rad=0.08)
    esc = flows.get("escalations", {})
    chain = [((X_HANDLERS, Y_MID), lay.desk_xy[1]), (lay.desk_xy[1], lay.desk_xy[2]), (lay.desk_xy[2], lay.desk_xy[3])]
    for lvl, (a, b) in zip((1, 2, 3), chain):
        n = esc.get(lvl, 0)
        if n:
            _arrow(ax, a, b, n, COLOURS["escalations"], rad=0.0, label=str(n))
    if any(esc.get(lvl, 0) for lvl in (1, 2, 3)):
        cv.txt(X_HANDLERS - 0.005, Y_MID, "→", ha="right", va="center", color=COLOURS["escalations"], fontsize=12)
    return hidden


def _legend(cv: _Canvas, model, sample: MarkSample, hidden: int) -> None:
    """The flows' legend, the two colour bars and the sample's note."""
    fig, lang, fam, figsize = cv.fig, cv.lang, cv.fam, cv.figsize
    handles = [
        Line2D([], [], color=COLOURS[k], lw=3, alpha=0.8) for k in ("referrals", "escalations", "dumped", "bounced")
    ]
    labels = [t(k, lang) for k in ("flow_referral", "flow_escalation", "flow_dumped", "flow_bounced")]
    fig.legend(
        handles,
        labels,
        loc="upper right",
        ncol=4 if figsize[0] >= 11 else 2,  # a narrower (classroom) figure: two columns, clear of the title
        frameon=False,
        bbox_to_anchor=(0.995, 0.995),
        prop={"family": fam, "size": 10.5},
        title=t("flows_today", lang),
        title_fontproperties={"family": fam, "size": 10.5},
    )
    cax1 = fig.add_axes((0.05, 0.06, 0.28, 0.025))
    cb1 = fig.colorbar(cm.ScalarMappable(norm=cv.norm_load, cmap=HANDLER_CMAP), cax=cax1, orientation="horizontal")
    cb1.set_ticks([0, 0.5, 1, 1.5, 2])
    cb1.ax.tick_params(labelsize=8.5)
    cax1.set_title(t("cbar_handlers", lang), fontsize=9.5, family=fam, loc="left")
    cax2 = fig.add_axes((0.40, 0.06, 0.22, 0.025))
    cb2 = fig.colorbar(cm.ScalarMappable(norm=cv.norm_sat, cmap=SAT_CMAP), cax=cax2, orientation="horizontal")
    cb2.ax.tick_params(labelsize=8.5)
    cax2.set_title(t("cbar_requesters", lang), fontsize=9.5, family=fam, loc="left")
    total = model.n_citizens + model.n_enterprises
    note = (
        t("requesters", lang) + "\n" + t("sample_note", lang, k=sample.per_township, n=sample.size, total=f"{total:,}")
    )
    if hidden:
        note += " · " + t("more_flows", lang, n=hidden)
    fig.text(0.66, 0.065, note, fontsize=8.5 if figsize[0] >= 11 else 7.0, color="#555", family=fam, va="center")


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """PNG bytes of ``fig``."""
    buf = io.BytesIO()
    with warnings.catch_warnings():  # missing glyphs are reported once by fonts.hint_missing, not per glyph
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
