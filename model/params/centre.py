"""The one-stop centre and online channel fields of :class:`~townsim.model.params.Params`.

Each field is declared with :func:`~townsim.model.params.kinds.P` (unit, group, range, kind);
``Params`` inherits every group (``model.py``), in the order of the parameter table."""

from __future__ import annotations

from pydantic import BaseModel

from .kinds import P


class Centre(BaseModel):
    """One-stop centre and online channel (F2, F4, F6, F12)."""

    one_stop_centre: bool = P(
        False,
        unit="switch",
        group="centre",
        kind="lever",
        desc="One-stop centre: one window takes the file, one trip at most offline (F4, F6).",
    )
    joint_handling: bool = P(
        False,
        unit="switch",
        group="centre",
        kind="lever",
        desc="Multi-department cases are handled in parallel (joint) instead of serially.",
    )
    online_share: float = P(
        0.2,
        unit="share",
        group="centre",
        kind="lever",
        ge=0,
        le=1,
        desc="Share of requests filed online (一网通办): zero trips.",
        label="Online share (一网通办)",
        label_zh="一网通办：线上办理比例",
        desc_zh="线上提交的诉求比例（一网通办）：零跑动。",
        app="service@2",
    )
    travel_hours: float = P(
        1.0,
        unit="hours",
        group="centre",
        kind="assumption",
        plausible=(0.25, 3.0),
        basis=(
            "working hours lost between two departments' offices at the seat: across a hall to across town (physical "
            "bound, expert judgement)"
        ),
        dist="loguniform",
        ge=0,
        le=80,
        desc="Working hours an offline requester loses between two departments at the seat (serial handling).",
        label="Travel between departments (hours)",
        label_zh="部门间往返耗时（小时）",
        desc_zh="线下办事群众在县城两个部门之间往返损失的工作小时（串联办理）。",
        app="geography@2",
        step=0.25,
        slider=(0.0, 4.0),
    )
    township_hall_share: float = P(
        0.5,
        unit="share",
        group="centre",
        kind="lever",
        ge=0,
        le=1,
        desc=(
            "Share of offline requests for county-held matters filed at the township "
            "service hall (referral hop) rather than at the seat (trip)."
        ),
        label="Share filed at the township service hall",
        label_zh="在乡镇便民服务中心提交的比例",
        desc_zh="县级部门事项的线下诉求中，在乡镇便民服务中心提交（转办）而非去县城（跑一趟）的比例。",
        app="service@3",
    )
    forward_hours: float = P(
        0.25,
        unit="hours/case",
        group="centre",
        ge=0,
        le=80,
        desc=(
            "A clerk's work to forward one file on paper (register, copy, pack), in the queue of the "
            "township that forwards it; also the wrong department's work to send a misrouted file on."
        ),
        kind="assumption",
        plausible=(0.1, 0.5),
        basis="expert judgement: registering, copying and packing one file takes a clerk 6–30 minutes",
    )
    courier_interval_days: float = P(
        1.0,
        unit="working days",
        group="centre",
        ge=0,
        le=20,
        desc=(
            "Interval between courier runs that carry paper files to the county seat (runs at multiples "
            "of it, the first at the end of day 1; 0 = files arrive the moment they are sent)."
        ),
        kind="assumption",
        plausible=(0.5, 2.0),
        dist="loguniform",
        basis="expert judgement: county document exchange (文件交换) runs from twice a day to every other day",
    )
    misrouting_rate: float = P(
        0.1,
        unit="probability",
        group="centre",
        ge=0,
        le=1,
        desc=(
            "Probability a forwarded file first reaches the wrong department, which sends it on "
            "(its hours; on paper one more courier run)."
        ),
        kind="assumption",
        plausible=(0.02, 0.2),
        dist="loguniform",
        basis="expert judgement: a hall clerk meets hundreds of matter types owned by some twenty departments",
    )
    online_dispatch: bool = P(
        False,
        unit="switch",
        group="centre",
        desc=(
            "Online dispatch on the county platform (一网通办, F12): its dispatchers send hall and "
            "township referrals electronically, with no courier run."
        ),
        kind="lever",
    )
    dispatch_staff: float = P(
        1.0,
        unit="persons",
        group="centre",
        gt=0,
        le=100_000,
        desc="Dispatcher posts of the county platform (with online dispatch; charged in the staff budget).",
        kind="lever",
        # screening range: half a post up to ten, a county platform's dispatchers (one_stop_135: 1)
        screen=(0.5, 10.0),
    )
    dispatch_hours: float = P(
        0.1,
        unit="hours/case",
        group="centre",
        ge=0,
        le=80,
        desc="A platform dispatcher's work to read, classify and dispatch one referred file online.",
        kind="assumption",
        plausible=(0.05, 0.25),
        basis="expert judgement: reading and routing one electronic file takes a dispatcher 3–15 minutes",
    )
    commissioners: int = P(
        0,
        unit="persons",
        group="centre",
        ge=0,
        le=1_000_000,
        desc=(
            "Enterprise service commissioners (企业服务专员, F10: 96); each errand (filing an "
            "enterprise's request for it) takes their hours."
        ),
        kind="lever",
        # screening range: none (baseline) up to F10's 96 (one_stop_135: 8)
        screen=(0, 100),
    )
    commissioner_enterprises: int = P(
        30,
        unit="enterprises/person",
        group="centre",
        kind="assumption",
        plausible=(10, 100),
        basis=(
            "F10 gives 96 commissioners but not their firms; one commissioner can follow 10–100 firms (expert "
            "judgement)"
        ),
        dist="loguniform",
        ge=1,
        le=1_000_000,
        desc="Enterprises one commissioner accompanies (their requests need no trip).",
    )
    errand_hours: float = P(
        0.5,
        unit="hours/case",
        group="centre",
        ge=0,
        le=80,
        desc="A commissioner's work to file one enterprise request (collect the documents, file, follow up).",
        kind="assumption",
        plausible=(0.25, 2.0),
        basis="expert judgement: an errand means a call or visit, the documents and the filing",
    )
