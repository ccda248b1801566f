"""Enquiries (咨询: information and guidance): contacts that ask about a matter rather than for it, answered
by whoever receives them (ODD §7.2). What the hall settles itself is what front-line closure is made of."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small

from townsim.experiments.cli import main
from townsim.model import Params, ParamsError, TownshipModel
from townsim.model.cases import Channel
from townsim.model.catalogue import ENQUIRY


def _run(seed=3, days=30, **kw):
    return TownshipModel(small(**kw), rng=seed).run(days)


@pytest.fixture(scope="module")
def asked():
    return _run(enquiry_share=0.4, commissioners=5, delegated_share=0.3, repeat_share=0.6, township_hall_share=0.5)


def test_a_share_of_contacts_are_enquiries_and_requests_keep_their_rate(asked):
    c = asked.cases
    first = c.view("contact") == 0
    service = first & (c.view("requester_kind") != 2)
    share = c.view("enquiry")[service].mean()
    assert share == pytest.approx(0.4, abs=0.03)
    # requests for matters: the same expected number with or without enquiries (rates scaled by 1/(1−s))
    counts = []
    for seed in range(1, 7):
        for s in (0.0, 0.4):
            m = _run(seed=seed, days=20, enquiry_share=s)
            cc = m.cases
            counts.append(((cc.view("contact") == 0) & (cc.view("requester_kind") != 2) & ~cc.view("enquiry")).sum())
    none, some = np.array(counts[0::2], float), np.array(counts[1::2], float)
    assert abs(some.mean() - none.mean()) < 0.05 * none.mean()


def test_every_enquiry_is_one_step_at_its_receiver(asked):
    c, cat = asked.cases, asked.catalogue
    q = np.flatnonzero(c.view("enquiry"))
    assert (c.view("matter")[q] == cat.dispute_id(ENQUIRY)).all()
    subject = c.view("subject")[q]
    assert (subject >= 0).all() and (cat.requester[subject] != 2).all()
    assert not c.view("referred")[q].any() and not c.view("errand")[q].any()
    assert not c.view("delegated")[q].any() and (c.view("tier")[q] == 0).all()
    receiver, town = c.view("receiver")[q], asked.township_hid0 + c.view("township")[q]
    owner = cat.owner[subject]
    held = asked.delegated[subject] | (owner < 0)
    covered = receiver == asked.commissioner_desk.hid
    hall = c.view("channel")[q] == int(Channel.HALL)
    assert covered.any() and hall.any() and (~held & ~hall & ~covered).any()
    assert (receiver[~covered & (held | hall)] == town[~covered & (held | hall)]).all()  # the township answers
    rest = ~covered & ~held & ~hall
    assert (receiver[rest] == owner[rest]).all()  # at the seat or online: the matter's department


def test_an_unanswered_enquiry_comes_back_as_an_enquiry_about_the_same_matter(asked):
    c = asked.cases
    again = np.flatnonzero((c.view("contact") > 0) & c.view("enquiry"))
    assert len(again) > 0
    root = c.view("repeat_of")[again]
    assert c.view("enquiry")[root].all()
    assert (c.view("subject")[again] == c.view("subject")[root]).all()


def test_enquiries_are_answered_in_enquiry_hours():
    """The answers' hours are the receivers' work: ten times the enquiry hours, more hours worked."""
    worked = []
    for hours in (0.1, 1.0):
        m = _run(seed=5, days=20, enquiry_share=0.5, enquiry_hours=hours)
        worked.append(m.summary()["worked_hours"])
    assert worked[1] > worked[0] * 1.05


@pytest.mark.parametrize("field,value", [("enquiry_share", 0.96), ("enquiry_share", -0.1), ("enquiry_hours", 0.0)])
def test_bad_values_are_one_line_and_exit_2_writing_nothing(tmp_path, capsys, field, value):
    with pytest.raises(ParamsError) as exc:
        Params.build(**{field: value})
    msg = str(exc.value)
    assert field in msg and "\n" not in msg
    out = tmp_path / "out"
    assert main(["run", "baseline", "--days", "2", "--set", f"{field}={value}", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert field in err and len(err.splitlines()) == 1, err
    assert not out.exists()
