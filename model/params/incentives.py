"""The incentive and outcome fields of :class:`~townsim.model.params.Params`.

Each field is declared with :func:`~townsim.model.params.kinds.P` (unit, group, range, kind);
``Params`` inherits every group (``model.py``), in the order of the parameter table."""

from __future__ import annotations

from pydantic import BaseModel

from .kinds import P


class Incentives(BaseModel):
    """Incentives and outcomes: learning, relapse, resolution, gaming, channels (G5, G9, P2)."""

    score_dumping_weight: float = P(
        0.5,
        unit="score/dump ratio",
        group="incentives",
        kind="assumption",
        plausible=(0.2, 0.8),
        basis=(
            "weight of dumping in a township's score of a department; no published scoring sheet (expert judgement, "
            "G4–G5)"
        ),
        ge=0,
        le=1,
        desc=(
            "Weight of dumped tasks (per fair share) in a township's score of a department (0 = score ignores dumping)."
        ),
    )
    score_bounce_weight: float = P(
        0.1,
        unit="score/share",
        group="incentives",
        kind="assumption",
        plausible=(0.0, 0.3),
        basis="weight of fights over the list in a township's score of a department (expert judgement)",
        ge=0,
        le=1,
        desc="Weight of the department's bounced share in a township's score of it.",
    )
    score_service_weight: float = P(
        0.4,
        unit="score/share",
        group="incentives",
        kind="assumption",
        plausible=(0.2, 0.6),
        basis="weight of late or unsolved cases in a township's score of a department (expert judgement)",
        ge=0,
        le=1,
        desc="Weight of the department's late or unresolved cases from the township's residents in its score.",
    )
    score_noise_sd: float = P(
        0.1,
        unit="score",
        group="incentives",
        kind="assumption",
        plausible=(0.02, 0.3),
        basis="noise of one township's score of a department: near-exact to as large as the signal (expert judgement)",
        dist="loguniform",
        ge=0,
        le=10,
        desc="Standard deviation of the noise in each township's score of a department (judgement, recall).",
    )
    estimator_forgetting: float = P(
        0.9,
        unit="per period",
        group="incentives",
        kind="assumption",
        plausible=(0.7, 1.0),
        basis="memory of a department's estimate: about three periods to all of them (expert judgement)",
        gt=0,
        le=1,
        desc="Forgetting factor λ of the departments' recursive least squares (1 = remember all periods).",
    )
    estimator_prior_sd: float = P(
        0.5,
        unit="score/share",
        group="incentives",
        kind="assumption",
        plausible=(0.1, 2.0),
        basis="prior doubt about the score effect of dumping: confident to vague (expert judgement)",
        dist="loguniform",
        gt=0,
        le=100,
        desc=(
            "Prior standard deviation of a department's estimate of the score effect of its dump share (prior mean 0)."
        ),
    )
    dumping_exploration_sd: float = P(
        0.5,
        unit="logit",
        group="incentives",
        kind="assumption",
        plausible=(0.1, 1.0),
        basis="size of a department's per-period experiment with its dumping log-odds (expert judgement)",
        ge=0,
        le=10,
        desc="Sd of a department's per-period experiment with its dumping log-odds (two-way assessment only).",
    )
    reform_half_life_days: float = P(
        float("inf"),
        unit="days",
        group="incentives",
        kind="assumption",
        plausible=(125.0, 5000.0),
        basis=(
            "reform attention fades within half a year to twenty years (P2: burdens crept back); the default ∞ (no "
            "fading) lies outside: the base world keeps attention"
        ),
        dist="loguniform",
        gt=0,
        desc=(
            "Half-life of reform attention: the two-way weight and the inspection "
            "cut fade towards the old regime (assumption, P2)."
        ),
        label="Reform half-life (days, ∞ = never fades)",
        label_zh="改革注意力半衰期（天，∞ = 不衰减）",
        desc_zh="改革注意力的半衰期：双向互评权重与督查减负逐渐回到旧体制（假设，P2）。",
        app="time@1",
        step=30.0,
        slider=(30.0, 720.0),
        inf_at_max=True,
    )
    reform_renewal_days: float = P(
        float("inf"),
        unit="days",
        group="incentives",
        kind="lever",
        gt=0,
        desc="Interval at which a campaign renews reform attention to full (∞ = never).",
        # screening range: a renewal campaign monthly up to every two working years (P2: yearly campaigns)
        screen=(20.0, 500.0),
    )
    resolution_base: float = P(
        0.9,
        unit="probability",
        group="incentives",
        ge=0,
        le=1,
        desc="Ceiling of resolution: probability a fully worked case closed by a fully competent handler is really "
        "resolved (some requests cannot be met under the rules).",
        kind="assumption",
        plausible=(0.8, 1.0),
        basis="expert judgement: a small share of requests cannot be met whatever the work done; no survey figure",
    )
    resolution_time_elasticity: float = P(
        1.0,
        unit="-",
        group="incentives",
        dist="loguniform",
        ge=0,
        le=10,
        desc="Exponent θ on the share of a case's needed work done before closure in its resolution probability.",
        kind="assumption",
        plausible=(0.5, 2.0),
        basis="expert judgement: half the work solves from about 70 % (θ = 0.5) to 25 % (θ = 2) as often",
    )
    corner_cutting: float = P(
        0.5,
        unit="share",
        group="incentives",
        ge=0,
        le=1,
        desc="Share of a late handler's projected shortfall of hours it makes up by doing less of each case's "
        "work (0 = always the full work, cases late instead).",
        kind="assumption",
        plausible=(0.0, 1.0),
        basis="no published figure: from none to all of the shortfall (expert judgement)",
    )
    work_fraction_floor: float = P(
        0.3,
        unit="share",
        group="incentives",
        gt=0,
        le=1,
        desc="Least share of a case's needed work a handler does however late (the file must still be processed).",
        kind="assumption",
        plausible=(0.1, 0.6),
        basis="expert judgement: recording and replying take a tenth to a half of a case's hours",
    )
    repeat_share: float = P(
        0.7,
        unit="share",
        group="incentives",
        kind="assumption",
        plausible=(0.3, 0.9),
        basis="share of requesters left unsolved who come back (expert judgement)",
        ge=0,
        le=1,
        desc="Share of requesters whose unresolved case was closed who come back (a repeat contact).",
    )
    repeat_delay_days: float = P(
        5.0,
        unit="working days",
        group="incentives",
        kind="assumption",
        plausible=(1.0, 20.0),
        basis="days before an unsolved requester comes back (expert judgement)",
        dist="loguniform",
        gt=0,
        le=1000,
        desc="Mean delay before an unresolved requester comes back.",
    )
    ontime_weight: float = P(
        0.0,
        unit="score/case",
        group="incentives",
        kind="lever",
        ge=0,
        le=10,
        desc="Weight of one on-time closure in a handler's assessment (0 = on-time not counted: no gaming).",
        # screening range: none up to three times the 135 rule's weight (scenarios: 0.2 one-way, 1.0 one_stop_135)
        screen=(0.0, 3.0),
    )
    ranking_pressure: float = P(
        0.0,
        unit="-",
        group="incentives",
        kind="lever",
        ge=0,
        le=10,
        desc=(
            "Tournament lever κ: extra weight of an on-time closure for a handler ranked last (× rank from the bottom)."
        ),
        # screening range: none up to three times one_stop_135's tournament (1.0), as the Morris design
        screen=(0.0, 3.0),
    )
    gaming_window: float = P(
        0.25,
        unit="share of deadline",
        group="incentives",
        kind="assumption",
        plausible=(0.1, 0.5),
        basis="how early before its deadline a handler decides to close an at-risk case (expert judgement)",
        gt=0,
        le=1,
        desc="How long before its deadline a handler decides whether to close an at-risk case without solving it.",
    )
    gaming_aversion: float = P(
        1.0,
        unit="score/case",
        group="incentives",
        kind="assumption",
        plausible=(0.2, 5.0),
        basis="mean intrinsic cost of a closure without solving, in late-case units (expert judgement)",
        dist="loguniform",
        gt=0,
        le=100,
        desc="Mean of the exponential intrinsic cost of closing a case without solving it.",
    )
    callback_share: float = P(
        0.0,
        unit="share",
        group="incentives",
        kind="lever",
        ge=0,
        le=1,
        desc="Share of closed cases the county calls back (回访) to check that they were solved.",
        label="Call-back checks (回访): share of closed cases",
        label_zh="回访抽查比例",
        desc_zh="县里回访、核实是否真正解决的办结事项比例（回访）。",
        app="grid@2",
    )
    callback_desk_posts: float = P(
        0.0,
        unit="persons",
        group="incentives",
        kind="lever",
        ge=0,
        le=1000,
        off_by_default=True,  # added after results were stored: 0, every drawn call-back is made at no cost
        desc="Posts of the county's call-back desk; its hours cap the call-backs made a day at posts × 8 × 60 / "
        "callback_minutes (0 = no desk: every drawn call-back is made, at no one's cost).",
    )
    callback_minutes: float = P(
        8.0,
        unit="minutes",
        group="incentives",
        kind="assumption",
        plausible=(3.0, 15.0),
        basis="expert judgement: a phone call to the requester and its record in the system",
        switched_by="callback_desk_posts",
        gt=0,
        le=480,
        desc="Desk minutes one call-back takes (with callback_desk_posts > 0).",
    )
    callback_penalty: float = P(
        0.0,
        unit="score/case",
        group="incentives",
        kind="lever",
        ge=0,
        le=100,
        desc="Assessment penalty when a call-back catches a closure without solving.",
        label="Penalty when a call-back finds a case unsolved",
        label_zh="回访发现未解决的扣分",
        desc_zh="回访发现“办结未解决”时的考核扣分。",
        app="grid@3",
        step=0.5,
        slider=(0.0, 5.0),
        # screening range: none up to five late closures (one_stop_135: 3), as the slider
        screen=(0.0, 5.0),
    )
    detection_prior: float = P(
        0.2,
        unit="probability",
        group="incentives",
        kind="assumption",
        plausible=(0.05, 0.5),
        basis="handlers' prior chance of being caught closing unsolved (expert judgement)",
        ge=0,
        le=1,
        desc="Handlers' prior mean of the chance a gamed closure is caught (strength: detection_prior_strength).",
    )
    report_learning: float = P(
        0.2,
        unit="0–1",
        group="incentives",
        kind="assumption",
        plausible=(0.05, 0.5),
        basis=(
            "Bush–Mosteller rate of residents' reporting habit (expert judgement; reinforcement-learning studies use "
            "0.05–0.5)"
        ),
        ge=0,
        le=1,
        desc="Bush–Mosteller rate at which a resident's app-reporting propensity follows report outcomes.",
    )
    petition_propensity: float = P(
        0.5,
        unit="probability",
        group="incentives",
        kind="assumption",
        plausible=(0.2, 0.8),
        basis="share of residents with a dragging dispute who petition (expert judgement)",
        ge=0,
        le=1,
        desc="Probability a resident whose dispute drags past patience petitions, at satisfaction 0.7.",
    )
    petition_distrust_slope: float = P(
        4.0,
        unit="logit/satisfaction",
        group="incentives",
        kind="assumption",
        plausible=(1.0, 8.0),
        basis="rise of petition log-odds per unit of dissatisfaction (expert judgement)",
        ge=0,
        le=100,
        desc="Rise of the petition log-odds per unit of satisfaction below 0.7.",
    )
    channel_experience_slope: float = P(
        4.0,
        unit="logit/satisfaction",
        group="incentives",
        kind="assumption",
        plausible=(1.0, 8.0),
        basis="rise of online log-odds per unit of better online experience (expert judgement)",
        ge=0,
        le=100,
        desc="Rise of the online log-odds per unit of satisfaction online over offline (past experience).",
    )
    channel_travel_slope: float = P(
        0.5,
        unit="logit/hour",
        group="incentives",
        kind="assumption",
        plausible=(0.1, 2.0),
        basis="preference for the township hall per hour of travel saved (expert judgement)",
        dist="loguniform",
        ge=0,
        le=100,
        desc="Preference for the township hall over a trip to the seat per hour of travel it saves.",
    )
